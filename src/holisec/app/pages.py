"""Dashboard pages: server-rendered HTML (Jinja2) with the page's data embedded as JSON and
drawn by ``static/app.js`` with plotly.js, both served by this app (no CDN, works offline).

Every chart says its scale (0-100, higher = more risk), units and sources; views with nothing
to show (no stored uncertainty run, say) say so and how to make it (see :mod:`holisec.report.views`).
"""
from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from holisec._json import json_ready
from holisec.app.service import Service

NAV = [("/", "World map"), ("/rankings", "Rankings"), ("/whatif", "What-if weights"), ("/framework", "Framework"),
       ("/warnings", "Warnings"), ("/linkage", "Linkage"), ("/methodology", "Methodology"), ("/api-docs", "API")]

_env = Environment(loader=PackageLoader("holisec.app", "templates"), autoescape=select_autoescape(["html"]))


def _json(obj) -> str:
    """JSON safe inside a <script> element."""
    return json.dumps(json_ready(obj), separators=(",", ":")).replace("</", "<\\/")


_env.filters["tojs"] = _json
_env.filters["num"] = lambda v, d=1: "–" if v is None else f"{v:.{d}f}"


def render(name: str, **ctx) -> HTMLResponse:
    from holisec import __version__

    from holisec.app.server import PLOTLY_URL

    html = _env.get_template(name).render(nav=NAV, version=__version__, plotly_url=PLOTLY_URL, **ctx)
    return HTMLResponse(html)


def cached_page(svc: Service, key: tuple, make) -> HTMLResponse:
    """A rendered page, kept until the store changes (``make()`` -> HTMLResponse)."""
    body = svc.cache.get(("page", *key), lambda: make().body)
    return HTMLResponse(body)


