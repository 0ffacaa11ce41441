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
from holisec.pipeline.steps.weight import check_weights

REPORT_COLUMNS = ["code", "level", "method", "n_children", "n_values", "n_incomplete", "n_below_min_share"]


def _weighted(values: np.ndarray, present: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """``sum_c values[..., c] * matrix[..., c, g]`` over present children (absent ones count as 0).

    ``matrix`` is ``(C, G)``, or ``(..., 1, C, G)`` with one weight matrix per index of the
    extra dims (``replication``); ``values`` is ``(..., E, P, C)``.
    """
    x = np.where(present, values, 0.0)
    if matrix.ndim == 2:
        return x @ matrix
    if x.ndim == 3:  # shared values, weights per replication: one matrix product for all of them
        c, g = matrix.shape[-2:]
        lead = matrix.shape[:-3]
        wide = x.reshape(-1, c) @ np.moveaxis(matrix.reshape(-1, c, g), 0, 1).reshape(c, -1)
        return np.moveaxis(wide.reshape(x.shape[:2] + (int(np.prod(lead)), g)), 2, 0).reshape(lead + x.shape[:2] + (g,))
    return np.matmul(x, matrix)


#: Methods defined only for strictly positive inputs (COINr ``a_gmean``/``a_hmean`` stop too).
POSITIVE_ONLY = {"gmean": "a geometric mean takes logarithms", "hmean": "a harmonic mean takes 1/x"}
_FIX = ("normalise to a strictly positive range, e.g. minmax with lo: 1, hi: 100 "
        "(Python: recipe.replace('normalise', lo=1.0)), or shift the values above zero; "
        "or choose another aggregation (amean, copeland, mpi)")


def _check_positive(values: np.ndarray, method: str) -> None:
    if np.any(values[~np.isnan(values)] <= 0):
        raise PipelineError(f"aggregate {method}: zero or negative inputs ({POSITIVE_ONLY[method]}); {_FIX}")


def check_positive_inputs(data: xr.DataArray, method: str) -> None:
    """Refuse zero or negative inputs to ``gmean``/``hmean``, naming where they are and what to do.

    A zero would make the geometric (harmonic) mean zero whatever the other children are, and a
    negative value has no logarithm: no meaningful score, so an error, as in COINr (issue #47).
    """
    if method not in POSITIVE_ONLY:
        return
    bad = (data <= 0) & data.notnull()
    n = int(bad.sum())
    if not n:
        return
    per = bad.sum(["entity", "period"]).to_series()
    per = per[per > 0].sort_values(ascending=False)
    where = ", ".join(f"{code} ({int(k)})" for code, k in per.head(5).items())
    more = f" and {len(per) - 5} more" if len(per) > 5 else ""
    lo = float(data.min())
    raise PipelineError(
        f"aggregate {method}: {n} of {int(data.notnull().sum())} input values are zero or negative "
        f"(minimum {lo:g}) in indicator(s) {where}{more}; {POSITIVE_ONLY[method]}, so the scores would "
        f"be 0 or undefined. Fix: {_FIX}")


def amean(values, present, matrix, **_):
    """Weighted arithmetic mean ``sum w x / sum w`` (fully compensatory)."""
    return _weighted(values, present, matrix) / _weighted(np.ones_like(values), present, matrix)


def gmean(values, present, matrix, **_):
    """Weighted geometric mean ``exp(sum w log x / sum w)``; inputs must be > 0."""
    _check_positive(values, "gmean")
    logs = np.log(np.where(present, values, 1.0))
    return np.exp(_weighted(logs, present, matrix) / _weighted(np.ones_like(values), present, matrix))


def hmean(values, present, matrix, **_):
    """Weighted harmonic mean ``sum w / sum (w / x)``; inputs must be > 0."""
    _check_positive(values, "hmean")
    inverse = 1.0 / np.where(present, values, 1.0)
    return _weighted(np.ones_like(values), present, matrix) / _weighted(inverse, present, matrix)


def mpi(values, present, matrix, *, scope: Scope = "period", sign: int = 1, **_):
    """Mazziotta-Pareto index ``M + sign * S * cv`` on children standardised to mean 100, sd 10.

    ``z = 100 + 10 (x - mean) / sd`` per child over ``scope`` (population sd); ``M`` and ``S``
    are the (weighted) mean and population standard deviation of a unit's ``z`` over the
    children, ``cv = S / M``. ``sign=+1`` (default) suits a risk index: imbalance among the
    children *raises* the score (MPI+); ``sign=-1`` is the classic MPI- for "higher = better".
    """
    axes = (-3,) if scope == "period" else (-3, -2)
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
    if values.ndim != 3 or matrix.ndim != 2:
        raise PipelineError("aggregate copeland: does not broadcast over extra dims (replication); "
                            "run one replication at a time")
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


def _columns(parts: list[np.ndarray], mask: np.ndarray, lead: tuple[int, ...]) -> np.ndarray:
    """The ``mask``-ed columns of the concatenation of ``parts`` (last axis), broadcast to the
    extra dims ``lead`` only where some selected part has them."""
    picked, start = [], 0
    for part in parts:
        take = mask[start:start + part.shape[-1]]
        start += part.shape[-1]
        if take.any():
            picked.append(part if take.all() else part[..., take])
    if not picked:
        return parts[0][..., :0]
    if len(picked) == 1:
        return picked[0]
    ndim = max(p.ndim for p in picked)
    if any(p.ndim != ndim for p in picked):
        picked = [np.broadcast_to(p, lead + p.shape[-3:]) for p in picked]
    return np.concatenate(picked, axis=-1)


def _weight_table(weights, tree: pd.DataFrame, data: xr.DataArray) -> tuple[pd.DataFrame, tuple, dict]:
    """Weights as a ``(weight sets, code)`` table, the extra dims and their coordinates.

    ``weights``: None (the framework's), a Series by code, or a DataArray ``(..., code)`` with
    one weight set per index of its extra dims (``replication``), which must match the data's.
    """
    extras = tuple(d for d in data.dims if d not in ("entity", "period", "indicator"))
    coords = {d: data[d].values if d in data.coords else np.arange(data.sizes[d]) for d in extras}
    if not isinstance(weights, xr.DataArray):
        weight = tree["weight"] if weights is None else weights.reindex(tree.index).fillna(tree["weight"])
        return weight.astype(float).to_frame().T.reset_index(drop=True), extras, coords
    if "code" not in weights.dims:
        raise PipelineError(f"aggregate: weights need a 'code' dim, got {weights.dims}")
    w_extras = tuple(d for d in weights.dims if d != "code")
    if extras and w_extras != extras:
        raise PipelineError(f"aggregate: weights dims {w_extras} must equal the data's extra dims {extras}")
    if not extras:
        extras = w_extras
        coords = {d: weights[d].values if d in weights.coords else np.arange(weights.sizes[d]) for d in extras}
    flat = weights.transpose(*w_extras, "code").values.reshape(-1, weights.sizes["code"])
    where = pd.Index(weights["code"].values).get_indexer(tree.index)
    table = np.tile(tree["weight"].to_numpy(dtype="float64"), (flat.shape[0], 1))
    given = where >= 0
    table[:, given] = flat[:, where[given]]
    table[:, given] = np.where(np.isnan(table[:, given]), tree["weight"].to_numpy(dtype="float64")[given],
                               table[:, given])
    return pd.DataFrame(table, columns=tree.index), extras, coords


def _check_weight_sets(table: pd.DataFrame, framework: Framework, source: str) -> None:
    """:func:`check_weights` on every weight set (row) at once; the first bad set is named."""
    if len(table) == 1:
        return check_weights(table.iloc[0], framework, source)
    values = table.to_numpy(dtype="float64")
    parent = framework.tree["parent"].reindex(table.columns)
    child = parent.notna().to_numpy()
    groups, inverse = np.unique(parent[child].to_numpy(), return_inverse=True)
    totals = values[:, child] @ np.eye(len(groups))[inverse]
    bad = ~np.isfinite(values).all(axis=1) | (values < 0).any(axis=1) | (totals <= 0).any(axis=1)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        check_weights(table.iloc[row], framework, f"{source} (weight set {row})")


METHODS = {"amean": amean, "gmean": gmean, "hmean": hmean, "copeland": copeland, "mpi": mpi, **AGGREGATIONS}


def aggregate(
    data: xr.DataArray,
    method: str = "amean",
    *,
    framework: Framework,
    weights: pd.Series | xr.DataArray | None = None,
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
        the children present. A DataArray ``(..., code)`` gives one weight set per index of
        the extra dims (``replication``); a zero weight leaves that child out.
    min_share
        A group is missing unless at least this share of its children (by count) is present.
    scope, sign
        Standardisation scope and imbalance sign for ``mpi``; ``copeland`` needs ``period``.

    Returns
    -------
    scores, report
        ``scores`` dims ``(..., entity, period, code)``: the indicators then every group by level,
        with a ``level`` coordinate; ``report`` one row per group (coverage counts).
    """
    if method not in METHODS:
        raise PipelineError(f"aggregate: unknown method {method!r}; expected one of {sorted(METHODS)}")
    data = as_panel(data)
    tree = framework.tree
    indicators = [c for c in tree.index[tree["type"] == "Indicator"]]
    check_positive_inputs(data.sel(indicator=[c for c in indicators if c in data["indicator"].values]), method)
    weight, extras, extra_coords = _weight_table(weights, tree, data)
    source = "aggregate: the weights given" if weights is not None else f"aggregate: framework {framework.id!r}"
    _check_weight_sets(weight, framework, source)
    # indicators of the framework absent from the data become all-NaN columns
    stacked = data.reindex(indicator=indicators).transpose(..., "entity", "period", "indicator").values
    lead = tuple(len(v) for v in extra_coords.values())
    parts = [stacked]  # indicators (shared by all weight sets unless the data vary), then each level's groups
    codes = list(indicators)
    rows = []
    groups = tree[tree["type"] == "Aggregate"]
    parent_of = tree["parent"]
    for level in sorted(groups["level"].unique()):
        parents = list(groups.index[groups["level"] == level])
        column = pd.Index(parents).get_indexer(parent_of.reindex(codes).to_numpy())
        child = np.flatnonzero(column >= 0)
        w = weight.reindex(columns=codes).to_numpy(dtype="float64")  # (weight sets, codes)
        matrix = np.zeros((w.shape[0], len(codes), len(parents)))
        matrix[:, child, column[child]] = w[:, child]
        is_child = (matrix.sum(axis=-1) > 0).any(axis=0) if len(codes) else np.zeros(0, bool)
        values = _columns(parts, is_child, lead)
        matrix = matrix[:, is_child]
        # (C, G) for one weight set; (..., 1, C, G) for one per replication
        per_set = matrix.shape[0] > 1 or isinstance(weights, xr.DataArray) and weights.ndim > 1
        matrix = matrix.reshape(lead + (1,) + matrix.shape[1:]) if per_set else matrix[0]
        present = ~np.isnan(values)
        with np.errstate(invalid="ignore", divide="ignore"):
            result = METHODS[method](values, present, matrix, scope=scope, sign=sign)
        structure = (matrix > 0).astype(float)
        n_children = structure.sum(axis=-2)
        n_children = np.expand_dims(n_children, -2) if per_set else n_children  # (..., 1, 1, G)
        n_present = _weighted(present.astype(float), present, structure)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = n_present / n_children
        below = (share < min_share) & ~np.isnan(result)
        result = np.where(below | (n_children == 0), np.nan, result)
        n_kids = structure.reshape(-1, *structure.shape[-2:]).max(axis=0).sum(axis=0)
        finite = np.isfinite(result)
        n_values = finite.reshape(-1, len(parents)).sum(axis=0)
        n_incomplete = ((share < 1) & finite).reshape(-1, len(parents)).sum(axis=0)
        n_below = below.reshape(-1, len(parents)).sum(axis=0)
        for j, parent in enumerate(parents):
            rows.append((parent, int(level), method, int(n_kids[j]), int(n_values[j]), int(n_incomplete[j]),
                         int(n_below[j])))
        parts.append(result)
        codes += parents
    stacked = _columns(parts, np.ones(len(codes), bool), lead)
    scores = xr.DataArray(
        stacked, dims=(*extras, "entity", "period", "code"),
        coords={**extra_coords, "entity": data["entity"].values, "period": data["period"].values, "code": codes,
                "level": ("code", tree.loc[codes, "level"].astype(int).values)},
    )
    return scores, pd.DataFrame(rows, columns=REPORT_COLUMNS)
