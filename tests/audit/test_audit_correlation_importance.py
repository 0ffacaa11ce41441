"""Correlation-based importance and the correlation ratio against hand computations."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from holisec.audit import correlation_importance, correlation_ratio

# From the clean group G (see conftest): var(a+b+c) = 17, cov(a, sum) = 6.5,
# cov(b, sum) = cov(c, sum) = 5.25, var_i = 2.5, so
# r_a^2 = 6.5^2/(2.5*17) = 42.25/42.5, r_b^2 = r_c^2 = 27.5625/42.5,
# sum = 97.375/42.5 -> importance a = 42.25/97.375 = 0.43389, b = c = 27.5625/97.375 = 0.28306.
EFF_A, EFF_B = 42.25 / 97.375, 27.5625 / 97.375


def test_importance_hand_values(scores, tree):
    e = correlation_importance(scores, tree)
    g = e[e.parent == "G"].set_index("code")
    assert g.at["a", "r2"] == pytest.approx(42.25 / 42.5)
    assert g.at["a", "importance"] == pytest.approx(EFF_A)
    assert g.at["b", "importance"] == pytest.approx(EFF_B)
    assert g.at["c", "importance"] == pytest.approx(EFF_B)
    np.testing.assert_allclose(g.nominal, 1 / 3)
    assert g.at["a", "importance_to_nominal"] == pytest.approx(3 * EFF_A)
    assert not (g.under_represented | g.over_represented).any()
    assert e.groupby("parent").importance.sum().to_numpy() == pytest.approx(1.0)
    assert e.groupby("parent").nominal.sum().to_numpy() == pytest.approx(1.0)


def test_importance_flags_mismatched_nominal_weight(scores, tree):
    t = tree.copy()
    t.loc["a", "weight"] = 0.1
    # nominal a = 0.1/2.1 = 0.0476, importance 0.4339 -> 9.1 x nominal -> over-represented;
    # nominal b = 1/2.1 = 0.476, importance 0.283 -> 0.59 x nominal (> 1/2) -> not flagged.
    g = correlation_importance(scores, t).query("parent == 'G'").set_index("code")
    assert g.at["a", "nominal"] == pytest.approx(0.1 / 2.1)
    assert g.at["a", "over_represented"]
    assert not g.loc[["b", "c"], "under_represented"].any()
    g3 = correlation_importance(scores, t, ratio=1.5).query("parent == 'G'").set_index("code")
    assert g3.loc[["b", "c"], "under_represented"].all()  # 0.59 < 1/1.5


def test_correlation_ratio_hand_values():
    # x = [1,2,3,4] in 2 bins {1,2} and {3,4}; y = [1,3,2,4]: bin means 2 and 3, grand mean 2.5
    # between SS = 2*0.25 + 2*0.25 = 1, total SS = 2.25+0.25+0.25+2.25 = 5 -> eta^2 = 0.2
    assert correlation_ratio([1, 2, 3, 4], [1, 3, 2, 4], bins=2) == pytest.approx(0.2)
    # y constant within bins -> eta^2 = 1; a non-monotone relation keeps eta^2 high
    assert correlation_ratio([1, 2, 3, 4], [0, 0, 5, 5], bins=2) == pytest.approx(1.0)
    x = np.linspace(-1, 1, 400)
    assert correlation_ratio(x, x**2) > 0.9 > np.corrcoef(x, x**2)[0, 1] ** 2
    # NaN cases dropped pairwise; too few cases -> NaN
    assert correlation_ratio([1, 2, np.nan, 3, 4], [1, 3, 9, 2, 4], bins=2) == pytest.approx(0.2)
    assert np.isnan(correlation_ratio([1, 2], [2, 1]))


def test_main_effect_columns(scores, tree):
    e = correlation_importance(scores, tree)
    assert {"eta2", "main_effect_share"} <= set(e.columns)
    fin = e.dropna(subset=["eta2"])
    assert ((fin.eta2 >= 0) & (fin.eta2 <= 1)).all()
    assert fin.groupby("parent").main_effect_share.sum().to_numpy() == pytest.approx(1.0)


@settings(max_examples=50, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(4, 12), st.integers(1, 4)),
              elements=st.floats(0, 100, allow_nan=False, width=32)),
       st.lists(st.floats(0.1, 5), min_size=4, max_size=4))
def test_property_importance_shares_sum_to_one(X, w):
    k = X.shape[1]
    codes = [f"i{j}" for j in range(k)]
    tree = pd.DataFrame({"name": codes + ["P"], "type": ["Indicator"] * k + ["Aggregate"],
                         "parent": ["P"] * k + [None], "weight": w[:k] + [1.0], "direction": 1,
                         "level": [1] * k + [2]}, index=codes + ["P"])
    parent = X @ np.asarray(w[:k]) / sum(w[:k])
    da = xr.DataArray(np.c_[X, parent][:, None, :], dims=("entity", "period", "code"),
                      coords={"entity": [f"e{i}" for i in range(len(X))], "period": [1], "code": codes + ["P"]})
    e = correlation_importance(da, tree)
    assert e.nominal.sum() == pytest.approx(1.0)
    if e.importance.notna().any():
        assert e.importance.sum() == pytest.approx(1.0)
        assert (e.importance.dropna() >= 0).all()
