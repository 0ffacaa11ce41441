"""End-to-end through the CLI on a small store of synthetic data with a small tagged framework."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from holisec.cli import app

runner = CliRunner()
ISO3 = ["NGA", "GHA", "KEN", "ETH", "EGY", "MAR", "TUN", "SEN", "CIV", "CMR", "UGA", "TZA", "ZMB", "ZWE", "MOZ"]
PAIRS = {"scope": ("internal", "external"), "sphere": ("homeland", "people"), "kind": ("traditional", "non-traditional"),
         "aspect": ("development", "security"), "reach": ("own", "common")}


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    """Three domains x three indicators (poles alternate), 15 countries x 16 years; d0 drives d1."""
    tmp = tmp_path_factory.mktemp("hcli")
    rng = np.random.default_rng(0)
    n, t = len(ISO3), 16
    dom = np.zeros((n, t, 3))
    for s in range(1, t):
        dom[:, s] = 0.3 * dom[:, s - 1] + rng.normal(size=(n, 3))
        dom[:, s, 1] += 0.8 * dom[:, s - 1, 0]
    rows, inds = [], []
    for d in range(3):
        for k in range(3):
            code = f"x{d}{k}"
            tags = {pair: poles[(k + d) % 2] for pair, poles in PAIRS.items()}
            inds.append({"id": code, "name": code, "parent": f"d{d}", "tags": tags})
            v = 50 + 10 * dom[..., d] + rng.normal(scale=0.5, size=(n, t))
            rows += [(e, 2000 + p, code, float(v[i, p])) for i, e in enumerate(ISO3) for p in range(t)]
    data = tmp / "data.csv"
    pd.DataFrame(rows, columns=["entity", "period", "indicator", "value"]).to_csv(data, index=False)
    fw = tmp / "fw.yaml"
    fw.write_text(yaml.safe_dump({"id": "mini", "name": "mini", "groups": [{"id": "index", "name": "index"}] + [
        {"id": f"d{d}", "name": f"d{d}", "parent": "index"} for d in range(3)], "indicators": inds}))
    recipe = tmp / "r.yaml"
    recipe.write_text(yaml.safe_dump({"name": "r", "steps": [
        {"step": "normalise", "method": "minmax", "params": {"scope": "panel"}},
        {"step": "weight", "method": "equal"}, {"step": "aggregate", "method": "amean"}]}))
    store = tmp / "s.duckdb"
    res = runner.invoke(app, ["data", "load", str(data), "--source", "synthetic", "--store", str(store), "--json"])
    assert res.exit_code == 0, res.output
    return {"tmp": tmp, "args": ["--store", str(store), "--framework", str(fw), "--recipe", str(recipe)]}


def _json(args):
    res = runner.invoke(app, [*args, "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_balance_coordination_obstacles(setup):
    a = setup["args"]
    bal = _json(["balance", "--entity", "NGA", "--min-indicators", "1", *a])
    assert bal["scale"] == "scores 0-100, higher = more risk" and len(bal["rows"]) == 16 * 5
    assert all(r["measurable"] for r in bal["rows"] if r["period"] >= 2000)
    assert _json(["balance", "--year", "2010", *a])["rows"][0]["measurable"] is True  # poles have 5 and 4 >= 3
    assert _json(["balance", "--year", "2010", "--min-indicators", "5", *a])["rows"][0]["measurable"] is False
    chart = setup["tmp"] / "c.html"
    coord = _json(["coordination", "--year", "2010", "--chart", str(chart), *a])
    d = [r["D"] for r in coord["rows"]]
    assert d == sorted(d) and 0 < d[0] <= 1 and chart.exists()
    obs = _json(["obstacles", "NGA", "--year", "2010", "--level", "domain", *a])
    assert sum(r["obstacle"] for r in obs["rows"]) == pytest.approx(100.0)
    res = runner.invoke(app, ["obstacles", "XXX", *a])
    assert res.exit_code == 2 and "unknown entity 'XXX'" in res.output


def test_linkage_estimate_show_and_cascade(setup):
    a = setup["args"]
    est = _json(["linkage", "estimate", *a])
    assert [(r["source"], r["target"]) for r in est["links"]] == [("d0", "d1")] and est["links"][0]["coef"] > 0
    shown = _json(["linkage", "show", "--store", a[1]])
    assert shown["estimate_id"] == est["estimate_id"] and shown["links"] == est["links"]
    path = _json(["cascade", "NGA", "--domain", "d0", "--shock", "10", "--year", "2010", "--steps", "2", *a])
    rows = path["path"]
    assert rows[0]["d0"] - rows[0]["d0"] == 0 and rows[1]["d1"] > rows[0]["d1"]  # d0 -> d1 carries the shock
    zero = _json(["cascade", "NGA", "--domain", "d0", "--shock", "0", "--year", "2010", *a])
    assert all(r["index_change"] == 0 for r in zero["path"])


def test_dematel_and_scenario(setup, tmp_path):
    a = setup["args"]
    m = tmp_path / "m.csv"
    m.write_text("code,d0,d1,d2\nd0,0,4,2\nd1,1,0,0\nd2,0,1,0\n")
    dem = _json(["linkage", "dematel", str(m), "--framework", a[3]])
    roles = {r["code"]: r["role"] for r in dem["domains"]}
    assert roles["d0"] == "driving" and roles["d1"] == "dependent"
    sc = tmp_path / "s.yaml"
    sc.write_text(yaml.safe_dump({"name": "shock", "years": [2010],
                                  "changes": [{"indicator": "x00", "entities": ["NGA"], "add": 20}]}))
    out = _json(["scenario", "run", str(sc), "--no-alerts", *a])
    assert out["index"][0]["entity"] == "NGA" and out["index"][0]["change"] > 0
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"name": "bad", "changes": [{"indicator": "nope", "add": 1}]}))
    res = runner.invoke(app, ["scenario", "run", str(bad), *a])
    assert res.exit_code == 2 and "changes[0].indicator: unknown indicator ['nope']" in res.output
