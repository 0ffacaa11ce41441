"""Correlation-based importance of each component versus its nominal weight.

The nominal weight says how much a component *should* count; its squared correlation
with the parent aggregate says how much of the parent's variance it actually drives.
Normalised within the parent, the squared Pearson correlations are the *correlation-based
importance* shares of JRC COIN audits (Paruolo et al. 2013 call them "effective weights"; in
holisec, as in COINr's ``get_eff_weights``, *effective weights* are the nominal weights
multiplied down the tree, see :mod:`holisec.audit.effective`). The correlation ratio (a binned
estimate of the first-order sensitivity index ``S_i = V[E(y|x_i)] / V(y)``) is a non-linear variant.

References
----------
Paruolo, P., Saisana, M. & Saltelli, A. (2013). Ratings and rankings: voodoo or science?
*J. R. Stat. Soc. A* 176(3), 609-634.
Saisana, M., Saltelli, A. & Tarantola, S. (2005). *J. R. Stat. Soc. A* 168(2), 307-323.
OECD/JRC (2008). *Handbook on Constructing Composite Indicators*, Steps 6 and 7.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import xarray as xr
from scipy.stats import rankdata

from holisec.audit._common import MIN_OBS, Use, check_scores, correlate, groups_of, select_periods, stack

#: Flag a component whose importance share is below ``1/RATIO`` or above ``RATIO`` times its nominal share.
RATIO = 2.0


def correlation_ratio(x: np.ndarray, y: np.ndarray, bins: int | None = None) -> np.ndarray:
    """Binned correlation ratio ``eta^2 = V[E(y | bin(x))] / V(y)`` along the last axis.

    ``x`` is cut into ``bins`` quantile bins (default ``max(2, min(20, floor(sqrt(n))))``
    per row, ``n`` the number of jointly observed cases); tied ``x`` share a bin. ``eta^2``
    lies in [0, 1]; under linearity it is close to ``r^2``. With few cases per bin it is
    biased upwards (by about ``(bins - 1) / (n - 1)`` under independence).

    Parameters
    ----------
    x, y : array (..., N)
        NaN = missing; cases missing in either are dropped.
    bins : int, optional

    Returns
    -------
    array (...)
        NaN when fewer than ``MIN_OBS`` cases or constant ``y``.

    References
    ----------
    Paruolo, Saisana & Saltelli (2013).
    """
    x, y = np.broadcast_arrays(np.asarray(x, float), np.asarray(y, float))
    shape = x.shape[:-1]
    x, y = x.reshape(-1, x.shape[-1]), y.reshape(-1, y.shape[-1])
    valid = ~np.isnan(x) & ~np.isnan(y)
    nv = valid.sum(axis=-1)
    nb = np.full(nv.shape, bins) if bins else np.clip(np.floor(np.sqrt(nv)), 2, 20).astype(int)
    nb = np.maximum(np.minimum(nb, nv), 1)
    rk = rankdata(np.where(valid, x, np.nan), method="min", axis=-1, nan_policy="omit")
    with np.errstate(invalid="ignore"):
        b = np.floor((rk - 1) * nb[:, None] / np.maximum(nv, 1)[:, None])
    b = np.where(valid, b, 0).astype(int)
    width = int(nb.max()) if nb.size else 1
    flat = (np.arange(x.shape[0])[:, None] * width + b)[valid]
    y0 = y[valid]
    size = x.shape[0] * width
    cnt = np.bincount(flat, minlength=size).reshape(-1, width)
    sm = np.bincount(flat, weights=y0, minlength=size).reshape(-1, width)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(valid, y, 0).sum(-1) / nv
        between = np.where(cnt > 0, sm**2 / np.maximum(cnt, 1), 0).sum(-1) - nv * mean**2
        total = (np.where(valid, y - mean[:, None], 0) ** 2).sum(-1)
        eta2 = np.clip(between / total, 0.0, 1.0)
    eta2 = np.where((nv >= MIN_OBS) & (total > 0), eta2, np.nan)
    return eta2.reshape(shape)


def correlation_importance(
    scores: xr.DataArray,
    tree: pd.DataFrame,
    use: Use = "pairwise",
    period: int | Sequence[int] | None = None,
    by_period: bool = False,
    main_effect: bool = True,
    bins: int | None = None,
    ratio: float = RATIO,
    min_obs: int = MIN_OBS,
    weights: pd.Series | None = None,
) -> pd.DataFrame:
    """Correlation-based importance of every component within its parent, beside its nominal weight.

    ``importance_c = r(c, p)^2 / sum_{c' in children(p)} r(c', p)^2`` and
    ``nominal_c = w_c / sum_{c'} w_c'``, both summing to 1 within each parent.

    Parameters
    ----------
    scores : xarray.DataArray
        Dims ``("entity", "period", "code")``: children and parents.
    tree : pandas.DataFrame
        ``framework.tree`` (columns ``parent``, ``weight``).
    weights : pandas.Series, optional
        Weights actually used by the build (``result.weights``); default the tree's ``weight``.
    use : {"pairwise", "complete"}
        Cases per (child, parent) pair, or cases where the parent and all its children
        are observed.
    period, by_period
        Select periods; pool them (default) or compute per period.
    main_effect : bool
        Also report the binned correlation ratio ``eta2`` and its within-parent share.
    ratio : float
        Flag ``under_represented`` when ``importance < nominal / ratio`` and
        ``over_represented`` when ``importance > nominal * ratio``.

    Returns
    -------
    pandas.DataFrame
        ``parent, period, code, n, nominal, r, r2, importance, importance_to_nominal``,
        optionally ``eta2, main_effect_share``, and the two flags.

    References
    ----------
    Paruolo, Saisana & Saltelli (2013); OECD/JRC (2008), Handbook, Step 6.
    """
    scores = select_periods(check_scores(scores), period)
    frames = []
    for parent, kids in groups_of(tree, scores["code"].values).items():
        X, labels = stack(scores, [*kids, parent], by_period)
        r, n = correlate(X, "pearson", use, min_obs)
        rp = r[:, :-1, -1]  # (B, k): each child with the parent
        r2 = rp**2
        with np.errstate(invalid="ignore", divide="ignore"):
            eff = r2 / np.nansum(r2, axis=-1, keepdims=True)
        eff = np.where(np.isnan(r2), np.nan, eff)
        w = (tree["weight"] if weights is None else weights.reindex(tree.index).fillna(tree["weight"]))
        w = w.loc[kids].to_numpy(float)
        nominal = w / w.sum() if w.sum() > 0 else np.full(len(kids), np.nan)
        df = pd.DataFrame({
            "parent": parent,
            "period": np.repeat(np.asarray(labels, dtype=object), len(kids)),
            "code": np.tile(kids, len(labels)),
            "n": n[:, :-1, -1].ravel(),
            "nominal": np.tile(nominal, len(labels)),
            "r": rp.ravel(), "r2": r2.ravel(), "importance": eff.ravel(),
        })
        if main_effect:
            if use == "complete":
                X = np.where(np.isnan(X).any(axis=-1, keepdims=True), np.nan, X)
            Xc = np.moveaxis(X, -1, 0)  # (k+1, B, N)
            eta = correlation_ratio(Xc[:-1], Xc[-1][None], bins)  # (k, B)
            eta = eta.T
            with np.errstate(invalid="ignore", divide="ignore"):
                share = eta / np.nansum(eta, axis=-1, keepdims=True)
            df["eta2"] = eta.ravel()
            df["main_effect_share"] = np.where(np.isnan(eta), np.nan, share).ravel()
        frames.append(df)
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["parent", "period", "code", "n", "nominal", "r", "r2", "importance"])
    out["period"] = out["period"].astype("Int64")
    with np.errstate(invalid="ignore", divide="ignore"):
        out["importance_to_nominal"] = out["importance"].astype(float) / out["nominal"].astype(float)
    out["under_represented"] = (out["importance"] < out["nominal"] / ratio).astype(bool)
    out["over_represented"] = (out["importance"] > out["nominal"] * ratio).astype(bool)
    return out
