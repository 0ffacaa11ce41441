"""End-to-end: ``holisec data`` on the shipped real data and on user files."""
import json

import pandas as pd
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


# --- sources, owners, vintages, reading options (issue 9) ---------------------------------------------

FW = ("id: t\nname: T\ngroups:\n- {id: idx, name: I}\n- {id: d, name: D, parent: idx}\n"
      "indicators:\n- {id: x, name: X, parent: d}\n- {id: y, name: Y, parent: d}\n")
RECIPE = "name: plain\nsteps:\n- {step: normalise, method: minmax}\n- {step: aggregate, method: amean}\n"
ROWS = "country,year,indicator,value\nFrance,2020,x,1\nGermany,2020,x,3\nItaly,2020,x,2\n"


def _load(path, file, *args):
    return runner.invoke(app, ["data", "load", str(file), "--store", str(path), *args])


def test_user_source_metadata_is_listed_beside_the_shipped_sources(tmp_path):
    path = tmp_path / "s.duckdb"
    f = tmp_path / "survey.csv"
    f.write_text(ROWS)
    res = _load(path, f, "--source", "my_survey", "--licence", "CC-BY-4.0", "--citation", "Me (2026) Survey",
                "--url", "https://example.org", "--name", "My survey", "--non-commercial")
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["data", "sources", "--store", str(path), "--json"])
    assert res.exit_code == 0, res.output
    rows = {r["id"]: r for r in json.loads(res.stdout)}
    mine = rows["my_survey"]
    assert mine["origin"] == "user" and mine["licence"] == "CC-BY-4.0" and mine["citation"] == "Me (2026) Survey"
    assert mine["url"] == "https://example.org" and mine["name"] == "My survey" and mine["non_commercial"] is True
    assert mine["ingests"] == 1
    assert rows["gapminder"]["origin"] == "shipped" and rows["gapminder"]["licence"]
    table = runner.invoke(app, ["data", "sources", "--store", str(path)])
    assert table.exit_code == 0 and "my_survey" in table.output and "CC-BY-4.0" in table.output
    other = tmp_path / "other.csv"
    other.write_text(ROWS.replace(",x,", ",z,"))
    assert _load(path, other, "--source", "nolicence").exit_code == 0
    table = runner.invoke(app, ["data", "sources", "--store", str(path)])
    assert "no licence recorded for nolicence" in table.output


def test_data_sources_without_a_store_lists_the_shipped_ones_and_creates_nothing(tmp_path):
    path = tmp_path / "none.duckdb"
    res = runner.invoke(app, ["data", "sources", "--store", str(path), "--json"])
    assert res.exit_code == 0, res.output
    assert {r["origin"] for r in json.loads(res.stdout)} == {"shipped"} and not path.exists()


