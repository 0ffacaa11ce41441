"""HTTP API routes (``/api/...``): reads open to all, writes by role (see :mod:`holisec.app.auth`).

Every score is on the build's 0-100 scale, higher = more risk; rank 1 = highest risk. Every
response that carries scores has ``provenance`` (framework, recipe and its hash, data
vintage, package version, licence note).
"""
from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import PlainTextResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from holisec._json import json_ready
from holisec.app import auth
from holisec.app.access import transaction
from holisec.app.builds import FRAMEWORKS, parse_recipe, recipe_yaml, save_recipe, saved_recipes
from holisec.app.service import Service

EntityType = Literal["country", "region"]
POLARITY = "0-100, higher = more risk; rank 1 = highest risk"


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BuildRequest(_Body):
    recipe: str | dict | None = Field(None, description="built-in or saved recipe name, YAML text or mapping")
    framework: str | None = None
    entity_type: EntityType = "country"
    alerts: bool = Field(True, description="append the build's alerts to the store's alert register")


class UncertaintyRequest(_Body):
    spec: str = Field("default", description="built-in uncertainty spec name (holisec.uncertainty.builtin)")
    n: int = Field(200, ge=1, le=5000, description="Monte Carlo replications")
    seed: int = Field(0, ge=0)
    recipe: str | dict | None = Field(None, description="built-in or saved recipe name, YAML text or mapping")
    period: int | None = Field(None, description="year reported (default: the spec's, else the latest well-observed)")


class ScenarioRequest(_Body):
    scenario: str | dict = Field(..., description="a what-if scenario (holisec.holistic.scenario) as YAML text or a "
                                 "mapping: name, and changes / weights / recipe; years, entities")
    recipe: str | None = Field(None, description="the baseline recipe (built-in or saved name; default 'default')")


class RecipeRequest(_Body):
    recipe: str | dict = Field(..., description="recipe as YAML text or a mapping (its `name` names it)")


class TokenRequest(_Body):
    role: Literal["viewer", "analyst", "admin"]
    name: str = ""
    days: float | None = Field(90, description="days until it expires (null: never)")


class WhatIfRequest(_Body):
    weights: dict[str, float] = Field(..., description="domain code -> weight (>= 0); missing domains keep 1")
    year: int | None = None
    recipe: str | None = None


