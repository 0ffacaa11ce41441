import numpy as np
import pandas as pd
import pytest

from holisec.pipeline.steps.impute import impute

from .conftest import make_panel

NAN = np.nan


def series(values, periods):
    """One entity, one indicator, values over periods."""
    return make_panel([[[v] for v in values]], periods=periods)


def values(panel):
    return panel.values.ravel().tolist()


def test_group_mean_and_median_by_region_in_period():
    panel = make_panel([[[1]], [[3]], [[NAN]], [[10]], [[NAN]], [[8]]])
    region = pd.Series({"E1": "r1", "E2": "r1", "E3": "r1", "E4": "r2", "E6": "r1"})  # E5 has no group
    out, report = impute(panel, "group_mean", by=region)
    assert out.values.ravel()[2] == pytest.approx((1 + 3 + 8) / 3)
    assert np.isnan(out.values.ravel()[4])
    assert report[["entity", "method"]].values.tolist() == [["E3", "group_mean"]]
    out, _ = impute(panel, "group_median", by=region)
    assert out.values.ravel()[2] == 3.0


def test_group_mean_panel_scope_uses_all_periods():
    # two periods; E2 missing in period 2; region mean over both periods of E1 and E2
    panel = make_panel([[[1], [5]], [[3], [NAN]]])
    region = pd.Series({"E1": "r", "E2": "r"})
    by_period, _ = impute(panel, "group_mean", by=region, scope="period")
    by_panel, _ = impute(panel, "group_mean", by=region, scope="panel")
    assert by_period.values[1, 1, 0] == 5.0
    assert by_panel.values[1, 1, 0] == pytest.approx((1 + 5 + 3) / 3)


def test_linear_interpolation_respects_uneven_periods():
    out, report = impute(series([1, NAN, NAN, 7], [2000, 2001, 2003, 2004]), "linear")
    # slope (7 - 1) / 4 years = 1.5 per year
    assert values(out) == [1, 2.5, 5.5, 7]
    assert report["method"].tolist() == ["linear", "linear"]


def test_linear_leaves_edges_unless_extrapolating():
    s = series([NAN, 2, NAN, 4, NAN], list(range(2000, 2005)))
    assert values(impute(s, "linear")[0])[1:4] == [2, 3, 4]
    assert np.isnan(values(impute(s, "linear")[0])[0])
    assert values(impute(s, "linear", extrapolate="both")[0]) == [2, 2, 3, 4, 4]


def test_locf_nocb_and_limit_with_single_observation():
    s = series([NAN, 2, NAN, NAN], list(range(2000, 2004)))
    assert values(impute(s, "locf")[0])[1:] == [2, 2, 2]
    assert np.isnan(values(impute(s, "locf")[0])[0])
    assert values(impute(s, "locf", nocb=True)[0]) == [2, 2, 2, 2]
    limited = values(impute(s, "locf", limit=1)[0])
    assert limited[1:3] == [2, 2] and np.isnan(limited[3])
    _, report = impute(s, "locf", nocb=True)
    assert sorted(report["method"]) == ["locf", "locf", "nocb"]


def test_knn_takes_nearest_rows_in_indicator_space():
    # rows (x, y): A=(0, 0), B=(1, 10), C=(0.1, ?) -> nearest by x is A
    panel = make_panel([[[0, 0]], [[1, 10]], [[0.1, NAN]]])
    one, _ = impute(panel, "knn", n_neighbors=1, standardise=False)
    two, _ = impute(panel, "knn", n_neighbors=2, standardise=False)
    assert one.values[2, 0, 1] == 0.0
    assert two.values[2, 0, 1] == 5.0


