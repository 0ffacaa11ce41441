"""Within-group and cross-level correlations against hand-computed values."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from holisec.audit import correlation_matrix, cross_level, within_group
from holisec.audit._common import correlate


def _pair(df, a, b, method="pearson"):
    row = df[(df.code_a == a) & (df.code_b == b) & (df.method == method)]
    assert len(row) == 1
    return row.iloc[0]


def test_within_group_hand_values(scores, tree):
    # Deviations from the mean (3): a = [-2,-1,0,1,2], b = [-1,-2,1,0,2], c = [-2,0,-1,2,1];
    # every sum of squares is 10.
    # r_ab = (2+2+0+0+4)/10 = 0.8; r_ac = (4+0+0+2+2)/10 = 0.8; r_bc = (2+0-1+0+2)/10 = 0.3.
    # The data are ranks without ties, so Spearman = Pearson.
    w = within_group(scores, tree)
    for m in ("pearson", "spearman"):
        assert _pair(w, "a", "b", m).r == pytest.approx(0.8)
        assert _pair(w, "a", "c", m).r == pytest.approx(0.8)
        assert _pair(w, "b", "c", m).r == pytest.approx(0.3)
    assert (w.n == 10).all()  # pooled over 5 entities x 2 periods
    assert w.period.isna().all()


def test_planted_flags(scores, tree):
    # x dev [-2,-1,0,1,2]; y = [2,4,6,8,11], mean 6.2, dev [-4.2,-2.2,-0.2,1.8,4.8]
    # Sxy = 8.4+2.2+0+1.8+9.6 = 22, Syy = 48.8 -> r_xy = 22/sqrt(488) = 0.99589 > 0.9
    # z dev [2,1,0,-2,-1]: Sxz = -4-1+0-2-2 = -9 -> r_xz = -0.9 (negative, |r| not > 0.9)
    # Syz = -8.4-2.2+0-3.6-4.8 = -19 -> r_yz = -19/sqrt(488) = -0.86009
    w = within_group(scores, tree, method="pearson")
    xy, xz, yz = _pair(w, "x", "y"), _pair(w, "x", "z"), _pair(w, "y", "z")
    assert xy.r == pytest.approx(22 / math.sqrt(488))
    assert xz.r == pytest.approx(-0.9)
    assert yz.r == pytest.approx(-19 / math.sqrt(488))
    assert xy.redundant and not xy.negative
    assert xz.negative and not xz.redundant
    assert yz.negative
    clean = w[w.parent == "G"]
    assert not clean.redundant.any() and not clean.negative.any()
    # the level-2 pair G ~ F is evaluated too (children of IDX)
    assert set(w.parent) == {"G", "F", "IDX"}


def test_by_period_identical_to_pooled_here(scores, tree):
    # 2001 is a permutation of the 2000 rows, so both periods give the same r.
    w = within_group(scores, tree, method="pearson", by_period=True)
    assert sorted(w.period.unique()) == [2000, 2001]
    assert (w.n == 5).all()
    for p in (2000, 2001):
        assert _pair(w[w.period == p], "a", "b").r == pytest.approx(0.8)
    w1 = within_group(scores, tree, method="pearson", period=2000)
    assert _pair(w1, "b", "c").r == pytest.approx(0.3)


def test_complete_vs_pairwise(scores, tree):
    s = scores.copy()
    s.loc[dict(entity="e5", period=2000, code="c")] = np.nan
    pw = within_group(s, tree, method="pearson", use="pairwise")
    cc = within_group(s, tree, method="pearson", use="complete")
    # pairwise keeps 10 cases for (a, b), listwise drops the case where c is missing
    assert _pair(pw, "a", "b").n == 10
    assert _pair(cc, "a", "b").n == 9
    ref = s.sel(code=["a", "b"]).stack(obs=("entity", "period")).T.to_pandas()
    assert _pair(pw, "a", "b").r == pytest.approx(ref.corr().iloc[0, 1])


def test_cross_level_hand_values(scores, tree):
    # G = (a+b+c)/3. With var = 2.5 for each child and cov_ab = cov_ac = 2, cov_bc = 0.75:
    # var(a+b+c) = 7.5 + 2*(2+2+0.75) = 17; cov(a, a+b+c) = 2.5+2+2 = 6.5,
    # cov(b, a+b+c) = 2.5+2+0.75 = 5.25  ->  r(a,G) = 6.5/sqrt(2.5*17) = 0.99705,
    # r(b,G) = r(c,G) = 5.25/sqrt(42.5) = 0.80531.
    c = cross_level(scores, tree, method="pearson")
    par = c[c.relation == "parent"].set_index("code")
    assert par.at["a", "r"] == pytest.approx(6.5 / math.sqrt(42.5))
    assert par.at["b", "r"] == pytest.approx(5.25 / math.sqrt(42.5))
    assert par.at["a", "aggregate"] == "G" and par.at["G", "aggregate"] == "IDX"
    rel = c.set_index(["code", "aggregate"]).relation
    assert rel[("a", "IDX")] == "ancestor" and rel[("a", "F")] == "other"
    assert ("G", "F") not in rel.index  # same level: not a cross-level pair
    # F = (x+y+z)/3 = [8,10,12,13,18]/3; x+y+z has mean 12.2, dev [-4.2,-2.2,-0.2,0.8,5.8],
    # SS = 17.64+4.84+0.04+0.64+33.64 = 56.8.
    # z dev [2,1,0,-2,-1]: S = -8.4-2.2+0-1.6-5.8 = -18 -> r(z,F) = -18/sqrt(10*56.8) < 0.
    assert par.at["z", "r"] == pytest.approx(-18 / math.sqrt(568))
    assert par.at["z", "negative_with_parent"]
    assert not par.loc[["a", "b", "c", "x", "y"], "negative_with_parent"].any()
    assert not par.loc[["a", "b", "c"], "weak_with_parent"].any()
    # x equals a, so r(x, G) = r(a, G) = 0.99705, while with its own parent
    # r(x, F) = (8.4+2.2+0+0.8+11.6)/sqrt(10*56.8) = 23/sqrt(568) = 0.96506 -> "better elsewhere".
    # y dev [-4.2,-2.2,-0.2,1.8,4.8] (SS 48.8): r(y,F) = 51.8/sqrt(48.8*56.8) = 0.98389 and
    # r(y,G) = (21+6.6+0+5.4+24)/sqrt(48.8*68) = 57/sqrt(3318.4) = 0.98949 -> flagged too.
    # b dev [-1,-2,1,0,2]: r(b,F) = (4.2+4.4-0.2+0+11.6)/sqrt(568) = 20/sqrt(568) = 0.83918
    # > r(b,G) = 0.80531 -> flagged; c dev [-2,0,-1,2,1]: r(c,F) = 16/sqrt(568) = 0.67135
    # < 0.80531 -> not; a: r(a,F) = 0.96506 < 0.99705 -> not; z: r(z,G) = -24/sqrt(680) < r(z,F) -> not.
    assert par.at["x", "r"] == pytest.approx(23 / math.sqrt(568))
    assert par.at["y", "r"] == pytest.approx(51.8 / math.sqrt(48.8 * 56.8))
    assert par.at["b", "r"] == pytest.approx(5.25 / math.sqrt(42.5))
    assert par.loc[["x", "y", "b"], "better_elsewhere"].all()
    assert not par.loc[["a", "c", "z"], "better_elsewhere"].any()


def test_correlation_matrix_matches_pandas(scores):
    m = correlation_matrix(scores, ["a", "b", "c"], method="spearman", period=2000)
    ref = scores.sel(period=2000, code=["a", "b", "c"]).to_pandas().corr("spearman")
    np.testing.assert_allclose(m.to_numpy(), ref.to_numpy())
    assert list(m.index) == ["a", "b", "c"]


def test_bad_inputs(scores, tree):
    with pytest.raises(ValueError, match="dims"):
        within_group(scores.rename(code="indicator"), tree)
    with pytest.raises(KeyError):
        within_group(scores, tree, period=1999)
    with pytest.raises(ValueError, match="use"):
        within_group(scores, tree, use="listwise")


_data = arrays(np.float64, st.tuples(st.integers(1, 3), st.integers(4, 12), st.integers(2, 5)),
               elements=st.one_of(st.floats(-100, 100, allow_nan=False, width=32), st.just(np.nan)))


@settings(max_examples=60, deadline=None)
@given(_data, st.sampled_from(["pearson", "spearman"]), st.sampled_from(["pairwise", "complete"]))
def test_property_symmetric_unit_diagonal_and_pandas_oracle(X, method, use):
    r, n = correlate(X, method, use)
    np.testing.assert_array_equal(r, np.swapaxes(r, -1, -2))
    np.testing.assert_array_equal(n, np.swapaxes(n, -1, -2))
    finite = r[np.isfinite(r)]
    assert ((finite >= -1) & (finite <= 1)).all()
    diag = np.diagonal(r, axis1=-2, axis2=-1)
    assert np.all((diag == 1.0) | np.isnan(diag))
    for b in range(X.shape[0]):  # oracle: pandas (pairwise) / pandas on dropna (complete)
        df = pd.DataFrame(X[b])
        ref = df.corr(method, min_periods=3) if use == "pairwise" else df.dropna().corr(method, min_periods=3)
        got = r[b]
        both = np.isfinite(got) & np.isfinite(ref.to_numpy())
        np.testing.assert_allclose(got[both], ref.to_numpy()[both], atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(_data, st.sampled_from(["pearson", "spearman"]), st.sampled_from(["pairwise", "complete"]),
       st.data())
def test_property_row_subset_equals_full_matrix(X, method, use, data):
    from holisec.audit._common import correlate_rows

    K = X.shape[-1]
    rows = data.draw(st.lists(st.integers(0, K - 1), min_size=1, max_size=K, unique=True))
    full, nf = correlate(X, method, use)
    sub, ns = correlate_rows(X, rows, method, use)
    np.testing.assert_allclose(sub, full[:, rows, :], atol=1e-12)
    np.testing.assert_array_equal(ns, nf[:, rows, :])
