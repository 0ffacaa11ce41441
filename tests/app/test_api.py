"""The HTTP API over the shipped real data: every endpoint, each role allowed and refused,
bad input -> 4xx with a message, numbers consistent across endpoints."""
from __future__ import annotations

import pytest


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


YEAR = 2019
LONG_CSV = "entity,period,indicator,value\nKenya,2020,my_ind,1.5\nFRA,2020,my_ind,2.5\nDEU,2021,my_ind,3\n"


# --- reads ---------------------------------------------------------------------------------------------
def test_read_endpoints_answer_without_a_token(client):
    for url in ["/api", "/api/health", "/api/frameworks", "/api/frameworks/holistic", "/api/entities",
                "/api/indicators", "/api/builds", "/api/recipes", "/api/jobs", "/api/alerts", "/api/forecasts",
                "/api/methodology", "/api/framework-view", "/api/map/index", "/api/map/people"]:
        r = client.get(url)
        assert r.status_code == 200, (url, r.text[:300])
    assert client.get("/api").json()["caller"]["role"].startswith("anonymous")
    spec = client.get("/api/openapi.json").json()
    assert "/api/ranks" in spec["paths"] and "/api/data" in spec["paths"]


def test_ranks_are_ordered_and_carry_provenance(client):
    body = client.get(f"/api/ranks?year={YEAR}").json()
    rows = body["ranking"]
    assert [r["rank"] for r in rows[:3]] == [1, 2, 3]
    scores = [r["score"] for r in rows]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 100 for s in scores)
    assert {"SYR", "YEM", "SOM"} <= {r["entity"] for r in rows[:20]}  # as `holisec rank` (published fact)
    assert body["provenance"]["polarity"] == "higher = more risk" and len(body["provenance"]["recipe_hash"]) == 64
    assert body["intervals"]["available"] is False  # no stored uncertainty run: says how to make one
    assert "holisec uncertainty --save" in body["intervals"]["message"]
    dom = client.get(f"/api/ranks?year={YEAR}&code=nuclear").json()
    assert dom["code"] == "nuclear" and dom["ranking"][0]["rank"] == 1


def test_numbers_agree_across_endpoints(client):
    ranks = {r["entity"]: r for r in client.get(f"/api/ranks?year={YEAR}").json()["ranking"]}
    prof = client.get(f"/api/profile/KEN?year={YEAR}").json()
    assert prof["index"]["score"] == pytest.approx(ranks["KEN"]["score"])
    assert prof["index"]["rank"] == ranks["KEN"]["rank"]
    idx = client.get(f"/api/index?entity=KEN&year={YEAR}&code=index").json()["scores"]
    assert len(idx) == 1 and idx[0]["value"] == pytest.approx(ranks["KEN"]["score"])
    level2 = client.get(f"/api/index?entity=KEN&year={YEAR}&level=2").json()["scores"]
    assert {r["code"] for r in level2} == {d["code"] for d in prof["domains"]}
    m = client.get("/api/map/index").json()
    i, j = m["entities"].index("KEN"), m["periods"].index(YEAR)
    assert m["values"][i][j] == pytest.approx(ranks["KEN"]["score"], abs=0.005)


def test_profile_indicator_table_has_units_sources_and_flags(client):
    prof = client.get(f"/api/profile/KEN?year={YEAR}").json()
    assert prof["name"] == "Kenya" and len(prof["domains"]) == 11
    rows = prof["indicators"]
    assert {"value", "unit", "year_observed", "status", "source", "licence"} <= set(rows[0])
    assert {r["status"] for r in rows} <= {"observed", "stale", "imputed", "missing", "screened"}
    observed = [r for r in rows if r["status"] == "observed"]
    assert observed and all(r["year_observed"] == YEAR and r["value"] is not None for r in observed)
    assert all(r["year_observed"] < YEAR for r in rows if r["status"] == "stale")
    assert all(r["licence"] for r in rows if r["source"])
    assert prof["peers"]["group"] and any(p["self"] for p in prof["peers"]["rows"])
    # the holistic module's views for that year: the five balances, coordination, domain obstacles
    assert {r["pair"] for r in prof["balances"]["table"]} == {"scope", "sphere", "kind", "aspect", "reach"}
    assert prof["coordination"]["table"][0]["period"] == YEAR and 0 <= prof["coordination"]["table"][0]["D"] <= 1
    assert "index" not in {r["code"] for r in prof["obstacles"]["table"]}
    assert prof["uncertainty"]["available"] is False and "holisec uncertainty --save" in prof["uncertainty"]["message"]


