"""Weights of each code within its parent: equal, explicit, PCA-derived or optimised.

All methods return weights normalised to sum to one among siblings (the root gets 1), plus a
report. ``pca`` and ``optimise`` derive weights for the groups at ``levels`` (default: the
groups directly above indicators) from scores of their children; other groups keep the
explicit weights.

References
----------
OECD/JRC (2008) *Handbook on Constructing Composite Indicators*, step 6 (weighting), pp. 89-91
(weights from PCA/FA: squared loadings scaled to unity sum).
Becker, W., Saisana, M., Paruolo, P. & Vandecasteele, I. (2017) Weights and importance in composite
indicators: closing the gap. *Ecological Indicators* 80, 12-22 (optimised weights).
COINr ``get_opt_weights()``: https://bluefoxr.github.io/COINr/articles/weights.html
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd
import xarray as xr

from holisec.framework import Framework
from holisec.pipeline._panel import PipelineError
from holisec.pipeline.steps import mcda

REPORT_COLUMNS = ["code", "parent", "method", "weight", "statistic", "target"]


def check_weights(raw: pd.Series, framework: Framework, source: str = "framework",
                  overrides: Mapping[str, float] | None = None) -> None:
    """Refuse weights that cannot give an index: negative or non-finite, or all zero in a group.

    ``source`` says where the weights came from (``"framework"``, ``"params.weights"``, a
    derived method), so the message can name the key to fix; a code in ``overrides`` is named
    by its recipe key ``params.weights.<code>``.
    """
    overrides = overrides or {}
    tree = framework.tree
    values = raw.reindex(tree.index).astype("float64")
    bad = values[~np.isfinite(values) | (values < 0)]
    if len(bad):
        where = ", ".join(
            f"{'params.weights.' if code in overrides else ''}{code} = {value:g} (group {tree.at[code, 'parent']!r})"
            for code, value in bad.items())
        raise PipelineError(
            f"weight: {source} gives negative or non-numeric weight(s) {where}; weights must be >= 0 "
            f"(set a weight to 0 to leave a child out)")
    parent = tree["parent"]
    children = parent.dropna()
    totals = values.reindex(children.index).groupby(children.to_numpy()).sum()
    zero = sorted(totals.index[totals <= 0])
    if zero:
        groups = "; ".join(f"group {g!r} (children {list(children.index[children == g])})" for g in zero)
        raise PipelineError(
            f"weight: {source} gives all-zero weights within {groups}: the group's score would be "
            f"undefined; give at least one child a positive weight, or drop the group from the framework")


def within_parent(raw: pd.Series, framework: Framework, source: str = "framework",
                  overrides: Mapping[str, float] | None = None) -> pd.Series:
    """Normalise weights to sum to one among the children of each parent (root: 1).

    Errors (:func:`check_weights`) on negative weights or a group whose weights are all zero.
    """
    check_weights(raw, framework, source, overrides)
    parent = framework.tree["parent"].reindex(raw.index)
    is_root = parent.isna().to_numpy()
    values = raw.to_numpy(dtype="float64")
    totals = raw.groupby(parent.fillna("").to_numpy()).transform("sum").to_numpy()
    return pd.Series(np.where(is_root, 1.0, values / np.where(is_root, 1.0, totals)), index=raw.index,
                     name="weight")


def within_parent_array(raw: xr.DataArray, framework: Framework) -> xr.DataArray:
    """:func:`within_parent` for weights ``(..., code)``: one weight set per index of the extra
    dims (``replication``), all normalised at once. A group whose children all weigh zero in
    some weight set is an error (it would have no score)."""
    if "code" not in raw.dims:
        raise PipelineError(f"weight: weight sets need a 'code' dim, got {raw.dims}")
    raw = raw.transpose(..., "code")
    codes = raw["code"].values
    parent = framework.tree["parent"].reindex(codes)
    keys, inverse = np.unique(parent.fillna("").to_numpy(dtype=str), return_inverse=True)
    onehot = (inverse[:, None] == np.arange(len(keys))).astype("float64")  # code x parent
    values = raw.values.astype("float64")
    totals = (values @ onehot) @ onehot.T
    is_root = parent.isna().to_numpy()
    empty = (totals <= 0) & ~is_root
    if empty.any():
        where = np.argwhere(empty)[0]
        set_label = {d: raw[d].values[i] if d in raw.coords else int(i) for d, i in zip(raw.dims[:-1], where[:-1])}
        raise PipelineError(f"weight: every child of {parent.iloc[where[-1]]!r} weighs zero in weight set "
                            f"{set_label}; keep at least one child with a positive weight")
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(is_root, 1.0, values / totals)
    return raw.copy(data=out).rename("weight")


def _explicit_raw(framework: Framework, weights: Mapping[str, float] | None) -> pd.Series:
    raw = framework.tree["weight"].astype(float).copy()
    unknown = sorted(set(weights or {}) - set(raw.index))
    if unknown:
        raise PipelineError(f"weight: code(s) {unknown} are not in framework {framework.id!r}")
    for code, value in (weights or {}).items():
        try:
            raw[code] = float(value)
        except (TypeError, ValueError):
            raise PipelineError(f"weight: params.weights.{code} = {value!r} is not a number") from None
    return raw


def _source(weights: Mapping[str, float] | None, method: str = "") -> str:
    given = "framework weights" + (" with params.weights overrides" if weights else "")
    return f"{method} on {given}" if method else given


def _report(weights: pd.Series, framework: Framework, method: str, statistic=None, target=None) -> pd.DataFrame:
    tree = framework.tree
    return pd.DataFrame({
        "code": weights.index, "parent": tree["parent"].reindex(weights.index).values, "method": method,
        "weight": weights.values,
        "statistic": np.nan if statistic is None else statistic.reindex(weights.index).values,
        "target": np.nan if target is None else target.reindex(weights.index).values,
    }, columns=REPORT_COLUMNS)


def explicit(framework: Framework, *, weights: Mapping[str, float] | None = None, scores=None):
    """The framework's weights (COINr iMeta ``Weight``), overridden by ``weights`` per code."""
    out = within_parent(_explicit_raw(framework, weights), framework, _source(weights), weights)
    return out, _report(out, framework, "framework")


