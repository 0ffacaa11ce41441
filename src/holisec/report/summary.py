"""The data of the index views: ranking with domains, the framework with nominal and
effective weights and data gaps, and the method (recipe, framework, versions, vintage).

Scores are on the build's 0-100 scale, higher = more risk; rank 1 = highest risk.
Correlation importance (JRC COIN audit; ``effective`` below): ``r(c, parent)^2`` normalised
within the parent (Paruolo, Saisana & Saltelli 2013), over the year's entities; the weight in the
index is the product of the nominal weights down the tree (COINr's effective weight).
"""
from __future__ import annotations

import pandas as pd

from holisec._json import json_ready


def ranking(result, year: int, code: str | None = None, meta: pd.DataFrame | None = None) -> list[dict]:
    """Entities scored in ``year`` by ``code`` (default the index), rank 1 = highest risk,
    with the 11 domain scores, name, UN sub-region and income group."""
    fw = result.framework
    code = code or fw.root
    table = result.rank(year, code).dropna(subset=["score"])
    domains = [c for c in fw.children(fw.root) if c in set(result.scores["code"].values)]
    dom = result.scores.sel(period=year, code=domains).to_pandas().reindex(table.index)
    out = table.join(dom)
    if meta is not None:
        cols = [c for c in ("name", "un_region", "income_group") if c in meta.columns]
        out = out.join(meta[cols], how="left")
    out.index.name = "entity"
    return json_ready(out.reset_index())


def framework_view(result, year: int, coverage: pd.DataFrame | None = None) -> dict:
    """Elements -> domains -> indicators with nominal weights (within the parent and in the
    index), effective weights (year ``year``) and documented data gaps."""
    from holisec.audit.correlation_importance import correlation_importance

    fw = result.framework
    w = result.weights
    codes = set(result.scores["code"].values)
    tree = fw.tree.loc[lambda t: t.index.isin(codes)]
    eff = correlation_importance(result.scores, tree, period=year, main_effect=False, weights=result.weights)
    eff = eff.set_index("code")["importance"].to_dict()
    cov = coverage.set_index("indicator") if coverage is not None and len(coverage) else None

    def overall(code: str) -> float:
        total, c = 1.0, code
        while c is not None and c in w.index:
            total *= float(w[c])
            c = fw.tree.at[c, "parent"] if c in fw.tree.index else None
            c = None if c is None or (isinstance(c, float)) else c
        return total

    domains = []
    for d in fw.children(fw.root):
        g = fw.group(d)
        inds = []
        for i in fw.children(d):
            ind = fw.indicator(i)
            used = i in codes
            row = {"code": i, "name": ind.name, "unit": ind.unit, "direction": ind.direction,
                   "source": ind.source, "used": used,
                   "weight": float(w[i]) if used and i in w.index else 0.0,
                   "weight_in_index": overall(i) if used else 0.0,
                   "effective": eff.get(i)}
            if cov is not None and i in cov.index:
                row["share_missing"] = float(cov.at[i, "share_missing"])
                row["years"] = f"{cov.at[i, 'first_year']}-{cov.at[i, 'last_year']}" \
                    if pd.notna(cov.at[i, "first_year"]) else ""
            inds.append(row)
        domains.append({"code": d, "name": g.name, "description": g.description, "gap": g.gap,
                        "used": d in codes, "weight": float(w[d]) if d in w.index else 0.0,
                        "effective": eff.get(d), "indicators": inds})
    elements = [{"id": e.id, "name": e.name, "role": e.role, "groups": list(e.groups)} for e in fw.elements]
    return json_ready({"framework": fw.id, "name": fw.name, "version": fw.version, "year": year,
                       "polarity": fw.polarity, "elements": elements, "domains": domains,
                       "note": "nominal weight: within the parent (sums to 1 among siblings) and its product "
                               "down from the index (COINr's effective weight); importance: squared correlation "
                               f"with the parent, normalised within the parent, over the entities of {year}"})


def methodology(result, store_vintages: pd.DataFrame | None = None) -> dict:
    """Recipe steps, framework and data provenance for the methodology page and reports."""
    fw = result.framework
    steps = [{"step": s.step, "method": s.method, "params": s.params} for s in result.recipe.steps]
    vint = []
    if store_vintages is not None and len(store_vintages):
        v = store_vintages[["ingest_id", "time", "source", "file", "rows"]]
        vint = json_ready(v)
    sources = [{"id": s.id, "name": s.name, "citation": s.citation, "licence": s.licence, "url": s.url,
                "non_commercial": s.non_commercial, "vintage": s.vintage} for s in fw.sources]
    return json_ready({
        "recipe": {"name": result.recipe.name, "hash": result.recipe.hash,
                   "description": result.recipe.description, "steps": steps},
        "framework": {"id": fw.id, "name": fw.name, "version": fw.version, "description": fw.description,
                      "polarity": fw.polarity, "domains": len(fw.children(fw.root)),
                      "indicators": len(fw.indicators)},
        "vintage": result.vintage, "version": result.version, "ingests": vint, "sources": sources,
        "licence_note": result.licence_note(),
    })


def index_summary(result, year: int, meta: pd.DataFrame | None = None, coverage: pd.DataFrame | None = None,
                  vintages: pd.DataFrame | None = None, uncertainty=None) -> dict:
    """Everything the index report shows: ranking, framework weights, method, and the rank
    intervals of ``uncertainty`` (the build's latest stored run, None if it has none)."""
    from holisec.report.views import uncertainty_view

    return {"year": year, "ranking": ranking(result, year, meta=meta),
            "framework": framework_view(result, year, coverage), "method": methodology(result, vintages),
            "uncertainty": uncertainty_view(uncertainty, year=year, recipe_name=result.recipe.name)}