def router(svc: Service) -> APIRouter:
    api = APIRouter(prefix="/api")

    def who(request: Request) -> auth.Principal:
        return svc.principal(request.headers.get("authorization"))

    def need(request: Request, role: str) -> auth.Principal:
        p = who(request)
        auth.require(p, role)
        return p

    def result(recipe=None, framework=None, as_of=None, entity_type="country"):
        return svc.builds.result(framework, recipe, as_of, entity_type)

    def cached(key, compute) -> Response:
        """JSON computed and serialised once per key (keys name the build they come from)."""
        body = svc.cache.get(("json", *key), lambda: json.dumps(json_ready(compute()), separators=(",", ":"),
                                                                allow_nan=False).encode(), stamped=False)
        return Response(body, media_type="application/json")

    def profile_data(res, e, y) -> dict:
        from holisec.report.profile import country_profile

        return svc.cache.get(("profile", res.app_key, e, y),
                             lambda: country_profile(res, e, y, meta=svc.meta(), warnings=svc.warnings(e),
                                                     uncertainty=svc.uncertainty_run(res)))

    def provenance(res) -> dict:
        return {**res.metadata(), "licence_note": res.licence_note(), "scale": POLARITY}

    @api.get("", summary="Endpoints and how to authenticate")
    def index(request: Request) -> dict:
        p = who(request)
        return {"service": "holisec", "openapi": "/api/openapi.json", "docs": "/api/docs-offline",
                "caller": {"token_id": p.token_id, "role": p.role or "anonymous (read-only)"},
                "auth": "send 'Authorization: Bearer <token>'; create one with `holisec token create --role ...`",
                "scale": POLARITY}

    @api.get("/health")
    def health() -> dict:
        from holisec import __version__

        return {"ok": True, "version": __version__, "store": svc.access.path, "warm": svc.warm_state}

    # --- reads -----------------------------------------------------------------------------------
    @api.get("/frameworks")
    def frameworks() -> list[dict]:
        from holisec.framework import load_framework

        return [load_framework(f).summary() | {"id": f} for f in FRAMEWORKS]

    @api.get("/frameworks/{framework_id}")
    def framework(framework_id: str) -> dict:
        from holisec.framework import load_framework

        if framework_id not in FRAMEWORKS:
            raise KeyError(f"unknown framework {framework_id!r}; known: {list(FRAMEWORKS)}")
        fw = load_framework(framework_id)
        return json_ready({**fw.summary(), "tree": fw.tree.reset_index().rename(columns={"index": "code"})})

    @api.get("/entities")
    def entities(entity_type: Literal["country", "region", "aggregate", "all"] = "country") -> list[dict]:
        return json_ready(svc.entities(None if entity_type == "all" else entity_type))

    @api.get("/indicators")
    def indicators(framework: str = "holistic") -> list[dict]:
        from holisec.framework import load_framework

        if framework not in FRAMEWORKS:
            raise KeyError(f"unknown framework {framework!r}; known: {list(FRAMEWORKS)}")
        fw = load_framework(framework)
        srcs = {s.id: s for s in fw.sources}
        return [{"code": i.id, "name": i.name, "domain": i.parent, "unit": i.unit, "direction": i.direction,
                 "source": i.source, "licence": i.licence or (srcs[i.source].licence if i.source in srcs else ""),
                 "description": i.description} for i in fw.indicators]

    @api.get("/observations")
    def observations(indicator: list[str] = Query(None), entity: list[str] = Query(None),
                     as_of: str | None = None, period_from: int | None = None, period_to: int | None = None,
                     entity_type: Literal["country", "region", "aggregate"] = "country",
                     limit: int = Query(10_000, ge=1, le=200_000)) -> dict:
        """Stored values as of a vintage (``as_of``: ingest id or ISO timestamp; default latest)."""
        periods = slice(period_from, period_to) if period_from is not None or period_to is not None else None

        def fn(st):
            iid = st._as_of_id(as_of)
            df = st.observations(as_of=iid, indicators=indicator, entities=entity,
                                 entity_type=entity_type, periods=periods)
            return iid, df
        iid, df = svc.read(("obs", tuple(indicator or ()), tuple(entity or ()), as_of, periods and
                            (period_from, period_to), entity_type), fn)
        return {"as_of_ingest": iid, "rows": len(df), "truncated": len(df) > limit,
                "observations": json_ready(df.head(limit))}

    @api.get("/builds")
    def builds() -> dict:
        """Index builds: those cached in this server, and the builds in the store's alert register."""
        cached = []
        for (_, key), res in list(svc.builds.built._data.items()):
            if isinstance(key, tuple) and key and key[0] == "build":
                cached.append({"data_ingest": key[1], "framework": key[2], "recipe_hash": key[3],
                               "entity_type": key[4], **res.metadata()})
        reg = svc.table("alerts", "SELECT build_id, min(created_at) AS created_at, count(*) AS alerts "
                                  "FROM alerts GROUP BY build_id ORDER BY created_at DESC")
        return {"cached": json_ready(cached), "registered": json_ready(reg) if reg is not None else []}

    @api.get("/index")
    def index_scores(entity: list[str] = Query(None), year: list[int] = Query(None), code: list[str] = Query(None),
                     level: int | None = Query(None, ge=1), recipe: str | None = None, framework: str | None = None,
                     as_of: str | None = None, entity_type: EntityType = "country",
                     limit: int = Query(50_000, ge=1, le=500_000)) -> dict:
        """Scores per entity, year and code (level 1 = indicators, the highest = the index)."""
        res = result(recipe, framework, as_of, entity_type)
        key = ("index", res.app_key, tuple(entity or ()), tuple(year or ()), tuple(code or ()), level, limit)
        return cached(key, lambda: _scores(res, entity, year, code, level, limit, provenance(res)))

    @api.get("/map/{code}")
    def map_scores(code: str, recipe: str | None = None, as_of: str | None = None) -> dict:
        """One code's scores for every country and year, compact (for the world map)."""
        res = result(recipe, None, as_of)
        return cached(("map", code, res.app_key), lambda: map_data(res, code))

    @api.get("/ranks")
    def ranks(year: int | None = None, code: str | None = None, recipe: str | None = None, as_of: str | None = None,
              entity_type: EntityType = "country") -> dict:
        """Ranks of one year (``code``: a domain, default the index), and the 5-95% rank intervals
        of the build's latest stored uncertainty run (``intervals``; of the index only)."""
        from holisec.report.profile import check_year
        from holisec.report.summary import ranking
        from holisec.report.views import uncertainty_view

        res = result(recipe, None, as_of, entity_type)
        y = check_year(res, year)

        def intervals():
            if code not in (None, res.root):
                return {"available": False, "message": f"rank intervals are of the index ({res.root}) only"}
            return uncertainty_view(svc.uncertainty_run(res), year=y, recipe_name=res.recipe.name)
        return cached(("ranks", res.app_key, y, code, svc.access.stamp()), lambda: {
            "provenance": provenance(res), "year": y, "code": code or res.root,
            "intervals": intervals(), "ranking": ranking(res, y, code, svc.meta(entity_type))})

    @api.get("/profile/{entity}")
    def profile(entity: str, year: int | None = None, recipe: str | None = None) -> dict:
        from holisec.report.profile import check_entity, check_year

        res = result(recipe)
        e, y = check_entity(res, entity), check_year(res, year)
        return cached(("profile", res.app_key, e, y, svc.access.stamp()), lambda: profile_data(res, e, y))

    @api.get("/framework-view")
    def framework_view(year: int | None = None, recipe: str | None = None) -> dict:
        from holisec.report.profile import check_year
        from holisec.report.summary import framework_view as fv

        res = result(recipe)
        y = check_year(res, year)
        cov = svc.read(("coverage",), lambda st: st.coverage(res.framework))
        return cached(("fwview", res.app_key, y), lambda: fv(res, y, cov))

    @api.get("/methodology")
    def methodology(recipe: str | None = None) -> dict:
        from holisec.report.summary import methodology as meth

        res = result(recipe)
        vint = svc.read(("vintages",), lambda st: st.vintages())
        return meth(res, vint)

    @api.get("/alerts")
    def alerts(year: int | None = None, level: Literal["green", "amber", "red"] | None = None,
               entity: str | None = None, code: str | None = None,
               kind: Literal["indicator", "domain", "index"] | None = None, build_id: str | None = None,
               limit: int = Query(2000, ge=1, le=100_000)) -> dict:
        """The alert register of the latest registered build (or ``build_id``), filtered."""
        where, params = ["build_id = coalesce(?, (SELECT build_id FROM alerts ORDER BY created_at DESC LIMIT 1))"], [build_id]
        for col, val in (("period", year), ("level", level), ("entity", entity), ("code", code), ("kind", kind)):
            if val is not None:
                where.append(f"{col} = ?")
                params.append(val)
        df = svc.table("alerts", f"SELECT * FROM alerts WHERE {' AND '.join(where)} "
                                 "ORDER BY period DESC, CASE level WHEN 'red' THEN 0 WHEN 'amber' THEN 1 ELSE 2 END, "
                                 "entity, code", params)
        if df is None:
            return {"available": False, "message": "no alert register in the store yet: run a build "
                    "(POST /api/builds, or holisec build)", "rows": 0, "alerts": []}
        return {"available": True, "build_id": df["build_id"].iloc[0] if len(df) else build_id, "rows": len(df),
                "truncated": len(df) > limit, "alerts": json_ready(df.head(limit).drop(columns="build_id"))}

    @api.get("/forecasts")
    def forecasts(entity: str | None = None, target: str | None = None,
                  limit: int = Query(5000, ge=1, le=100_000)) -> dict:
        where, params = ["TRUE"], []
        for col, val in (("entity", entity), ("target", target)):
            if val is not None:
                where.append(f"{col} = ?")
                params.append(val)
        df = svc.table("forecasts", f"SELECT * FROM forecasts WHERE {' AND '.join(where)} "
                                    "ORDER BY created_at DESC, probability DESC", params)
        if df is None:
            return {"available": False, "message": "no forecasts saved in the store yet "
                    "(holisec warn forecast --target conflict_onset --origin YEAR --out f.csv --save NAME)",
                    "rows": 0, "forecasts": []}
        return {"available": True, "rows": len(df), "truncated": len(df) > limit, "forecasts": json_ready(df.head(limit))}

    @api.get("/recipes")
    def recipes() -> dict:
        from holisec.pipeline.recipe import builtin_recipes

        saved = svc.read(("recipes",), lambda st: saved_recipes(st.con))
        return {"builtin": builtin_recipes(), "saved": json_ready(saved)}

    @api.get("/recipes/{name}", response_class=PlainTextResponse)
    def recipe(name: str) -> str:
        """The recipe as YAML (``holisec build --recipe FILE`` re-runs it)."""
        return recipe_yaml(svc.builds.recipe(name))

    @api.post("/whatif")
    def whatif(body: WhatIfRequest) -> dict:
        """Ranks with other domain weights (a full rebuild with the ``weight`` step set to these
        weights); ``recipe_yaml`` is the recipe to re-run it with the CLI. Writes nothing."""
        from holisec.report.profile import check_year
        from holisec.report.summary import ranking

        base = result(body.recipe)
        rec = whatif_recipe(base, body.weights)
        res = svc.builds.result(None, rec.canonical())
        y = check_year(res, body.year)
        return {"provenance": provenance(res), "year": y, "recipe_yaml": recipe_yaml(rec),
                "ranking": ranking(res, y, None, svc.meta()),
                "baseline": {r["entity"]: r["rank"] for r in ranking(base, y, None)}}

    @api.get("/linkage")
    def linkage(recipe: str | None = None) -> dict:
        """Cross-domain links of the current build (panel Granger tests, :mod:`holisec.holistic.linkage`):
        the latest stored estimate of this build, else one estimated now (not stored); with the
        network centralities (:mod:`holisec.holistic.network`)."""
        res = result(recipe)
        return cached(("linkage", res.app_key, svc.access.stamp()), lambda: linkage_view(svc, res))

    @api.get("/forecast-evaluation")
    def forecast_evaluation(target: str | None = None) -> dict:
        """The scoring log of the locked test years (``holisec warn evaluate --final``): test metrics per scoring."""
        return evaluation_view(svc, target)

    @api.get("/jobs")
    def jobs() -> list[dict]:
        return json_ready(svc.jobs.list())

    @api.get("/jobs/{job_id}")
    def job(job_id: str) -> dict:
        got = svc.jobs.get(job_id)
        if got is None:
            raise KeyError(f"unknown job {job_id!r} (jobs live as long as the server: GET /api/jobs)")
        return json_ready(got)

    @api.get("/report/{entity}")
    def report(entity: str, format: Literal["html", "pdf"] = "html", year: int | None = None) -> Response:
        """The country profile as a self-contained HTML or PDF file (like ``holisec report``)."""
        from holisec.report.profile import check_entity, check_year
        from holisec.report.render import profile_html, to_pdf

        res = result()
        e, y = check_entity(res, entity), check_year(res, year)
        html = profile_html(profile_data(res, e, y))
        if format == "pdf":
            return Response(to_pdf(html), media_type="application/pdf",
                            headers={"Content-Disposition": f'attachment; filename="holisec-{e}-{y}.pdf"'})
        return Response(html, media_type="text/html",
                        headers={"Content-Disposition": f'attachment; filename="holisec-{e}-{y}.html"'})

    # --- writes ----------------------------------------------------------------------------------
    @api.post("/data", status_code=201)
    async def upload(request: Request, file: UploadFile = File(...), source: str = Form(...),
                     format: Literal["auto", "long", "wide", "coinr"] = Form("auto"),
                     entity_type: EntityType = Form("country"), licence: str = Form(""),
                     citation: str = Form(""), note: str = Form("")) -> dict:
        """Ingest a file (CSV, Parquet, Excel) as a new vintage of ``source``, validated by the
        same reader as ``holisec data load``, in one transaction (analyst or admin)."""
        from holisec.data.ingest import read

        p = need(request, "analyst")
        if not source.strip() or not source.replace("_", "").replace("-", "").isalnum():
            raise ValueError(f"source must be a short code of letters, digits, '_' or '-', got {source!r}")
        name = Path(file.filename or "upload.csv").name
        suffix = Path(name).suffix.lower()
        if suffix not in (".csv", ".parquet", ".xlsx", ".xls", ".txt"):
            raise ValueError(f"{name}: unsupported file type {suffix!r}; send .csv, .parquet or .xlsx")
        content = await file.read(svc.limits.max_bytes + 1)
        if len(content) > svc.limits.max_bytes:
            raise auth.AuthError(f"{name}: larger than the limit of {svc.limits.max_bytes:,} bytes; split the file", 413)
        if not content:
            raise ValueError(f"{name}: the file is empty")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / name
            path.write_bytes(content)
            parsed = read(path, fmt=format, file=name)
            if len(parsed.data) > svc.limits.max_rows:
                raise auth.AuthError(f"{name}: {len(parsed.data):,} values, more than the limit of "
                                     f"{svc.limits.max_rows:,}; split the file", 413)
            meta = {k: v for k, v in (("licence", licence), ("citation", citation)) if v}

            def ingest(st):
                rep = st.ingest(path, source, fmt=format, entity_type=entity_type, source_meta=meta or None,
                                note=note, file=name)
                return {k: getattr(rep, k) for k in ("source", "file", "sha256", "ingest_id", "rows_read",
                                                      "rows_added", "skipped", "format", "unmatched")} | {
                    "entities": len(rep.entities), "indicators": rep.indicators, "summary": str(rep)}
            return svc.write(p, "upload", f"{source}:{name}", ingest)

    @api.post("/builds", status_code=202)
    def start_build(request: Request, body: BuildRequest) -> dict:
        """Build the index as a background job (analyst): poll ``GET /api/jobs/{id}``."""
        p = need(request, "analyst")
        rec = svc.builds.recipe(body.recipe)  # validated now: a bad recipe is a 400, not a failed job
        fw = body.framework or ("subnational" if body.entity_type == "region" else "holistic")
        if fw not in FRAMEWORKS:
            raise ValueError(f"unknown framework {fw!r}; the server builds {list(FRAMEWORKS)}")

        def run(progress):
            progress(0.05, "building the index")
            res = svc.builds.result(fw, rec.canonical(), None, body.entity_type, progress=progress)
            out = {**res.metadata(), "entities": int(res.scores.sizes["entity"]),
                   "periods": int(res.scores.sizes["period"]), "codes": int(res.scores.sizes["code"])}
            if body.alerts and body.entity_type == "country":
                from holisec.warning.register import register_alerts

                progress(0.7, "registering the alerts")
                build_id = f"{res.framework.id}:{res.recipe.hash[:12]}:{res.vintage}:holisec {res.version}"
                reg = svc.write(p, "build", build_id,
                                lambda st: register_alerts(st, res, build_id, skip_existing=True), detail=out)
                out["alerts"] = {lvl: int((pd.DataFrame(reg)["level"] == lvl).sum()) if reg else 0
                                 for lvl in ("red", "amber")}
                out["build_id"] = build_id
            else:
                svc.write(p, "build", res.recipe.hash, lambda st: None, detail=out)
            return json_ready(out)
        return svc.jobs.submit("build", {"recipe": rec.name, "recipe_hash": rec.hash, "framework": fw,
                                          "entity_type": body.entity_type}, run, p.token_id)

    @api.get("/uncertainty")
    def uncertainty_runs(recipe: str | None = None) -> dict:
        """Stored uncertainty runs of the current build of ``recipe`` (newest first) and the latest one's summary."""
        from holisec.data.builds import build_key
        from holisec.report.views import uncertainty_view
        from holisec.uncertainty.stored import list_runs

        res = result(recipe)
        data_id, _, _, entity_type = res.app_key
        runs = svc.read(("uncertainty-runs", res.app_key), lambda st: list_runs(
            st, build_key(st, res.framework, res.recipe, data_id, entity_type)))
        latest = uncertainty_view(svc.uncertainty_run(res), recipe_name=res.recipe.name)
        return {"provenance": provenance(res), "runs": json_ready(runs),
                "latest": {k: v for k, v in latest.items() if k != "rows"}}

    @api.post("/uncertainty", status_code=202)
    def start_uncertainty(request: Request, body: UncertaintyRequest) -> dict:
        """Run a Monte Carlo uncertainty analysis of the current build as a background job
        (analyst) and store its rank intervals (append-only); poll ``GET /api/jobs/{id}``."""
        from holisec.uncertainty.spec import builtin_spec

        p = need(request, "analyst")
        rec = svc.builds.recipe(body.recipe)  # validated now: a bad recipe or spec is a 400, not a failed job
        spec = builtin_spec(body.spec)

        def run(progress):
            from holisec.data.builds import build_key
            from holisec.index import entity_groups, framework_panel, vintage_label
            from holisec.uncertainty import run as monte_carlo
            from holisec.uncertainty.stored import save_run

            base = svc.builds.result(None, rec.canonical(), progress=progress)
            data_id = base.app_key[0]
            progress(0.05, "reading the panel from the store")
            with svc.access.read() as st:  # read, then run without holding the store
                panel = framework_panel(st, base.framework, as_of=data_id)
                groups, vintage = entity_groups(st), vintage_label(st, data_id)

            def step(done, total):
                progress(0.1 + 0.85 * done / total, f"{done} of {total} replications")
            res = monte_carlo(spec, rec, panel, base.framework, entity_groups=groups, n=body.n, seed=body.seed,
                              periods=[body.period] if body.period is not None else None, vintage=vintage,
                              progress=step)
            progress(0.96, "storing the rank intervals")

            def save(st):
                key = build_key(st, base.framework, rec, data_id, "country")
                return {"run_id": save_run(st, res, build_key=key, spec_name=body.spec, created_by=p.token_id),
                        "build_id": key.build_id, "n": res.n, "seed": res.seed, "periods": res.periods,
                        "spec": body.spec, "seconds": round(res.seconds, 1)}
            return svc.write(p, "uncertainty", rec.name, save)
        return svc.jobs.submit("uncertainty", {"spec": body.spec, "n": body.n, "seed": body.seed, "recipe": rec.name,
                                                "recipe_hash": rec.hash, "period": body.period}, run, p.token_id)

    @api.get("/scenarios")
    def scenarios() -> dict:
        """Saved what-if scenarios: the latest version of each name, who saved it, when, against which build."""
        from holisec.app.scenarios import saved_scenarios

        return {"saved": json_ready(svc.read(("scenarios",), lambda st: saved_scenarios(st.con)))}

    @api.get("/scenarios/{name}")
    def scenario(name: str, recipe: str | None = None) -> dict:
        """A saved scenario re-opened: its latest version (YAML, who, when, build) run against the
        current build of ``recipe``: index and rank before/after per entity and year, domain changes."""
        return scenario_view(svc, name, recipe)

    @api.post("/scenarios", status_code=201)
    def post_scenario(request: Request, body: ScenarioRequest) -> dict:
        """Save a what-if scenario under its name (analyst; append-only: the latest of a name is used),
        validated against the current build (unknown entities, indicators, years or codes are a 400)."""
        from holisec.app.scenarios import check_scenario, parse_scenario, save_scenario
        from holisec.data.builds import build_key

        from holisec.holistic.scenario import run as run_scenario

        p = need(request, "analyst")
        base = result(body.recipe)
        sc = parse_scenario(body.scenario)
        check_scenario(sc, base)
        try:  # only a scenario that runs is saved: re-opening it must work
            run_scenario(base, sc, alerts=False)
        except ValueError as err:
            raise ValueError(f"scenario {sc.name!r} does not run on the current build: {err}") from None
        with svc.access.write() as st, transaction(st.con):
            key = build_key(st, base.framework, base.recipe, base.app_key[0], "country")
            out = save_scenario(st.con, sc, key, base.vintage, p.token_id)
            auth.log_write(st.con, p, "save_scenario", sc.name, {k: v for k, v in out.items() if k != "yaml"})
        return json_ready(out)

    @api.post("/recipes", status_code=201)
    def post_recipe(request: Request, body: RecipeRequest) -> dict:
        """Save a recipe under its name (append-only: the latest of a name is used)."""
        from holisec.pipeline.recipe import builtin_recipes

        p = need(request, "analyst")
        rec = parse_recipe(body.recipe)
        if rec.name in builtin_recipes():
            raise ValueError(f"recipe name {rec.name!r} is a built-in recipe; choose another name")

        def save(st):
            with transaction(st.con):
                out = save_recipe(st.con, rec, p.token_id)
                auth.log_write(st.con, p, "save_recipe", rec.name, out)
            return out
        with svc.access.write() as st:
            return json_ready(save(st))

    @api.post("/tokens", status_code=201)
    def post_token(request: Request, body: TokenRequest) -> dict:
        """Create a token (admin). The token is shown once; only its hash is stored."""
        p = need(request, "admin")
        with svc.access.write() as st, transaction(st.con):
            token, rec = auth.create_token(st.con, body.role, name=body.name, days=body.days, created_by=p.token_id)
            auth.log_write(st.con, p, "create_token", rec["token_id"], {"role": body.role, "name": body.name})
        return json_ready({**rec, "token": token})

    @api.get("/tokens")
    def get_tokens(request: Request) -> list[dict]:
        need(request, "admin")
        return json_ready(svc.read(("token_list",), lambda st: auth.list_tokens(st.con)))

    @api.delete("/tokens/{token_id}")
    def delete_token(request: Request, token_id: str) -> dict:
        p = need(request, "admin")
        with svc.access.write() as st, transaction(st.con):
            ok = auth.revoke_token(st.con, token_id)
            if not ok:
                raise KeyError(f"no active token {token_id!r} (GET /api/tokens lists them)")
            auth.log_write(st.con, p, "revoke_token", token_id)
        return {"token_id": token_id, "revoked": True}

    @api.get("/audit-log")
    def get_audit_log(request: Request, limit: int = Query(200, ge=1, le=10_000)) -> list[dict]:
        need(request, "admin")
        return json_ready(svc.read(("audit", limit), lambda st: auth.audit_log(st.con, limit)))

    return api


