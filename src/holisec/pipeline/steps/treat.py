"""Outlier treatment by the JRC skewness-kurtosis rule (COINr ``Treat()`` default).

An indicator fails when ``|skewness| > skew_thresh`` *and* ``kurtosis > kurt_thresh``
(sample-adjusted skewness and excess kurtosis, "type 2" as in Excel and COINr). A failing
indicator is winsorised one extreme at a time (the highest value if skewness >= 0, else the
lowest, replaced by the next one; tied extremes move together) until it passes or ``winmax``
distinct points are treated (COINr's ``nwin``: the points now at the maximum plus those at the
minimum; a point moved again in a later round counts once; tied points may take the count past
``winmax`` in the last round, as in COINr). If it still fails, a log-type transform is applied instead: by default to
the original values (``combine=False``, as COINr), else to the winsorised ones.

The loop runs over winsorisation rounds only; every round treats all failing indicators (and,
with ``scope="period"``, all periods) at once.

References
----------
OECD/JRC (2008) *Handbook on Constructing Composite Indicators*, step 4.
JRC COIN (2019) *Ten step guide*, outlier treatment: https://knowledge4policy.ec.europa.eu/composite-indicators
COINr ``Treat()``, ``winsorise()``, ``log_CT()``: https://bluefoxr.github.io/COINr/articles/treat.html
"""
from __future__ import annotations

import warnings
from typing import Literal

import numpy as np
import pandas as pd
import xarray as xr

from holisec.pipeline._panel import (
    PipelineError, Scope, as_panel, column_labels, from_columns, point_report, to_columns,
)


