"""Imputation of missing values and data-availability screening.

Every method fills only missing cells: observed values are never changed. Each returns the
new panel and a report with one row per imputed cell (``entity, period, indicator, method,
before, after``); :func:`screen` reports the excluded codes instead.

References
----------
OECD/JRC (2008) *Handbook on Constructing Composite Indicators*, step 3 (imputation).
COINr ``Impute()`` and ``Screen()``: https://bluefoxr.github.io/COINr/articles/imputation.html
Troyanskaya et al. (2001) Missing value estimation methods for DNA microarrays (k-NN imputation).
van Buuren & Groothuis-Oudshoorn (2011) mice: Multivariate Imputation by Chained Equations, JSS 45(3).
"""
from __future__ import annotations

import warnings
from typing import Literal

import numpy as np
import pandas as pd
import xarray as xr

from holisec.pipeline._panel import (
    PipelineError, Scope, as_panel, from_columns, point_report, reduce_dims, to_columns,
)

SCREEN_COLUMNS = ["code", "kind", "share", "threshold", "period"]


def _filled(data: xr.DataArray, candidate: xr.DataArray | np.ndarray, method: str):
    """Fill the missing cells of ``data`` from ``candidate``; report what was filled."""
    values = np.asarray(candidate, dtype="float64")
    missing = np.isnan(data.values)
    out = data.copy(data=np.where(missing, values, data.values))
    report = point_report(data, out, missing & ~np.isnan(out.values), method)
    return out, report


# --- screening ----------------------------------------------------------------------------
def screen(
    data: xr.DataArray,
    *,
    min_indicator_share: float = 0.0,
    min_entity_share: float = 0.0,
    first: Literal["indicators", "entities"] = "indicators",
    entity_window: int | None = None,
    min_start_share: float = 0.0,
) -> tuple[xr.DataArray, pd.DataFrame]:
    """Drop indicators and entities whose share of observed cells is below a threshold, and
    find where each kept entity's scores start.

    An indicator's share is its observed entity-periods over all entity-periods; an entity's
    share is its observed indicator-periods over all indicator-periods, over the whole panel
    or, with ``entity_window=N``, over its last ``N`` periods (current coverage: a state
    founded late is judged on the years it has existed). ``first`` says which is screened
    first; the second share is computed on what the first left. ``"entities"`` first keeps
    territories with almost no data from pulling every indicator's share down. Use it before
    imputation from other entities so that nothing is imputed from too little data.

    ``min_start_share``: a kept entity's scores start in its first period whose observed
    share of the kept indicators reaches this; earlier periods (before independence, before
    its statistics begin) are reported as ``kind="start"`` with ``period`` = the first scored
    period, and :func:`holisec.pipeline.build` leaves their scores missing instead of
    publishing numbers imputed from neighbours. The panel itself is returned unchanged there.

    Returns
    -------
    panel, report
        Report columns ``code, kind ("indicator"|"entity"|"start"), share, threshold, period``.
    """
    data = as_panel(data)
    if entity_window is not None and entity_window < 1:
        raise PipelineError(f"impute screen: entity_window must be >= 1, got {entity_window}")
    periods = np.sort(data["period"].values)
    recent = periods[-entity_window:] if entity_window else periods
    rules = {"indicator": (("entity", "period"), min_indicator_share),
             "entity": (("period", "indicator"), min_entity_share)}
    order = ["indicator", "entity"] if first == "indicators" else ["entity", "indicator"]
    rows = []
    for kind in order:
        dims, threshold = rules[kind]
        basis = data.sel(period=recent) if kind == "entity" else data
        cells = int(np.prod([basis.sizes[d] for d in dims]))
        share = _same_across(basis.notnull().sum(dims) / max(cells, 1), f"{kind} share")  # 0 once nothing is left
        drop = share[kind].values[(share < threshold).values]
        rows += [(c, kind, float(v), threshold, pd.NA) for c, v in zip(drop, share.sel({kind: drop}).values)]
        data = data.drop_sel({kind: drop})
    if min_start_share > 0 and data.sizes["indicator"]:
        per_period = _same_across(data.notnull().mean("indicator"), "start share")
        per_period = per_period.sel(period=periods).transpose("entity", "period").values
        reached = per_period >= min_start_share
        late = ~reached[:, 0] & reached.any(axis=1)  # entities whose scores start after the first period
        start_at = reached.argmax(axis=1)
        rows += [(e, "start", float(per_period[i, start_at[i]]), min_start_share, int(periods[start_at[i]]))
                 for i, e in zip(np.flatnonzero(late), data["entity"].values[late])]
    report = pd.DataFrame(rows, columns=SCREEN_COLUMNS)
    report["period"] = report["period"].astype("Int64")
    return data, report


