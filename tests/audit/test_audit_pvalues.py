"""p-values of correlations and COINr's ``pval`` mask, against scipy.stats."""
from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from scipy import stats

from holisec.audit import correlation_matrix, cross_level, within_group
from holisec.audit._common import correlation_pvalue


@pytest.fixture(scope="module")
def noisy():
    rng = np.random.default_rng(7)
    n = 25
    a = rng.normal(size=n)
    b = 1.5 * a + rng.normal(size=n)  # clearly correlated with a
    c = rng.normal(size=n)  # unrelated
    d = np.where(np.arange(n) % 5 == 0, np.nan, 0.3 * a + rng.normal(size=n))  # with gaps
    X = np.stack([a, b, c, d], axis=-1)[:, None, :]
    return xr.DataArray(X, dims=("entity", "period", "code"),
                        coords={"entity": [f"E{i}" for i in range(n)], "period": [2020], "code": list("abcd")})


@pytest.mark.parametrize("method, test", [("pearson", stats.pearsonr), ("spearman", stats.spearmanr)])
def test_pvalues_equal_scipy_pairwise(noisy, method, test):
    p = correlation_matrix(noisy, method=method, values="p")
    r = correlation_matrix(noisy, method=method)
    X = noisy.isel(period=0).to_pandas()
    for i in "abcd":
        for j in "abcd":
            if i == j:
                assert p.at[i, j] == 0.0
                continue
            ok = X[i].notna() & X[j].notna()
            res = test(X.loc[ok, i], X.loc[ok, j])
            assert r.at[i, j] == pytest.approx(res[0], abs=1e-12)
            assert p.at[i, j] == pytest.approx(res[1], rel=1e-9, abs=1e-15)


def test_pval_mask_sets_insignificant_correlations_missing_like_coinr(noisy):
    r = correlation_matrix(noisy)
    p = correlation_matrix(noisy, values="p")
    masked = correlation_matrix(noisy, pval=0.05)
    keep = p.to_numpy() < 0.05
    np.testing.assert_array_equal(np.isnan(masked.to_numpy()), ~keep)
    np.testing.assert_allclose(masked.to_numpy()[keep], r.to_numpy()[keep])
    assert np.isnan(masked.at["a", "c"]) and masked.at["a", "b"] == r.at["a", "b"]
    assert np.diag(masked.to_numpy()).tolist() == [1.0] * 4
    with pytest.raises(ValueError, match="pval must be in"):
        correlation_matrix(noisy, pval=1.5)


def test_tables_carry_p_values(noisy):
    import pandas as pd
    tree = pd.DataFrame({"type": ["Indicator"] * 4 + ["Aggregate"], "parent": ["G"] * 4 + [None],
                         "weight": 1.0, "level": [1] * 4 + [2]}, index=list("abcd") + ["G"])
    scores = xr.concat([noisy, noisy.mean("code").expand_dims(code=["G"])], dim="code")
    w = within_group(scores, tree, method="pearson")
    row = w[(w.code_a == "a") & (w.code_b == "b")].iloc[0]
    assert row.p == pytest.approx(stats.pearsonr(noisy.sel(code="a").values.ravel(),
                                                 noisy.sel(code="b").values.ravel())[1], rel=1e-9)
    c = cross_level(scores, tree, method="spearman")
    assert c["p"].between(0, 1).all()


def test_correlation_pvalue_edge_cases():
    assert correlation_pvalue(np.array([1.0, np.nan, 0.0]), np.array([10, 10, 2])).tolist()[0] == 0.0
    out = correlation_pvalue(np.array([np.nan, 0.0]), np.array([10, 2]))
    assert np.isnan(out).all()
    assert correlation_pvalue(np.array(0.0), np.array(30)) == pytest.approx(1.0)
