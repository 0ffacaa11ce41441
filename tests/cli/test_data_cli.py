"""End-to-end: ``holisec data`` on the shipped real data and on user files."""
import json

import pytest
from typer.testing import CliRunner

from holisec.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("store") / "s.duckdb"
    res = runner.invoke(app, ["data", "load", "--shipped", "--store", str(path), "--json"])
    assert res.exit_code == 0, res.output
    reports = json.loads(res.stdout)
    assert {r["source"] for r in reports} >= {"wgi", "vdem", "gapminder"}
    return path


def test_coverage_json_meets_the_foundation_bar(store):
    res = runner.invoke(app, ["data", "coverage", "--store", str(store), "--json"])
    assert res.exit_code == 0, res.output
    cov = json.loads(res.stdout)
    assert cov["entities"] >= 150
    assert len(cov["domains"]) == 11
    for dom in cov["domains"].values():
        assert dom["count"] >= 3 or dom["gap"], dom
    assert all(0 <= r["share_missing"] <= 1 for r in cov["rows"])


def test_reloading_shipped_data_adds_nothing(store):
    res = runner.invoke(app, ["data", "load", "--shipped", "--store", str(store), "--json"])
    assert res.exit_code == 0, res.output
    assert all(r["skipped"] and r["rows_added"] == 0 for r in json.loads(res.stdout))


def test_user_file_and_bad_file(tmp_path):
    path = tmp_path / "s.duckdb"
    good = tmp_path / "mine.csv"
    good.write_text("country,year,indicator,value\nFrance,2020,x,1.5\nGermany,2020,x,2\n")
    res = runner.invoke(app, ["data", "load", str(good), "--store", str(path), "--json"])
    assert res.exit_code == 0, res.output
    rep = json.loads(res.stdout)[0]
    assert rep["rows_added"] == 2 and sorted(rep["entities"]) == ["DEU", "FRA"]
    bad = tmp_path / "bad.csv"
    bad.write_text("country,year,indicator,value\nFrance,2021,x,1.5\nGermany,2021,x,12;x\n")
    res = runner.invoke(app, ["data", "load", str(bad), "--store", str(path)])
    assert res.exit_code == 2
    assert "bad.csv" in res.output and "row 3" in res.output and "value" in res.output
    res = runner.invoke(app, ["data", "coverage", "--store", str(path), "--framework", str(_fw(tmp_path)), "--json"])
    assert json.loads(res.stdout)["rows"][0]["observations"] == 2  # the failed file added nothing


def _fw(tmp_path):
    p = tmp_path / "fw.yaml"
    p.write_text(
        "id: t\nname: T\ngroups:\n- {id: idx, name: I}\n- {id: d, name: D, parent: idx}\n"
        "indicators:\n- {id: x, name: X, parent: d}\n"
    )
    return p