def _same_across(share: xr.DataArray, what: str) -> xr.DataArray:
    """Screening keeps one panel shape: a share must be the same along extra dims (replication)."""
    extras = [d for d in share.dims if d not in ("entity", "period", "indicator")]
    if not extras:
        return share
    low, high = share.min(extras), share.max(extras)
    if not bool((low == high).all()):
        raise PipelineError(f"impute screen: the {what} differs along {extras}; screening needs the same "
                            "missing-data pattern in every replication (resample observed values only)")
    return low


def score_starts(report: pd.DataFrame) -> pd.Series:
    """Entity -> first scored period, from the ``kind == "start"`` rows of a screening report."""
    if "kind" not in report or "period" not in report:
        return pd.Series(dtype="Int64")
    rows = report[report["kind"] == "start"]
    return pd.Series(rows["period"].to_numpy(), index=rows["code"].to_numpy(), dtype="Int64")


# --- group statistics ------------------------------------------------------------------------
def _group_fill(data: xr.DataArray, by: pd.Series, scope: Scope, stat: Literal["mean", "median"], method: str):
    data = as_panel(data)
    if not isinstance(by, pd.Series):
        raise PipelineError(f"impute {method}: 'by' must be a pandas Series mapping entity -> group")
    labels = by.reindex(data["entity"].values).to_numpy(dtype=object)
    n_p = data.sizes["period"]
    matrix, shape = to_columns(data.values, scope)  # rows: entity-periods (panel) or entities (period)
    row_labels = np.repeat(labels, n_p) if scope == "panel" else labels
    table = pd.DataFrame(matrix)
    keys = pd.Series(row_labels, dtype=object)
    stats = table.groupby(keys, dropna=True).agg(stat)  # skips NaN within each group
    lookup = stats.reindex(keys.where(keys.notna())).to_numpy(dtype="float64")
    return _filled(data, from_columns(lookup, shape), method)


def group_mean(data: xr.DataArray, *, by: pd.Series, scope: Scope = "period"):
    """Fill a missing cell with the mean of its entity's group (e.g. region, income group).

    ``scope="period"``: mean of the group's entities in the same period; ``"panel"``: over all
    periods. Entities without a group are left missing.
    """
    return _group_fill(data, by, scope, "mean", "group_mean")


def group_median(data: xr.DataArray, *, by: pd.Series, scope: Scope = "period"):
    """Like :func:`group_mean` with the median (robust to outliers)."""
    return _group_fill(data, by, scope, "median", "group_median")


# --- within-entity time series -----------------------------------------------------------------
def _neighbours(valid: np.ndarray):
    """Index of the previous and next observed period (``-1`` / ``n`` when there is none)."""
    n = valid.shape[-1]
    steps = np.arange(n)
    prev = np.maximum.accumulate(np.where(valid, steps, -1), axis=-1)
    nxt = np.minimum.accumulate(np.where(valid, steps, n)[..., ::-1], axis=-1)[..., ::-1]
    return prev, nxt


def _time_fill(data: xr.DataArray, *, interpolate: bool, forward: bool, backward: bool, limit: int | None):
    """Vectorised gap filling along ``period`` for every (entity, indicator) series at once."""
    data = as_panel(data)
    x = np.moveaxis(data.values, -2, -1)  # (..., entity, indicator, period)
    n = x.shape[-1]
    t = data["period"].values.astype("float64")
    valid = ~np.isnan(x)
    prev, nxt = _neighbours(valid)
    steps = np.arange(n)
    x_prev = np.take_along_axis(x, np.clip(prev, 0, n - 1), axis=-1)
    x_next = np.take_along_axis(x, np.clip(nxt, 0, n - 1), axis=-1)
    has_prev, has_next = prev >= 0, nxt < n
    limit = n if limit is None else limit
    fill = np.full_like(x, np.nan)
    how = np.full(x.shape, "", dtype=object)
    if interpolate:
        inside = ~valid & has_prev & has_next
        t_prev, t_next = t[np.clip(prev, 0, n - 1)], t[np.clip(nxt, 0, n - 1)]
        with np.errstate(invalid="ignore", divide="ignore"):
            line = x_prev + (x_next - x_prev) * (t - t_prev) / (t_next - t_prev)
        fill = np.where(inside, line, fill)
        how[inside] = "linear"
    if forward:
        carry = ~valid & has_prev & np.isnan(fill) & (steps - prev <= limit)
        fill = np.where(carry, x_prev, fill)
        how[carry] = "locf"
    if backward:
        carry = ~valid & has_next & np.isnan(fill) & (nxt - steps <= limit)
        fill = np.where(carry, x_next, fill)
        how[carry] = "nocb"
    out = data.copy(data=np.moveaxis(np.where(valid, x, fill), -1, -2))
    return out, point_report(data, out, np.moveaxis(how != "", -1, -2), np.moveaxis(how, -1, -2))