def equal(framework: Framework, *, scores=None):
    """Equal weights among the children of every group."""
    out = within_parent(pd.Series(1.0, index=framework.tree.index), framework)
    return out, _report(out, framework, "equal")


def _target_groups(framework: Framework, levels: list[int] | None) -> list[str]:
    tree = framework.tree
    groups = tree[tree["type"] == "Aggregate"]
    levels = [2] if levels is None else levels
    return [g for g in groups.index if groups.at[g, "level"] in levels and len(framework.children(g)) > 1]


def _children_matrix(scores: xr.DataArray, children: list[str]) -> np.ndarray:
    missing = [c for c in children if c not in scores["code"].values]
    if missing:
        raise PipelineError(f"weight: no scores for code(s) {missing}")
    return scores.sel(code=children).transpose("entity", "period", "code").values.reshape(-1, len(children))


def _complete_rows(scores: xr.DataArray, framework: Framework, group: str) -> tuple[list[str], np.ndarray]:
    """The group's children and their scores over the entity-periods where all of them are present."""
    children = framework.children(group)
    rows = _children_matrix(scores, children)
    return children, rows[~np.isnan(rows).any(axis=1)]


def pca(
    framework: Framework,
    *,
    scores: xr.DataArray,
    levels: list[int] | None = None,
    weights: Mapping[str, float] | None = None,
):
    """Weights from the first principal component of each group's children.

    ``w_c = v_c^2`` where ``v`` is the unit first eigenvector of the children's correlation
    matrix over complete entity-periods (equivalently squared loadings scaled to unity sum).
    The report's ``statistic`` is the share of variance of the first component.
    """
    raw = _explicit_raw(framework, weights)
    share = pd.Series(np.nan, index=raw.index)
    for group in _target_groups(framework, levels):
        children, rows = _complete_rows(scores, framework, group)
        if len(rows) < 3 or np.any(np.std(rows, axis=0) == 0):
            raise PipelineError(f"weight pca: group {group!r} needs >= 3 complete rows with varying children")
        eigval, eigvec = np.linalg.eigh(np.corrcoef(rows, rowvar=False))
        first = eigvec[:, -1]
        raw[children] = first**2 / np.sum(first**2)
        share[children] = eigval[-1] / eigval.sum()
    out = within_parent(raw, framework, _source(weights, "pca weights"), weights)
    return out, _report(out, framework, "pca", statistic=share)


