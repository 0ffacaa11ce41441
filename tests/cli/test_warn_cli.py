"""End-to-end: ``holisec warn alerts / show / forecast`` and the verdict table."""
import json

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from holisec.cli import app as holisec_app
from holisec.cli.warn import app, verdict_table


def test_forecast_command_writes_one_row_per_at_risk_country(tmp_path):
    out = tmp_path / "f.csv"
    r = CliRunner().invoke(app, ["forecast", "--target", "conflict_onset", "--origin", "2005", "--out", str(out)])
    assert r.exit_code == 0, r.output
    f = pd.read_csv(out)
    assert {"entity", "origin", "target_years", "probability", "model", "top_contributions"} <= set(f.columns)
    assert f["entity"].is_unique and (f["origin"] == 2005).all() and (f["target_years"].astype(str) == "2006").all()
    assert f["probability"].between(0, 1).all() and len(f) > 100
    assert "probability of onset in 2006" in r.output and "Highest 10" in r.output


def test_unknown_target_rejected(tmp_path):
    r = CliRunner().invoke(app, ["forecast", "--target", "nope", "--origin", "2005", "--out", str(tmp_path / "x.csv")])
    assert r.exit_code == 2 and "unknown --target 'nope'" in r.output


def test_alerts_json_store_envvar_save_and_show(shipped_store, monkeypatch):
    from holisec.data.store import Store

    path = shipped_store
    monkeypatch.setenv("HOLISEC_STORE", str(path))
    r = CliRunner().invoke(app, ["alerts", "--json", "--level", "red", "--save", "b1"])
    assert r.exit_code == 0, r.output
    recs = json.loads(r.stdout, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))  # no NaN tokens
    assert recs and {x["level"] for x in recs} == {"red"}
    assert {"indicator", "domain"} <= {x["kind"] for x in recs}
    assert {"name", "stale", "obs_period", "carried_share"} <= set(recs[0])
    with Store(path, read_only=True) as st:
        n, periods = st.con.execute("SELECT count(*), count(DISTINCT period) FROM alerts WHERE build_id='b1'").fetchone()
        scale = st.con.execute("SELECT DISTINCT scale FROM alerts WHERE build_id='b1'").fetchall()
    assert n > 1000 and periods == 3
    assert scale == [("scores 0-100, higher = more risk; min-max over all 186 countries and years 1990-2024 "
                      "(one range for the whole panel, so years compare)",)]
    worst = CliRunner().invoke(app, ["alerts", "--json", "--level", "red", "--combine", "worst"])
    assert worst.exit_code == 0, worst.output
    assert len(json.loads(worst.stdout)) > 2 * len(recs)  # the convergent rule is the stricter one
    bad = CliRunner().invoke(app, ["alerts", "--combine", "any"])
    assert bad.exit_code == 2 and "convergent" in bad.output
    ent = recs[0]["entity"]
    s = CliRunner().invoke(app, ["show", ent.lower(), "--json"])  # ISO3 in any case
    assert s.exit_code == 0, s.output
    w = json.loads(s.stdout)
    assert w["entity"] == ent and w["build_id"] == "b1" and w["alerts"][0]["level"] == "red"
    assert w["scale"].startswith("scores 0-100, higher = more risk")


def test_stale_alerts_rest_on_carried_forward_values(shipped_store, tmp_path):
    """EPR (ethnic exclusion) ends in 2021 in the shipped data: a 2022 alert on it is the 2021 value."""
    out = tmp_path / "a.csv"
    r = CliRunner().invoke(holisec_app, ["warn", "alerts", "--store", shipped_store, "--year", "2022", "--level",
                                         "red", "--out", str(out)])
    assert r.exit_code == 0, r.output
    a = pd.read_csv(out)
    disp = a[(a["code"] == "epr_excluded")]
    assert len(disp) and disp["stale"].all() and (disp["obs_period"] == 2021).all()
    assert disp["explanation"].str.endswith("stale: the 2021 value carried forward").all()
    assert a.loc[a["entity"] == "AFG", "name"].iloc[0] == "Afghanistan"
    assert {"recipe_hash", "vintage", "scale"} <= set(a.columns)
    # the table view: a Rich table, the scale and the lines behind the levels, said once
    for words in ("Alerts 2022:", "┃ entity", "Scores 0-100, higher = more risk; min-max over all 186 countries",
                  "Bottom lines (amber/red, score 0-100): 66.7/80 for every code; index 45/50",
                  "Levels (convergent rule)", "Stale = more than 50%"):
        assert r.output.count(words) == 1, words
    fresh = CliRunner().invoke(holisec_app, ["warn", "alerts", "--store", shipped_store, "--year", "2022",
                                             "--level", "red", "--fresh", "--json"])
    assert fresh.exit_code == 0, fresh.output
    kept = json.loads(fresh.stdout)
    assert kept and not any(x["stale"] for x in kept) and len(kept) == int((~a["stale"]).sum())


def test_show_prints_a_table_and_accepts_names(shipped_store):
    assert CliRunner().invoke(holisec_app, ["build", "--store", shipped_store, "--out",
                                            f"{shipped_store}.parquet"]).exit_code == 0
    for given in ("UKR", "ukr", "Ukraine"):
        r = CliRunner().invoke(holisec_app, ["warn", "show", given, "--store", shipped_store])
        assert r.exit_code == 0, r.output
        assert r.output.startswith("UKR Ukraine: ") and "Alerts of UKR" in r.output and "┃ period" in r.output
        assert "Scores 0-100, higher = more risk" in r.output and "{" not in r.output
    bad = CliRunner().invoke(holisec_app, ["warn", "show", "Ukriane", "--store", shipped_store])
    assert bad.exit_code == 2 and "did you mean Ukraine?" in bad.output


