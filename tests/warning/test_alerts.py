import json

import duckdb
import numpy as np
import pandas as pd
import pytest
import xarray as xr

from holisec.warning.alerts import alert_register, combine_levels, relative_stats
from holisec.warning.changepoints import breaks, cusum, trend_breaks
from holisec.index import well_observed_periods
from holisec.warning.register import register_alerts, result_alerts, save_alerts, save_forecasts, warnings_for

from .conftest import synthetic, synthetic_index


def _scores():
    per = np.arange(2000, 2012)
    a = np.r_[np.full(11, 50.0) + np.tile([0.5, -0.5], 6)[:11], 60.0]  # jump at the end
    b = np.full(12, 85.0)
    c = np.linspace(10, 20, 12)
    v = np.stack([a, b, c])[:, :, None]
    return xr.DataArray(v, dims=("entity", "period", "code"),
                        coords={"entity": ["A", "B", "C"], "period": per, "code": ["political"]})


def test_relative_stats_no_lookahead():
    s = relative_stats(_scores()).set_index(["entity", "period"])
    assert np.isnan(s.loc[("A", 2000), "change"])
    assert s.loc[("A", 2011), "z_change"] > 5  # judged against earlier changes only
    assert s.loc[("B", 2011), "peer_pct"] == 1.0
    # own history: mean of the 5 previous values 2006-2010 = (50.5+49.5+50.5+49.5+50.5)/5
    assert s.loc[("A", 2011), "own_mean"] == pytest.approx(50.1)
    assert s.loc[("C", 2003), "own_mean"] == pytest.approx(np.mean(np.linspace(10, 20, 12)[:3]))
    assert np.isnan(s.loc[("C", 2002), "own_mean"])  # fewer than 3 earlier values


def test_levels_and_reasons():
    r = alert_register(_scores(), {"*": {"amber": 70, "red": 80}}, year=2011).set_index("entity")
    # B: red line and top of its peers -> red (extreme on both an absolute and a relative scale)
    assert r.loc["B", "level"] == "red" and "red line 80.0" in r.loc["B", "explanation"]
    assert "ranked 1 of 3 peers" in r.loc["B", "explanation"]
    # A: a red change signal alone (no level signal: 60 < 70, 2nd of 3) -> amber, red under 'worst'
    assert r.loc["A", "level"] == "amber" and r.loc["A", "trigger"] == "change_z_red"
    w = alert_register(_scores(), {"*": {"amber": 70, "red": 80}}, year=2011, rules={"combine": "worst"})
    assert w.set_index("entity").loc["A", "level"] == "red"
    # ... and red once the level family agrees (amber line at 55)
    a = alert_register(_scores(), {"*": {"amber": 55, "red": 80}}, year=2011).set_index("entity")
    assert a.loc["A", "level"] == "red" and a.loc["A", "trigger"] == "bottom_line_amber,change_z_red"
    # +9.9 above its own 5-year mean: under the 10-point amber line of own history
    assert "own_history" not in r.loc["A", "trigger"]
    assert r.loc["C", "level"] == "green" and r.loc["C", "trigger"] == "none"
    r2 = alert_register(_scores(), {"*": {"amber": 70, "red": 80}}, year=2011,
                        rules={"own_amber": 5.0}).set_index("entity")
    assert "own_history_amber" in r2.loc["A", "trigger"] and "+9.9 above its own 5-year mean" in r2.loc["A", "explanation"]
    with pytest.raises(ValueError, match="convergent"):
        alert_register(_scores(), year=2011, rules={"combine": "any"})


def test_convergent_rule_truth_table():
    # columns: level family, change family, bottom line, peer percentile -> expected level
    cases = [(0, 0, 0, 0, 0), (1, 0, 1, 0, 0), (0, 1, 0, 0, 0), (1, 1, 1, 0, 1), (2, 0, 2, 0, 1),
             (0, 2, 0, 0, 1), (2, 1, 0, 2, 2), (1, 2, 1, 1, 2), (2, 0, 2, 2, 2), (2, 0, 2, 1, 1)]
    lv, ch, bl, pp, want = (np.array(c) for c in zip(*cases))
    got = combine_levels({"level": lv, "change": ch, "bottom_line": bl, "peer_pct": pp})
    assert got.tolist() == want.tolist()
    assert combine_levels({"level": lv, "change": ch, "bottom_line": bl, "peer_pct": pp}, "worst").tolist() == \
        np.maximum(lv, ch).tolist()


