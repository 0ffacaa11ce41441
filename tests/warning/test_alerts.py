import duckdb
import numpy as np
import pandas as pd
import xarray as xr

from holisec.warning.alerts import alert_register, relative_stats, save_alerts
from holisec.warning.changepoints import breaks, cusum, trend_breaks


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


def test_levels_and_reasons():
    r = alert_register(_scores(), {"*": {"amber": 70, "red": 80}}, year=2011).set_index("entity")
    assert r.loc["B", "level"] == "red" and "red line" in r.loc["B", "explanation"]
    assert r.loc["A", "level"] == "red" and "change_z_red" in r.loc["A", "trigger"]
    assert r.loc["C", "level"] == "green" and r.loc["C", "trigger"] == "none"


def test_save_alerts_appends_history():
    con = duckdb.connect()
    r = alert_register(_scores(), year=2011)
    assert save_alerts(con, r, "b1") == len(r)
    save_alerts(con, r, "b2")
    n = con.execute("SELECT build_id, count(*) FROM alerts GROUP BY 1 ORDER BY 1").fetchall()
    assert n == [("b1", len(r)), ("b2", len(r))]


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