def _scores(res, entity, year, code, level, limit, prov) -> dict:
    s = res.scores
    for dim, values in (("entity", entity), ("period", year), ("code", code)):
        if values:
            unknown = sorted(set(map(str, values)) - set(map(str, s[dim].values)))
            if unknown:
                raise KeyError(f"unknown {dim} {unknown}; see /api/entities, /api/frameworks/{res.framework.id}")
            s = s.sel({dim: values})
    if level is not None:
        s = s.sel(code=s["level"] == level)
    table = s.to_series().rename("value").dropna().reset_index()
    levels = dict(zip(res.scores["code"].values, res.scores["level"].values.astype(int)))
    table["level"] = table["code"].map(levels)
    return {"provenance": prov, "rows": len(table), "truncated": len(table) > limit, "scores": json_ready(table.head(limit))}


def whatif_recipe(base, weights: dict[str, float]):
    """``base.recipe`` with its weight step set to explicit domain weights (``framework`` method)."""
    from holisec.pipeline import Recipe

    fw = base.framework
    domains = set(fw.children(fw.root))
    unknown = sorted(set(weights) - domains)
    if unknown:
        raise ValueError(f"weights: {unknown} are not domains of {fw.id!r}; domains are {sorted(domains)}")
    bad = {k: v for k, v in weights.items() if not (v >= 0) or v != v or v == float("inf")}
    if bad:
        raise ValueError(f"weights must be finite and >= 0; got {bad}")
    if sum(weights.get(d, 1.0) for d in domains) <= 0:
        raise ValueError("weights: at least one domain needs a weight above 0")
    raw = base.recipe.canonical()
    full = {d: float(weights.get(d, 1.0)) for d in sorted(domains)}
    steps = [s for s in raw["steps"] if s["step"] != "weight"]
    at = next(i for i, s in enumerate(steps) if s["step"] == "aggregate")
    steps.insert(at, {"step": "weight", "method": "framework", "params": {"weights": full}})
    raw.update(steps=steps, name=f"{raw['name']}-whatif",
               description=f"{raw['name']} with domain weights {full} (holisec what-if page)")
    return Recipe.from_dict(raw, "what-if weights")


