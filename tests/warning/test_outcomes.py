import numpy as np
import pandas as pd

from holisec.warning.outcomes import load_outcomes, make_target, onset_series

INC = [0, 0, 1, 1, 0, 1, 0, 0, 1]


def test_onset_series_one_and_two_peace_years():
    np.testing.assert_array_equal(onset_series(INC, 1), [np.nan, 0, 1, 0, 0, 1, 0, 0, 1])
    np.testing.assert_array_equal(onset_series(INC, 2), [np.nan, np.nan, 1, 0, 0, 0, 0, 0, 1])


def _df():
    return pd.DataFrame({"iso3": "AAA", "year": np.arange(2000, 2009), "conflict": INC})


def test_make_target_onset_definitions():
    t1 = make_target(_df(), "conflict_onset").set_index("year")
    # y = conflict in t+1; at risk only when no conflict in t
    assert t1.loc[2001, "y"] == 1 and t1.loc[2001, "at_risk"]
    assert not t1.loc[2002, "at_risk"] and not t1.loc[2003, "at_risk"]
    assert t1.loc[2004, "y"] == 1 and t1.loc[2004, "at_risk"]
    assert np.isnan(t1.loc[2008, "y"]) and t1.loc[2008, "known_year"] == 2009
    t2 = make_target(_df(), "conflict_onset_2y").set_index("year")
    # after only one peace year (2004) the 2005 conflict is not an onset: 2004 not at risk
    assert not t2.loc[2004, "at_risk"] and t2.loc[2007, "at_risk"] and t2.loc[2007, "y"] == 1
    assert not t2.loc[2000, "at_risk"]  # t-1 unobserved
    h2 = make_target(_df(), "conflict_onset2").set_index("year")
    assert h2.loc[2000, "y"] == 1 and h2.loc[2006, "y"] == 1 and h2.loc[2006, "known_year"] == 2008
    assert np.isnan(h2.loc[2007, "y"])


def test_gap_years_do_not_shift_across():
    d = _df().drop(index=5)  # 2005 missing
    t = make_target(d, "conflict_onset").set_index("year")
    assert np.isnan(t.loc[2004, "y"])


def test_load_outcomes_long_format(tmp_path):
    long = _df().melt(id_vars=["iso3", "year"], var_name="outcome", value_name="value")
    f = tmp_path / "o.csv"
    long.to_csv(f, index=False)
    w = load_outcomes(f)
    assert list(w["conflict"]) == INC


def test_shipped_outcomes_schema():
    o = load_outcomes()
    assert {"iso3", "gwcode", "year", "conflict", "coup_attempt", "mk_onset"} <= set(o.columns)
    assert not o.duplicated(["iso3", "year"]).any()
    assert o.year.max() >= 2024
