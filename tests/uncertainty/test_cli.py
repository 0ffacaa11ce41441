"""End to end through the CLI (COINr iData/iMeta input, so no store is needed)."""
from __future__ import annotations

import json

import yaml
from typer.testing import CliRunner

from holisec.cli import app

from .conftest import ASEM_RECIPE, ASEM_SPEC, COINR

runner = CliRunner()


def _files(tmp_path):
    spec, recipe = tmp_path / "u.yaml", tmp_path / "r.yaml"
    spec.write_text(yaml.safe_dump(ASEM_SPEC))
    recipe.write_text(yaml.safe_dump(ASEM_RECIPE))
    return ["--spec", str(spec), "--recipe", str(recipe), "--idata", str(COINR / "ASEM_iData.csv"),
            "--imeta", str(COINR / "ASEM_iMeta.csv")]


def test_uncertainty_command_writes_results_and_chart(tmp_path):
    out, chart = tmp_path / "u.json", tmp_path / "rank.html"
    got = runner.invoke(app, ["uncertainty", *_files(tmp_path), "--n", "40", "--seed", "3", "--out", str(out),
                              "--chart", str(chart), "--json"])
    assert got.exit_code == 0, got.output
    meta = json.loads(got.stdout)
    assert meta["replications"] == 40 and len(meta["summary"]) == 51
    saved = json.loads(out.read_text())
    assert len(saved["replications"]) == 40 and "winsorisation" in saved["replications"][0]
    assert chart.stat().st_size > 100_000  # plotly.js inside: opens offline
    again = runner.invoke(app, ["uncertainty", *_files(tmp_path), "--n", "40", "--seed", "3",
                                "--out", str(tmp_path / "v.json"), "--json"])
    assert json.loads(again.stdout)["summary"] == meta["summary"]


def test_uncertainty_table_says_what_the_numbers_mean(tmp_path):
    got = runner.invoke(app, ["uncertainty", *_files(tmp_path), "--n", "20", "--out", str(tmp_path / "u.xlsx")])
    assert got.exit_code == 0, got.output
    assert "rank 1 = highest risk" in got.stdout and "5-95% rank interval" in got.stdout


def test_bad_spec_is_a_clean_error(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"inputs": [{"name": "w", "step": "treat", "param": "winmx", "values": [1, 2]}]}))
    args = _files(tmp_path)
    args[1] = str(bad)
    got = runner.invoke(app, ["uncertainty", *args, "--out", str(tmp_path / "u.json")])
    assert got.exit_code == 2
    assert "inputs[0] (w)" in got.output and "winmx" in got.output


def test_sensitivity_command(tmp_path):
    got = runner.invoke(app, ["sensitivity", *_files(tmp_path), "--method", "morris", "--n", "6", "--json",
                              "--out", str(tmp_path / "s.csv"), "--chart", str(tmp_path / "s.png")])
    assert got.exit_code == 0, got.output
    payload = json.loads(got.stdout)
    assert payload["method"] == "morris" and {r["input"] for r in payload["summary"]} == {
        i["name"] for i in ASEM_SPEC["inputs"]}
    assert (tmp_path / "s.png").read_bytes()[:4] == b"\x89PNG"
    sob = runner.invoke(app, ["sensitivity", *_files(tmp_path), "--n", "16"])
    assert sob.exit_code == 0, sob.output
    assert "S1 first-order" in sob.stdout
