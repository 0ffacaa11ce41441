"""Internal consistency of each aggregate: Cronbach's alpha over its children.

References
----------
Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
*Psychometrika* 16(3), 297-334.
Nunnally, J. C. (1978). *Psychometric Theory* (2nd ed.). McGraw-Hill, New York.
OECD/JRC (2008). *Handbook on Constructing Composite Indicators*, Step 4.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import xarray as xr

from holisec.audit._common import (
    MIN_OBS, Use, check_scores, correlate, covariance, groups_of, select_periods, stack,
)

#: Nunnally (1978): alpha >= 0.7 is acceptable internal consistency.
ALPHA_MIN = 0.7


def cronbach_alpha(
    X: np.ndarray | pd.DataFrame,
    use: Use = "complete",
    standardised: bool = False,
    min_obs: int = MIN_OBS,
) -> np.ndarray | float:
    """Cronbach's alpha of the columns (items) of ``X``.

    ``alpha = k/(k-1) * (1 - sum_i var_i / var_total)`` with ``var_total`` the variance of
    the row sum, i.e. the sum of all entries of the item covariance matrix ``C``:
    ``alpha = k/(k-1) * (1 - trace(C) / sum(C))``. Standardised alpha uses the correlation
    matrix instead, ``k * rbar / (1 + (k-1) * rbar)``.

    Parameters
    ----------
    X : array (N, K) or (B, N, K), or DataFrame (cases x items)
        NaN = missing.
    use : {"complete", "pairwise"}
        Listwise deletion (the textbook alpha on complete rows) or a pairwise-complete
        covariance matrix (uses all data, but ``C`` need not be positive semi-definite).
    standardised : bool
        Use correlations instead of covariances.
    min_obs : int
        Fewer cases than this (per pair) give NaN.

    Returns
    -------
    float or array (B,)
        NaN when fewer than two items or a degenerate total variance. Alpha is at most 1
        and may be negative when items are negatively correlated.

    References
    ----------
    Cronbach (1951); Nunnally (1978); OECD/JRC (2008), Handbook, Step 4.
    """
    arr = np.asarray(X, dtype=float)
    single = arr.ndim == 2
    if single:
        arr = arr[None]
    k = arr.shape[-1]
    if k < 2:
        out = np.full(arr.shape[0], np.nan)
        return float(out[0]) if single else out
    if standardised:
        C, _ = correlate(arr, "pearson", use, min_obs)
    else:
        C, _ = covariance(arr, use, ddof=1, min_obs=min_obs)
    tr = np.trace(C, axis1=-2, axis2=-1)
    tot = C.sum(axis=(-2, -1))
    with np.errstate(invalid="ignore", divide="ignore"):
        alpha = k / (k - 1) * (1.0 - tr / tot)
    alpha = np.where(np.isfinite(alpha) & (tot > 0), alpha, np.nan)
    return float(alpha[0]) if single else alpha


def reliability(
    scores: xr.DataArray,
    tree: pd.DataFrame,
    use: Use = "complete",
    period: int | Sequence[int] | None = None,
    by_period: bool = False,
    threshold: float = ALPHA_MIN,
    min_obs: int = MIN_OBS,
) -> pd.DataFrame:
    """Cronbach's alpha (raw and standardised) of every aggregate over its children.

    Parameters
    ----------
    scores : xarray.DataArray
        Dims ``("entity", "period", "code")``.
    tree : pandas.DataFrame
        ``framework.tree``.
    use : {"complete", "pairwise"}
    period, by_period
        Select periods; pool them (default) or one alpha per period.
    threshold : float
        Flag ``low_alpha`` when alpha < threshold (default 0.7, Nunnally 1978).

    Returns
    -------
    pandas.DataFrame
        Columns ``parent, period, k, n_complete, alpha, alpha_std, low_alpha``. Groups with
        a single child get NaN alpha and no flag.

    References
    ----------
    Cronbach (1951); Nunnally (1978); OECD/JRC (2008), Handbook, Step 4.
    """
    scores = select_periods(check_scores(scores), period)
    frames = []
    for parent, kids in groups_of(tree, scores["code"].values).items():
        X, labels = stack(scores, kids, by_period)
        frames.append(pd.DataFrame({
            "parent": parent, "period": labels, "k": len(kids),
            "n_complete": (~np.isnan(X)).all(axis=-1).sum(axis=-1),
            "alpha": cronbach_alpha(X, use, False, min_obs),
            "alpha_std": cronbach_alpha(X, use, True, min_obs),
        }))
    cols = ["parent", "period", "k", "n_complete", "alpha", "alpha_std"]
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)
    out["period"] = out["period"].astype("Int64")
    out["alpha"] = out["alpha"].astype(float)
    out["low_alpha"] = (out["alpha"] < threshold).astype(bool)
    return out
