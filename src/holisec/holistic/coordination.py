"""Coupling coordination degree of the security domains (C, T, D) and its grade bands.

For ``n`` subsystems with security levels ``U_i`` in ``(0, 1]`` (per entity and period):

* coupling ``C = n * (prod_i U_i)^(1/n) / sum_i U_i`` — the geometric over the arithmetic
  mean of the levels, in ``[0, 1]``; 1 when all domains are equally secure, lower the more
  one lags (AM-GM inequality);
* comprehensive level ``T = sum_i a_i U_i`` with ``sum a_i = 1`` (equal by default);
* coordination degree ``D = sqrt(C * T)``: high only when the domains are both secure and
  in step.

Scaling that keeps it defined: a domain's risk score ``r`` on 0-100 (higher = more risk)
becomes the security level ``U = eps + (1 - eps) * (1 - r / 100)``, so ``U`` lies in
``[eps, 1]`` and the geometric mean never collapses to 0 because one domain sits at the
maximum risk of the panel (``eps = 0.01`` by default; ``eps = 0`` gives the raw levels).
An entity-period with any domain missing is not measurable (C compares all ``n`` domains).

References
----------
Liao, C. (1999) Quantitative judgement and classification system for coordinated development
of environment and economy. *Tropical Geography* 19(2), 171-177 (the ten grade bands).
Wang, S., Kong, W., Ren, L., Zhi, D. & Dai, B. (2021) Research on misuses and modification of
coupling coordination degree model in China. *Journal of Natural Resources* 36(3), 793-810
(the n-subsystem formula ``C = n (prod U)^(1/n) / sum U`` and why it needs ``U > 0``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from holisec.holistic._common import HolisticError, domain_scores

#: Lower edges of the coordination grades (Liao 1999), applied to ``D``.
GRADES: list[tuple[float, str]] = [
    (0.0, "extreme disorder"), (0.1, "serious disorder"), (0.2, "moderate disorder"),
    (0.3, "mild disorder"), (0.4, "on the verge of disorder"), (0.5, "barely coordinated"),
    (0.6, "primary coordination"), (0.7, "intermediate coordination"), (0.8, "good coordination"),
    (0.9, "quality coordination"),
]


def security_levels(risk: xr.DataArray, eps: float = 0.01, scale: float = 100.0) -> xr.DataArray:
    """``U = eps + (1 - eps) (1 - r / scale)``: risk 0..scale -> security level eps..1."""
    if not 0 <= eps < 1:
        raise HolisticError(f"coordination: eps must be in [0, 1), got {eps}")
    values = risk.values[~np.isnan(risk.values)]
    if values.size and (values.min() < -1e-9 or values.max() > scale + 1e-9):
        raise HolisticError(
            f"coordination: domain scores span {values.min():.3g}..{values.max():.3g}, outside 0..{scale:g}; "
            "coordination needs scores on the 0-100 risk scale (normalise minmax lo=0 hi=100 with an "
            "averaging aggregation)"
        )
    return eps + (1 - eps) * (1 - risk.clip(0, scale) / scale)


def grade(d: np.ndarray) -> np.ndarray:
    """Grade name of each coordination degree (``''`` where ``D`` is missing)."""
    edges = np.array([lo for lo, _ in GRADES])
    names = np.array([name for _, name in GRADES] + [""], dtype=object)
    idx = np.clip(np.searchsorted(edges, d, side="right") - 1, 0, len(GRADES) - 1)
    return np.where(np.isnan(d), names[-1], names[idx])


def coupling_coordination(risk: xr.DataArray, *, dim: str = "domain", weights: pd.Series | None = None,
                          eps: float = 0.01) -> xr.Dataset:
    """C, T, D over ``dim`` of a risk panel; every other dim broadcasts.

    Returns a Dataset with ``U`` (levels), ``C``, ``T``, ``D``, ``grade``, ``measurable``
    (all ``n`` subsystems present) and ``lagging`` (the subsystem with the lowest level).
    """
    n = risk.sizes[dim]
    if n < 2:
        raise HolisticError(f"coordination needs at least 2 subsystems along {dim!r}, got {n}")
    u = security_levels(risk, eps)
    a = xr.DataArray(np.full(n, 1.0 / n) if weights is None else
                     weights.reindex(risk[dim].values).to_numpy(dtype=float), dims=dim,
                     coords={dim: risk[dim]})
    if np.isnan(a.values).any() or a.values.min() < 0 or a.sum() <= 0:
        raise HolisticError(f"coordination: weights must be >= 0 for every {dim} {list(risk[dim].values)}")
    a = a / a.sum()
    measurable = u.notnull().all(dim)
    with np.errstate(divide="ignore", invalid="ignore"):
        gm = np.exp(np.log(u).mean(dim)).where(u.min(dim) > 0, 0.0)
        am = u.mean(dim)
        c = (gm / am).where(measurable & (am > 0))
    t = (u * a).sum(dim, skipna=False).where(measurable)
    d = np.sqrt(c * t)
    lag = u.fillna(np.inf).argmin(dim)
    lagging = xr.DataArray(np.asarray(risk[dim].values, dtype=object)[lag.values], dims=lag.dims,
                           coords=lag.coords).where(measurable, "")
    return xr.Dataset({"U": u, "C": c, "T": t, "D": d,
                       "grade": xr.DataArray(grade(d.values), dims=d.dims, coords=d.coords),
                       "measurable": measurable, "lagging": lagging})


def coordination(result, *, eps: float = 0.01) -> xr.Dataset:
    """Coupling coordination of a built index's domains, per entity and period."""
    return coupling_coordination(domain_scores(result), eps=eps)


def coordination_table(ds: xr.Dataset, period: int | None = None) -> pd.DataFrame:
    """Long table ``entity, period, C, T, D, grade, lagging, measurable`` (least coordinated first)."""
    if period is not None:
        if period not in ds["period"].values:
            raise HolisticError(f"coordination: no period {period}; have {int(ds.period.min())}-{int(ds.period.max())}")
        ds = ds.sel(period=[period])
    frame = ds[["C", "T", "D", "grade", "lagging", "measurable"]].to_dataframe().reset_index()
    return frame.sort_values(["D", "entity"], na_position="last", kind="stable").reset_index(drop=True)
