"""Cronbach's alpha and PCA against hand computations."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from holisec.audit import cronbach_alpha, pca, pca_eigen, reliability

ABC = np.array([[1, 2, 1], [2, 1, 3], [3, 4, 2], [4, 3, 5], [5, 5, 4]], dtype=float)


def test_alpha_hand_value():
    # Each column is a permutation of 1..5: var_i = 10/4 = 2.5, sum var_i = 7.5.
    # Row totals [4, 6, 9, 12, 14], mean 9, dev [-5,-3,0,3,5], SS = 68, var_total = 17.
    # alpha = 3/2 * (1 - 7.5/17) = 1.5 * 9.5/17 = 0.838235...
    assert cronbach_alpha(ABC) == pytest.approx(1.5 * (1 - 7.5 / 17))
    # Standardised: rbar = (0.8+0.8+0.3)/3 = 0.6333; 3*rbar/(1+2*rbar) = 1.9/2.2667 = 0.838235
    # (equal to the raw alpha because all variances are equal).
    assert cronbach_alpha(ABC, standardised=True) == pytest.approx(1.9 / (1 + 2 * 1.9 / 3))


def test_alpha_missing_listwise_and_pairwise():
    X = ABC.copy()
    X[4, 0] = np.nan
    # Listwise: rows 1-4. a=[1,2,3,4], b=[2,1,4,3], c=[1,3,2,5]; var a = var b = 5/3,
    # var c = 8.75/3; totals [4,6,9,12], mean 7.75, SS 36.75, var 12.25.
    # alpha = 1.5 * (1 - 6.25/12.25) = 9/12.25 = 0.734694
    assert cronbach_alpha(X, use="complete") == pytest.approx(9 / 12.25)
    # Pairwise: var a = 5/3 (4 cases), var b = var c = 2.5 (5 cases);
    # cov ab = 3/3 = 1 (4 cases), cov ac = 5.5/3 (4 cases), cov bc = 3/4 = 0.75 (5 cases).
    # trace = 20/3, sum = 20/3 + 2*(1 + 11/6 + 3/4) = 83/6 -> alpha = 1.5*(43/6)/(83/6) = 64.5/83
    assert cronbach_alpha(X, use="pairwise") == pytest.approx(64.5 / 83)


def test_alpha_degenerate_and_negative():
    assert math.isnan(cronbach_alpha(ABC[:, :1]))  # one item
    # two perfectly opposed items: var total = 0 -> undefined
    assert math.isnan(cronbach_alpha(np.c_[ABC[:, 0], -ABC[:, 0]]))
    # x and z (r = -0.9, equal variances 2.5): C = [[2.5,-2.25],[-2.25,2.5]], sum = 0.5,
    # alpha = 2 * (1 - 5/0.5) = -18
    xz = np.c_[[1, 2, 3, 4, 5], [5, 4, 3, 1, 2]].astype(float)
    assert cronbach_alpha(xz) == pytest.approx(-18.0)


def test_reliability_table(scores, tree):
    rel = reliability(scores, tree).set_index("parent")
    # pooled over the two periods: 2001 permutes the rows of 2000, so every variance and
    # covariance is scaled by the same factor and alpha is unchanged.
    assert rel.at["G", "alpha"] == pytest.approx(1.5 * (1 - 7.5 / 17))
    assert rel.at["G", "k"] == 3 and rel.at["G", "n_complete"] == 10
    assert not rel.at["G", "low_alpha"]
    # F: x, y, z with var 2.5, 12.2, 2.5; cov xy = 22/4 = 5.5, xz = -9/4, yz = -19/4;
    # trace = 17.2, sum = 17.2 + 2*(5.5 - 2.25 - 4.75) = 14.2 -> alpha = 1.5*(1 - 17.2/14.2)
    assert rel.at["F", "alpha"] == pytest.approx(1.5 * (1 - 17.2 / 14.2))
    assert rel.at["F", "low_alpha"]
    per = reliability(scores, tree, by_period=True)
    assert sorted(per.period.unique()) == [2000, 2001]
    np.testing.assert_allclose(per[per.parent == "G"].alpha, 1.5 * (1 - 7.5 / 17))


def test_pca_hand_value(scores, tree):
    # R = [[1,.8,.8],[.8,1,.3],[.8,.3,1]]. (0,1,-1) is an eigenvector with eigenvalue 0.7.
    # On span{(1,0,0), (0,1,1)/sqrt2} R acts as [[1, .8*sqrt2],[.8*sqrt2, 1.3]]:
    # trace 2.3, det 1.3 - 1.28 = 0.02 -> lambda = (2.3 +- sqrt(5.29 - 0.08))/2.
    # lambda1 = (2.3 + sqrt(5.21))/2 = 2.29127; PC1 share = lambda1/3 = 0.76376; one eigenvalue > 1.
    summ, load = pca(scores, tree)
    g = summ.set_index("parent").loc["G"]
    lam1 = (2.3 + math.sqrt(5.21)) / 2
    assert g.pc1_share == pytest.approx(lam1 / 3)
    np.testing.assert_allclose(sorted(g.eigenvalues, reverse=True),
                               [lam1, 0.7, (2.3 - math.sqrt(5.21)) / 2], atol=1e-12)
    assert g.n_eigen_gt1 == 1 and not g.multidimensional
    lg = load[(load.parent == "G") & (load.component == 1)].set_index("code")
    # loadings = correlation of each child with PC1: sum of squares = lambda1; b and c equal
    assert (lg.loading**2).sum() == pytest.approx(lam1)
    assert lg.at["b", "loading"] == pytest.approx(lg.at["c", "loading"])
    assert (lg.loading > 0).all()


def test_pca_flags_two_dimensions():
    # Two independent pairs: u1 ~ u2 (r high), v1 ~ v2 (r high), pairs uncorrelated -> two
    # eigenvalues > 1.
    import xarray as xr

    u = np.array([1, 2, 3, 4, 5, 6, 7, 8], float)
    v = np.array([3, 8, 1, 6, 4, 7, 2, 5], float)
    data = np.c_[u, u + [0, .1, 0, -.1, 0, .1, 0, -.1], v, v + [.1, 0, -.1, 0, .1, 0, -.1, 0]]
    tree = pd.DataFrame({"name": ["u1", "u2", "v1", "v2", "P"], "type": ["Indicator"] * 4 + ["Aggregate"],
                         "parent": ["P"] * 4 + [None], "weight": 1.0, "direction": 1,
                         "level": [1, 1, 1, 1, 2]}, index=["u1", "u2", "v1", "v2", "P"])
    da = xr.DataArray(np.c_[data, data.mean(1)][:, None, :], dims=("entity", "period", "code"),
                      coords={"entity": list("abcdefgh"), "period": [2020], "code": list(tree.index)})
    summ, load = pca(da, tree)
    assert summ.iloc[0].n_eigen_gt1 == 2 and summ.iloc[0].multidimensional
    assert set(load.component) == {1, 2}


_items = arrays(np.float64, st.tuples(st.integers(3, 15), st.integers(2, 5)),
                elements=st.floats(-50, 50, allow_nan=False, width=32))


@settings(max_examples=80, deadline=None)
@given(_items)
def test_property_alpha_at_most_one_and_matches_definition(X):
    a = cronbach_alpha(X)
    k = X.shape[1]
    tot = X.sum(1).var(ddof=1)
    if np.isnan(a):
        return
    assert a <= 1 + 1e-9
    # oracle: the textbook formula on row totals
    expected = k / (k - 1) * (1 - X.var(0, ddof=1).sum() / tot)
    assert a == pytest.approx(expected, rel=1e-6, abs=1e-6)


@settings(max_examples=60, deadline=None)
@given(_items)
def test_property_pca_eigenvalues(X):
    vals, vecs, n = pca_eigen(X[None])
    if np.isnan(vals).any():
        return
    k = X.shape[1]
    assert vals.sum() == pytest.approx(k)
    assert 1 / k - 1e-9 <= vals[0, 0] / k <= 1 + 1e-9
    assert np.all(np.diff(vals[0]) <= 1e-12)
    np.testing.assert_allclose(vecs[0].T @ vecs[0], np.eye(k), atol=1e-9)
