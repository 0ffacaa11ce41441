import numpy as np
import pytest

from holisec.pipeline.steps.treat import kurtosis, skewness, treat

from .conftest import column, make_panel


def test_skewness_and_kurtosis_match_excel_definitions():
    # SKEW(0,0,0,1) = 2 and KURT(0,0,0,1) = 4 (by hand: m2 = 3/16, m3 = 3/32, m4 = 21/256)
    x = np.array([[0.0], [0.0], [0.0], [1.0]])
    assert skewness(x)[0] == pytest.approx(2.0)
    assert kurtosis(x)[0] == pytest.approx(4.0)


def test_one_outlier_is_winsorised_to_the_next_value():
    values = list(range(1, 11)) + [100]
    out, report = treat(column(values))
    assert out.values.ravel().tolist() == list(range(1, 11)) + [10]
    assert report[["entity", "method", "before", "after"]].values.tolist() == [["E11", "winhi", 100.0, 10.0]]


def test_low_outlier_is_winsorised_upwards():
    values = [-100] + list(range(1, 11))
    out, report = treat(column(values))
    assert out.values.ravel()[0] == 1.0
    assert report["method"].tolist() == ["winlo"]


def test_log_transform_of_original_when_winsorising_is_not_enough():
    # 18 zeros, 1 and 1000; after one winsorised point (1000 -> 1) the skewness is still
    # 2.89 and the kurtosis 7.04, so the original values are log transformed:
    # log(x - min + 0.01 * (max - min)) = log(x + 10)
    values = [0] * 18 + [1, 1000]
    out, report = treat(column(values), winmax=1)
    np.testing.assert_allclose(out.values.ravel(), np.log(np.array(values) + 10.0))
    assert report[["entity", "period", "indicator", "method"]].values.tolist() == [[None, None, "i1", "log_ct"]]


def test_combined_treatment_logs_the_winsorised_values():
    values = [0] * 18 + [1, 1000]
    out, report = treat(column(values), winmax=1, combine=True)
    winsorised = np.array([0] * 18 + [1, 1], dtype=float)  # then log(x + 0.01)
    np.testing.assert_allclose(out.values.ravel(), np.log(winsorised + 0.01))
    assert report["method"].tolist() == ["winhi", "log_ct"]


def test_passing_indicators_are_untouched_and_nan_is_kept():
    values = [1, 2, 3, np.nan, 5]
    out, report = treat(column(values))
    np.testing.assert_array_equal(out.values.ravel(), values)
    assert report.empty


def test_period_scope_treats_each_year_separately():
    # period 1 has an outlier, period 2 the same values without it
    p1 = list(range(1, 11)) + [100]
    p2 = list(range(1, 12))
    panel = make_panel([[[a], [b]] for a, b in zip(p1, p2)])
    out, report = treat(panel, scope="period")
    assert out.values[-1, 0, 0] == 10 and out.values[-1, 1, 0] == 11
    assert report["period"].tolist() == [2000]


# 1..30 and three outliers. Skewness/kurtosis (type 2) after each round, by hand (scipy agrees):
# round 0: fails; round 1 (310 -> 215): fails; round 2 (215, 215 -> 200): fails;
# round 3 (200, 200, 200 -> 30): passes. So the column needs exactly 3 distinct points.
EXACTLY_THREE = list(range(1, 31)) + [200, 215, 310]


def test_winmax_counts_distinct_points_like_coinr_nwin():
    # with winmax=3 the three outliers are winsorised to 30 (the old count 1, 3, 6 stopped
    # after two rounds and log-transformed the column instead)
    out, report = treat(column(EXACTLY_THREE), winmax=3)
    assert out.values.ravel().tolist() == list(range(1, 31)) + [30, 30, 30]
    assert report[["entity", "method", "before", "after"]].values.tolist() == [
        ["E31", "winhi", 200.0, 30.0], ["E32", "winhi", 215.0, 30.0], ["E33", "winhi", 310.0, 30.0]]


def test_winmax_below_the_points_needed_falls_back_to_log():
    out, report = treat(column(EXACTLY_THREE), winmax=2)
    x = np.array(EXACTLY_THREE, float)
    np.testing.assert_allclose(out.values.ravel(), np.log(x - 1 + 0.01 * (310 - 1)))
    assert report["method"].tolist() == ["log_ct"]


def test_default_winmax_five_with_two_columns_and_a_low_tail():
    # column 1 needs 3 points (winmax 5 is enough); column 2 is its mirror image (low outliers)
    mirrored = [-v for v in EXACTLY_THREE]
    panel = make_panel([[[a, b]] for a, b in zip(EXACTLY_THREE, mirrored)])
    out, report = treat(panel, winmax=5)
    assert out.values[:, 0, 0].tolist() == list(range(1, 31)) + [30, 30, 30]
    assert out.values[:, 0, 1].tolist() == [-v for v in range(1, 31)] + [-30, -30, -30]
    assert sorted(report["method"].value_counts().items()) == [("winhi", 3), ("winlo", 3)]