def test_lone_amber_signal_stays_green_but_is_listed():
    r = alert_register(_scores(), {"*": {"amber": 84, "red": 99}}, year=2011, rules={"pct_amber": 1.1, "pct_red": 1.1})
    b = r.set_index("entity").loc["B"]
    assert b["level"] == "green" and b["trigger"] == "bottom_line_amber"
    assert b["explanation"].startswith("watch: score 85.0 >= amber line 84.0")


def test_thresholds_from_file_per_code(tmp_path):
    f = tmp_path / "bl.csv"
    pd.DataFrame({"code": ["*", "political"], "amber": [95, 40], "red": [99, 55]}).to_csv(f, index=False)
    r = alert_register(_scores(), f, year=2011).set_index("entity")
    assert r.loc["A", "trigger"].startswith("bottom_line_red") and "red line 55.0" in r.loc["A", "explanation"]
    assert "bottom_line" not in r.loc["C", "trigger"]


def test_peer_percentile_within_groups():
    peers = pd.Series({"A": "g1", "B": "g2", "C": "g1"})
    s = relative_stats(_scores(), peers=peers).set_index(["entity", "period"])
    assert s.loc[("A", 2011), "peer_pct"] == 1.0 and s.loc[("C", 2011), "peer_pct"] == 0.5


def test_save_alerts_appends_history():
    con = duckdb.connect()
    r = alert_register(_scores(), year=2011)
    assert save_alerts(con, r, "b1") == len(r)
    save_alerts(con, r, "b2")
    n = con.execute("SELECT build_id, count(*) FROM alerts GROUP BY 1 ORDER BY 1").fetchall()
    assert n == [("b1", len(r)), ("b2", len(r))]


@pytest.fixture(scope="module")
def synth_result(tmp_path_factory):
    from holisec.pipeline import build, default_recipe

    out, pred, _ = synthetic(n_ent=30, y0=1980, y1=2010, seed=4)
    panel, fw, groups = synthetic_index(out, pred, tmp_path_factory.mktemp("fw"))
    panel = panel.copy()
    panel.loc[dict(period=[2009, 2010])] = np.where(np.arange(30)[:, None, None] < 5,
                                                    panel.sel(period=[2009, 2010]).values, np.nan)
    panel.loc[dict(entity="E07", indicator="ind_x", period=2008)] = 25.0  # planted shock
    return build(default_recipe(), panel, fw, entity_groups=groups)


def test_register_alerts_latest_well_observed_one_transaction(synth_result, monkeypatch):
    res = synth_result
    assert well_observed_periods(res)[-1] == 2008  # 2009-10: only 5 of 30 entities observed
    con = duckdb.connect()
    reg = register_alerts(con, res, "b1")
    assert sorted(reg["period"].unique()) == [2006, 2007, 2008]
    assert set(reg["kind"]) == {"indicator", "domain", "index"}
    assert len(reg) == 3 * 30 * 7  # 4 indicators, 2 domains, index
    shock = reg.set_index(["entity", "period", "code"]).loc[("E07", 2008, "ind_x")]
    assert shock["level"] == "red" and "bottom_line_red" in shock["trigger"] and shock["value"] == 100.0
    register_alerts(con, res, "b2")
    assert con.execute("SELECT count(DISTINCT build_id), count(*) FROM alerts").fetchone() == (2, 2 * len(reg))
    again = register_alerts(con, res, "b1", skip_existing=True)  # already there: read back, nothing written
    assert con.execute("SELECT count(*) FROM alerts").fetchone()[0] == 2 * len(reg)
    pd.testing.assert_frame_equal(again.sort_values(["entity", "period", "code"], ignore_index=True)[["entity", "level", "value"]],
                                  reg.sort_values(["entity", "period", "code"], ignore_index=True)[["entity", "level", "value"]],
                                  check_dtype=False)
    nb = con.execute("SELECT count(*) FROM trend_breaks WHERE build_id = 'b1'").fetchone()[0]
    assert nb == len(result_alerts(res)[1])
    # a failure while writing the breaks leaves no alert rows behind
    import holisec.warning.register as R

    real = R._append

    def fail(c, table, cols, df):
        if table == "trend_breaks":
            raise RuntimeError("disk full")
        real(c, table, cols, df)

    monkeypatch.setattr(R, "_append", fail)
    with pytest.raises(RuntimeError):
        register_alerts(con, res, "b3")
    assert con.execute("SELECT count(*) FROM alerts WHERE build_id = 'b3'").fetchone()[0] == 0


