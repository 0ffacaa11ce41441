"""The five balances of the holistic approach: a sub-index per pole, their gap and its trend.

For each pair (framework tags ``scope``, ``sphere``, ``kind``, ``aspect``, ``reach``; poles in
:data:`holisec.framework.schema.PAIRS`), entity and period:

* pole sub-index ``A`` (first pole) and ``B`` (second pole): the recipe's own aggregation,
  weights and ``min_share`` applied to the normalised indicators tagged with that pole,
  domain by domain and then across domains (0-100, higher = more risk);
* signed difference ``diff = A - B`` (index points; > 0: the first pole carries more risk);
* log-ratio ``log_ratio = ln((A + c) / (B + c))`` with ``c = 1`` (so that a zero score stays
  defined; ``ln 2 = 0.69`` means the first pole's risk is about twice the second's);
* trend: least-squares slope of ``diff`` per year over the ``window`` periods ending in
  ``t`` (all of them measurable), the same for ``A`` and ``B``.

A pair is **measurable** in an entity-period only when each pole has at least
``min_indicators`` indicators *observed* there (imputed values do not count) and both
sub-indices exist; otherwise every measure is NaN and ``reason`` says why. Not measurable is
never reported as balanced.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from holisec.framework import Framework
from holisec.framework.schema import PAIRS
from holisec.holistic._common import HolisticError
from holisec.pipeline.steps.aggregate import aggregate

OFFSET = 1.0


def pole_framework(framework: Framework, pair: str, pole: str, keep: list[str]) -> Framework | None:
    """A two-level framework ``pole -> domains -> indicators tagged pole`` (None if none)."""
    inds = [i for i in framework.indicators if i.tags.get(pair) == pole and i.id in keep]
    if not inds:
        return None
    parents = {i.parent for i in inds}
    groups = [{"id": "pole", "name": f"{pair} = {pole}"}] + [
        {"id": g.id, "name": g.name, "parent": "pole", "weight": g.weight} for g in framework.groups if g.id in parents
    ]
    return Framework(id=f"{framework.id}_{pair}_{pole.replace('-', '_')}", name=f"{framework.name}: {pair} {pole}",
                     groups=groups, indicators=[i.model_dump() for i in inds], sources=[s.model_dump() for s in framework.sources])


def _aggregate_step(result):
    step = next(s for s in result.recipe.steps if s.step == "aggregate")
    return step.method, dict(step.params)


def _normalised(result) -> xr.DataArray:
    name = next(k for k in reversed(list(result.datasets)) if k.startswith("normalised"))
    return result.datasets[name]


def rolling_slope(da: xr.DataArray, window: int, dim: str = "period") -> xr.DataArray:
    """OLS slope of ``da`` on ``dim`` over the trailing ``window`` points (NaN if any is missing)."""
    if window < 2:
        raise HolisticError(f"balance trend: window must be >= 2 periods, got {window}")
    t = xr.DataArray(da[dim].values.astype(float), dims=dim, coords={dim: da[dim]})
    tw = t.rolling({dim: window}).construct("w")
    yw = da.rolling({dim: window}).construct("w")
    tc = tw - tw.mean("w")
    yc = yw - yw.mean("w", skipna=False)
    return ((tc * yc).sum("w", skipna=False) / (tc**2).sum("w", skipna=False)).transpose(*da.dims)


def balances(result, *, min_indicators: int = 3, window: int = 5) -> xr.Dataset:
    """The five balances of a built index, dims ``(entity, period, pair)``.

    Variables: ``first``/``second`` (pole sub-indices), ``diff``, ``log_ratio``,
    ``trend_diff``, ``trend_first``, ``trend_second`` (points per year), ``n_first``/
    ``n_second`` (indicators observed), ``measurable`` and ``reason``; attrs name the poles.
    """
    if min_indicators < 1:
        raise HolisticError(f"balance: min_indicators must be >= 1, got {min_indicators}")
    fw = result.framework
    method, params = _aggregate_step(result)
    panel = _normalised(result)
    raw = result.datasets["raw"]
    keep = [c for c in panel["indicator"].values if c in fw.indicator_ids]
    observed = raw.reindex(indicator=keep, entity=panel["entity"], period=panel["period"]).notnull()
    pieces: dict[str, list[xr.DataArray]] = {k: [] for k in ("first", "second", "n_first", "n_second")}
    for pair, poles in PAIRS.items():
        for slot, pole in zip(("first", "second"), poles):
            sub = pole_framework(fw, pair, pole, keep)
            if sub is None:
                score = xr.full_like(panel.isel(indicator=0, drop=True), np.nan)
                count = xr.zeros_like(score)
            else:
                scores, _ = aggregate(panel.sel(indicator=sub.indicator_ids), method, framework=sub,
                                      weights=result.weights, **params)
                score = scores.sel(code="pole", drop=True).drop_vars("level", errors="ignore")
                count = observed.sel(indicator=sub.indicator_ids).sum("indicator").astype(float)
            pieces[slot].append(score)
            pieces[f"n_{slot}"].append(count)
    ds = xr.Dataset({k: xr.concat(v, dim=pd.Index(list(PAIRS), name="pair")) for k, v in pieces.items()})
    ds = ds.transpose("entity", "period", "pair")
    enough = (ds["n_first"] >= min_indicators) & (ds["n_second"] >= min_indicators)
    scored = ds["first"].notnull() & ds["second"].notnull()
    measurable = enough & scored
    reason = xr.where(~enough, f"fewer than {min_indicators} indicators observed for a pole",
                      xr.where(~scored, "a pole sub-index is missing (recipe min_share)", ""))
    first, second = ds["first"].where(measurable), ds["second"].where(measurable)
    low = float(np.fmin(first.min(), second.min())) if bool(measurable.any()) else 0.0
    if low < 0:
        raise HolisticError(f"balance: pole sub-indices reach {low:.3g} < 0; the log-ratio needs a non-negative "
                            "scale (normalise minmax lo=0 hi=100, the default)")
    ds["first"], ds["second"] = first, second
    ds["diff"] = first - second
    ds["log_ratio"] = np.log((first + OFFSET) / (second + OFFSET))
    ds["trend_diff"] = rolling_slope(ds["diff"], window)
    ds["trend_first"] = rolling_slope(first, window)
    ds["trend_second"] = rolling_slope(second, window)
    ds["measurable"] = measurable
    ds["reason"] = reason
    ds.attrs.update(poles={p: list(v) for p, v in PAIRS.items()}, min_indicators=min_indicators, window=window,
                    scale="0-100, higher = more risk", diff="first - second (points)",
                    log_ratio=f"ln((first + {OFFSET:g}) / (second + {OFFSET:g}))")
    return ds


def balance_table(ds: xr.Dataset, *, entity: str | None = None, period: int | None = None) -> pd.DataFrame:
    """Long table of :func:`balances`, one row per entity, period and pair, with the pole names."""
    if entity is not None:
        if entity not in ds["entity"].values:
            raise HolisticError(f"balance: unknown entity {entity!r} (ISO3 code of a scored country)")
        ds = ds.sel(entity=[entity])
    if period is not None:
        if period not in ds["period"].values:
            raise HolisticError(f"balance: no period {period}; have {int(ds.period.min())}-{int(ds.period.max())}")
        ds = ds.sel(period=[period])
    cols = ["first", "second", "diff", "log_ratio", "trend_diff", "n_first", "n_second", "measurable", "reason"]
    frame = ds[cols].to_dataframe().reset_index()
    poles = ds.attrs["poles"]
    frame.insert(3, "pole_first", frame["pair"].map(lambda p: poles[p][0]))
    frame.insert(4, "pole_second", frame["pair"].map(lambda p: poles[p][1]))
    for c in ("n_first", "n_second"):
        frame[c] = frame[c].astype(int)
    return frame
