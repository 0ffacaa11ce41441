"""Every row cites the line of its own signal's level; stale alerts are marked."""
import numpy as np
import pandas as pd
import xarray as xr

from holisec.warning.alerts import STALE_SHARE, alert_register


def _rising():
    """B sits at 70 for 11 years then 85: top of its 3 peers, +15 above its own mean."""
    per = np.arange(2000, 2012)
    v = np.stack([np.full(12, 50.0), np.r_[np.full(11, 70.0), 85.0], np.linspace(10, 20, 12)])[:, :, None]
    return xr.DataArray(v, dims=("entity", "period", "code"),
                        coords={"entity": ["A", "B", "C"], "period": per, "code": ["political"]})


def test_a_red_row_leads_with_its_red_signal_and_labels_the_amber_line():
    r = alert_register(_rising(), {"*": {"amber": 84, "red": 99}}, year=2011).set_index("entity")
    b = r.loc["B"]
    # red: the peer signal is red (top of 3 >= 97th percentile), own history amber (+15 >= +10)
    assert b["level"] == "red"
    assert b["explanation"].startswith("red: ranked 1 of 3 peers (red line: percentile 97)")
    assert "amber: score 85.0 >= amber line 84.0" in b["explanation"]
    assert "amber: score 85.0 is +15.0 above its own 5-year mean (amber line +10)" in b["explanation"]
    # no part of the explanation cites an amber line under a red label, or the reverse
    for part in b["explanation"].split("; "):
        assert ("amber line" not in part or part.startswith("amber:")) and ("red line" not in part or
                                                                            part.startswith("red:"))


def test_alerts_resting_mainly_on_carried_values_are_stale():
    stale = pd.DataFrame({"entity": ["B", "A"], "period": [2011, 2011], "code": ["political"] * 2,
                          "carried_share": [1.0, STALE_SHARE], "obs_period": [2008, 2011]})
    th = {"*": {"amber": 84, "red": 99}}
    r = alert_register(_rising(), th, year=2011, kinds={"political": "indicator"}, staleness=stale).set_index("entity")
    assert r.loc["B", "stale"] and r.loc["B", "explanation"].endswith("stale: the 2008 value carried forward")
    assert r.loc["B", "obs_period"] == 2008
    assert not r.loc["A", "stale"]  # exactly half is not "mainly"
    assert not r.loc["C", "stale"] and np.isnan(r.loc["C", "carried_share"])
    dom = alert_register(_rising(), th, year=2011, kinds={"political": "domain"},
                         staleness=stale.assign(carried_share=[0.6, 0.0])).set_index("entity")
    assert dom.loc["B", "explanation"].endswith("stale: 60% of its indicator values carried forward from earlier years")
    plain = alert_register(_rising(), th, year=2011)
    assert not plain["stale"].any() and "stale" not in " ".join(plain["explanation"])
