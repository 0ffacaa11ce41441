import pandas as pd
from typer.testing import CliRunner

from holisec.warning.cli import app


def test_forecast_command_writes_one_row_per_at_risk_country(tmp_path):
    out = tmp_path / "f.csv"
    r = CliRunner().invoke(app, ["forecast", "--target", "conflict_onset", "--origin", "2005", "--out", str(out)])
    assert r.exit_code == 0, r.output
    f = pd.read_csv(out)
    assert {"entity", "origin", "target_years", "probability", "model", "top_contributions"} <= set(f.columns)
    assert f["entity"].is_unique and (f["origin"] == 2005).all() and (f["target_years"].astype(str) == "2006").all()
    assert f["probability"].between(0, 1).all() and len(f) > 100


def test_unknown_target_rejected(tmp_path):
    r = CliRunner().invoke(app, ["forecast", "--target", "nope", "--origin", "2005", "--out", str(tmp_path / "x.csv")])
    assert r.exit_code != 0
