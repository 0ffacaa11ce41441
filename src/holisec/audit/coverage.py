"""Data coverage of the raw panel: share of observed values per indicator, entity, period.

References
----------
OECD/JRC (2008). *Handbook on Constructing Composite Indicators*, Step 3 (imputation of
missing data): coverage must be documented before imputation.
"""
from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import xarray as xr

from holisec.audit._common import PANEL_DIMS, check_scores, select_periods

#: Default minimum share of observed values (a project default, tunable).
MIN_SHARE = 0.65


def coverage(
    raw: xr.DataArray,
    by: str | Sequence[str] = "indicator",
    threshold: float = MIN_SHARE,
    period: int | Sequence[int] | None = None,
) -> pd.DataFrame:
    """Share of observed (non-NaN) values of ``raw`` grouped by one or more dims.

    Parameters
    ----------
    raw : xarray.DataArray
        Panel with dims ``("entity", "period", "indicator")``, NaN = missing.
    by : str or sequence of str
        Dim(s) to keep, e.g. ``"indicator"``, ``"entity"``, ``"period"`` or
        ``("indicator", "period")``; the others are counted over.
    threshold : float
        Flag ``low`` when ``share < threshold``.
    period : int or sequence of int, optional
        Restrict to these periods first.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``by``; columns ``n_observed, n_total, share, low``.

    References
    ----------
    OECD/JRC (2008), Handbook, Step 3.
    """
    raw = select_periods(check_scores(raw, PANEL_DIMS), period)
    keep = [by] if isinstance(by, str) else list(by)
    bad = [d for d in keep if d not in PANEL_DIMS]
    if bad:
        raise ValueError(f"by must name dims of {PANEL_DIMS}, got {bad}")
    over = [d for d in PANEL_DIMS if d not in keep]
    obs = raw.notnull().sum(over)
    total = 1
    for d in over:
        total *= raw.sizes[d]
    df = obs.rename("n_observed").to_dataframe()[["n_observed"]]
    df["n_observed"] = df["n_observed"].astype(int)
    if len(keep) > 1:
        df = df.reorder_levels(keep).sort_index()
    df["n_total"] = int(total)
    df["share"] = df["n_observed"] / total if total else float("nan")
    df["low"] = (df["share"] < threshold).astype(bool)
    return df


def coverage_summary(raw: xr.DataArray, threshold: float = MIN_SHARE,
                     period: int | Sequence[int] | None = None) -> dict[str, pd.DataFrame]:
    """Coverage per indicator, per entity and per period (see :func:`coverage`)."""
    return {d: coverage(raw, d, threshold, period) for d in ("indicator", "entity", "period")}