def map_data(res, code: str) -> dict[str, Any]:
    s = res.scores
    fw = res.framework
    if code in set(s["code"].values):
        da = s.sel(code=code)
        name = fw.group(code).name if code in {g.id for g in fw.groups} else fw.indicator(code).name
    elif code in {e.id for e in fw.elements}:
        da = res.elements().sel(element=code)
        name = next(e.name for e in fw.elements if e.id == code)
    else:
        raise KeyError(f"unknown code {code!r}: a domain, element or indicator of {fw.id!r}")
    da = da.transpose("entity", "period")
    return {"code": code, "name": name, "entities": [str(e) for e in da["entity"].values],
            "periods": [int(p) for p in da["period"].values],
            "values": json_ready(da.round(2).values), "provenance": {**res.metadata(), "scale": POLARITY}}


def scenario_view(svc: Service, name: str, recipe: str | None = None) -> dict:
    """The latest saved version of scenario ``name`` run against the current build (cached)."""
    from holisec.app.scenarios import parse_scenario, scenario_versions
    from holisec.data.builds import build_key
    from holisec.holistic.scenario import run as run_scenario

    base = svc.builds.result(None, recipe)
    versions = svc.read(("scenario-versions", name), lambda st: scenario_versions(st.con, name))
    if versions.empty:
        raise KeyError(f"no saved scenario {name!r} (GET /api/scenarios lists them)")
    latest = versions.iloc[0].to_dict()
    current = svc.read(("build-key", base.app_key), lambda st: build_key(
        st, base.framework, base.recipe, base.app_key[0], "country").build_id)

    def compute():
        sc = parse_scenario(latest["yaml"], f"saved scenario {name!r}")
        out = run_scenario(base, sc, alerts=False)
        index = out["index"].sort_values(["period", "rank_after"], kind="stable")
        same = latest["build_id"] == current
        return {"name": name, "scenario": json_ready(latest), "versions": len(versions),
                "yaml": latest["yaml"], "same_build": same,
                "note": ("run against the build it was saved against" if same else
                         f"saved against build {latest['build_id']} ({latest['recipe_name']}, {latest['vintage']}); "
                         f"run now against build {current} ({base.recipe.name}, {base.vintage})"),
                "scale": POLARITY + "; change = after - before (positive = more risk); rank_change = after - before "
                         "(negative = moved towards rank 1, higher risk)",
                "provenance": {**base.metadata(), "licence_note": base.licence_note()},
                "summary": json_ready(out["summary"])[0], "index": json_ready(index),
                "domains": json_ready(out["domains"])}
    return svc.cache.get(("scenario-run", name, latest["hash"], base.app_key), compute, stamped=False)


