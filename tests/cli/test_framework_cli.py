"""End-to-end: ``holisec framework`` through the real CLI entry point."""
import json

import yaml
from typer.testing import CliRunner

from holisec.cli import app

runner = CliRunner()

GOOD = dict(
    id="mine", name="Mine",
    groups=[dict(id="idx", name="Index"), dict(id="food", name="Food security", parent="idx")],
    indicators=[dict(id="hunger", name="Undernourishment", parent="food", unit="%", direction=1)],
)


def test_check_accepts_valid_user_framework(tmp_path):
    p = tmp_path / "mine.yaml"
    p.write_text(yaml.safe_dump(GOOD))
    res = runner.invoke(app, ["framework", "check", str(p)])
    assert res.exit_code == 0, res.output
    assert "2 groups, 1 indicators" in res.output


def test_check_rejects_with_key_path(tmp_path):
    bad = dict(GOOD, indicators=[dict(id="hunger", name="U", parent="food", direction=0)])
    p = tmp_path / "bad.yaml"
    p.write_text(yaml.safe_dump(bad))
    res = runner.invoke(app, ["framework", "check", str(p)])
    assert res.exit_code == 2
    assert "bad.yaml" in res.output and "indicators[0].direction" in res.output


def test_show_json_lists_groups_and_indicators(tmp_path):
    p = tmp_path / "mine.yaml"
    p.write_text(yaml.safe_dump(GOOD))
    res = runner.invoke(app, ["framework", "show", str(p), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["root"] == "idx"
    assert [g["id"] for g in out["groups"]] == ["idx", "food"]
    assert out["groups"][1]["indicators"] == ["hunger"]