def test_another_sources_code_is_refused_then_revised_or_qualified(tmp_path):
    path = tmp_path / "s.duckdb"
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("country,year,indicator,value\nFrance,2020,hdi,0.914\n")
    b.write_text("country,year,indicator,value\nFrance,2020,hdi,0.01\n")
    assert _load(path, a, "--source", "gapminder").exit_code == 0
    res = _load(path, b, "--source", "my_survey")
    assert res.exit_code == 2 and "'hdi' (source 'gapminder')" in res.output and "--revise" in res.output
    assert "Traceback" not in res.output
    v = json.loads(runner.invoke(app, ["data", "vintages", "--store", str(path), "--json"]).stdout)
    assert len(v) == 1  # nothing written
    res = _load(path, b, "--source", "my_survey", "--qualify", "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)[0]["indicators"] == ["my_survey:hdi"]
    b.write_text("country,year,indicator,value\nFrance,2020,hdi,0.02\n")
    res = _load(path, b, "--source", "my_survey", "--revise")
    assert res.exit_code == 0 and "revises gapminder's 'hdi'" in res.output


def test_vintages_lists_every_ingest(tmp_path):
    path = tmp_path / "s.duckdb"
    f = tmp_path / "a.csv"
    f.write_text(ROWS)
    assert _load(path, f, "--source", "s", "--note", "first release").exit_code == 0
    f.write_text(ROWS.replace("Italy,2020,x,2", "Italy,2020,x,5") + "Spain,2020,x,4\n")
    assert _load(path, f, "--source", "s").exit_code == 0
    res = runner.invoke(app, ["data", "vintages", "--store", str(path), "--json"])
    assert res.exit_code == 0, res.output
    v = json.loads(res.stdout)
    assert [r["ingest_id"] for r in v] == [1, 2] and [r["source"] for r in v] == ["s", "s"]
    assert [r["rows_read"] for r in v] == [3, 4] and [r["rows_added"] for r in v] == [3, 2]
    assert v[0]["note"] == "first release" and v[0]["format"] == "long" and len(v[0]["sha256"]) == 64
    assert v[0]["file"].endswith("a.csv") and v[0]["time"] < v[1]["time"]
    table = runner.invoke(app, ["data", "vintages", "--store", str(path)])
    assert table.exit_code == 0 and v[1]["sha256"][:12] in table.output


def test_sheet_and_encoding(tmp_path):
    path = tmp_path / "s.duckdb"
    xlsx = tmp_path / "book.xlsx"
    with pd.ExcelWriter(xlsx) as w:
        pd.DataFrame({"country": ["France"], "year": [2020], "indicator": ["x"], "value": [1.0]}).to_excel(
            w, sheet_name="notes", index=False)
        pd.DataFrame({"country": ["Côte d'Ivoire", "Germany"], "year": [2020, 2020], "indicator": ["y", "y"],
                      "value": [7.0, 8.0]}).to_excel(w, sheet_name="data", index=False)
    res = _load(path, xlsx, "--source", "book", "--sheet", "data", "--json")
    assert res.exit_code == 0, res.output
    rep = json.loads(res.stdout)[0]
    assert rep["indicators"] == ["y"] and sorted(rep["entities"]) == ["CIV", "DEU"]
    res = _load(tmp_path / "s2.duckdb", xlsx, "--source", "book2", "--sheet", "1", "--json")  # an index
    assert res.exit_code == 0 and json.loads(res.stdout)[0]["indicators"] == ["y"]
    res = _load(path, xlsx, "--source", "book3", "--sheet", "nope")
    assert res.exit_code == 2 and "no sheet named 'nope'" in res.output and "data" in res.output
    latin = tmp_path / "latin.csv"
    latin.write_bytes("country,year,indicator,value\nCôte d'Ivoire,2020,w,1\n".encode("latin-1"))
    bad = _load(path, latin, "--source", "latin")
    assert bad.exit_code == 2 and "encoding" in bad.output
    res = _load(path, latin, "--source", "latin", "--encoding", "latin-1", "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)[0]["entities"] == ["CIV"]


def test_a_file_with_no_country_is_an_error_with_suggestions(tmp_path):
    path = tmp_path / "s.duckdb"
    f = tmp_path / "typo.csv"
    f.write_text("country,year,indicator,value\nGermny,2020,x,1\nFrnace,2020,x,2\n")
    res = _load(path, f)
    assert res.exit_code == 2 and "did you mean Germany?" in res.output and "did you mean France?" in res.output
    assert "none of the 2 rows is a country" in res.output
    from holisec.data.store import Store

    with Store(path, read_only=True) as st:
        assert st.vintages().empty  # no vintage created


@pytest.mark.parametrize("kind", ["json", "dir"])
def test_load_refuses_json_and_folders_in_one_line(tmp_path, kind):
    target = tmp_path / ("x.json" if kind == "json" else "folder")
    target.write_text("{}") if kind == "json" else target.mkdir()
    res = _load(tmp_path / "s.duckdb", target)
    assert res.exit_code == 2 and "Traceback" not in res.output and len(res.output.strip().splitlines()) == 1


def test_as_of_a_vintage_that_does_not_exist_is_an_error(tmp_path):
    path = tmp_path / "s.duckdb"
    fw, rec, f = tmp_path / "fw.yaml", tmp_path / "r.yaml", tmp_path / "x.csv"
    fw.write_text(FW)
    rec.write_text(RECIPE)
    f.write_text(ROWS)
    g = tmp_path / "y.csv"
    g.write_text(ROWS.replace(",x,", ",y,"))
    assert _load(path, f, "--source", "sx").exit_code == 0
    assert _load(path, g, "--source", "sy").exit_code == 0
    common = ["rank", "--year", "2020", "--store", str(path), "--framework", str(fw), "--recipe", str(rec)]
    res = runner.invoke(app, [*common, "--as-of", "9"])
    assert res.exit_code == 2 and "no ingest #9" in res.output and "#1" in res.output and "sy" in res.output
    res = runner.invoke(app, [*common, "--as-of", "1999-01-01"])
    assert res.exit_code == 2 and "before the first ingest" in res.output
    res = runner.invoke(app, [*common, "--as-of", "1"])
    assert res.exit_code == 2 and "sy: 1 indicator(s), first in ingest #2" in res.output
    res = runner.invoke(app, [*common, "--as-of", "2", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["vintage"].startswith("ingest 2 ")
