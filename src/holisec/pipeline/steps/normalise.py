"""Normalisation onto a common scale, with indicator direction applied once, here.

Every method first multiplies each indicator by its *effective* direction (the product of
directions from the indicator up to the root, so directions set on groups count), as COINr
does, then rescales. The result is read "higher = more risk" (more of whatever the root
measures). ``scope="panel"`` computes the scaling statistics over all entity-periods, so
scores stay comparable across years; ``scope="period"`` computes them per year.

References
----------
OECD/JRC (2008) *Handbook on Constructing Composite Indicators*, step 5, table 3.
COINr ``Normalise()`` and ``n_*()`` functions: https://bluefoxr.github.io/COINr/articles/normalise.html
UNDP (2010) *Human Development Report*, technical notes (goalposts).
"""
from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd
import xarray as xr

from holisec.framework import Framework
from holisec.pipeline._panel import PipelineError, Scope, as_panel, from_columns, reduce_dims, to_columns


def directions(framework: Framework | None, codes) -> xr.DataArray:
    """Effective direction (+1/-1) of each indicator code; +1 without a framework."""
    codes = list(codes)
    if framework is None:
        values = np.ones(len(codes))
    else:
        values = framework.effective_directions.reindex(codes).to_numpy(dtype="float64")
        if np.isnan(values).any():
            raise PipelineError(f"normalise: code(s) {[c for c, v in zip(codes, values) if v != v]} "
                                f"are not in framework {framework.id!r}")
    return xr.DataArray(values, dims="indicator", coords={"indicator": codes})


def minmax(x: xr.DataArray, *, scope: Scope = "panel", lo: float = 0.0, hi: float = 100.0):
    """``(x - min) / (max - min) * (hi - lo) + lo``; 1-100 keeps geometric means off zero."""
    dims = reduce_dims(scope)
    low, high = x.min(dims), x.max(dims)
    axes = tuple(x.get_axis_num(d) for d in dims)
    v = x.values
    lo_v, hi_v = np.expand_dims(low.values, axes), np.expand_dims(high.values, axes)
    with np.errstate(invalid="ignore", divide="ignore"):
        return x.copy(data=(v - lo_v) / (hi_v - lo_v) * (hi - lo) + lo), {"min": low, "max": high}


def zscore(x: xr.DataArray, *, scope: Scope = "panel", mean: float = 0.0, sd: float = 1.0):
    """``(x - mean(x)) / sd(x) * sd + mean`` with the sample standard deviation (ddof 1).

    A constant indicator has no spread and gives missing values (as ``minmax`` does).
    """
    dims = reduce_dims(scope)
    centre = x.mean(dims)
    spread = x.std(dims, ddof=1).where(x.max(dims) > x.min(dims))  # rounding must not fake a spread
    with np.errstate(invalid="ignore", divide="ignore"):
        return (x - centre) / spread * sd + mean, {"mean": centre, "sd": spread}


def _ranks(x: xr.DataArray, scope: Scope) -> tuple[xr.DataArray, xr.DataArray]:
    """Sport ranks (ties share the lowest rank; 1 = lowest value) and the count of values."""
    columns, shape = to_columns(x.values, scope)
    from scipy.stats import rankdata  # imported on use: reading a stored build needs no SciPy

    ranks = rankdata(columns, method="min", axis=0, nan_policy="omit") if columns.size else columns
    ranks = np.where(np.isnan(columns), np.nan, ranks)
    counts = x.notnull().sum(reduce_dims(scope))
    return x.copy(data=from_columns(ranks, shape)), counts


def rank(x: xr.DataArray, *, scope: Scope = "panel"):
    """Rank, 1 = lowest (least risk), ties get the lowest rank (COINr ``n_rank``)."""
    ranks, counts = _ranks(x, scope)
    return ranks, {"n": counts}


def borda(x: xr.DataArray, *, scope: Scope = "panel"):
    """Borda score ``rank - 1`` (COINr ``n_borda``)."""
    ranks, counts = _ranks(x, scope)
    return ranks - 1, {"n": counts}


def prank(x: xr.DataArray, *, scope: Scope = "panel"):
    """Percentile rank ``(rank - 1) / (n - 1)`` in [0, 1] (COINr ``n_prank``)."""
    ranks, counts = _ranks(x, scope)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (ranks - 1) / (counts - 1), {"n": counts}


def dist2max(x: xr.DataArray, *, scope: Scope = "panel"):
    """Distance to the frontier: ``1 - (max - x) / (max - min)`` in [0, 1] (COINr ``n_dist2max``)."""
    dims = reduce_dims(scope)
    low, high = x.min(dims), x.max(dims)
    with np.errstate(invalid="ignore", divide="ignore"):
        return 1 - (high - x) / (high - low), {"min": low, "max": high}


def fracmax(x: xr.DataArray, *, scope: Scope = "panel"):
    """Fraction of the maximum, ``x / max`` (COINr ``n_fracmax``)."""
    high = x.max(reduce_dims(scope))
    with np.errstate(invalid="ignore", divide="ignore"):
        return x / high, {"max": high}


