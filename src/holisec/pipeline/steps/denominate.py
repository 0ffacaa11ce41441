"""Denomination: divide indicators by another indicator (per capita, per GDP, per area).

References
----------
OECD/JRC (2008) *Handbook on Constructing Composite Indicators*, step 5 (scale adjustment).
COINr ``Denominate()``: https://bluefoxr.github.io/COINr/articles/denomination.html
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import xarray as xr

from holisec.framework import Framework
from holisec.pipeline._panel import PipelineError, as_panel

REPORT_COLUMNS = ["indicator", "denominator", "scale", "n_values", "n_lost"]


def divide(
    data: xr.DataArray,
    *,
    framework: Framework | None = None,
    denominators: Mapping[str, str] | None = None,
    scale: float | Mapping[str, float] = 1.0,
) -> tuple[xr.DataArray, pd.DataFrame]:
    """Replace each indicator ``x`` by ``x / d * scale`` where ``d`` is its denominator.

    Parameters
    ----------
    data
        Panel holding the indicators *and* their denominators (as extra indicator codes).
    framework
        Source of the default mapping (``Indicator.denominator``) when ``denominators`` is None.
    denominators
        Mapping indicator code -> denominator code; overrides the framework.
    scale
        Scale factor, one for all or a mapping indicator -> factor (e.g. 1000 for "per 1,000").

    Returns
    -------
    panel, report
        The denominated panel (denominators stay in it) and one report row per denominated
        indicator with the number of values kept and lost (denominator missing or zero).
    """
    data = as_panel(data)
    if denominators is None:
        denominators = {} if framework is None else {
            i.id: i.denominator for i in framework.indicators if i.denominator and i.id in data["indicator"]
        }
    codes = list(data["indicator"].values)
    missing = sorted({d for d in denominators.values() if d not in codes} | {k for k in denominators if k not in codes})
    if missing:
        raise PipelineError(f"denominate: code(s) {missing} not in the panel's indicators")
    if not denominators:
        return data, pd.DataFrame(columns=REPORT_COLUMNS)
    targets = list(denominators)
    factors = np.array([float(scale.get(t, 1.0)) if isinstance(scale, Mapping) else float(scale) for t in targets])
    numerator = data.sel(indicator=targets).values
    denominator = data.sel(indicator=[denominators[t] for t in targets]).values
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = numerator / np.where(denominator == 0, np.nan, denominator) * factors
    out = data.copy()
    out.loc[dict(indicator=targets)] = ratio
    report = pd.DataFrame({
        "indicator": targets,
        "denominator": [denominators[t] for t in targets],
        "scale": factors,
        "n_values": np.isfinite(ratio).reshape(-1, len(targets)).sum(axis=0),  # over entity, period (and extra dims)
        "n_lost": (np.isfinite(numerator) & ~np.isfinite(ratio)).reshape(-1, len(targets)).sum(axis=0),
    }, columns=REPORT_COLUMNS)
    return out, report


METHODS = {"divide": divide}


def denominate(data: xr.DataArray, method: str = "divide", **params) -> tuple[xr.DataArray, pd.DataFrame]:
    """Dispatch to a denomination method by name (only ``divide`` today)."""
    if method not in METHODS:
        raise PipelineError(f"denominate: unknown method {method!r}; expected one of {sorted(METHODS)}")
    return METHODS[method](data, **params)