LINK_MEANING = ("an edge k -> j: within a country, domain k's score in year t-1 predicts domain j's score in year t, "
                "given every domain's past and the year's common shocks (panel Granger F-test, country and year fixed "
                "effects, standard errors clustered by country), kept when it survives the Benjamini-Hochberg false "
                "discovery rate over all ordered pairs; coef = points of j next year per point of k (both 0-100, "
                "higher = more risk): > 0 more risk in k goes with more risk in j, < 0 with less. Predictive, not causal.")


def linkage_view(svc: Service, res) -> dict:
    """Links of the build ``res``: the latest stored estimate if it is of this build, else estimated now."""
    from holisec.holistic._common import HolisticError
    from holisec.holistic.linkage import estimate_links, load_linkage
    from holisec.holistic.network import centrality, graph

    def stored(st):
        try:
            return load_linkage(st)
        except HolisticError:
            return None
    got = svc.read(("linkage-stored",), stored)
    if got is not None and got[1].params.get("recipe_hash") == res.recipe.hash and \
            got[1].params.get("vintage") == res.vintage:
        estimate_id, link = got
        origin = f"stored estimate {estimate_id} (holisec linkage estimate) of this build"
    else:
        estimate_id, link = None, svc.cache.get(("linkage-now", res.app_key), lambda: estimate_links(res), stamped=False)
        origin = ("estimated now from this build and not stored" + (
            f" (the latest stored estimate, {got[0]}, is of another build)" if got is not None else "")
            + "; `holisec linkage estimate` stores one")
    fw = res.framework
    cent = centrality(graph(link.matrix())).reset_index()
    sig = link.partial[link.partial["significant"]]
    return json_ready({
        "estimate_id": estimate_id, "origin": origin, "meaning": LINK_MEANING, "params": link.params,
        "domains": [{"code": d, "name": fw.group(d).name} for d in link.params.get("domains", [])],
        "links": link.significant(), "tested": int(len(link.links)), "centrality": cent,
        "partial": sig.reindex(sig["partial_r"].abs().sort_values(ascending=False).index),
        "provenance": {**res.metadata(), "scale": POLARITY}})


