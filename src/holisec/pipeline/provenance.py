"""What each score rests on: observed or imputed, the year of its observation, and its scale.

For every scored indicator cell ``(entity, period, indicator)``:

- ``imputed``: the value entering the build (after denomination, before imputation) was missing
  and an imputation step filled it;
- ``obs_period``: the year of the entity's *own* observation the value comes from: the period
  itself when observed; the last earlier observation when interpolated (``linear``) or carried
  forward (``locf``); the next later one when carried backward (``nocb``); missing when the
  value was filled from other entities (group mean/median, k-NN, iterative);
- ``carried``: carried forward from an earlier year (``locf``), i.e. ``obs_period < period``
  with nothing observed after it: a stale value.

An aggregate (domain, index) gets the shares of its indicator values (those present for the
entity and period, equally counted) that are imputed and carried forward.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

#: Imputation methods that fill a cell from the entity's own series, and where its value comes from.
OWN_SERIES = {"linear": "previous", "locf": "previous", "nocb": "next"}
#: Method of values carried forward from an earlier observation (stale values).
CARRIED = "locf"


def _indicators(result) -> list[str]:
    scores = result.scores
    return [str(c) for c, lv in zip(scores["code"].values, scores["level"].values) if int(lv) == 1]


def _before_imputation(result) -> xr.DataArray:
    """The panel as it entered imputation: denominated if the recipe denominates, else raw."""
    return result.datasets.get("denominated", result.datasets["raw"])


def cell_sources(result) -> xr.Dataset:
    """``imputed``, ``carried`` (bool) and ``obs_period`` (float, NaN = none) per scored
    indicator cell, dims ``(entity, period, indicator)`` aligned with ``result.scores``."""
    scores = result.scores
    inds = _indicators(result)
    ents, periods = scores["entity"].values, scores["period"].values
    base = _before_imputation(result).reindex(entity=ents, period=periods, indicator=inds)
    observed = base.notnull().values
    has_score = scores.sel(code=inds).rename(code="indicator").transpose("entity", "period", "indicator").notnull().values
    how = np.full(observed.shape, "", dtype=object)
    rep = result.reports.get("imputed")
    if rep is not None and len(rep):
        e = pd.Index(ents).get_indexer(rep["entity"])
        p = pd.Index(periods).get_indexer(rep["period"])
        i = pd.Index(inds).get_indexer(rep["indicator"])
        ok = (e >= 0) & (p >= 0) & (i >= 0)
        how[e[ok], p[ok], i[ok]] = rep["method"].to_numpy(dtype=object)[ok]
    n = len(periods)
    steps = np.arange(n).reshape(1, n, 1)
    prev = np.maximum.accumulate(np.where(observed, steps, -1), axis=1)
    nxt = np.minimum.accumulate(np.where(observed, steps, n)[:, ::-1], axis=1)[:, ::-1]
    year = periods.astype("float64")
    prev_year = np.where(prev >= 0, year[np.clip(prev, 0, n - 1)], np.nan)
    next_year = np.where(nxt < n, year[np.clip(nxt, 0, n - 1)], np.nan)
    from_prev = np.isin(how, [m for m, d in OWN_SERIES.items() if d == "previous"])
    from_next = np.isin(how, [m for m, d in OWN_SERIES.items() if d == "next"])
    obs = np.where(observed, np.broadcast_to(year.reshape(1, n, 1), observed.shape),
                   np.where(from_prev, prev_year, np.where(from_next, next_year, np.nan)))
    imputed = has_score & ~observed
    obs = np.where(has_score, obs, np.nan)
    coords = {"entity": ents, "period": periods, "indicator": inds}
    dims = ("entity", "period", "indicator")
    return xr.Dataset({"imputed": (dims, imputed), "carried": (dims, imputed & (how == CARRIED)),
                       "obs_period": (dims, obs)}, coords=coords)


def _membership(result, inds: list[str]) -> xr.DataArray:
    """``(code, indicator)`` 1 where the indicator is a leaf of the code (itself for indicators)."""
    fw = result.framework
    codes = [str(c) for c in result.scores["code"].values]
    pos = {c: k for k, c in enumerate(inds)}
    m = np.zeros((len(codes), len(inds)))
    for r, code in enumerate(codes):
        for leaf in fw.leaves(code):
            if leaf in pos:
                m[r, pos[leaf]] = 1.0
    return xr.DataArray(m, dims=("code", "indicator"), coords={"code": codes, "indicator": inds})


def code_shares(result, cells: xr.Dataset | None = None) -> xr.Dataset:
    """``imputed_share`` and ``carried_share`` per ``(entity, period, code)``: the shares of the
    code's indicator values present there that are imputed / carried forward (0 or 1 for an
    indicator; NaN where the code has no value)."""
    cells = cell_sources(result) if cells is None else cells
    member = _membership(result, list(cells["indicator"].values))
    present = result.scores.sel(code=list(cells["indicator"].values)).rename(code="indicator").notnull()
    n = xr.dot(present.astype(float), member, dim="indicator")
    with np.errstate(invalid="ignore", divide="ignore"):
        out = {name: xr.dot(cells[flag].astype(float), member, dim="indicator") / n
               for name, flag in (("imputed_share", "imputed"), ("carried_share", "carried"))}
    valid = result.scores.notnull()
    return xr.Dataset({k: v.transpose("entity", "period", "code").where(valid) for k, v in out.items()})


def screening_summary(result) -> dict:
    """Entities and indicators the build dropped: ``{"entities": (dropped, of), "indicators": (dropped, of),
    "entity_codes": [...], "indicator_codes": [...]}`` (indicators: screened out or not in the data)."""
    ex = result.reports.get("exclusions", pd.DataFrame(columns=["code", "kind"]))
    ex = ex if "kind" in ex else pd.DataFrame(columns=["code", "kind"])
    ents = sorted(set(ex.loc[ex["kind"] == "entity", "code"].astype(str)))
    inds = sorted(set(ex.loc[ex["kind"] == "indicator", "code"].astype(str)))
    raw = result.datasets["raw"]
    n_ent = int(raw.sizes["entity"])
    n_ind = len(result.framework.indicator_ids)
    return {"entities": (len(ents), n_ent), "indicators": (len(inds), n_ind),
            "entity_codes": ents, "indicator_codes": inds}


def observed_share(result, period: int, code: str | None = None, cells: xr.Dataset | None = None) -> dict:
    """Share of the cells observed vs imputed in ``period`` for the entities scored on ``code``
    (default: the index), over the code's indicators: ``{"cells", "observed", "imputed",
    "carried", "entities", "indicators"}`` (shares in [0, 1])."""
    cells = cell_sources(result) if cells is None else cells
    code = code or result.root
    scores = result.scores
    if code in scores["code"].values:
        scored = scores.sel(code=code, period=period).notnull()
        leaves = [c for c in result.framework.leaves(code) if c in cells["indicator"].values]
    else:  # an element: its groups' indicators
        el = next(e for e in result.framework.elements if e.id == code)
        groups = [g for g in el.groups if g in scores["code"].values]
        scored = scores.sel(code=groups, period=period).notnull().any("code")
        leaves = sorted({c for g in groups for c in result.framework.leaves(g) if c in cells["indicator"].values})
    sub = cells.sel(period=period, indicator=leaves).where(scored, drop=True) if scored.any() else None
    if sub is None:
        return {"cells": 0, "observed": float("nan"), "imputed": float("nan"), "carried": float("nan"),
                "entities": 0, "indicators": len(leaves)}
    present = sub["obs_period"].notnull() | sub["imputed"].astype(bool)
    n = int(present.sum())
    imp = int((sub["imputed"].astype(bool) & present).sum())
    car = int((sub["carried"].astype(bool) & present).sum())
    return {"cells": n, "observed": (n - imp) / n if n else float("nan"), "imputed": imp / n if n else float("nan"),
            "carried": car / n if n else float("nan"), "entities": int(scored.sum()), "indicators": len(leaves)}


def entity_noun(entities) -> str:
    """``countries`` (ISO3 codes), ``regions`` (GDL codes such as ``AFGr101``), else ``entities``."""
    codes = pd.Index([str(e) for e in entities])
    if len(codes) and codes.str.fullmatch(r"[A-Z]{3}").all():
        return "countries"
    if len(codes) and codes.str.fullmatch(r"[A-Z]{3}r\d+").all():
        return "regions"
    return "entities"


def scale_note(result) -> str:
    """What a score means, from the recipe: scale, the framework's polarity and the normalisation's reference,
    e.g. ``scores 0-100, higher = more risk; min-max over all 173 countries and years 1990-2024``."""
    step = next((s for s in result.recipe.steps if s.step == "normalise"), None)
    periods = result.scores["period"].values
    n = int(result.scores.sizes["entity"])
    noun = entity_noun(result.scores["entity"].values)
    first, last = (int(periods.min()), int(periods.max())) if len(periods) else (0, 0)
    years = f"years {first}-{last}" if last > first else f"year {first}"
    span = f"{first}-{last}" if last > first else f"{first}"
    pole = result.framework.polarity or "higher = more risk"
    if step is None:
        return f"scores on the indicators' own scales (no normalisation step), {pole}"
    p = dict(step.params)
    scope = p.get("scope", "panel")
    where = (f"over all {n} {noun} and {years} (one range for the whole panel, so years compare)"
             if scope == "panel" else f"within each year over its {noun} ({span}; years do not compare)")
    method = step.method
    if method == "minmax":
        lo, hi = float(p.get("lo", 0.0)), float(p.get("hi", 100.0))
        return f"scores {lo:g}-{hi:g}, {pole}; min-max {where}"
    if method == "zscore":
        return (f"scores are z-scores (mean {float(p.get('mean', 0.0)):g}, sd {float(p.get('sd', 1.0)):g}), "
                f"{pole}; mean and sd {where}")
    if method == "goalposts":
        return f"scores 0-{float(p.get('scale', 100.0)):g}, {pole}; fixed goalposts per indicator (framework)"
    if method in ("rank", "borda", "prank"):
        return f"scores are {method} positions, {pole}; ranked {where}"
    return f"scores normalised by {method}, {pole}; reference {where}"
