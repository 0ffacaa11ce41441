"""Through the CLI: one default store from any folder, stored builds and alert registers reused,
read-only commands, and --store paths that are not stores."""
from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from holisec.cli import app
from holisec.data.builds import list_builds
from holisec.data.store import Store, default_store_path

runner = CliRunner()


def test_rank_and_alerts_from_any_folder_reuse_the_stored_build(tmp_path, monkeypatch):
    """No --store, run from an unrelated folder: the default store is filled once, the build is
    stored once, and warn alerts read the registered alerts, equal to recomputed ones."""
    monkeypatch.chdir(tmp_path)
    res = runner.invoke(app, ["rank", "--year", "2019", "--top", "5", "--json"])
    assert res.exit_code == 0, res.output
    top = json.loads(res.stdout)["ranking"]
    assert len(top) == 5 and top[0]["rank"] == 1
    assert not (tmp_path / ".holisec").exists() and default_store_path().exists()
    again = runner.invoke(app, ["rank", "--year", "2019", "--top", "5", "--json"])
    assert again.exit_code == 0 and json.loads(again.stdout)["ranking"] == top
    with Store(default_store_path(), read_only=True) as st:
        assert len(list_builds(st.con)) == 1  # built once, read the second time
    first = runner.invoke(app, ["warn", "alerts", "--json", "--level", "red"])
    assert first.exit_code == 0, first.output
    with Store(default_store_path(), read_only=True) as st:
        ids = [r[0] for r in st.con.execute("SELECT DISTINCT build_id FROM alerts").fetchall()]
    assert len(ids) == 1 and ids[0].startswith("holistic:")  # registered once
    # the first run computed the alerts; this one reads the register back: the same output
    stored = runner.invoke(app, ["warn", "alerts", "--json", "--level", "red"])
    assert stored.exit_code == 0 and stored.stdout == first.stdout
    with Store(default_store_path(), read_only=True) as st:
        assert len(list_builds(st.con)) == 1
        assert st.con.execute("SELECT count(DISTINCT build_id) FROM alerts").fetchone()[0] == 1
    show = runner.invoke(app, ["warn", "show", json.loads(first.stdout)[0]["entity"]])
    assert show.exit_code == 0, show.output


@pytest.mark.parametrize("case", ["csv", "folder", "missing_folder"])
@pytest.mark.parametrize("command", [["rank", "--year", "2019"], ["data", "vintages"], ["data", "coverage"],
                                     ["warn", "alerts"], ["warn", "show", "FRA"], ["audit"],
                                     ["build", "--out", "x.csv"]])
def test_a_store_path_that_is_not_a_store_is_one_line_exit_2_nothing_created(tmp_path, case, command):
    before = sorted(p.name for p in tmp_path.iterdir())
    target = {"csv": tmp_path / "data.csv", "folder": tmp_path, "missing_folder": tmp_path / "nope" / "s.duckdb"}[case]
    if case == "csv":
        target.write_text("country,year,indicator,value\nFrance,2020,x,1\n")
        before = sorted(p.name for p in tmp_path.iterdir())
    res = runner.invoke(app, [*command, "--store", str(target)])
    assert res.exit_code == 2, res.output
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in res.output, res.output
    assert {"csv": "not a holisec store", "folder": "is a directory", "missing_folder": "does not exist"}[case] in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing created
    if case == "csv":
        assert target.read_text().startswith("country,")


FW = ("id: t\nname: T\ngroups:\n- {id: idx, name: I}\n- {id: d, name: D, parent: idx}\n"
      "indicators:\n- {id: x, name: X, parent: d}\n")
RECIPE = "name: plain\nsteps:\n- {step: normalise, method: minmax}\n- {step: aggregate, method: amean}\n"


def test_read_commands_open_the_store_read_only(tmp_path):
    """While another process reads the store (a read-only DuckDB connection), every read command
    works: none asks for the write lock (a stored build that cannot be written is said so)."""
    path = tmp_path / "s.duckdb"
    data, fw, rec = tmp_path / "x.csv", tmp_path / "fw.yaml", tmp_path / "r.yaml"
    data.write_text("country,year,indicator,value\nFrance,2020,x,1\nGermany,2020,x,3\nItaly,2020,x,2\n")
    fw.write_text(FW)
    rec.write_text(RECIPE)
    assert runner.invoke(app, ["data", "load", str(data), "--store", str(path), "--source", "s"]).exit_code == 0
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1], "
                               "read_only=True); print('ready', flush=True); time.sleep(120)", str(path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        common = ["--store", str(path)]
        for cmd in (["data", "vintages"], ["data", "sources"], ["data", "coverage", "--framework", str(fw)],
                    ["rank", "--year", "2020", "--framework", str(fw), "--recipe", str(rec)],
                    ["data", "vintages", "--json"],
                    ["framework", "show", "holistic"]):
            res = runner.invoke(app, [*cmd, *(common if cmd[0] != "framework" else [])])
            assert res.exit_code == 0, (cmd, res.output)
        res = runner.invoke(app, ["rank", "--year", "2020", "--framework", str(fw), "--recipe", str(rec), *common])
        assert "build not stored" in res.output and "locked" in res.output  # said, and the ranking still shown
        assert "FRA" in res.output or "France" in res.output
        w = runner.invoke(app, ["data", "load", str(data), "--store", str(path), "--source", "other"])
        assert w.exit_code == 2 and "locked" in w.output  # a write is refused clearly
    finally:
        holder.kill()
        holder.wait()
    time.sleep(0.1)
    with Store(path, read_only=True) as st:
        assert len(list_builds(st.con)) == 0