def test_warnings_for_reads_latest_build_and_forecasts(synth_result, tmp_path):
    con = duckdb.connect()
    register_alerts(con, synth_result, "b1")
    fc = pd.DataFrame({"entity": ["E07", "E08"], "target": "conflict_onset", "origin": 2008,
                       "target_years": "2009", "probability": [0.31, np.nan], "model": "ensemble",
                       "top_contributions": ["score_stress +1.20", ""], "domain:stress": [1.2, 0.1],
                       "domain:history/context": [np.nan, -0.2]})
    save_forecasts(con, fc, "f1")
    w = warnings_for("E07", con)
    json.dumps(w, allow_nan=False)  # valid JSON: NaN -> null
    assert w["build_id"] == "b1" and w["counts"]["red"] >= 1
    top = w["alerts"][0]
    assert top["period"] == 2008 and top["level"] == "red"
    assert w["forecasts"] == [{"target": "conflict_onset", "origin": 2008, "target_years": "2009",
                               "probability": 0.31, "model": "ensemble",
                               "top_contributions": "score_stress +1.20", "domains": {"stress": 1.2}}]
    f = tmp_path / "f.csv"
    fc.to_csv(f, index=False)
    w2 = warnings_for("E08", con, forecasts=f)
    assert w2["forecasts"][0]["probability"] is None and w2["forecasts"][0]["domains"] == {
        "stress": 0.1, "history/context": -0.2}
    assert warnings_for("ZZZ", con)["alerts"] == []


def test_changepoints_step_and_cusum():
    per = np.arange(1990, 2020)
    y = np.r_[np.full(15, 10.0), np.full(15, 30.0)] + np.random.default_rng(0).normal(0, 1, 30)
    df = pd.DataFrame({"entity": "A", "code": "x", "period": per, "value": y})
    for m in ("pelt", "binseg"):
        b = breaks(df, method=m)
        assert list(b["period"]) == [2005] and abs(b["size"].iloc[0] - 20) < 2
    c = cusum(df)
    assert (c["direction"] == "up").any() and c.loc[c.direction == "up", "period"].iloc[0] >= 2005
    t = trend_breaks(df)
    assert set(t["method"]) == {"pelt", "cusum"}
    r = alert_register(df.assign(code="x"), {"*": {"amber": 99, "red": 100}}, year=2005, breaks=t)
    assert "trend_break" in r["trigger"].iloc[0] and "upward trend break (" in r["explanation"].iloc[0]


def test_a_tiny_change_in_a_flat_series_is_no_change_signal():
    """A series flat for years (carried forward) and then +0.8: z is huge (its SD is ~0.01) but the
    change is below ``min_change`` (2 points), so no change signal; with min_change 0 it is one."""
    per = np.arange(2000, 2012)
    flat = 50 + np.r_[np.tile([0.0, 0.01], 6)[:11], 0.81]
    da = xr.DataArray(flat[None, :, None], dims=("entity", "period", "code"),
                      coords={"entity": ["A"], "period": per, "code": ["resource"]})
    assert relative_stats(da).set_index("period").loc[2011, "z_change"] > 50
    r = alert_register(da, year=2011, rules={"combine": "worst"}).iloc[0]
    assert "change_z" not in r["trigger"]
    r0 = alert_register(da, year=2011, rules={"combine": "worst", "min_change": 0.0}).iloc[0]
    assert "change_z_red" in r0["trigger"]