def test_linkage_says_what_an_edge_means_and_where_it_comes_from(client):
    body = client.get("/api/linkage").json()
    assert body["estimate_id"] is None and "estimated now from this build and not stored" in body["origin"]
    assert "Predictive, not causal" in body["meaning"] and "points of j next year per point of k" in body["meaning"]
    assert body["tested"] == 110 and len(body["domains"]) == 11 and len(body["centrality"]) == 11
    assert body["links"] and all(r["significant"] and r["q_value"] <= 0.05 for r in body["links"])
    strength = {c["domain"]: c["out_strength"] for c in body["centrality"]}
    for d, s in strength.items():  # out-strength = sum of |coef| of the domain's outgoing links
        assert s == pytest.approx(sum(abs(r["coef"]) for r in body["links"] if r["source"] == d))


def test_forecast_evaluation_from_the_scoring_log(client, wclient, writable):
    none = client.get("/api/forecast-evaluation").json()
    assert none["available"] is False and "holisec warn evaluate --final" in none["message"]
    assert "stores only the test metrics" in none["plot_note"]
    from holisec.data.store import Store
    from holisec.warning.scoring_log import log_score

    with Store(writable) as st:
        log_score(st, "conflict_onset", {"seed": 1}, [{"model": "logit", "auc": 0.81, "brier": 0.021}])
    got = wclient.get("/api/forecast-evaluation").json()
    assert got["available"] and got["scorings"][0]["metrics"] == [{"model": "logit", "auc": 0.81, "brier": 0.021}]
    page = wclient.get("/warnings").text
    assert "0.810" in page and "conflict_onset" in page and "No reliability diagram" in page


def test_observations_as_of(client):
    latest = client.get("/api/observations?indicator=wgi_ge&entity=KEN").json()
    assert latest["rows"] > 10 and latest["as_of_ingest"] >= 1
    assert all(o["indicator"] == "wgi_ge" and o["entity"] == "KEN" for o in latest["observations"])
    same = client.get(f"/api/observations?indicator=wgi_ge&entity=KEN&as_of={latest['as_of_ingest']}").json()
    assert same["observations"] == latest["observations"]
    before = client.get("/api/observations?indicator=wgi_ge&entity=KEN&as_of=0")  # no vintage 0: said, not empty
    assert before.status_code == 400 and "as-of" in before.json()["error"].lower()
    ranged = client.get("/api/observations?indicator=wgi_ge&entity=KEN&period_from=2010&period_to=2012").json()
    assert sorted(o["period"] for o in ranged["observations"]) == [2010, 2011, 2012]


def test_frameworks_indicators_and_recipes(client):
    fws = {f["id"] for f in client.get("/api/frameworks").json()}
    assert fws == {"holistic", "subnational"}
    inds = client.get("/api/indicators").json()
    assert len(inds) >= 50 and all("unit" in i and "source" in i for i in inds)
    text = client.get("/api/recipes/default").text
    assert "steps:" in text and "aggregate" in text
    assert "default" in client.get("/api/recipes").json()["builtin"]


def test_whatif_equal_weights_reproduce_the_index_and_one_domain_gives_that_domain(client):
    base = {r["entity"]: r for r in client.get(f"/api/ranks?year={YEAR}").json()["ranking"]}
    same = client.post("/api/whatif", json={"weights": {}, "year": YEAR}).json()
    assert {r["entity"]: r["rank"] for r in same["ranking"]} == {e: r["rank"] for e, r in base.items()}
    only = {d: 0.0 for d in ["political", "homeland", "military", "economic", "cultural", "social", "scitech",
                             "information", "ecological", "resource", "nuclear"]}
    only["nuclear"] = 1.0
    res = client.post("/api/whatif", json={"weights": only, "year": YEAR}).json()
    nuclear = {r["entity"]: r["score"] for r in client.get(f"/api/ranks?year={YEAR}&code=nuclear").json()["ranking"]}
    got = {r["entity"]: r["score"] for r in res["ranking"]}
    assert got.keys() <= nuclear.keys()
    assert all(got[e] == pytest.approx(nuclear[e]) for e in got)  # index = the only weighted domain
    assert "method: framework" in res["recipe_yaml"] and "nuclear: 1.0" in res["recipe_yaml"]