def test_iterative_recovers_linear_relation_and_is_seeded():
    x = [1, 2, 3, 4, 5, 6]
    y = [2 * v + 1 for v in x]
    y[2] = NAN  # true value 7
    panel = make_panel([[[a, b]] for a, b in zip(x, y)])
    out, report = impute(panel, "iterative", seed=1)
    assert out.values[2, 0, 1] == pytest.approx(7.0, abs=0.05)
    again, _ = impute(panel, "iterative", seed=1)
    assert again.values[2, 0, 1] == out.values[2, 0, 1]
    assert len(report) == 1


def test_screen_excludes_sparse_indicators_then_entities():
    # i1 fully observed, i2 observed for 1 of 4 entities (share 0.25)
    panel = make_panel([[[1, 1]], [[2, NAN]], [[NAN, NAN]], [[4, NAN]]])
    out, report = impute(panel, "screen", min_indicator_share=0.5, min_entity_share=0.5)
    assert list(out["indicator"].values) == ["i1"]
    assert list(out["entity"].values) == ["E1", "E2", "E4"]
    assert report[["code", "kind", "share"]].values.tolist() == [["i2", "indicator", 0.25], ["E3", "entity", 0.0]]


def test_screen_entity_window_judges_current_coverage():
    # E2 (a state founded late) is observed only in 2002-2003: 4 of 8 cells over the panel,
    # 4 of 4 over the last two periods; E3 had data once and lost it: 2 of 8, then 0 of 4
    panel = make_panel([[[1, 1], [1, 1], [1, 1], [1, 1]],
                        [[NAN, NAN], [NAN, NAN], [2, 2], [2, 2]],
                        [[3, 3], [NAN, NAN], [NAN, NAN], [NAN, NAN]]])
    _, whole = impute(panel, "screen", min_entity_share=0.6)
    assert whole[["code", "share"]].values.tolist() == [["E2", 0.5], ["E3", 0.25]]
    out, recent = impute(panel, "screen", min_entity_share=0.6, entity_window=2)
    assert list(out["entity"].values) == ["E1", "E2"]
    assert recent[["code", "kind", "share"]].values.tolist() == [["E3", "entity", 0.0]]
    with pytest.raises(Exception, match="entity_window must be >= 1"):
        impute(panel, "screen", entity_window=0)


def test_screen_reports_where_each_entity_starts():
    # E2: 0 of 2 in 2000, 1 of 2 in 2001, 2 of 2 after; start share 0.5 -> scored from 2001
    panel = make_panel([[[1, 1], [1, 1], [1, 1]],
                        [[NAN, NAN], [5, NAN], [5, 5]]])
    out, report = impute(panel, "screen", min_start_share=0.5)
    assert out.equals(panel)  # the panel is not changed, only where the scores start is recorded
    assert report[["code", "kind", "share", "threshold", "period"]].values.tolist() == [["E2", "start", 0.5, 0.5, 2001]]
    _, stricter = impute(panel, "screen", min_start_share=0.75)
    assert stricter["period"].tolist() == [2002]
    # unsorted periods give the same answer
    _, shuffled = impute(panel.isel(period=[2, 0, 1]), "screen", min_start_share=0.5)
    assert shuffled["period"].tolist() == [2001]


def test_screen_entities_first_computes_indicator_share_on_kept_entities():
    # E3 has nothing (share 0) -> dropped first; i2 then has 1 of 3 kept entities = 1/3 >= 0.3
    panel = make_panel([[[1, 1]], [[2, NAN]], [[NAN, NAN]], [[4, NAN]]])
    out, report = impute(panel, "screen", min_indicator_share=0.3, min_entity_share=0.5, first="entities")
    assert list(out["indicator"].values) == ["i1", "i2"]
    assert list(out["entity"].values) == ["E1", "E2", "E4"]
    assert report[["code", "kind", "share"]].values.tolist() == [["E3", "entity", 0.0]]
    # indicators first: i2's share is 1/4 over all entities -> dropped
    out, _ = impute(panel, "screen", min_indicator_share=0.3, min_entity_share=0.5)
    assert list(out["indicator"].values) == ["i1"]
