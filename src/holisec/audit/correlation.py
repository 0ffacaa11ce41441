"""Correlation structure of the framework: within groups and across levels.

References
----------
OECD/JRC (2008). *Handbook on Constructing Composite Indicators: Methodology and User
Guide*. OECD Publishing, Paris. Step 4 (multivariate analysis).
Saisana, M., Saltelli, A. & Tarantola, S. (2005). Uncertainty and sensitivity analysis
techniques as tools for the quality assessment of composite indicators. *J. R. Stat. Soc.
A* 168(2), 307-323.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
import xarray as xr

from holisec.audit._common import (
    MIN_OBS, Method, Use, ancestors, check_scores, correlate, correlate_rows, correlation_pvalue, groups_of,
    select_periods, stack,
)

#: |r| above this within a group flags a (near-)redundant pair.
REDUNDANT = 0.9
#: r below this within a group flags a negative (conflicting) pair.
NEGATIVE = 0.0
#: r with the own parent below this (but not negative) flags a weakly captured component.
WEAK = 0.3


def _methods(method: Method | Sequence[Method]) -> list[str]:
    return [method] if isinstance(method, str) else list(method)


def correlation_matrix(
    scores: xr.DataArray,
    codes: Sequence[str] | None = None,
    method: Method = "pearson",
    use: Use = "pairwise",
    period: int | Sequence[int] | None = None,
    min_obs: int = MIN_OBS,
    pval: float | None = None,
    values: Literal["r", "p"] = "r",
) -> pd.DataFrame:
    """Correlation matrix of ``codes`` (or its p-values), pooled over all entity-period cases.

    Parameters
    ----------
    scores : xarray.DataArray
        Dims ``("entity", "period", "code")``.
    codes : sequence of str, optional
        Columns to correlate (default: all codes).
    method : {"pearson", "spearman"}
    use : {"pairwise", "complete"}
        Pairwise-complete cases per pair, or listwise-complete cases over all ``codes``.
    period : int or sequence of int, optional
        Restrict to these periods before pooling (a single int gives a cross-section).
    min_obs : int
        Fewer jointly observed cases give NaN.
    pval : float, optional
        COINr's ``pval`` mask (``get_corr(pval = 0.05)``): off-diagonal correlations whose
        two-sided p-value (:func:`~holisec.audit._common.correlation_pvalue`) is ``>= pval``
        are set to NaN. Default: no mask.
    values : {"r", "p"}
        Return the correlations (default) or their p-values (COINr ``get_pvals``).

    Returns
    -------
    pandas.DataFrame
        Symmetric, unit diagonal (NaN for constant or too sparse columns); p-values have a
        zero diagonal.

    References
    ----------
    OECD/JRC (2008), Handbook on Constructing Composite Indicators, Step 4.
    COINr ``get_corr()``, ``get_pvals()``: https://bluefoxr.github.io/COINr/articles/analysis.html
    """
    if values not in ("r", "p"):
        raise ValueError(f"correlation_matrix: values must be 'r' or 'p', got {values!r}")
    if pval is not None and not 0 < pval <= 1:
        raise ValueError(f"correlation_matrix: pval must be in (0, 1], got {pval!r}")
    scores = select_periods(check_scores(scores), period)
    codes = list(scores["code"].values) if codes is None else list(codes)
    X, _ = stack(scores, codes, by_period=False)
    r, n = correlate(X, method, use, min_obs)
    r, n = r[0], n[0]
    p = correlation_pvalue(r, n)
    np.fill_diagonal(p, np.where(np.isnan(np.diag(r)), np.nan, 0.0))
    out = p if values == "p" else r
    if pval is not None:
        out = np.where(p >= pval, np.nan, out)
    return pd.DataFrame(out, index=pd.Index(codes, name="code"), columns=pd.Index(codes, name="code"))


def within_group(
    scores: xr.DataArray,
    tree: pd.DataFrame,
    method: Method | Sequence[Method] = ("pearson", "spearman"),
    use: Use = "pairwise",
    period: int | Sequence[int] | None = None,
    by_period: bool = False,
    redundant: float = REDUNDANT,
    negative: float = NEGATIVE,
    min_obs: int = MIN_OBS,
) -> pd.DataFrame:
    """Correlations between the children of each aggregate (one row per unordered pair).

    Parameters
    ----------
    scores : xarray.DataArray
        Dims ``("entity", "period", "code")``: normalised indicators and aggregates.
    tree : pandas.DataFrame
        ``framework.tree`` (index code, column ``parent``).
    method : str or sequence of {"pearson", "spearman"}
    use : {"pairwise", "complete"}
        ``complete`` uses the cases where all children of the group are observed.
    period, by_period
        Select periods; pool them (default) or compute one set per period.
    redundant : float
        Flag pairs with ``|r| > redundant`` (default 0.9).
    negative : float
        Flag pairs with ``r < negative`` (default 0): children of one group should agree.

    Returns
    -------
    pandas.DataFrame
        Columns ``parent, period, method, code_a, code_b, r, n, p, negative, redundant``
        (``p``: two-sided p-value of ``r``); ``period`` is ``<NA>`` for pooled rows.

    References
    ----------
    OECD/JRC (2008), Handbook, Step 4; Saisana, Saltelli & Tarantola (2005).
    """
    scores = select_periods(check_scores(scores), period)
    rows = []
    for parent, kids in groups_of(tree, scores["code"].values).items():
        if len(kids) < 2:
            continue
        X, labels = stack(scores, kids, by_period)
        iu, ju = np.triu_indices(len(kids), k=1)
        for m in _methods(method):
            r, n = correlate(X, m, use, min_obs)
            for b, lab in enumerate(labels):
                rows.append(pd.DataFrame({
                    "parent": parent, "period": lab, "method": m,
                    "code_a": np.asarray(kids)[iu], "code_b": np.asarray(kids)[ju],
                    "r": r[b, iu, ju], "n": n[b, iu, ju], "p": correlation_pvalue(r[b, iu, ju], n[b, iu, ju]),
                }))
    cols = ["parent", "period", "method", "code_a", "code_b", "r", "n", "p"]
    out = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=cols)
    out["period"] = out["period"].astype("Int64")
    out["r"] = out["r"].astype(float)
    out["negative"] = (out["r"] < negative).astype(bool)
    out["redundant"] = (out["r"].abs() > redundant).astype(bool)
    return out


def cross_level(
    scores: xr.DataArray,
    tree: pd.DataFrame,
    method: Method | Sequence[Method] = ("pearson", "spearman"),
    use: Use = "pairwise",
    period: int | Sequence[int] | None = None,
    by_period: bool = False,
    weak: float = WEAK,
    min_obs: int = MIN_OBS,
) -> pd.DataFrame:
    """Correlation of every code with every aggregate at a higher level.

    Each row pairs a ``code`` with an ``aggregate`` of higher level and states the
    relation: ``parent``, ``ancestor`` (higher up its own branch) or ``other``.

    Flags (on ``parent`` rows):
    ``negative_with_parent`` (r < 0), ``weak_with_parent`` (0 <= r < ``weak``) and
    ``better_elsewhere`` (some other aggregate at the parent's level correlates more
    strongly with the code than its own parent does: a possible misallocation).

    Returns
    -------
    pandas.DataFrame
        Columns ``code, level, aggregate, aggregate_level, relation, period, method, r, n, p``
        (``p``: two-sided p-value of ``r``) and the three flags.

    References
    ----------
    OECD/JRC (2008), Handbook, Step 4; Saisana, Saltelli & Tarantola (2005).
    """
    scores = select_periods(check_scores(scores), period)
    present = [c for c in tree.index if c in set(scores["code"].values)]
    level = tree.loc[present, "level"].astype(int)
    aggs = [c for c in present if tree.at[c, "type"] == "Aggregate"]
    X, labels = stack(scores, present, by_period)
    pos = {c: i for i, c in enumerate(present)}
    pairs = []
    for c in present:
        anc = ancestors(tree, c)
        for a in aggs:
            if level[a] > level[c]:
                rel = "parent" if anc and a == anc[0] else ("ancestor" if a in anc else "other")
                pairs.append((c, a, rel))
    cols = ["code", "level", "aggregate", "aggregate_level", "relation", "period", "method", "r", "n", "p"]
    if not pairs:
        out = pd.DataFrame(columns=cols)
    else:
        ci = np.array([pos[p[0]] for p in pairs])
        agg_rows = [pos[a] for a in aggs]
        ai = np.array([agg_rows.index(pos[p[1]]) for p in pairs])
        frames = []
        for m in _methods(method):
            r, n = correlate_rows(X, agg_rows, m, use, min_obs)  # (B, aggregates, codes)
            for b, lab in enumerate(labels):
                frames.append(pd.DataFrame({
                    "code": [p[0] for p in pairs], "level": level[[p[0] for p in pairs]].values,
                    "aggregate": [p[1] for p in pairs], "aggregate_level": level[[p[1] for p in pairs]].values,
                    "relation": [p[2] for p in pairs], "period": lab, "method": m,
                    "r": r[b, ai, ci], "n": n[b, ai, ci], "p": correlation_pvalue(r[b, ai, ci], n[b, ai, ci]),
                }))
        out = pd.concat(frames, ignore_index=True)
    out["period"] = out["period"].astype("Int64")
    out["r"] = out["r"].astype(float)
    is_parent = out["relation"] == "parent"
    out["negative_with_parent"] = (is_parent & (out["r"] < 0)).astype(bool)
    out["weak_with_parent"] = (is_parent & (out["r"] >= 0) & (out["r"] < weak)).astype(bool)
    # best |r| among aggregates at the parent's level, per (code, period, method)
    if len(out):
        parent_rows = out[is_parent].set_index(["code", "period", "method"])
        same_level = out.merge(parent_rows["aggregate_level"].rename("parent_level").reset_index(),
                               on=["code", "period", "method"], how="inner")
        same_level = same_level[(same_level["aggregate_level"] == same_level["parent_level"])
                                & (same_level["relation"] != "parent")]
        best_other = same_level.groupby(["code", "period", "method"], dropna=False)["r"].max()
        key = pd.MultiIndex.from_frame(out[["code", "period", "method"]])
        other = best_other.reindex(key).to_numpy(dtype=float, na_value=np.nan)
        out["better_elsewhere"] = (is_parent & (other > out["r"].to_numpy())).to_numpy(dtype=bool)
    else:
        out["better_elsewhere"] = pd.Series(dtype=bool)
    return out