def router(svc: Service) -> APIRouter:
    from holisec.app.api import map_data
    from holisec.report.profile import check_entity, check_year, country_profile, default_year
    from holisec.report.summary import framework_view, methodology, ranking

    pages = APIRouter(include_in_schema=False)

    def base():
        res = svc.builds.result()
        return res, default_year(res)

    def codes(res) -> list[dict]:
        fw = res.framework
        out = [{"code": fw.root, "name": fw.group(fw.root).name, "kind": "index"}]
        out += [{"code": d, "name": fw.group(d).name, "kind": "domain"} for d in fw.children(fw.root)
                if d in set(res.scores["code"].values)]
        out += [{"code": e.id, "name": e.name, "kind": "element"} for e in fw.elements]
        return out

    def names() -> list[dict]:
        m = svc.meta()
        return [{"entity": e, "name": n} for e, n in zip(m.index, m["name"])]
    _names = names

    @pages.get("/", response_class=HTMLResponse)
    def world():
        def make():
            res, year = base()
            data = {"map": map_data(res, res.root), "codes": codes(res), "year": year, "names": names()}
            return render("world.html", page="world", title="World map", data=data, prov=res.metadata(),
                          note=res.licence_note())
        return cached_page(svc, ("world",), make)

    @pages.get("/country/{entity}", response_class=HTMLResponse)
    def country(entity: str, year: int | None = None):
        res, _ = base()
        e, y = check_entity(res, entity), check_year(res, year)

        def make():
            data = country_profile(res, e, y, meta=svc.meta(), warnings=svc.warnings(e),
                                   uncertainty=svc.uncertainty_run(res))
            years = [int(p) for p in res.scores["period"].values]
            return render("country.html", page="country", title=f"{data['name']} — profile", data=data, p=data,
                          years=years, prov=res.metadata(), note=res.licence_note())
        return cached_page(svc, ("country", e, y), make)

    @pages.get("/rankings", response_class=HTMLResponse)
    def rankings(year: int | None = None):
        from holisec.report.views import uncertainty_view

        res, dy = base()
        y = check_year(res, year) if year else dy

        def make():
            data = {"year": y, "ranking": ranking(res, y, None, svc.meta()), "codes": codes(res)[:12],
                    "intervals": uncertainty_view(svc.uncertainty_run(res), year=y, recipe_name=res.recipe.name),
                    "jobs": [j for j in svc.jobs.list() if j["kind"] == "uncertainty"][:3], "years": [int(p) for p in res.scores["period"].values]}
            return render("rankings.html", page="rankings", title="Rankings", data=data, prov=res.metadata(),
                          note=res.licence_note())
        return cached_page(svc, ("rankings", y), make)

    @pages.get("/whatif", response_class=HTMLResponse)
    def whatif(scenario: str | None = None):
        from holisec.app.scenarios import parse_scenario, saved_scenarios, scenario_versions, slider_weights

        weights = None
        if scenario is not None:
            versions = svc.read(("scenario-versions", scenario), lambda st: scenario_versions(st.con, scenario))
            if versions.empty:
                raise KeyError(f"no saved scenario {scenario!r} (GET /api/scenarios lists them)")
            weights = slider_weights(parse_scenario(versions.iloc[0]["yaml"], f"saved scenario {scenario!r}"))

        def make():
            res, y = base()
            saved = svc.read(("scenarios",), lambda st: saved_scenarios(st.con))
            data = {"year": y, "domains": codes(res)[1:12], "ranking": ranking(res, y, None, svc.meta()),
                    "scenario": {"name": scenario, "weights": weights} if scenario else None,
                    "saved": json_ready(saved)}
            return render("whatif.html", page="whatif", title="What-if weighting", data=data, prov=res.metadata(),
                          note=res.licence_note())
        return cached_page(svc, ("whatif", scenario), make)

    @pages.get("/scenarios/{name}", response_class=HTMLResponse)
    def scenario_page(name: str):
        from holisec.app.api import scenario_view

        def make():
            res, _ = base()
            v = scenario_view(svc, name)
            names = {n["entity"]: n["name"] for n in _names()}
            moved = sorted(v["index"], key=lambda r: (-abs(r["rank_change"] or 0), r["rank_after"] or 1e9))
            data = {"index": v["index"], "names": names, "name": name}
            return render("scenario.html", page="scenario", title=f"Scenario: {name}", data=data, v=v,
                          moved=moved[:40], names=names, prov=res.metadata(), note=res.licence_note())
        return cached_page(svc, ("scenario", name), make)

    @pages.get("/framework", response_class=HTMLResponse)
    def framework():
        def make():
            res, y = base()
            with svc.access.read() as st:
                cov = st.coverage(res.framework)
            data = framework_view(res, y, cov)
            return render("framework.html", page="framework", title="Framework", data=data, f=data,
                          prov=res.metadata(), note=res.licence_note())
        return cached_page(svc, ("framework",), make)

    @pages.get("/warnings", response_class=HTMLResponse)
    def warnings():
        def make():
            res, y = base()
            fw = res.framework
            from holisec.app.api import evaluation_view

            data = {"year": y, "domains": {g.id: g.name for g in fw.groups},
                    "names": {n["entity"]: n["name"] for n in names()}}
            return render("warnings.html", page="warnings", title="Warnings", data=data, ev=evaluation_view(svc),
                          prov=res.metadata(), note=res.licence_note())
        return cached_page(svc, ("warnings",), make)

    @pages.get("/linkage", response_class=HTMLResponse)
    def linkage_page():
        from holisec.app.api import linkage_view

        def make():
            res, _ = base()
            data = linkage_view(svc, res)
            return render("linkage.html", page="linkage", title="Linkage between domains", data=data, v=data,
                          prov=res.metadata(), note=res.licence_note())
        return cached_page(svc, ("linkage",), make)

    @pages.get("/methodology", response_class=HTMLResponse)
    def method():
        def make():
            res, _ = base()
            with svc.access.read() as st:
                vint = st.vintages()
            return render("methodology.html", page="methodology", title="Methodology", data={},
                          m=methodology(res, vint), prov=res.metadata(), note=res.licence_note())
        return cached_page(svc, ("methodology",), make)

    @pages.get("/api-docs", response_class=HTMLResponse)
    def api_docs(request: Request):
        def make():
            spec = request.app.openapi()
            routes = [{"path": p, "method": m.upper(), "summary": op.get("summary", ""),
                       "doc": op.get("description", "")} for p, ops in spec["paths"].items() for m, op in ops.items()]
            return render("api.html", page="api", title="HTTP API", data={}, routes=routes, prov=None, note="")
        return cached_page(svc, ("api",), make)

    def warm() -> None:
        """Render the main pages once (and one profile: the holistic views cover every country)
        so that the first visitor gets them from the cache; ``svc.warm_state`` says how far."""
        import time

        t0 = time.perf_counter()
        svc.warm_state = "running"
        try:
            res, y = base()
            world(), rankings(None), whatif(None), framework(), warnings(), linkage_page(), method()
            top = ranking(res, y, None)[0]["entity"]
            country(top, None)
            svc.warm_state = f"done in {time.perf_counter() - t0:.1f} s"
        except Exception as err:  # noqa: BLE001 - a failed warm-up only means the first visit is slower
            svc.warm_state = f"failed: {err}"

    svc.warm_pages = warm
    return pages
