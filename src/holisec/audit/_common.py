"""Shared helpers for the audit: validation, tree navigation and masked moment algebra.

Everything here works on stacked arrays ``X`` of shape ``(B, N, K)``: ``B`` batches
(one for pooled statistics, one per period otherwise), ``N`` observations (entities,
or entity-period pairs when pooled) and ``K`` variables (codes). Missing values are NaN.
All statistics are computed with array algebra over ``N`` and ``B``; Python loops only
run over variables or groups.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

import numpy as np
import pandas as pd
import xarray as xr
from scipy.stats import rankdata

SCORE_DIMS = ("entity", "period", "code")
PANEL_DIMS = ("entity", "period", "indicator")

#: Minimum number of jointly observed cases for a correlation, covariance or alpha.
MIN_OBS = 3

Use = Literal["pairwise", "complete"]
Method = Literal["pearson", "spearman"]


def check_scores(scores: xr.DataArray, dims: tuple[str, ...] = SCORE_DIMS) -> xr.DataArray:
    """Validate a labelled array and return it float64 with ``dims`` in canonical order."""
    if not isinstance(scores, xr.DataArray):
        raise TypeError(f"expected an xarray.DataArray, got {type(scores).__name__}")
    if set(scores.dims) != set(dims):
        raise ValueError(f"expected dims {dims}, got {scores.dims}")
    return scores.transpose(*dims).astype("float64")


def select_periods(da: xr.DataArray, period: int | Sequence[int] | None) -> xr.DataArray:
    """Restrict to one period or a list of periods (``None`` keeps all)."""
    if period is None:
        return da
    periods = [period] if np.isscalar(period) else list(period)
    missing = [p for p in periods if p not in set(da["period"].values.tolist())]
    if missing:
        raise KeyError(f"period(s) {missing} not in data (have {da['period'].values.tolist()})")
    return da.sel(period=periods)


def root_of(tree: pd.DataFrame) -> str:
    """The code without a parent (the index)."""
    roots = tree.index[tree["parent"].isna()].tolist()
    if len(roots) != 1:
        raise ValueError(f"tree must have exactly one root, found {roots}")
    return roots[0]


def groups_of(tree: pd.DataFrame, codes: Iterable[str]) -> dict[str, list[str]]:
    """Parent -> its children, both restricted to ``codes``, in tree order.

    Parents without any child in ``codes`` are left out.
    """
    present = set(codes)
    out: dict[str, list[str]] = {}
    for code, parent in tree["parent"].items():
        if code in present and not pd.isna(parent) and parent in present:
            out.setdefault(parent, []).append(code)
    order = {c: i for i, c in enumerate(tree.index)}
    return dict(sorted(out.items(), key=lambda kv: order[kv[0]]))


def ancestors(tree: pd.DataFrame, code: str) -> list[str]:
    """Parent, grand-parent, ... up to the root."""
    out, node = [], tree.at[code, "parent"]
    while not pd.isna(node):
        out.append(node)
        node = tree.at[node, "parent"]
    return out


def stack(scores: xr.DataArray, codes: Sequence[str], by_period: bool) -> tuple[np.ndarray, list]:
    """Stack ``scores[..., codes]`` into ``(B, N, K)``.

    Pooled (``by_period=False``): one batch with all entity-period pairs as cases.
    Per period: one batch per period with entities as cases. Returns the array and the
    batch labels (``[None]`` when pooled, else the periods).
    """
    vals = scores.sel(code=list(codes)).transpose("period", "entity", "code").values
    if by_period:
        return vals, [int(p) for p in scores["period"].values]
    return vals.reshape(1, -1, len(codes)), [None]


def _masked(X: np.ndarray, use: Use) -> tuple[np.ndarray, np.ndarray]:
    """Validity mask and zero-filled values; ``complete`` keeps only rows with all K observed."""
    M = ~np.isnan(X)
    if use == "complete":
        M = np.broadcast_to(M.all(axis=-1, keepdims=True), X.shape)
    elif use != "pairwise":
        raise ValueError(f"use must be 'pairwise' or 'complete', got {use!r}")
    return M.astype(float), np.where(M, X, 0.0)


def _centre(X: np.ndarray, M: np.ndarray) -> np.ndarray:
    """Subtract each column's mean over its valid cases (reduces cancellation; moments unchanged)."""
    n = M.sum(axis=-2, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        mu = np.where(n > 0, (X * M).sum(axis=-2, keepdims=True) / np.maximum(n, 1), 0.0)
    return (X - mu) * M


def pair_moments(X: np.ndarray, M: np.ndarray) -> tuple[np.ndarray, ...]:
    """Pairwise-complete co-moments.

    For every pair (i, j) over the cases where both are valid: ``n``, the centred sums of
    squares ``Sxx`` (of i) and ``Syy`` (of j) and the cross product ``Sxy``; each (B, K, K).
    """
    Xc = _centre(X, M)
    Mt = np.swapaxes(M, -1, -2)
    Xt = np.swapaxes(Xc, -1, -2)
    n = Mt @ M
    sx = Xt @ M  # sum of x_i over pair (i, j)
    sy = np.swapaxes(sx, -1, -2)  # sum of x_j over pair (i, j)
    sxx = np.swapaxes(Xc**2, -1, -2) @ M
    syy = np.swapaxes(sxx, -1, -2)
    sxy = Xt @ Xc
    with np.errstate(invalid="ignore", divide="ignore"):
        ssx = sxx - sx**2 / n
        ssy = syy - sy**2 / n
        sp = sxy - sx * sy / n
    return n, ssx, ssy, sp


def covariance(X: np.ndarray, use: Use = "pairwise", ddof: int = 1, min_obs: int = MIN_OBS):
    """Covariance matrices ``(B, K, K)`` and pair counts, pairwise or listwise complete."""
    M, X0 = _masked(X, use)
    n, _, _, sp = pair_moments(X0, M)
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = sp / (n - ddof)
    cov = np.where(n >= max(min_obs, ddof + 1), cov, np.nan)
    cov = (cov + np.swapaxes(cov, -1, -2)) / 2
    return cov, n.astype(int)


def _pearson_from(X0: np.ndarray, M: np.ndarray, min_obs: int) -> tuple[np.ndarray, np.ndarray]:
    n, ssx, ssy, sp = pair_moments(X0, M)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = sp / np.sqrt(ssx * ssy)
    scale = np.maximum(np.abs(ssx), np.abs(ssy))
    degenerate = (n < min_obs) | (ssx <= 1e-12 * np.maximum(scale, 1e-300)) | (ssy <= 1e-12 * np.maximum(scale, 1e-300))
    r = np.where(degenerate, np.nan, np.clip(r, -1.0, 1.0))
    return r, n.astype(int)


def _finish(r: np.ndarray) -> np.ndarray:
    r = (r + np.swapaxes(r, -1, -2)) / 2
    K = r.shape[-1]
    diag = np.diagonal(r, axis1=-2, axis2=-1)
    idx = np.arange(K)
    r[..., idx, idx] = np.where(np.isnan(diag), np.nan, 1.0)
    return r


def paired_pearson(x: np.ndarray, y: np.ndarray, min_obs: int = MIN_OBS) -> tuple[np.ndarray, np.ndarray]:
    """Pearson r and counts between matching columns of ``x`` and ``y`` (rows = cases), NaN-aware."""
    both = ~np.isnan(x) & ~np.isnan(y)
    n = both.sum(axis=0)
    safe = np.maximum(n, 1)
    xm = np.where(both, x, 0).sum(0) / safe
    ym = np.where(both, y, 0).sum(0) / safe
    dx, dy = np.where(both, x - xm, 0), np.where(both, y - ym, 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (dx * dy).sum(0) / np.sqrt((dx**2).sum(0) * (dy**2).sum(0))
    return np.where(n >= min_obs, r, np.nan), n


def rank_masked(X: np.ndarray, M: np.ndarray) -> np.ndarray:
    """Average ranks along the case axis (-2) of ``X`` restricted to ``M`` (NaN elsewhere)."""
    return rankdata(np.where(M.astype(bool), X, np.nan), axis=-2, nan_policy="omit")


def correlate(X: np.ndarray, method: Method = "pearson", use: Use = "pairwise",
              min_obs: int = MIN_OBS) -> tuple[np.ndarray, np.ndarray]:
    """Correlation matrices ``(B, K, K)`` and pair counts for stacked data ``(B, N, K)``.

    Spearman's rho is Pearson's r on average ranks; with ``use="pairwise"`` the ranks are
    recomputed on each pair's jointly observed cases (as in ``pandas.DataFrame.corr``), so
    this is the exact pairwise Spearman coefficient.
    """
    X = np.asarray(X, dtype=float)
    M, X0 = _masked(X, use)
    if method == "pearson":
        r, n = _pearson_from(X0, M, min_obs)
        return _finish(r), n
    if method != "spearman":
        raise ValueError(f"method must be 'pearson' or 'spearman', got {method!r}")
    if use == "complete":
        R = rank_masked(X, M)
        r, n = _pearson_from(np.nan_to_num(R), M, min_obs)
        return _finish(r), n
    r, n = _spearman_pairwise_rows(X, M.astype(bool), range(X.shape[-1]), min_obs)
    return _finish(r), n


def _reranked(X: np.ndarray, pair: np.ndarray, mask: np.ndarray, ranks: np.ndarray) -> np.ndarray:
    """Ranks of ``X`` on the cases ``pair``: ``ranks`` (made on ``mask``) for the columns where
    ``pair`` equals ``mask``, recomputed for the others only."""
    changed = ~(pair == mask).all(axis=(0, 1))
    out = np.array(ranks, dtype=float)
    if changed.any():
        out[..., changed] = rank_masked(X[..., changed], pair[..., changed])
    return out


def _spearman_pairwise_rows(X: np.ndarray, Mb: np.ndarray, rows, min_obs: int):
    """Exact pairwise Spearman of the variables ``rows`` with all variables: (B, R, K)."""
    rows = list(rows)
    B, N, K = X.shape
    r = np.full((B, len(rows), K), np.nan)
    n = np.zeros((B, len(rows), K), dtype=int)
    own = rank_masked(X, Mb)  # each variable ranked on its own cases
    for out, i in enumerate(rows):  # loop over variables only: all pairs (i, .) at once
        pair = Mb[..., i : i + 1] & Mb  # (B, N, K): cases where i and j are both observed
        # re-rank only where the pair loses cases; elsewhere the own ranks are the pair's ranks
        Ri = _reranked(np.broadcast_to(X[..., i : i + 1], X.shape), pair, Mb[..., i : i + 1],
                       np.broadcast_to(own[..., i : i + 1], X.shape))
        Rj = _reranked(X, pair, Mb, own)
        P = pair.astype(float)
        Ri0, Rj0 = np.where(pair, Ri, 0.0), np.where(pair, Rj, 0.0)
        ni = P.sum(axis=-2)
        with np.errstate(invalid="ignore", divide="ignore"):
            ci = (Ri0 - (Ri0.sum(-2, keepdims=True) / np.maximum(ni, 1)[..., None, :])) * P
            cj = (Rj0 - (Rj0.sum(-2, keepdims=True) / np.maximum(ni, 1)[..., None, :])) * P
            num = (ci * cj).sum(-2)
            den = np.sqrt((ci**2).sum(-2) * (cj**2).sum(-2))
            ri = num / den
        ok = (ni >= min_obs) & (den > 0)
        r[:, out, :] = np.where(ok, np.clip(ri, -1, 1), np.nan)
        n[:, out, :] = ni.astype(int)
    return r, n


def correlate_rows(X: np.ndarray, rows: Sequence[int], method: Method = "pearson", use: Use = "pairwise",
                   min_obs: int = MIN_OBS) -> tuple[np.ndarray, np.ndarray]:
    """Rows ``rows`` of :func:`correlate` only, ``(B, R, K)``: cheaper for pairwise Spearman."""
    X = np.asarray(X, dtype=float)
    rows = list(rows)
    if method == "spearman" and use == "pairwise":
        M, _ = _masked(X, use)
        r, n = _spearman_pairwise_rows(X, M.astype(bool), rows, min_obs)
        # unit diagonal where defined, as in correlate()
        for out, i in enumerate(rows):
            r[:, out, i] = np.where(np.isnan(r[:, out, i]), np.nan, 1.0)
        return r, n
    r, n = correlate(X, method, use, min_obs)
    return r[:, rows, :], n[:, rows, :]


def correlation_pvalue(r: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Two-sided p-value of a correlation ``r`` on ``n`` cases (H0: no correlation).

    ``t = r sqrt((n - 2) / (1 - r^2))`` with ``n - 2`` degrees of freedom: exact for Pearson
    under normality, and the approximation ``scipy.stats.spearmanr`` and COINr's
    ``get_pvals`` (``cor.test``) use for Spearman. NaN where ``r`` is NaN or ``n < 3``.
    """
    from scipy.stats import t as student_t

    r, n = np.asarray(r, float), np.asarray(n, float)
    df = n - 2
    with np.errstate(invalid="ignore", divide="ignore"):
        rr = np.clip(np.abs(r), 0.0, 1.0)
        tval = rr * np.sqrt(df / np.maximum(1.0 - rr**2, 0.0))
        p = 2 * student_t.sf(tval, df)
    return np.where(np.isnan(r) | (df < 1), np.nan, np.where(rr >= 1.0, 0.0, p))
