"""The data of a country profile: scores, ranks, peers, trends, alerts and every indicator's
raw value with its unit, year observed, imputed/stale flag, source and licence.

Scores are the index's 0-100 scale, higher = more risk (min-max over the whole panel in the
default recipe); rank 1 = highest risk among the entities scored that year.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from holisec._json import json_ready
from holisec.report.views import _memo, holistic_view, uncertainty_view


def default_year(result) -> int:
    """The latest well-observed period (later years rest on carried-forward data)."""
    from holisec.index import well_observed_periods

    return int(max(well_observed_periods(result)))


def check_year(result, year: int | None) -> int:
    periods = [int(p) for p in result.scores["period"].values]
    if year is None:
        return default_year(result)
    if int(year) not in periods:
        raise ValueError(f"no year {year}: the index covers {min(periods)}-{max(periods)}")
    return int(year)


def check_entity(result, entity: str) -> str:
    code = str(entity).upper() if len(str(entity)) == 3 else str(entity)
    if code not in set(result.scores["entity"].values):
        raise KeyError(f"unknown entity {entity!r}: not scored by this build (GET /api/entities for the codes)")
    return code


_PROFILE_MEMO: list[tuple] = []  # per build: rank tables and sources every profile reads


def ranks(result, year: int, code: str) -> pd.DataFrame:
    """score, rank (1 = highest risk), n of one code in one year over the scored entities
    (computed once per build, year and code: every profile of that year reads them)."""
    def compute():
        table = result.rank(year, code).dropna(subset=["score"])
        table["n"] = len(table)
        return table
    return _memo(result, ("ranks", year, code), compute, keep=200, memo=_PROFILE_MEMO).copy()


def indicator_table(result, entity: str, year: int, meta: pd.DataFrame | None = None) -> list[dict]:
    """One row per framework indicator for ``entity`` in ``year``: raw value (the latest
    observation up to ``year``), year observed, flags, normalised score (0-100), unit, source, licence.

    ``status``: ``observed`` (a value for ``year`` itself), ``stale`` (the latest value is older;
    the build carries it or interpolates), ``imputed`` (no own value up to ``year``; filled
    from peers), ``missing`` (no value used), ``screened`` (the indicator is dropped by the recipe)."""
    fw = result.framework
    raw = result.datasets["raw"]
    filled = [k for k in result.datasets if k.startswith("imputed")]
    imputed = set(result.datasets[filled[-1]]["indicator"].values) if filled else None
    scores = result.scores
    srcs = {s.id: s for s in fw.sources}
    last_value, last_year = _latest_observed(raw, entity, year)
    score_of = {}
    if entity in scores["entity"].values:
        col = scores.sel(entity=entity, period=year)
        score_of = dict(zip(map(str, col["code"].values), col.values.tolist()))
    rows = []
    for ind in fw.indicators:
        rec = {"code": ind.id, "name": ind.name, "domain": ind.parent, "unit": ind.unit,
               "direction": ind.direction, "source": ind.source or "",
               "source_name": srcs[ind.source].name if ind.source in srcs else "",
               "licence": ind.licence or (srcs[ind.source].licence if ind.source in srcs else ""),
               "non_commercial": bool(srcs[ind.source].non_commercial) if ind.source in srcs else False,
               "value": None, "year_observed": None, "score": None, "status": "missing"}
        if ind.id in last_year:
            rec["value"], rec["year_observed"] = last_value[ind.id], last_year[ind.id]
        in_scores = ind.id in score_of
        if in_scores:
            s = score_of[ind.id]
            rec["score"] = None if np.isnan(s) else float(s)
        if not in_scores or (imputed is not None and ind.id not in imputed):
            rec["status"] = "screened"
        elif rec["year_observed"] == year:
            rec["status"] = "observed"
        elif rec["year_observed"] is not None and rec["score"] is not None:
            rec["status"] = "stale"
        elif rec["score"] is not None:
            rec["status"] = "imputed"
        rows.append(rec)
    return rows


def _latest_observed(raw, entity: str, year: int) -> tuple[dict, dict]:
    """Per indicator: the latest observed raw value of ``entity`` up to ``year`` and its year
    (indicators without one are left out); one vectorised pass over (period, indicator)."""
    if entity not in raw["entity"].values:
        return {}, {}
    panel = raw.sel(entity=entity).transpose("period", "indicator")
    periods = panel["period"].values
    values = panel.values[periods <= year]
    if not len(values):
        return {}, {}
    seen = ~np.isnan(values)
    last = values.shape[0] - 1 - np.argmax(seen[::-1], axis=0)  # last observed row per indicator
    has = seen.any(axis=0)
    cols = np.flatnonzero(has)
    inds = panel["indicator"].values.astype(str)
    return ({inds[j]: float(values[last[j], j]) for j in cols},
            {inds[j]: int(periods[periods <= year][last[j]]) for j in cols})


def _trends(result, entity: str, codes: list[str]) -> dict:
    s = result.scores.sel(entity=entity, code=codes)
    periods = [int(p) for p in s["period"].values]
    return {"periods": periods,
            "series": {c: json_ready(s.sel(code=c).values) for c in codes}}


def peers(result, entity: str, year: int, meta: pd.DataFrame | None, by: str = "region", n: int = 8) -> dict:
    """Entities of the same ``by`` group (UN sub-region) ranked on the index that year."""
    table = ranks(result, year, result.root)
    group = None
    if meta is not None and by in meta.columns and entity in meta.index:
        group = meta.at[entity, by]
    if group is None or (isinstance(group, float) and np.isnan(group)):
        return {"group": None, "by": by, "rows": []}
    same = meta.index[meta[by] == group]
    sub = table.loc[table.index.isin(same)].head(max(n, 1) * 3)
    names = meta["name"].to_dict() if "name" in meta else {}
    rows = [{"entity": e, "name": names.get(e, e), "score": float(r.score), "rank": int(r["rank"]),
             "self": e == entity} for e, r in sub.iterrows()]
    return {"group": str(group), "by": by, "rows": rows}


def country_profile(result, entity: str, year: int | None = None, *, meta: pd.DataFrame | None = None,
                    warnings: dict | None = None, uncertainty=None) -> dict:
    """Everything the profile page and report show for one entity (JSON-ready).

    ``meta``: entity attributes indexed by entity (name, un_region, income_group ...);
    ``warnings``: :func:`holisec.warning.register.warnings_for` output (alerts, forecasts);
    ``uncertainty``: the build's latest stored uncertainty run
    (:func:`holisec.uncertainty.stored.latest_run`), None if it has none."""
    entity = check_entity(result, entity)
    year = check_year(result, year)
    fw = result.framework
    domains = [c for c in fw.children(fw.root) if c in set(result.scores["code"].values)]
    index_rank = ranks(result, year, fw.root)
    own = index_rank.loc[entity] if entity in index_rank.index else None
    dom_rows = []
    for d in domains:
        t = ranks(result, year, d)
        dom_rows.append({"code": d, "name": fw.group(d).name,
                         "score": float(t.at[entity, "score"]) if entity in t.index else None,
                         "rank": int(t.at[entity, "rank"]) if entity in t.index else None, "n": len(t)})
    elements = []
    if fw.elements:
        el = result.elements().sel(entity=entity, period=year)
        elements = [{"id": e.id, "name": e.name, "score": json_ready(float(el.sel(element=e.id)))}
                    for e in fw.elements]
    name = entity
    attrs = {}
    if meta is not None and entity in meta.index:
        row = meta.loc[entity]
        name = str(row.get("name") or entity)
        attrs = {k: json_ready(row.get(k)) for k in ("un_region", "continent", "income_group") if k in row.index}
    sources = _memo(result, "sources", result.sources, keep=200, memo=_PROFILE_MEMO)
    return json_ready({
        "entity": entity, "name": name, "attributes": attrs, "year": year,
        "scale": "0-100, higher = more risk (min-max over the whole panel in the default recipe)",
        "index": {"code": fw.root, "name": fw.group(fw.root).name,
                  "score": None if own is None else float(own["score"]),
                  "rank": None if own is None else int(own["rank"]), "n": len(index_rank)},
        "domains": dom_rows, "elements": elements,
        "trends": _trends(result, entity, [fw.root, *domains]),
        "peers": peers(result, entity, year, meta.rename(columns={"un_region": "region"}) if meta is not None else None),
        "indicators": indicator_table(result, entity, year, meta),
        "warnings": warnings or {"alerts": [], "forecasts": [], "trend_breaks": [], "counts": {}},
        "uncertainty": uncertainty_view(uncertainty, entity, year, recipe_name=result.recipe.name),
        "balances": holistic_view(result, entity, "balances (five pairs)", "balances", year),
        "coordination": holistic_view(result, entity, "coordination", "coordination", year),
        "obstacles": holistic_view(result, entity, "obstacle degree", "obstacles", year),
        "provenance": {**result.metadata(), "licence_note": result.licence_note(sources)},
    })