def test_verdict_is_a_table_with_plain_numbers():
    v = {"model": "ensemble", "best_baseline_aupr": "history", "aupr_ratio": np.float64(1.31),
         "aupr_diff_ci": (np.float64(0.01), np.float64(0.09)), "best_baseline_brier": "pitf",
         "brier_ratio": np.float64(0.95), "brier_diff_ci": (-0.002, 0.001), "cal_slope": np.float64(0.91),
         "aupr_ok": True, "brier_ok": False, "calibration_ok": True, "met": False}
    t = verdict_table(v)
    assert t["criterion"].tolist() == ["AUPR / best baseline (history)", "Brier / best baseline (pitf)",
                                       "calibration slope", "all (ensemble)"]
    assert t["value"].tolist() == ["1.31x", "0.95x", "0.91", ""] and t["met"].tolist() == ["yes", "no", "yes", "no"]
    assert t.loc[0, "target"] == ">= 1.25x, CI of the difference > 0: [+0.0100, +0.0900]"
    assert "np." not in t.to_string()


def test_forecast_as_of_save_and_score(shipped_store, tmp_path):
    """--as-of reads one store vintage; --save stamps vintage, recipe hash, model version and never
    overwrites; pm25 (first observed 2010) is left out of the origin-2009 build with a note; warn
    score scores the saved set against the loaded outcomes."""
    import duckdb

    out = tmp_path / "f.csv"
    base = ["warn", "forecast", "--target", "conflict_onset", "--origin", "2009", "--out", str(out),
            "--store", shipped_store]
    r = CliRunner().invoke(holisec_app, [*base, "--save", "rt"])
    assert r.exit_code == 0, r.output
    said = " ".join(r.output.split())
    assert "pm25" in said.split("no observation published at or before origin 2009,")[0].rsplit("Index indicator", 1)[-1]
    assert "ew_outcomes: ingest #" in r.output and "ew_predictors: ingest #" in r.output  # loaded as vintages
    assert "no observation published at or before origin 2009, so left out of that origin's index build" in " ".join(r.output.split())
    con = duckdb.connect(shipped_store, read_only=True)
    row = con.execute("SELECT vintage_id, vintage, recipe_hash, model_version, created_at, notes, count(*) "
                      "FROM forecasts WHERE build_id = 'rt' GROUP BY ALL").fetchall()
    last = con.execute("SELECT max(ingest_id) FROM ingests").fetchone()[0]
    con.close()
    assert len(row) == 1 and row[0][0] == last and row[0][1].startswith(f"ingest {last} @")
    assert row[0][2] and row[0][3].startswith("m-") and row[0][4] is not None and "pm25" in row[0][5]
    again = CliRunner().invoke(holisec_app, [*base, "--save", "rt"])
    assert again.exit_code == 2 and "already stored" in again.output and "never overwritten" in again.output
    bad = CliRunner().invoke(holisec_app, [*base, "--as-of", "9999"])
    assert bad.exit_code == 2 and "no ingest #9999" in bad.output and "vintages" in bad.output
    early = CliRunner().invoke(holisec_app, [*base, "--as-of", "1"])
    assert early.exit_code == 2 and "no early-warning outcomes" in early.output
    s = CliRunner().invoke(holisec_app, ["warn", "score", "--store", shipped_store, "--save-id", "rt", "--json"])
    assert s.exit_code == 0, s.output
    got = json.loads(s.output)
    assert len(got["scored"]) == row[0][6] and not got["pending"]
    sm = got["summary"][0]
    assert sm["n"] == row[0][6] and sm["events"] >= 1 and 0 < sm["brier"] < 0.1


def test_evaluate_as_of_unknown_and_load_revision(shipped_store, tmp_path):
    bad = CliRunner().invoke(holisec_app, ["warn", "evaluate", "--store", shipped_store, "--as-of", "9999",
                                           "--no-tune", "--origins", "2011-2012"])
    assert bad.exit_code == 2 and "no ingest #9999" in bad.output and "vintages" in bad.output
    from holisec.warning.outcomes import load_outcomes

    rev = load_outcomes()
    rev.loc[(rev.iso3 == "NOR") & (rev.year == 2000), "conflict"] = 1.0  # one revised value
    f = tmp_path / "rev.csv"
    rev.to_csv(f, index=False)
    r = CliRunner().invoke(holisec_app, ["warn", "load", str(f), "--kind", "outcomes", "--store", shipped_store])
    assert r.exit_code == 0, r.output
    assert "ew_outcomes: ingest #" in r.output and ": 1 values added" in r.output
    again = CliRunner().invoke(holisec_app, ["warn", "load", str(f), "--kind", "outcomes", "--store", shipped_store])
    assert again.exit_code == 0 and "unchanged" in again.output
    wrong = CliRunner().invoke(holisec_app, ["warn", "load", str(f), "--kind", "x", "--store", shipped_store])
    assert wrong.exit_code == 2 and "--kind must be one of" in wrong.output
