"""The five balances on hand-made data: pole sub-indices, difference, log-ratio, trend, measurability."""
from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from holisec.holistic import HolisticError
from holisec.holistic.balances import balance_table, balances, rolling_slope
from holisec.pipeline import build

from .conftest import RECIPE, anchored_panel


def test_pole_sub_indices_difference_log_ratio_and_trend(tiny_result):
    """internal = mean(D1: mean(a1 80, a2 20) = 50, D2: b2 = 10, 20, 30) = 30, 35, 40;
    external = mean(D1: a3 60, D2: b1 40) = 50; diff = -20, -15, -10 (the external pole carries
    more risk); log-ratio ln(31 / 51); trend of diff over 3 years = +5 points per year."""
    ds = balances(tiny_result, min_indicators=2, window=3).sel(entity="X", pair="scope")
    assert ds["first"].values == pytest.approx([30, 35, 40])
    assert ds["second"].values == pytest.approx([50, 50, 50])
    assert ds["diff"].values == pytest.approx([-20, -15, -10])
    assert ds["log_ratio"].values == pytest.approx(np.log(np.array([31, 36, 41]) / 51))
    assert np.isnan(ds["trend_diff"].values[:2]).all() and float(ds["trend_diff"][2]) == pytest.approx(5.0)
    assert ds["measurable"].values.all()
    assert list(ds["n_first"].values) == [3, 3, 3] and list(ds["n_second"].values) == [2, 2, 2]


def test_too_few_indicators_is_not_measurable_never_balanced(tiny_result):
    """External has 2 indicators: with min_indicators = 3 the pair is not measurable (NaN, reason);
    the pairs without tags in this framework are not measurable either, not a zero difference."""
    ds = balances(tiny_result, min_indicators=3)
    scope = ds.sel(entity="X", pair="scope")
    assert not scope["measurable"].values.any() and np.isnan(scope["diff"].values).all()
    assert str(scope["reason"].values[0]) == "fewer than 3 indicators observed for a pole"
    other = ds.sel(entity="X", pair="sphere")
    assert not other["measurable"].values.any() and np.isnan(other["diff"].values).all()


def test_imputed_values_do_not_count_as_observed(tagged_framework):
    """a3 is missing in 2001 in the raw data; after linear imputation the external pole still has a
    sub-index, but only one observed indicator: not measurable in 2001 at min_indicators = 2."""
    panel = anchored_panel({"a1": [80, 80, 80], "a2": [20, 20, 20], "a3": [60, np.nan, 60],
                            "b1": [40, 40, 40], "b2": [10, 20, 30]})
    recipe = {**RECIPE, "steps": [{"step": "impute", "method": "linear"}, *RECIPE["steps"]]}
    result = build(recipe, panel, tagged_framework)
    ds = balances(result, min_indicators=2).sel(entity="X", pair="scope")
    assert list(ds["measurable"].values) == [True, False, True]
    assert list(ds["n_second"].values) == [2, 1, 2]
    table = balance_table(balances(result, min_indicators=2), entity="X", period=2001)
    row = table[table["pair"] == "scope"].iloc[0]
    assert row["pole_first"] == "internal" and row["pole_second"] == "external" and not row["measurable"]


def test_rolling_slope_is_ols_per_window():
    y = xr.DataArray([[1.0, 3.0, 2.0, 6.0]], dims=("entity", "period"), coords={"period": [2000, 2001, 2002, 2003]})
    s = rolling_slope(y, 3)
    assert float(s[0, 2]) == pytest.approx(0.5) and float(s[0, 3]) == pytest.approx(1.5)
    with pytest.raises(HolisticError, match="window must be >= 2"):
        rolling_slope(y, 1)


def test_balance_table_rejects_unknown_entity_and_period(tiny_result):
    ds = balances(tiny_result, min_indicators=1)
    with pytest.raises(HolisticError, match="unknown entity 'ZZZ'"):
        balance_table(ds, entity="ZZZ")
    with pytest.raises(HolisticError, match="no period 1990"):
        balance_table(ds, period=1990)


def test_a_negative_scale_is_an_error_not_a_nan_log_ratio(tagged_framework):
    panel = anchored_panel({"a1": [80, 80, 80], "a2": [20, 20, 20], "a3": [60, 60, 60],
                            "b1": [40, 40, 40], "b2": [10, 20, 30]})
    recipe = {**RECIPE, "steps": [{"step": "normalise", "method": "zscore"}, *RECIPE["steps"][1:]]}
    result = build(recipe, panel, tagged_framework)
    with pytest.raises(HolisticError, match="non-negative scale"):
        balances(result, min_indicators=1)
    from holisec.holistic.obstacles import obstacle_degree

    with pytest.raises(HolisticError, match="outside 0..100"):
        obstacle_degree(result)