def evaluation_view(svc: Service, target: str | None = None) -> dict:
    """Logged scorings of the locked test years, newest first, with their metrics."""
    def fn(st):
        from holisec.app.service import _tables

        if "scoring_log" not in _tables(st.con):
            return None
        where, params = ("WHERE target = ?", [target]) if target else ("", [])
        return st.con.execute(f"SELECT * FROM scoring_log {where} ORDER BY scored_at DESC", params).df()
    df = svc.read(("scoring-log", target), fn)
    plot_note = ("a reliability diagram or precision-recall curve needs each forecast's probability and outcome; "
                 "holisec.warning stores only the test metrics of each scoring (scoring_log), so none is drawn here: "
                 "`holisec warn evaluate --out-dir DIR` writes the reliability plot and per-year tables as files")
    if df is None or df.empty:
        return {"available": False, "plot_note": plot_note, "scorings": [],
                "message": "no forecast evaluation stored: `holisec warn evaluate --final` scores the locked test "
                           "years and appends the metrics to the store's scoring log"}
    rows = []
    for r in df.to_dict(orient="records"):
        rows.append({"scored_at": r["scored_at"], "target": r["target"], "code_version": r["code_version"],
                     "data_vintage": r["data_vintage"], "config_hash": r["config_hash"],
                     "metrics": json.loads(r["metrics"])})
    return json_ready({"available": True, "plot_note": plot_note, "scorings": rows, "message": ""})