def test_whatif_recipe_reruns_with_the_cli(client, shipped_store, tmp_path):
    import json

    from typer.testing import CliRunner

    from holisec.cli import app

    res = client.post("/api/whatif", json={"weights": {"political": 3, "nuclear": 0}, "year": YEAR}).json()
    recipe = tmp_path / "whatif.yaml"
    recipe.write_text(res["recipe_yaml"])
    out = CliRunner().invoke(app, ["rank", "--store", shipped_store, "--year", str(YEAR), "--recipe", str(recipe),
                                   "--json"])
    assert out.exit_code == 0, out.output
    cli = {r["entity"]: r["rank"] for r in json.loads(out.stdout)["ranking"]}
    assert cli == {r["entity"]: r["rank"] for r in res["ranking"]}


def test_report_download(client):
    r = client.get(f"/api/report/KEN?year={YEAR}")
    assert r.status_code == 200 and "Kenya" in r.text and "<svg" in r.text and "higher = more risk" in r.text
    assert "attachment" in r.headers["content-disposition"]


# --- bad input: 4xx with a message, never 5xx ----------------------------------------------------------
BAD = [
    ("get", "/api/frameworks/nope", {}), ("get", "/api/entities?entity_type=planet", {}),
    ("get", "/api/indicators?framework=nope", {}), ("get", "/api/observations?limit=0", {}),
    ("get", "/api/observations?period_from=abc", {}), ("get", "/api/observations?as_of=not-a-date", {}),
    ("get", "/api/index?entity=XXX", {}), ("get", "/api/index?year=1800", {}), ("get", "/api/index?code=nope", {}),
    ("get", "/api/index?level=0", {}), ("get", "/api/index?recipe=nope", {}), ("get", "/api/index?framework=nope", {}),
    ("get", "/api/index?entity_type=planet", {}), ("get", "/api/map/nope", {}), ("get", "/api/ranks?year=1800", {}),
    ("get", "/api/ranks?code=nope&year=2019", {}), ("get", "/api/ranks?recipe=nope", {}),
    ("get", "/api/profile/XXX", {}), ("get", "/api/profile/KEN?year=1700", {}), ("get", "/api/profile/KEN?year=x", {}),
    ("get", "/api/framework-view?year=1700", {}), ("get", "/api/methodology?recipe=nope", {}),
    ("get", "/api/alerts?level=purple", {}), ("get", "/api/alerts?year=x", {}), ("get", "/api/alerts?kind=x", {}),
    ("get", "/api/forecasts?limit=-1", {}), ("get", "/api/recipes/nope", {}), ("get", "/api/jobs/nope", {}),
    ("get", "/api/report/XXX", {}), ("get", "/api/report/KEN?format=doc", {}),
    ("post", "/api/whatif", {"json": {"weights": {"nope": 1}}}), ("post", "/api/whatif", {"json": {"weights": {"political": -1}}}),
    ("post", "/api/whatif", {"json": {"weights": {d: 0 for d in ["political", "homeland", "military", "economic",
                             "cultural", "social", "scitech", "information", "ecological", "resource", "nuclear"]}}}),
    ("post", "/api/whatif", {"json": {}}), ("post", "/api/whatif", {"content": b"not json",
                                                                   "headers": {"Content-Type": "application/json"}}),
    ("post", "/api/whatif", {"json": {"weights": {}, "year": 1500}}),
    ("post", "/api/data", {}), ("post", "/api/builds", {"json": {}}), ("post", "/api/uncertainty", {"json": {}}),
    ("post", "/api/uncertainty", {"json": {"n": -1}}),
    ("post", "/api/scenarios", {"json": {}}), ("get", "/api/scenarios/nope", {}), ("get", "/scenarios/nope", {}), ("post", "/api/recipes", {"json": {}}),
    ("post", "/api/tokens", {"json": {}}), ("get", "/api/tokens", {}), ("delete", "/api/tokens/x", {}),
    ("get", "/api/audit-log", {}), ("get", "/api/nope", {}), ("get", "/country/XXX", {}), ("get", "/rankings?year=1700", {}),
    ("get", "/api", {"headers": {"Authorization": "Basic abc"}}),
    ("get", "/api", {"headers": {"Authorization": "Bearer hs_nope_nope"}}),
]


