"""Shared helpers of the holistic view: domain scores of a built index, errors."""
from __future__ import annotations

import xarray as xr


class HolisticError(ValueError):
    """An input or choice that cannot give a meaningful holistic measure (says what and where)."""


def domains(result) -> list[str]:
    """The root's children that have scores (for ``holistic``: the 11 security domains)."""
    have = set(result.scores["code"].values)
    return [c for c in result.framework.children(result.root) if c in have]


def domain_scores(result) -> xr.DataArray:
    """Domain risk scores ``(entity, period, domain)`` on the index scale (higher = more risk)."""
    codes = domains(result)
    if not codes:
        raise HolisticError(f"framework {result.framework.id!r}: the index has no scored domains")
    da = result.scores.sel(code=codes).rename(code="domain")
    return da.drop_vars([c for c in ("level",) if c in da.coords]).transpose("entity", "period", "domain")
