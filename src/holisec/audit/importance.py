"""Leave-one-out importance: how much does the ranking move when a component is dropped?

References
----------
Saisana, M., Saltelli, A. & Tarantola, S. (2005). Uncertainty and sensitivity analysis
techniques as tools for the quality assessment of composite indicators. *J. R. Stat. Soc.
A* 168(2), 307-323.
OECD/JRC (2008). *Handbook on Constructing Composite Indicators*, Step 7 (robustness and
sensitivity: "exclusion/inclusion of individual indicators").
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import xarray as xr
from scipy.stats import rankdata

from holisec.audit._common import paired_pearson, root_of


def _leaves(tree: pd.DataFrame, code: str) -> list[str]:
    kids = tree.index[tree["parent"] == code].tolist()
    if not kids:
        return [code] if tree.at[code, "type"] == "Indicator" else []
    return [leaf for k in kids for leaf in _leaves(tree, k)]


def _as_ep(da: xr.DataArray, name: str) -> xr.DataArray:
    if "code" in da.dims:
        if da.sizes["code"] != 1:
            raise ValueError(f"{name}: expected root scores only, got {da.sizes['code']} codes")
        da = da.isel(code=0, drop=True)
    if set(da.dims) != {"entity", "period"}:
        raise ValueError(f"{name}: expected dims ('entity', 'period'), got {da.dims}")
    return da.transpose("entity", "period").astype(float)


def rank_shift(baseline: xr.DataArray, other: xr.DataArray) -> pd.DataFrame:
    """Per-period rank comparison of two score arrays ``(entity, period)``.

    Ranks are 1 = highest score (most risk), ties averaged, computed within each period
    over the entities scored in *both* arrays, so the two rankings are comparable.

    Returns
    -------
    pandas.DataFrame
        Indexed by period: ``n, mean_abs_rank_change, max_abs_rank_change, spearman``.
    """
    a = _as_ep(baseline, "baseline")
    b = _as_ep(other, "other").reindex_like(a)
    A, Bv = a.values, b.values
    both = ~np.isnan(A) & ~np.isnan(Bv)
    ra = rankdata(np.where(both, -A, np.nan), axis=0, nan_policy="omit")
    rb = rankdata(np.where(both, -Bv, np.nan), axis=0, nan_policy="omit")
    d = np.abs(ra - rb)
    n = both.sum(axis=0)
    rho, _ = paired_pearson(ra, rb)  # Spearman: Pearson on the ranks over the common entities
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, np.where(both, d, 0).sum(0) / np.maximum(n, 1), np.nan)
    mx = np.where(n > 0, np.where(both, d, -np.inf).max(0), np.nan)
    return pd.DataFrame({"n": n, "mean_abs_rank_change": mean, "max_abs_rank_change": mx,
                         "spearman": rho}, index=pd.Index(a["period"].values, name="period"))


def leave_one_out(
    rebuild: Callable[[list[str]], xr.DataArray],
    baseline: xr.DataArray,
    tree: pd.DataFrame,
    indicators: Sequence[str] | None = None,
    groups: bool | Sequence[str] = True,
) -> pd.DataFrame:
    """Leave-one-out importance of each indicator and each group for the index ranking.

    For each indicator ``i`` the index is rebuilt without ``i`` (``rebuild([i])``); for
    each group ``g`` (aggregate below the root) without all leaves below ``g``. The
    rebuilt root scores are compared with ``baseline`` period by period: mean and maximum
    absolute rank change over entities and Spearman's rho between the two rankings.

    Parameters
    ----------
    rebuild : callable
        ``rebuild(drop: list[str]) -> DataArray`` of the root scores, dims
        ``(entity, period)`` (or with a length-1 ``code`` dim), computed by the full
        pipeline with the listed indicator codes removed.
    baseline : xarray.DataArray
        Root scores with nothing dropped, same dims.
    tree : pandas.DataFrame
        ``framework.tree``.
    indicators : sequence of str, optional
        Indicators to drop one at a time (default: all indicators of ``tree``).
    groups : bool or sequence of str
        ``True``: every aggregate below the root; ``False``: none; or an explicit list.

    Returns
    -------
    pandas.DataFrame
        ``dropped, type, n_dropped, period, n, mean_abs_rank_change, max_abs_rank_change,
        spearman``. A dropped component whose removal barely moves the ranking
        (rho near 1, small shifts) adds little to the index beyond the others.

    References
    ----------
    Saisana, Saltelli & Tarantola (2005); OECD/JRC (2008), Handbook, Step 7.
    """
    root = root_of(tree)
    if indicators is None:
        indicators = tree.index[tree["type"] == "Indicator"].tolist()
    if groups is True:
        groups = [c for c in tree.index[tree["type"] == "Aggregate"] if c != root]
    elif groups is False:
        groups = []
    jobs = [(c, "Indicator", [c]) for c in indicators]
    jobs += [(g, "Aggregate", _leaves(tree, g)) for g in groups]
    frames = []
    for code, kind, drop in jobs:
        if not drop:
            continue
        df = rank_shift(baseline, rebuild(list(drop))).reset_index()
        df.insert(0, "n_dropped", len(drop))
        df.insert(0, "type", kind)
        df.insert(0, "dropped", code)
        frames.append(df)
    cols = ["dropped", "type", "n_dropped", "period", "n", "mean_abs_rank_change",
            "max_abs_rank_change", "spearman"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)


def summarise_importance(loo: pd.DataFrame) -> pd.DataFrame:
    """Collapse :func:`leave_one_out` over periods: mean of mean shifts, max of max shifts,
    lowest Spearman rho; sorted by decreasing importance (mean shift)."""
    g = loo.groupby(["dropped", "type", "n_dropped"], sort=False)
    out = g.agg(mean_abs_rank_change=("mean_abs_rank_change", "mean"),
                max_abs_rank_change=("max_abs_rank_change", "max"),
                min_spearman=("spearman", "min")).reset_index()
    return out.sort_values("mean_abs_rank_change", ascending=False, ignore_index=True)