def dist2ref(
    x: xr.DataArray, *, reference: str, scope: Scope = "panel", reference_period: int | None = None, cap: bool = False
):
    """Distance to a reference entity: ``1 - (x_ref - x) / (x_ref - min)`` (COINr ``n_dist2ref``).

    ``x_ref`` is the reference entity's value in the same period, or in ``reference_period``;
    ``min`` is taken over ``scope``. With ``cap`` values beyond the reference score 1.
    """
    if reference not in x["entity"].values:
        raise PipelineError(f"normalise dist2ref: reference entity {reference!r} not in the panel")
    ref = x.sel(entity=reference, drop=True)
    if reference_period is not None:
        ref = ref.sel(period=reference_period, drop=True)
    low = x.min(reduce_dims(scope))
    with np.errstate(invalid="ignore", divide="ignore"):
        y = 1 - (ref - x) / (ref - low)
    return (y.clip(max=1.0) if cap else y), {"min": low}


def _per_indicator(values: Mapping[str, float] | None, codes, what: str, default=None) -> np.ndarray:
    missing = [c for c in codes if (values or {}).get(c, default) is None]
    if missing:
        raise PipelineError(f"normalise: no {what} for indicator(s) {missing}")
    return [(values or {}).get(c, default) for c in codes]


def goalposts(
    x: xr.DataArray,
    *,
    framework: Framework | None = None,
    posts: Mapping[str, tuple[float, float]] | None = None,
    scale: float = 100.0,
    clip: bool = True,
    scope: Scope = "panel",
):
    """Fixed goalposts ``(x - low) / (high - low) * scale`` (flipped for direction -1), clipped.

    Goalposts come from the framework (``Indicator.goalposts``) unless given in ``posts``.
    Goalposts are fixed, so ``scope`` has no effect; they keep scores comparable over time by
    construction (UNDP HDI).
    """
    codes = list(x["indicator"].values)
    fw_posts = {} if framework is None else {i.id: i.goalposts for i in framework.indicators if i.goalposts}
    pairs = np.array(_per_indicator({**fw_posts, **(posts or {})}, codes, "goalposts"), dtype="float64")
    low = xr.DataArray(pairs[:, 0], dims="indicator", coords={"indicator": codes})
    high = xr.DataArray(pairs[:, 1], dims="indicator", coords={"indicator": codes})
    sign = np.sign(x.attrs["direction"])  # x is already multiplied by the direction
    low_s, high_s = xr.where(sign > 0, low, -high), xr.where(sign > 0, high, -low)
    y = (x - low_s) / (high_s - low_s)
    return (y.clip(0, 1) if clip else y) * scale, {"low": low, "high": high}


def target(
    x: xr.DataArray,
    *,
    targets: Mapping[str, float],
    scale: float = 1.0,
    scope: Scope = "panel",
):
    """Goal-relative ``value / target * scale`` (``target / value`` for direction -1).

    The raw, unsigned value is used so that the ratio keeps its meaning; ``scope`` has no effect.
    """
    codes = list(x["indicator"].values)
    goal = xr.DataArray(np.array(_per_indicator(targets, codes, "target"), dtype="float64"),
                        dims="indicator", coords={"indicator": codes})
    sign = x.attrs["direction"]
    raw = x * sign
    with np.errstate(invalid="ignore", divide="ignore"):
        y = xr.where(sign > 0, raw / goal, goal / raw)
    return y * scale, {"target": goal}


METHODS = {
    "minmax": minmax, "zscore": zscore, "rank": rank, "prank": prank, "borda": borda,
    "goalposts": goalposts, "dist2ref": dist2ref, "dist2max": dist2max, "fracmax": fracmax,
    "target": target,
}
#: Methods that need the framework passed in (goalposts).
NEEDS_FRAMEWORK = {"goalposts"}


def normalise(
    data: xr.DataArray, method: str = "minmax", *, framework: Framework | None = None, **params
) -> tuple[xr.DataArray, pd.DataFrame]:
    """Apply effective directions then the named method (see :data:`METHODS`).

    Returns
    -------
    panel, report
        The normalised panel (higher = more risk) and a table of the direction and scaling
        statistics used per indicator (and per period with ``scope="period"``).
    """
    if method not in METHODS:
        raise PipelineError(f"normalise: unknown method {method!r}; expected one of {sorted(METHODS)}")
    data = as_panel(data)
    sign = directions(framework, data["indicator"].values)
    signed = data * sign
    signed.attrs["direction"] = sign
    if method in NEEDS_FRAMEWORK:
        params["framework"] = framework
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN indicators stay NaN
        out, stats = METHODS[method](signed, **params)
    out = out.transpose(..., "entity", "period", "indicator").astype("float64")
    out.attrs = {}
    table = xr.Dataset({"direction": sign, **stats}).to_dataframe().reset_index()
    table.insert(1, "method", method)
    return out, table
