"""Aggregation up the framework tree: indicators -> groups -> ... -> root.

Each level is computed for all its groups at once from a children x groups weight matrix
(``einsum`` with a NaN mask). Missing children are skipped and the weights of the present
children renormalised (COINr behaviour); with ``min_share`` a group is left missing when
fewer than that share of its children are present.

References
----------
OECD/JRC (2008) *Handbook on Constructing Composite Indicators*, step 6 (aggregation), pp. 102-106
(additive, geometric, Condorcet/Copeland outranking).
Mazziotta, M. & Pareto, A. (2016) On a generalized non-compensatory composite index for measuring
socio-economic phenomena. *Social Indicators Research* 127, 983-1003 (MPI).
COINr ``Aggregate()``, ``a_amean``, ``a_gmean``, ``a_hmean``, ``a_copeland``:
https://bluefoxr.github.io/COINr/articles/aggregate.html
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import xarray as xr

from holisec.framework import Framework
from holisec.pipeline._panel import PipelineError, Scope, as_panel, reduce_dims
from holisec.pipeline.steps.mcda import AGGREGATIONS

REPORT_COLUMNS = ["code", "level", "method", "n_children", "n_values", "n_incomplete", "n_below_min_share"]


def _weighted(values: np.ndarray, present: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """``sum_c values[..., c] * matrix[c, g]`` over present children (absent ones count as 0)."""
    return np.einsum("epc,cg->epg", np.where(present, values, 0.0), matrix)


def _check_positive(values: np.ndarray, method: str) -> None:
    if np.any(values[~np.isnan(values)] < 0):
        raise PipelineError(
            f"aggregate {method}: negative inputs; normalise to a positive range (e.g. minmax lo=1, hi=100)"
        )


def amean(values, present, matrix, **_):
    """Weighted arithmetic mean ``sum w x / sum w`` (fully compensatory)."""
    return _weighted(values, present, matrix) / _weighted(np.ones_like(values), present, matrix)


def gmean(values, present, matrix, **_):
    """Weighted geometric mean ``exp(sum w log x / sum w)``; a zero child gives zero."""
    _check_positive(values, "gmean")
    positive = present & (values > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.where(positive, np.log(np.where(positive, values, 1.0)), 0.0)
    out = np.exp(_weighted(logs, present, matrix) / _weighted(np.ones_like(values), present, matrix))
    has_zero = _weighted((values == 0).astype(float), present, matrix) > 0
    return np.where(has_zero, 0.0, out)


def hmean(values, present, matrix, **_):
    """Weighted harmonic mean ``sum w / sum (w / x)``; a zero child gives zero."""
    _check_positive(values, "hmean")
    positive = present & (values > 0)
    inverse = np.where(positive, 1.0 / np.where(positive, values, 1.0), 0.0)
    total = _weighted(np.ones_like(values), present, matrix)
    out = total / _weighted(inverse, present, matrix)
    has_zero = _weighted((values == 0).astype(float), present, matrix) > 0
    return np.where(has_zero, 0.0, out)


def mpi(values, present, matrix, *, scope: Scope = "period", sign: int = 1, **_):
    """Mazziotta-Pareto index ``M + sign * S * cv`` on children standardised to mean 100, sd 10.

    ``z = 100 + 10 (x - mean) / sd`` per child over ``scope`` (population sd); ``M`` and ``S``
    are the (weighted) mean and population standard deviation of a unit's ``z`` over the
    children, ``cv = S / M``. ``sign=+1`` (default) suits a risk index: imbalance among the
    children *raises* the score (MPI+); ``sign=-1`` is the classic MPI- for "higher = better".
    """
    axes = (0,) if scope == "period" else (0, 1)
    reduce_dims(scope)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        centre = np.nanmean(values, axis=axes, keepdims=True)
        spread = np.nanstd(values, axis=axes, keepdims=True)
    z = 100 + 10 * (values - centre) / np.where(spread > 0, spread, np.nan)
    present = present & ~np.isnan(z)
    total = _weighted(np.ones_like(z), present, matrix)
    mean = _weighted(z, present, matrix) / total
    variance = np.maximum(_weighted(z**2, present, matrix) / total - mean**2, 0.0)
    sd = np.sqrt(variance)
    return mean + sign * sd * sd / mean


def copeland(values, present, matrix, *, scope: Scope = "period", **_):
    """Copeland outranking score within each period (COINr ``a_copeland``).

    For units ``a, b`` the weighted share of children where ``a`` beats ``b`` (ties count
    half), over children present for both, is ``omega_ab``; the score is
    ``sum_b sign(omega_ab - 0.5)``: wins minus losses. Units with no child present are missing.
    """
    if scope != "period":
        raise PipelineError("aggregate copeland: outranking is defined within a period; use scope='period'")
    out = np.full(values.shape[:2] + (matrix.shape[1],), np.nan)
    for g in range(matrix.shape[1]):  # loop over groups only; entity pairs and periods are vectorised
        kids = np.flatnonzero(matrix[:, g] > 0)
        if kids.size == 0:
            continue
        x, ok, w = values[..., kids], present[..., kids], matrix[kids, g]
        diff = x[:, None] - x[None, :]  # (a, b, period, child)
        both = ok[:, None] & ok[None, :]
        wins = np.einsum("abpc,c->abp", np.where(both, (diff > 0) + 0.5 * (diff == 0), 0.0), w)
        shared = np.einsum("abpc,c->abp", both.astype(float), w)
        with np.errstate(invalid="ignore", divide="ignore"):
            verdict = np.sign(wins / shared - 0.5)
        verdict = np.where(shared > 0, verdict, 0.0)
        n = verdict.shape[0]
        verdict[np.arange(n), np.arange(n)] = 0.0
        score = verdict.sum(axis=1)
        out[..., g] = np.where(ok.any(axis=-1), score, np.nan)
    return out


METHODS = {"amean": amean, "gmean": gmean, "hmean": hmean, "copeland": copeland, "mpi": mpi, **AGGREGATIONS}


def aggregate(
    data: xr.DataArray,
    method: str = "amean",
    *,
    framework: Framework,
    weights: pd.Series | None = None,
    min_share: float = 0.0,
    scope: Scope = "period",
    sign: int = 1,
) -> tuple[xr.DataArray, pd.DataFrame]:
    """Aggregate normalised indicators at every level of ``framework``.

    Parameters
    ----------
    data
        Normalised panel (higher = more risk).
    method
        ``amean``, ``gmean``, ``hmean``, ``copeland`` or ``mpi`` (see :data:`METHODS`).
    framework
        The tree; indicators of the framework absent from ``data`` count as missing children.
    weights
        Weight of each code within its parent (default: the framework's); renormalised over
        the children present.
    min_share
        A group is missing unless at least this share of its children (by count) is present.
    scope, sign
        Standardisation scope and imbalance sign for ``mpi``; ``copeland`` needs ``period``.

    Returns
    -------
    scores, report
        ``scores`` dims ``(entity, period, code)``: the indicators then every group by level,
        with a ``level`` coordinate; ``report`` one row per group (coverage counts).
    """
    if method not in METHODS:
        raise PipelineError(f"aggregate: unknown method {method!r}; expected one of {sorted(METHODS)}")
    data = as_panel(data)
    tree = framework.tree
    weight = tree["weight"] if weights is None else weights.reindex(tree.index).fillna(tree["weight"])
    indicators = [c for c in tree.index[tree["type"] == "Indicator"]]
    # indicators of the framework absent from the data become all-NaN columns
    stacked = data.reindex(indicator=indicators).transpose("entity", "period", "indicator").values.copy()
    codes = list(indicators)
    rows = []
    groups = tree[tree["type"] == "Aggregate"]
    parent_of, weight_of = tree["parent"], weight.astype(float)
    for level in sorted(groups["level"].unique()):
        parents = list(groups.index[groups["level"] == level])
        column = pd.Index(parents).get_indexer(parent_of.reindex(codes).to_numpy())
        child = np.flatnonzero(column >= 0)
        matrix = np.zeros((len(codes), len(parents)))
        matrix[child, column[child]] = weight_of.reindex(codes).to_numpy()[child]
        is_child = matrix.sum(axis=1) > 0 if len(codes) else np.zeros(0, bool)
        values = stacked[..., is_child]
        matrix = matrix[is_child]
        present = ~np.isnan(values)
        with np.errstate(invalid="ignore", divide="ignore"):
            result = METHODS[method](values, present, matrix, scope=scope, sign=sign)
        n_children = (matrix > 0).sum(axis=0)
        n_present = np.einsum("epc,cg->epg", present.astype(float), (matrix > 0).astype(float))
        with np.errstate(invalid="ignore", divide="ignore"):
            share = n_present / n_children
        below = (share < min_share) & ~np.isnan(result)
        result = np.where(below | (n_children == 0), np.nan, result)
        for j, parent in enumerate(parents):
            rows.append((parent, int(level), method, int(n_children[j]), int(np.isfinite(result[..., j]).sum()),
                         int(((share[..., j] < 1) & np.isfinite(result[..., j])).sum()), int(below[..., j].sum())))
        stacked = np.concatenate([stacked, result], axis=-1)
        codes += parents
    scores = xr.DataArray(
        stacked, dims=("entity", "period", "code"),
        coords={"entity": data["entity"].values, "period": data["period"].values, "code": codes,
                "level": ("code", tree.loc[codes, "level"].astype(int).values)},
    )
    return scores, pd.DataFrame(rows, columns=REPORT_COLUMNS)