def _importance(children: np.ndarray, w: np.ndarray, power: int) -> np.ndarray:
    present = ~np.isnan(children)
    parent = np.where(present, children, 0.0) @ w / (present @ w)
    r = np.array([_corr(children[:, k], parent) for k in range(children.shape[1])])
    return r**power


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    ok = ~np.isnan(a) & ~np.isnan(b)
    a, b = a[ok] - a[ok].mean(), b[ok] - b[ok].mean()
    denominator = np.sqrt((a**2).sum() * (b**2).sum())
    return float((a * b).sum() / denominator) if denominator > 0 else 0.0


def optimise(
    framework: Framework,
    *,
    scores: xr.DataArray,
    targets: Mapping[str, float] | None = None,
    importance: Literal["r", "r2"] = "r",
    levels: list[int] | None = None,
    seed: int = 0,
    n_starts: int = 8,
    min_weight: float = 0.01,
    weights: Mapping[str, float] | None = None,
):
    """Weights whose effective importance matches target shares (COINr ``get_opt_weights``).

    For each group, minimise ``sum_c (I_c / sum I - t_c)^2`` over weights in
    ``[min_weight, 1]``, where ``I_c`` is the Pearson correlation of child ``c`` with the
    group's weighted arithmetic mean (``importance="r"``) or its square (``"r2"``), and ``t`` the
    target shares (relative; default equal). L-BFGS-B from ``n_starts`` starting points (the
    targets, then Dirichlet draws seeded by ``seed``); the best optimum is kept. The report's
    ``statistic`` is the importance share obtained.
    """
    raw = _explicit_raw(framework, weights)
    obtained = pd.Series(np.nan, index=raw.index)
    wanted = pd.Series(np.nan, index=raw.index)
    power = {"r": 1, "r2": 2}.get(importance)
    if power is None:
        raise PipelineError(f"weight optimise: importance must be 'r' or 'r2', got {importance!r}")
    rng = np.random.default_rng(seed)
    for group in _target_groups(framework, levels):
        children = framework.children(group)
        data = _children_matrix(scores, children)
        goal = np.array([float((targets or {}).get(c, 1.0)) for c in children])
        goal = goal / goal.sum()

        def objective(w: np.ndarray) -> float:
            imp = _importance(data, w, power)
            return float(np.sum((imp / imp.sum() - goal) ** 2)) if imp.sum() != 0 else np.inf

        from scipy.optimize import minimize  # imported on use: reading a stored build needs no SciPy

        starts = [goal] + [rng.dirichlet(np.ones(len(children))) for _ in range(max(n_starts - 1, 0))]
        bounds = [(min_weight, 1.0)] * len(children)
        best = min((minimize(objective, np.clip(s, min_weight, 1.0), method="L-BFGS-B", bounds=bounds,
                             options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 2000})
                    for s in starts), key=lambda res: res.fun)
        w = best.x / best.x.sum()
        raw[children] = w
        imp = _importance(data, w, power)
        obtained[children] = imp / imp.sum()
        wanted[children] = goal
    out = within_parent(raw, framework, _source(weights, "optimised weights"), weights)
    return out, _report(out, framework, "optimise", statistic=obtained, target=wanted)


METHODS = {"framework": explicit, "equal": equal, "pca": pca, "optimise": optimise, **mcda.WEIGHTS}
#: Methods that derive weights from scores (build passes a preliminary aggregation).
NEEDS_SCORES = {"pca", "optimise", "entropy", "critic", "sd"}


def weight(framework: Framework, method: str = "framework", **params) -> tuple[pd.Series, pd.DataFrame]:
    """Dispatch to a weighting method by name (see :data:`METHODS`)."""
    if method not in METHODS:
        raise PipelineError(f"weight: unknown method {method!r}; expected one of {sorted(METHODS)}")
    return METHODS[method](framework, **params)
