"""Trend breaks in score time series: penalised change-point detection and CUSUM.

- ``breaks``: ``ruptures`` Pelt or Binseg on each (entity, code) series with an L2 cost and a
  BIC-type penalty ``pen = beta * sigma^2 * log(n)``, sigma estimated robustly from first
  differences (MAD / sqrt(2), floored at ``SIGMA_FLOOR`` x series SD); each break is reported with its first period in the new
  segment and its size (mean after - mean before).
- ``cusum``: two-sided tabular CUSUM (Page 1954) on each series standardised by its own
  median and robust sigma, vectorised across series; reports the first alarm per direction.

References
----------
Killick, Fearnhead & Eckley (2012) "Optimal detection of changepoints with a linear
computational cost", JASA 107(500) (PELT); Truong, Oudre & Vayatis (2020) "Selective review
of offline change point detection methods", Signal Processing 167 (ruptures); Page (1954)
"Continuous inspection schemes", Biometrika 41.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import xarray as xr

#: floor of the noise SD as a share of the series SD (smooth, interpolated series otherwise
#: give a near-zero difference-based sigma and a break every few years)
SIGMA_FLOOR = 0.25
BREAK_COLUMNS = ["entity", "code", "period", "size", "before", "after", "method"]


def _wide(scores: xr.DataArray | pd.DataFrame, codes=None) -> pd.DataFrame:
    """(entity, code) x period matrix (returned as is if ``scores`` already is one)."""
    if isinstance(scores, pd.DataFrame) and list(scores.index.names) == ["entity", "code"]:
        return scores
    if isinstance(scores, xr.DataArray):
        s = scores.transpose("entity", "code", "period").to_series().rename("value").reset_index()
    else:
        s = scores.rename(columns={"indicator": "code"})
    if codes is not None:
        s = s[s["code"].isin(codes)]
    return s.pivot_table(index=["entity", "code"], columns="period", values="value", dropna=False)


def robust_sigma(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Noise SD from first differences: MAD(diff) * 1.4826 / sqrt(2)."""
    d = np.diff(x, axis=axis)
    med = np.nanmedian(d, axis=axis, keepdims=True)
    return 1.4826 * np.nanmedian(np.abs(d - med), axis=axis) / np.sqrt(2)


def series_breaks(y: np.ndarray, method: str = "pelt", beta: float = 2.0, min_size: int = 3,
                  penalty: float | None = None) -> list[int]:
    """Break indices (first index of each new segment) of one complete series."""
    import ruptures as rpt

    n = len(y)
    if n < 2 * min_size:
        return []
    if penalty is None:
        sig = max(float(robust_sigma(y)), SIGMA_FLOOR * float(np.std(y))) or 1.0
        penalty = beta * sig**2 * np.log(n)
    algo = rpt.Pelt(model="l2", min_size=min_size, jump=1) if method == "pelt" else \
        rpt.Binseg(model="l2", min_size=min_size, jump=1)
    return [b for b in algo.fit(y.reshape(-1, 1)).predict(pen=penalty) if b < n]


def breaks(scores: xr.DataArray | pd.DataFrame, codes=None, method: str = "pelt", beta: float = 2.0,
           min_size: int = 3, penalty: float | None = None) -> pd.DataFrame:
    """Change points of every (entity, code) series (missing years dropped, >= 2*min_size points).

    ruptures works one series at a time, so this loops over series (not over years)."""
    w = _wide(scores, codes)
    periods = np.asarray(w.columns)
    rec = []
    for (ent, code), row in zip(w.index, w.to_numpy(float)):
        ok = ~np.isnan(row)
        y, per = row[ok], periods[ok]
        bks = series_breaks(y, method, beta, min_size, penalty)
        edges = [0, *bks, len(y)]
        for i, b in enumerate(bks):
            before, after = y[edges[i]:b].mean(), y[b:edges[i + 2]].mean()
            rec.append((ent, code, int(per[b]), after - before, before, after, method))
    return pd.DataFrame(rec, columns=BREAK_COLUMNS)


def cusum(scores: xr.DataArray | pd.DataFrame, codes=None, k: float = 0.5, h: float = 5.0) -> pd.DataFrame:
    """First CUSUM alarm (up and down) per series: S+_t = max(0, S+_{t-1} + z_t - k), alarm when
    S+ > h (likewise S-); z = (x - median(x)) / robust sigma. Missing values leave S unchanged."""
    w = _wide(scores, codes)
    X = w.to_numpy(float)
    with warnings.catch_warnings():  # an all-missing series has no median: its z stays NaN, no alarm
        warnings.filterwarnings("ignore", "All-NaN slice", RuntimeWarning)
        warnings.filterwarnings("ignore", "Degrees of freedom", RuntimeWarning)
        med = np.nanmedian(X, axis=1, keepdims=True)
        sig = robust_sigma(X, axis=1)[:, None]
        sig = np.where((sig > 0) & np.isfinite(sig), sig, np.nanstd(X, axis=1, keepdims=True))
    with np.errstate(invalid="ignore", divide="ignore"):
        Z = (X - med) / sig
    sp = np.zeros(len(X))
    sn = np.zeros(len(X))
    first_up = np.full(len(X), -1)
    first_dn = np.full(len(X), -1)
    for t in range(X.shape[1]):  # loop over time, vectorised across series
        z = np.nan_to_num(Z[:, t], nan=k)
        sp = np.maximum(0, sp + z - k)
        z = np.nan_to_num(Z[:, t], nan=-k)
        sn = np.maximum(0, sn - z - k)
        first_up = np.where((first_up < 0) & (sp > h), t, first_up)
        first_dn = np.where((first_dn < 0) & (sn > h), t, first_dn)
    periods = np.asarray(w.columns)
    rec = []
    for name, first, sign in (("up", first_up, 1), ("down", first_dn, -1)):
        idx = np.flatnonzero(first >= 0)
        rec.append(pd.DataFrame({
            "entity": w.index.get_level_values(0)[idx], "code": w.index.get_level_values(1)[idx],
            "period": periods[first[idx]].astype(int), "direction": name,
            "size": sign * (X[idx, first[idx]] - med[idx, 0]), "method": "cusum"}))
    return pd.concat(rec, ignore_index=True)


def trend_breaks(scores: xr.DataArray | pd.DataFrame, codes=None, method: str = "pelt",
                 beta: float = 2.0, min_size: int = 3) -> pd.DataFrame:
    """Change points (``method``) and CUSUM alarms in one table: entity, code, period, size, method."""
    w = _wide(scores, codes)  # one (entity, code) x period matrix for both detectors
    a = breaks(w, None, method, beta, min_size)[["entity", "code", "period", "size", "method"]]
    b = cusum(w)[["entity", "code", "period", "size", "method"]]
    return pd.concat([a, b], ignore_index=True).sort_values(["entity", "code", "period"], ignore_index=True)