@pytest.mark.parametrize(("method", "url", "kw"), BAD, ids=[f"{m} {u}" for m, u, _ in BAD])
def test_bad_requests_get_4xx_with_a_message(client, method, url, kw):
    r = getattr(client, method)(url, **kw)
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
    if r.headers.get("content-type", "").startswith("application/json"):
        assert r.json().get("error") or r.json().get("detail")


def test_cors_is_closed_by_default(client, shipped_store):
    from fastapi.testclient import TestClient

    from holisec.app import create_app

    r = client.get("/api/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers
    pre = client.options("/api/data", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in pre.headers
    with TestClient(create_app(shipped_store, cors_origins=["https://ok.example"])) as c:
        assert c.get("/api/health", headers={"Origin": "https://ok.example"}).headers[
            "access-control-allow-origin"] == "https://ok.example"
        assert "access-control-allow-origin" not in c.get("/api/health", headers={"Origin": "https://evil.example"}).headers


# --- writes and roles ----------------------------------------------------------------------------------
def _upload(c, token, content=LONG_CSV, name="mine.csv", source="mine"):
    files = {"file": (name, content.encode() if isinstance(content, str) else content, "text/csv")}
    return c.post("/api/data", files=files, data={"source": source, "licence": "CC BY 4.0"},
                  headers=bearer(token) if token else {})


def test_upload_roles_validation_limits_and_audit_log(wclient, tokens):
    assert _upload(wclient, None).status_code == 401
    assert _upload(wclient, tokens["viewer"]).status_code == 403
    ok = _upload(wclient, tokens["analyst"])
    assert ok.status_code == 201, ok.text
    body = ok.json()
    assert body["rows_added"] == 3 and body["indicators"] == ["my_ind"] and not body["skipped"]
    again = _upload(wclient, tokens["admin"])
    assert again.status_code == 201 and again.json()["skipped"] is True  # same file: no-op
    obs = wclient.get("/api/observations?indicator=my_ind").json()
    assert sorted(o["entity"] for o in obs["observations"]) == ["DEU", "FRA", "KEN"]
    # invalid content: the reader's message names the file; nothing stored
    bad = _upload(wclient, tokens["analyst"], "entity,period,value\nKenya,abc,1\n", name="bad.csv", source="bad")
    assert bad.status_code == 400 and "bad.csv" in bad.json()["error"]
    assert wclient.get("/api/observations?indicator=value").json()["rows"] == 0
    too_big = _upload(wclient, tokens["analyst"], "x" * 300_000, name="big.csv")
    assert too_big.status_code == 413 and "limit" in too_big.json()["error"]
    rows = "entity,period,indicator,value\n" + "".join(f"FRA,{1000 + i},many,{i}\n" for i in range(2_500))
    too_many = _upload(wclient, tokens["analyst"], rows, name="many.csv", source="many")
    assert too_many.status_code == 413 and "2,500 values" in too_many.json()["error"]
    assert _upload(wclient, tokens["analyst"], "a", name="x.exe").status_code == 400
    assert _upload(wclient, tokens["analyst"], "", name="empty.csv").status_code == 400
    assert _upload(wclient, tokens["analyst"], source="bad source!").status_code == 400
    log = wclient.get("/api/audit-log", headers=bearer(tokens["admin"])).json()
    uploads = [e for e in log if e["action"] == "upload"]
    assert len(uploads) == 2 and {e["role"] for e in uploads} == {"analyst", "admin"}
    assert wclient.get("/api/audit-log", headers=bearer(tokens["analyst"])).status_code == 403


def test_build_job_runs_in_the_background_and_reports_progress(wclient, tokens):
    assert wclient.post("/api/builds", json={}).status_code == 401
    assert wclient.post("/api/builds", json={}, headers=bearer(tokens["viewer"])).status_code == 403
    bad = wclient.post("/api/builds", json={"recipe": "no_such_recipe"}, headers=bearer(tokens["analyst"]))
    assert bad.status_code == 400 and "unknown recipe" in bad.json()["error"]
    r = wclient.post("/api/builds", json={"alerts": True}, headers=bearer(tokens["analyst"]))
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["state"] in ("queued", "running") and job["kind"] == "build"
    # the client goes away; the job goes on and is found by id
    done = wclient.app.state.service.jobs.wait(job["id"], timeout=300)
    assert done["state"] == "done", done
    status = wclient.get(f"/api/jobs/{job['id']}").json()
    assert status["progress"] == 1.0 and len(status["result"]["recipe_hash"]) == 64
    assert status["result"]["alerts"]["red"] >= 0 and status["result"]["build_id"].startswith("holistic:")
    alerts = wclient.get("/api/alerts").json()
    assert alerts["available"] and alerts["build_id"] == status["result"]["build_id"]
    assert any(j["id"] == job["id"] for j in wclient.get("/api/jobs").json())
    log = wclient.get("/api/audit-log", headers=bearer(tokens["admin"])).json()
    assert any(e["action"] == "build" for e in log)


@pytest.mark.filterwarnings("error::RuntimeWarning")  # a normal run is warning-free (All-NaN slice was one)
def test_uncertainty_job_stores_intervals_that_the_api_and_profile_show(wclient, tokens):
    assert wclient.post("/api/uncertainty", json={"n": 4}).status_code == 401
    assert wclient.post("/api/uncertainty", json={"n": 4}, headers=bearer(tokens["viewer"])).status_code == 403
    bad = wclient.post("/api/uncertainty", json={"spec": "nope"}, headers=bearer(tokens["analyst"]))
    assert bad.status_code == 400 and "built-in" in bad.json()["error"]
    assert wclient.post("/api/uncertainty", json={"n": 0}, headers=bearer(tokens["analyst"])).status_code == 422
    before = wclient.get(f"/api/ranks?year={YEAR}").json()["intervals"]
    assert before["available"] is False and before["command"] == "holisec uncertainty --save --n 1000 --period 2019"
    r = wclient.post("/api/uncertainty", json={"n": 4, "seed": 2, "period": YEAR}, headers=bearer(tokens["analyst"]))
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["kind"] == "uncertainty" and job["params"]["n"] == 4
    done = wclient.app.state.service.jobs.wait(job["id"], timeout=600)
    assert done["state"] == "done", done
    assert done["progress"] == 1.0 and done["result"]["n"] == 4 and done["result"]["periods"] == [YEAR]
    body = wclient.get(f"/api/ranks?year={YEAR}").json()
    iv = body["intervals"]
    assert iv["available"] and iv["run"]["run_id"] == done["result"]["run_id"]
    assert (iv["run"]["n"], iv["run"]["seed"], iv["run"]["spec_name"]) == (4, 2, "default")
    assert iv["message"].startswith("5-95% rank interval over 4 replications of the choices in spec 'default'")
    ranks = {r["entity"]: r["rank"] for r in body["ranking"]}
    rows = {r["entity"]: r for r in iv["rows"]}
    assert set(ranks) <= set(rows)
    # the stored nominal rank is the ranking's rank of the same build; intervals are ordered
    assert all(rows[e]["nominal_rank"] == ranks[e] for e in ranks)
    assert all(r["rank_q05"] <= r["median_rank"] <= r["rank_q95"] for r in rows.values() if r["rank_q05"] is not None)
    assert all(0 <= r["p_top_k"] <= 1 for r in rows.values())
    prof = wclient.get(f"/api/profile/KEN?year={YEAR}").json()["uncertainty"]
    assert prof["available"] and [r["entity"] for r in prof["rows"]] == ["KEN"]
    assert {b["code"] for b in prof["bands"]} >= {"index", "political"}
    other_year = wclient.get("/api/ranks?year=2018").json()["intervals"]
    assert other_year["available"] is False and "not 2018" in other_year["message"]
    listed = wclient.get("/api/uncertainty").json()
    assert listed["runs"][0]["run_id"] == done["result"]["run_id"]
    log = wclient.get("/api/audit-log", headers=bearer(tokens["admin"])).json()
    assert any(e["action"] == "uncertainty" for e in log)
    html = wclient.get(f"/api/report/KEN?year={YEAR}").text
    assert "5–95% rank interval" in html and "over 4 replications" in html
    page = wclient.get(f"/rankings?year={YEAR}").text
    assert "Rank interval 5–95%" in page and "over 4 replications" in page


def test_scenarios_are_saved_append_only_listed_and_reopened(wclient, tokens):
    doms = ["political", "homeland", "military", "economic", "cultural", "social", "scitech", "information",
            "ecological", "resource", "nuclear"]
    sc = {"name": "economy doubled", "years": [YEAR], "recipe": [
        {"step": "weight", "method": "framework", "params": {"weights": {d: 2.0 if d == "economic" else 1.0 for d in doms}}}]}
    assert wclient.post("/api/scenarios", json={"scenario": sc}).status_code == 401
    assert wclient.post("/api/scenarios", json={"scenario": sc}, headers=bearer(tokens["viewer"])).status_code == 403
    bad = wclient.post("/api/scenarios", json={"scenario": {"name": "x", "weights": {"nope": 1}}},
                       headers=bearer(tokens["analyst"]))
    assert bad.status_code == 400 and "weights: unknown domain or indicator ['nope']" in bad.json()["error"]
    bad = wclient.post("/api/scenarios", json={"scenario": "name: x\n"}, headers=bearer(tokens["analyst"]))
    assert bad.status_code == 400 and "at least one of changes, weights, recipe" in bad.json()["error"]
    assert wclient.get("/api/scenarios/economy doubled").status_code == 404
    r = wclient.post("/api/scenarios", json={"scenario": sc}, headers=bearer(tokens["analyst"]))
    assert r.status_code == 201, r.text
    first = r.json()
    assert first["name"] == "economy doubled" and first["created_by"] and len(first["build_id"]) == 20
    yaml_text = ("name: economy doubled\nyears: [2019]\nrecipe:\n- step: weight\n  method: framework\n  params:\n"
                 "    weights: {" + ", ".join(f"{d}: {3 if d == 'economic' else 1}" for d in doms) + "}\n")
    second = wclient.post("/api/scenarios", json={"scenario": yaml_text}, headers=bearer(tokens["analyst"])).json()
    assert second["hash"] != first["hash"]
    listed = wclient.get("/api/scenarios").json()["saved"]
    assert [(x["name"], x["versions"], x["hash"]) for x in listed] == [("economy doubled", 2, second["hash"])]
    got = wclient.get("/api/scenarios/economy doubled").json()
    assert got["versions"] == 2 and "economic: 3" in got["yaml"] and got["same_build"] is True, got
    assert got["scenario"]["created_by"] == first["created_by"]
    rows = got["index"]
    assert {r["period"] for r in rows} == {YEAR} and len(rows) > 150
    assert all(r["change"] == pytest.approx(r["after"] - r["before"]) for r in rows if r["after"] is not None
               and r["before"] is not None)
    base = {r["entity"]: r["score"] for r in wclient.get(f"/api/ranks?year={YEAR}").json()["ranking"]}
    assert all(r["before"] == pytest.approx(base[r["entity"]]) for r in rows if r["entity"] in base)
    assert any(r["rank_change"] != 0 for r in rows)  # weights matter
    log = wclient.get("/api/audit-log", headers=bearer(tokens["admin"])).json()
    assert sum(e["action"] == "save_scenario" for e in log) == 2
    page = wclient.get("/scenarios/economy doubled")
    assert page.status_code == 200 and "economic: 3" in page.text and "higher = more risk" in page.text
    wi = wclient.get("/whatif?scenario=economy doubled").text
    assert '"economic":3.0' in wi and "/scenarios/economy%20doubled" in wi
    # a scenario that changes data: the changed country's index moves, the rest keep their scores
    data = {"name": "KEN conflict up", "years": [YEAR], "entities": ["KEN"],
            "changes": [{"indicator": _an_indicator(wclient), "entities": ["KEN"], "set": 100}]}
    assert wclient.post("/api/scenarios", json={"scenario": data}, headers=bearer(tokens["analyst"])).status_code == 201
    ken = wclient.get("/api/scenarios/KEN conflict up").json()["index"]
    assert [r["entity"] for r in ken] == ["KEN"] and ken[0]["after"] != ken[0]["before"]
    assert wclient.get("/whatif?scenario=nope").status_code == 404


def _an_indicator(client) -> str:
    """An indicator that Kenya has a score for in YEAR (so setting it moves the index)."""
    rows = client.get(f"/api/profile/KEN?year={YEAR}").json()["indicators"]
    return next(r["code"] for r in rows if r["status"] == "observed" and r["score"] is not None and r["score"] < 90)


def test_recipes_are_saved_append_only_and_usable(wclient, tokens):
    text = wclient.get("/api/recipes/default").text.replace("name: default", "name: mine")
    assert wclient.post("/api/recipes", json={"recipe": text}).status_code == 401
    assert wclient.post("/api/recipes", json={"recipe": text}, headers=bearer(tokens["viewer"])).status_code == 403
    r = wclient.post("/api/recipes", json={"recipe": text}, headers=bearer(tokens["analyst"]))
    assert r.status_code == 201, r.text
    again = wclient.post("/api/recipes", json={"recipe": text.replace("min_share: 0.5", "min_share: 0.6")},
                         headers=bearer(tokens["analyst"]))
    assert again.status_code == 201 and again.json()["hash"] != r.json()["hash"]
    saved = wclient.get("/api/recipes").json()["saved"]
    assert saved[0]["name"] == "mine" and saved[0]["versions"] == 2 and saved[0]["hash"] == again.json()["hash"]
    assert "min_share: 0.6" in wclient.get("/api/recipes/mine").text
    assert wclient.get("/api/ranks?year=2019&recipe=mine").json()["provenance"]["recipe"] == "mine"
    builtin = wclient.post("/api/recipes", json={"recipe": wclient.get("/api/recipes/default").text},
                           headers=bearer(tokens["analyst"]))
    assert builtin.status_code == 400 and "built-in" in builtin.json()["error"]
    invalid = wclient.post("/api/recipes", json={"recipe": "name: x\nsteps: []"}, headers=bearer(tokens["analyst"]))
    assert invalid.status_code == 400 and "invalid recipe" in invalid.json()["error"]


def test_tokens_admin_only_create_list_revoke(wclient, tokens):
    for role in ("viewer", "analyst"):
        assert wclient.post("/api/tokens", json={"role": "viewer"}, headers=bearer(tokens[role])).status_code == 403
        assert wclient.get("/api/tokens", headers=bearer(tokens[role])).status_code == 403
    r = wclient.post("/api/tokens", json={"role": "analyst", "name": "new", "days": 1},
                     headers=bearer(tokens["admin"]))
    assert r.status_code == 201
    new = r.json()
    assert wclient.get("/api", headers=bearer(new["token"])).json()["caller"]["role"] == "analyst"
    listed = wclient.get("/api/tokens", headers=bearer(tokens["admin"])).json()
    assert {t["token_id"] for t in listed} >= {new["token_id"]} and all("sha256" not in t for t in listed)
    assert wclient.delete(f"/api/tokens/{new['token_id']}", headers=bearer(tokens["analyst"])).status_code == 403
    assert wclient.delete(f"/api/tokens/{new['token_id']}", headers=bearer(tokens["admin"])).status_code == 200
    refused = wclient.get("/api", headers=bearer(new["token"]))
    assert refused.status_code == 401 and "revoked" in refused.json()["error"]
    assert wclient.delete(f"/api/tokens/{new['token_id']}", headers=bearer(tokens["admin"])).status_code == 404
    actions = [e["action"] for e in wclient.get("/api/audit-log", headers=bearer(tokens["admin"])).json()]
    assert {"create_token", "revoke_token"} <= set(actions)


def test_a_store_locked_by_another_writer_is_a_409(wclient, tokens, writable):
    import subprocess
    import sys
    import time

    holder = subprocess.Popen([sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({writable!r}); "
                               "print('ok', flush=True); time.sleep(60)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ok"
        r = wclient.post("/api/tokens", json={"role": "viewer"}, headers=bearer(tokens["admin"]))
        assert r.status_code == 409 and "locked" in r.json()["error"]
    finally:
        holder.kill()
        holder.wait()
    time.sleep(0.1)
