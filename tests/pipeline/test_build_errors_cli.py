"""``holisec build`` refuses recipes that cannot give meaningful numbers: exit code 2, one clear line."""
import pytest
import yaml
from typer.testing import CliRunner

from holisec.cli import app

from .conftest import COINR

runner = CliRunner()


def _recipe(tmp_path, steps):
    path = tmp_path / "my_recipe.yaml"
    path.write_text(yaml.safe_dump({"name": "mine", "steps": steps}))
    return path


def _build(tmp_path, recipe):
    out = tmp_path / "out.csv"
    res = runner.invoke(app, ["build", "--idata", str(COINR / "ASEM_iData.csv"), "--imeta",
                              str(COINR / "ASEM_iMeta.csv"), "--recipe", str(recipe), "--out", str(out)])
    return res, out


def test_gmean_on_0_100_exits_2_and_says_to_use_lo_1(tmp_path):
    res, out = _build(tmp_path, _recipe(tmp_path, [
        {"step": "normalise", "method": "minmax"}, {"step": "aggregate", "method": "gmean"}]))
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output and not out.exists()
    text = " ".join(res.output.split())
    assert "steps[1] (aggregate gmean)" in text and "zero or negative" in text and "lo: 1, hi: 100" in text


def test_gmean_on_1_100_builds(tmp_path):
    res, out = _build(tmp_path, _recipe(tmp_path, [
        {"step": "normalise", "method": "minmax", "params": {"lo": 1}}, {"step": "aggregate", "method": "gmean"}]))
    assert res.exit_code == 0, res.output
    assert out.exists()


@pytest.mark.parametrize("weights, expected", [
    ({"Goods": -1}, "steps[1] (weight).params.weights.Goods: weight -1 is negative"),
    ({"Physical": 0, "ConEcFin": 0, "Political": 0, "Instit": 0, "P2P": 0},
     "all-zero weights within group 'Conn'"),
])
def test_bad_weights_exit_2_naming_the_key_and_group(tmp_path, weights, expected):
    res, out = _build(tmp_path, _recipe(tmp_path, [
        {"step": "normalise", "method": "minmax"}, {"step": "weight", "method": "framework", "params": {"weights": weights}},
        {"step": "aggregate", "method": "amean"}]))
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output and not out.exists()
    assert expected in " ".join(res.output.split())
