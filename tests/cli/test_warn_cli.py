import pandas as pd
from typer.testing import CliRunner

from holisec.cli.warn import app


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


def test_alerts_json_store_envvar_save_and_show(tmp_path, monkeypatch):
    import json

    from holisec.data.shipped import load_shipped
    from holisec.data.store import Store

    path = tmp_path / "s.duckdb"
    with Store(path) as st:
        load_shipped(st)
    monkeypatch.setenv("HOLISEC_STORE", str(path))
    r = CliRunner().invoke(app, ["alerts", "--json", "--level", "red", "--save", "b1"])
    assert r.exit_code == 0, r.output
    recs = json.loads(r.stdout, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))  # no NaN tokens
    assert recs and {x["level"] for x in recs} == {"red"}
    assert {"indicator", "domain"} <= {x["kind"] for x in recs}
    with Store(path, read_only=True) as st:
        n, periods = st.con.execute("SELECT count(*), count(DISTINCT period) FROM alerts WHERE build_id='b1'").fetchone()
    assert n > 1000 and periods == 3
    worst = CliRunner().invoke(app, ["alerts", "--json", "--level", "red", "--combine", "worst"])
    assert worst.exit_code == 0, worst.output
    assert len(json.loads(worst.stdout)) > 2 * len(recs)  # the convergent rule is the stricter one
    bad = CliRunner().invoke(app, ["alerts", "--combine", "any"])
    assert bad.exit_code == 2 and "convergent" in bad.output
    ent = recs[0]["entity"]
    s = CliRunner().invoke(app, ["show", ent])
    assert s.exit_code == 0, s.output
    w = json.loads(s.stdout)
    assert w["entity"] == ent and w["build_id"] == "b1" and w["alerts"][0]["level"] == "red"
