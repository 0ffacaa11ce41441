"""Principal component analysis of each group's children (dimensionality check).

References
----------
OECD/JRC (2008). *Handbook on Constructing Composite Indicators*, Step 4 (PCA) and
Step 6 (weights from PCA/FA).
Kaiser, H. F. (1960). The application of electronic computers to factor analysis.
*Educ. Psychol. Meas.* 20(1), 141-151.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import xarray as xr

from holisec.audit._common import MIN_OBS, Use, check_scores, correlate, groups_of, select_periods, stack


def pca_eigen(X: np.ndarray, use: Use = "complete", min_obs: int = MIN_OBS):
    """Eigen-decomposition of the correlation matrix of ``X`` (B, N, K).

    PCA on standardised variables is the eigen-decomposition of their correlation matrix.

    Returns
    -------
    eigenvalues : array (B, K)
        Descending; they sum to K (the trace).
    eigenvectors : array (B, K, K)
        Column ``m`` is component ``m``; signs fixed so each column sums to >= 0.
    n : array (B,)
        Cases used (complete rows for ``use="complete"``; the minimum pair count otherwise).

    Batches whose correlation matrix has NaN (constant or too sparse item) give NaN.
    """
    X = np.asarray(X, dtype=float)
    R, n = correlate(X, "pearson", use, min_obs)
    B, _, K = X.shape
    vals = np.full((B, K), np.nan)
    vecs = np.full((B, K, K), np.nan)
    ok = np.isfinite(R).all(axis=(-2, -1))
    if ok.any():
        w, v = np.linalg.eigh(R[ok])
        w, v = w[:, ::-1], v[:, :, ::-1]
        sign = np.where(v.sum(axis=-2, keepdims=True) < 0, -1.0, 1.0)
        vals[ok], vecs[ok] = w, v * sign
    return vals, vecs, n.min(axis=(-2, -1))


def pca(
    scores: xr.DataArray,
    tree: pd.DataFrame,
    use: Use = "complete",
    period: int | Sequence[int] | None = None,
    by_period: bool = False,
    min_obs: int = MIN_OBS,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """PCA of each group (aggregate with >= 2 children) on its standardised children.

    Parameters
    ----------
    scores : xarray.DataArray
        Dims ``("entity", "period", "code")``.
    tree : pandas.DataFrame
        ``framework.tree``.
    use : {"complete", "pairwise"}
        Correlation matrix from complete cases (default) or pairwise-complete cases.
    period, by_period
        Select periods; pool them (default) or one PCA per period.

    Returns
    -------
    summary : pandas.DataFrame
        ``parent, period, k, n, pc1_share, n_eigen_gt1, eigenvalues, multidimensional``:
        share of variance of PC1 (lambda_1 / k), number of eigenvalues > 1 (Kaiser), and the
        flag ``multidimensional`` when more than one eigenvalue exceeds 1.
    loadings : pandas.DataFrame
        ``parent, period, component, code, eigenvector, loading`` for the components with
        eigenvalue > 1 (at least PC1); ``loading = eigenvector * sqrt(lambda)`` is the
        correlation of the standardised child with the component.

    References
    ----------
    OECD/JRC (2008), Handbook, Step 4; Kaiser (1960).
    """
    scores = select_periods(check_scores(scores), period)
    summ, loads = [], []
    for parent, kids in groups_of(tree, scores["code"].values).items():
        k = len(kids)
        if k < 2:
            continue
        X, labels = stack(scores, kids, by_period)
        vals, vecs, n = pca_eigen(X, use, min_obs)
        n_gt1 = (vals > 1.0 + 1e-12).sum(axis=-1)
        summ.append(pd.DataFrame({
            "parent": parent, "period": labels, "k": k, "n": n,
            "pc1_share": vals[:, 0] / k, "n_eigen_gt1": n_gt1,
            "eigenvalues": [list(v) for v in vals],
        }))
        keep = max(1, int(np.nanmax(n_gt1)) if np.isfinite(vals).any() else 1)
        for m in range(keep):
            loads.append(pd.DataFrame({
                "parent": parent,
                "period": np.repeat(np.asarray(labels, dtype=object), k),
                "component": m + 1,
                "code": np.tile(kids, len(labels)),
                "eigenvector": vecs[:, :, m].ravel(),
                "loading": (vecs[:, :, m] * np.sqrt(np.clip(vals[:, m : m + 1], 0, None))).ravel(),
            }))
    scols = ["parent", "period", "k", "n", "pc1_share", "n_eigen_gt1", "eigenvalues"]
    lcols = ["parent", "period", "component", "code", "eigenvector", "loading"]
    summary = pd.concat(summ, ignore_index=True) if summ else pd.DataFrame(columns=scols)
    loadings = pd.concat(loads, ignore_index=True) if loads else pd.DataFrame(columns=lcols)
    for df in (summary, loadings):
        df["period"] = df["period"].astype("Int64")
    summary["multidimensional"] = (summary["n_eigen_gt1"].astype(int) > 1).astype(bool)
    return summary, loadings