def linear(
    data: xr.DataArray,
    *,
    extrapolate: Literal["none", "locf", "nocb", "both"] = "none",
    limit: int | None = None,
):
    """Linear interpolation in time within each entity's series (uneven year gaps respected).

    Gaps before the first or after the last observation are left missing unless
    ``extrapolate`` carries the nearest observation forward (``locf``), backward (``nocb``) or
    both, at most ``limit`` periods away. A series with one observation can only be carried.
    """
    return _time_fill(data, interpolate=True, forward=extrapolate in ("locf", "both"),
                      backward=extrapolate in ("nocb", "both"), limit=limit)


def locf(data: xr.DataArray, *, nocb: bool = False, limit: int | None = None):
    """Last observation carried forward within each entity (and next carried backward if ``nocb``)."""
    return _time_fill(data, interpolate=False, forward=True, backward=nocb, limit=limit)


# --- multivariate (scikit-learn) -----------------------------------------------------------------
def _sklearn_fill(data: xr.DataArray, make_imputer, scope: Scope, standardise: bool, method: str):
    data = as_panel(data)
    values = data.values
    panels = values.reshape((-1,) + values.shape[-3:])  # one model per panel along extra dims
    slices = [slice(None)] if scope == "panel" else [slice(p, p + 1) for p in range(values.shape[-2])]
    reduce_dims(scope)
    result = panels.copy()
    # One fit per period when scope="period": the model itself is fitted per slice.
    for k in range(panels.shape[0]):
        for sl in slices:
            block = panels[k, :, sl, :]
            rows = block.reshape(-1, block.shape[-1])
            keep_rows = ~np.isnan(rows).all(axis=1)
            keep_cols = ~np.isnan(rows).all(axis=0)
            sub = rows[np.ix_(keep_rows, keep_cols)]
            if sub.size == 0 or not np.isnan(sub).any():
                continue
            centre = np.nanmean(sub, axis=0) if standardise else np.zeros(sub.shape[1])
            spread = np.nanstd(sub, axis=0) if standardise else np.ones(sub.shape[1])
            spread = np.where(spread > 0, spread, 1.0)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                imputed = make_imputer().fit_transform((sub - centre) / spread) * spread + centre
            filled = rows.copy()
            filled[np.ix_(keep_rows, keep_cols)] = imputed
            result[k, :, sl, :] = filled.reshape(block.shape)
    return _filled(data, result.reshape(values.shape), method)


def knn(
    data: xr.DataArray, *, n_neighbors: int = 5, scope: Scope = "panel", standardise: bool = True
):
    """k-nearest-neighbour imputation in indicator space (:class:`sklearn.impute.KNNImputer`).

    Each entity-period is a point whose coordinates are its indicators; a missing value is the
    mean of that indicator over the ``n_neighbors`` closest points (NaN-aware Euclidean
    distance). With ``standardise`` the indicators are z-scored first so that units do not
    decide the distance. Rows with no observation at all are left missing.
    """
    from sklearn.impute import KNNImputer

    return _sklearn_fill(data, lambda: KNNImputer(n_neighbors=n_neighbors), scope, standardise, "knn")


def iterative(
    data: xr.DataArray, *, max_iter: int = 10, seed: int = 0, scope: Scope = "panel", standardise: bool = True
):
    """EM-like chained-equation imputation (:class:`sklearn.impute.IterativeImputer`, Bayesian ridge).

    Each indicator with missing values is regressed on the others in turn, ``max_iter`` rounds,
    seeded by ``seed`` for reproducibility.
    """
    from sklearn.experimental import enable_iterative_imputer  # noqa: F401
    from sklearn.impute import IterativeImputer

    return _sklearn_fill(
        data, lambda: IterativeImputer(max_iter=max_iter, random_state=seed), scope, standardise, "iterative"
    )


METHODS = {
    "screen": screen,
    "group_mean": group_mean,
    "group_median": group_median,
    "linear": linear,
    "locf": locf,
    "knn": knn,
    "iterative": iterative,
}


def impute(data: xr.DataArray, method: str, **params) -> tuple[xr.DataArray, pd.DataFrame]:
    """Dispatch to an imputation method by name (see :data:`METHODS`)."""
    if method not in METHODS:
        raise PipelineError(f"impute: unknown method {method!r}; expected one of {sorted(METHODS)}")
    return METHODS[method](data, **params)