def _count_and_deviations(columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = np.sum(~np.isnan(columns), axis=0).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return n, columns - np.nanmean(columns, axis=0)


def skewness(columns: np.ndarray) -> np.ndarray:
    """Sample-adjusted skewness of each column, NaN-aware (``e1071`` type 2 / Excel ``SKEW``)."""
    n, dev = _count_and_deviations(columns)
    with np.errstate(invalid="ignore", divide="ignore"):
        m2, m3 = np.nansum(dev**2, axis=0) / n, np.nansum(dev**3, axis=0) / n
        g1 = m3 / m2**1.5
        return np.where(n >= 3, g1 * np.sqrt(n * (n - 1)) / (n - 2), np.nan)


def kurtosis(columns: np.ndarray) -> np.ndarray:
    """Sample-adjusted excess kurtosis of each column, NaN-aware (type 2 / Excel ``KURT``)."""
    n, dev = _count_and_deviations(columns)
    with np.errstate(invalid="ignore", divide="ignore"):
        m2, m4 = np.nansum(dev**2, axis=0) / n, np.nansum(dev**4, axis=0) / n
        r = m4 / m2**2
        return np.where(n >= 4, ((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3)), np.nan)


def failing(columns: np.ndarray, skew_thresh: float, kurt_thresh: float) -> np.ndarray:
    """True where a column breaks the rule (undefined statistics count as passing)."""
    with np.errstate(invalid="ignore"):
        return (np.abs(skewness(columns)) > skew_thresh) & (kurtosis(columns) > kurt_thresh)


def log_ct(columns: np.ndarray) -> np.ndarray:
    """COIN Tool log transform ``log(x - min + 0.01 (max - min))`` per column (order preserved)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        lo, hi = np.nanmin(columns, axis=0), np.nanmax(columns, axis=0)
    return log_ct_between(columns, lo, hi)


def log_ct_between(columns: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """``log(x - lo + 0.01 (hi - lo))`` with given per-column ``lo``, ``hi`` (the columns' min and
    max in :func:`log_ct`; a chunked build passes the whole column's)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.log(columns - lo + 0.01 * (hi - lo))


def _winsorise(x: np.ndarray, active: np.ndarray, winmaxes: list[int], skew_thresh: float, kurt_thresh: float):
    """Winsorise the ``active`` columns of ``x`` (in place, up to ``max(winmaxes)`` points).

    Returns, per ``winmax`` in ``winmaxes``, ``(values, moved down, moved up)`` as they stand when
    that limit stops each column. A column's rounds depend on that column only, so the rounds of
    a smaller limit are the first rounds of a larger one: one pass serves every limit (a Monte
    Carlo over ``winmax`` treats once).
    """
    high = np.zeros(x.shape, dtype=bool)
    low = np.zeros(x.shape, dtype=bool)
    count = np.zeros(x.shape[1], dtype=int)
    limits = sorted(set(int(k) for k in winmaxes))
    frozen = {k: np.zeros(x.shape[1], dtype=bool) for k in limits}
    states = {k: (x.copy(), high.copy(), low.copy()) for k in limits}
    while True:
        for k in limits:  # columns this limit stops now keep their current state
            stop = ~frozen[k] & ~(active & (count < k))
            if stop.any():
                xs, hs, ls = states[k]
                xs[:, stop], hs[:, stop], ls[:, stop] = x[:, stop], high[:, stop], low[:, stop]
                frozen[k] |= stop
        active = active & (count < limits[-1])
        if not active.any():
            return states
        sub = x[:, active]
        upper = skewness(sub) >= 0
        extreme = np.where(upper, np.nanmax(sub, axis=0), np.nanmin(sub, axis=0))
        at_extreme = sub == extreme
        rest = np.where(at_extreme, np.nan, sub)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            replacement = np.where(upper, np.nanmax(rest, axis=0), np.nanmin(rest, axis=0))
        movable = np.isfinite(replacement)  # a column with one distinct value cannot be winsorised
        moved = at_extreme & movable
        sub = np.where(moved, replacement, sub)
        x[:, active] = sub
        cols = np.flatnonzero(active)
        high[:, cols] |= moved & upper
        low[:, cols] |= moved & ~upper
        # distinct points treated so far (COINr ``nwin``): a point moved in an earlier round is
        # tied at the new extreme and moves again, but counts once
        count[cols] = (high[:, cols] | low[:, cols]).sum(axis=0)
        still = failing(sub, skew_thresh, kurt_thresh) & movable
        active[cols] = still


def jrc(
    data: xr.DataArray,
    *,
    winmax: int = 5,
    skew_thresh: float = 2.0,
    kurt_thresh: float = 3.5,
    transform: Literal["log_ct", "none"] = "log_ct",
    combine: bool = False,
    scope: Scope = "panel",
) -> tuple[xr.DataArray, pd.DataFrame]:
    """Treat outliers with the JRC rule (see module docstring).

    Parameters
    ----------
    winmax
        Maximum number of points winsorised per indicator (per period with ``scope="period"``).
    skew_thresh, kurt_thresh
        Thresholds on absolute skewness and on excess kurtosis.
    transform
        ``"log_ct"``: COIN Tool log transform when winsorisation is not enough; ``"none"``: keep
        the winsorised values.
    combine
        Apply the transform to the winsorised values instead of the original ones.
    scope
        ``"panel"``: one distribution per indicator over all entity-periods (same treatment in
        every year); ``"period"``: one per indicator and period.

    Returns
    -------
    panel, report
        Report: one row per winsorised point (``method`` ``winhi`` or ``winlo``, values before
        and after) and one row per transformed indicator (``method`` ``log_ct``, ``entity``
        None = every entity; ``period`` None = every period with ``scope="panel"``).
    """
    return jrc_limits(data, [winmax], skew_thresh=skew_thresh, kurt_thresh=kurt_thresh, transform=transform,
                      combine=combine, scope=scope)[winmax]


def jrc_limits(
    data: xr.DataArray,
    winmaxes: list[int],
    *,
    skew_thresh: float = 2.0,
    kurt_thresh: float = 3.5,
    transform: Literal["log_ct", "none"] = "log_ct",
    combine: bool = False,
    scope: Scope = "panel",
) -> dict[int, tuple[xr.DataArray, pd.DataFrame]]:
    """:func:`jrc` for several ``winmax`` limits in one winsorisation pass: ``{winmax: (panel, report)}``,
    each equal to ``jrc(data, winmax=winmax, ...)`` (which calls this with one limit)."""
    if transform not in ("log_ct", "none"):
        raise PipelineError(f"treat: transform must be 'log_ct' or 'none', got {transform!r}")
    data = as_panel(data)
    original, shape = to_columns(data.values, scope)
    fails = failing(original, skew_thresh, kurt_thresh)
    states = _winsorise(original.copy(), fails.copy(), list(winmaxes), skew_thresh, kurt_thresh)
    out = {}
    for winmax, (x, high, low) in states.items():
        still = failing(x, skew_thresh, kurt_thresh) & fails
        method = np.where(high, "winhi", np.where(low, "winlo", "")).astype(object)
        transformed = still if transform == "log_ct" else np.zeros_like(still)
        if transformed.any():
            x[:, transformed] = log_ct(x[:, transformed] if combine else original[:, transformed])
            if not combine:
                method[:, transformed] = ""  # winsorisation discarded: the transform starts from the original
        treated = data.copy(data=from_columns(x, shape))
        points = point_report(data, treated, from_columns(method != "", shape), from_columns(method, shape))
        out[winmax] = treated, pd.concat([points, _transform_rows(data, transformed, scope)], ignore_index=True)
    return out


def _transform_rows(data: xr.DataArray, transformed: np.ndarray, scope: Scope) -> pd.DataFrame:
    """One report row per transformed indicator (per period with ``scope="period"``, per
    replication with extra dims); entity is None."""
    labels = {d: v[transformed] for d, v in column_labels(data, scope).items()}
    periods = labels.pop("period").tolist() if scope == "period" else [None] * int(transformed.sum())
    codes = labels.pop("indicator")
    return pd.DataFrame({**labels, "entity": None, "period": pd.Series(periods, dtype=object), "indicator": codes,
                         "method": "log_ct", "before": np.nan, "after": np.nan})


METHODS = {"jrc": jrc}


def treat(data: xr.DataArray, method: str = "jrc", **params) -> tuple[xr.DataArray, pd.DataFrame]:
    """Dispatch to an outlier-treatment method by name (only ``jrc`` today)."""
    if method not in METHODS:
        raise PipelineError(f"treat: unknown method {method!r}; expected one of {sorted(METHODS)}")
    return METHODS[method](data, **params)
