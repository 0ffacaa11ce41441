"""Property-based checks of invariants that hold for any data."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from holisec.framework import from_dict
from holisec.pipeline.steps.aggregate import aggregate
from holisec.pipeline.steps.impute import impute
from holisec.pipeline.steps.normalise import normalise

from .conftest import make_panel

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
maybe_missing = st.one_of(finite, st.just(np.nan))
panels = arrays("float64", st.tuples(st.integers(2, 6), st.integers(1, 4), st.integers(1, 3)), elements=maybe_missing)
settings.register_profile("pipeline", max_examples=60, deadline=None)
settings.load_profile("pipeline")


@given(panels, st.floats(-10, 10), st.floats(1, 100))
def test_minmax_lies_within_lo_hi(values, lo, width):
    out, _ = normalise(make_panel(values), "minmax", lo=lo, hi=lo + width)
    got = out.values[np.isfinite(out.values)]
    assert np.all(got >= lo - 1e-9) and np.all(got <= lo + width + 1e-9)


# integer-valued inputs keep distinct values distinct after the affine map (no float ties)
integer_panels = arrays("float64", st.tuples(st.integers(2, 6), st.integers(1, 4), st.integers(1, 3)),
                        elements=st.one_of(st.integers(-1000, 1000).map(float), st.just(np.nan)))


@given(integer_panels, st.floats(0.01, 100), st.floats(-1e3, 1e3),
       st.sampled_from(["minmax", "zscore", "rank", "prank"]), st.sampled_from(["panel", "period"]))
def test_normalisation_invariant_to_positive_affine_maps(values, scale, shift, method, scope):
    base, _ = normalise(make_panel(values), method, scope=scope)
    moved, _ = normalise(make_panel(values * scale + shift), method, scope=scope)
    np.testing.assert_allclose(moved.values, base.values, rtol=1e-6, atol=1e-6)


@given(arrays("float64", st.tuples(st.integers(1, 5), st.integers(1, 3), st.integers(2, 4)), elements=maybe_missing),
       st.lists(st.floats(0.1, 10), min_size=4, max_size=4))
def test_arithmetic_mean_within_children_range(values, raw_weights):
    codes = [f"c{i}" for i in range(values.shape[2])]
    fw = from_dict({"id": "f", "name": "f", "groups": [{"id": "G", "name": "G"}],
                    "indicators": [{"id": c, "name": c, "parent": "G", "weight": w} for c, w in zip(codes, raw_weights)]})
    scores, _ = aggregate(make_panel(values, indicators=codes), "amean", framework=fw)
    g = scores.sel(code="G").values
    with np.errstate(all="ignore"):
        lo, hi = np.nanmin(np.where(np.isnan(values), np.inf, values), axis=-1), np.nanmax(
            np.where(np.isnan(values), -np.inf, values), axis=-1)
    ok = np.isfinite(g)
    assert np.array_equal(ok, np.isfinite(values).any(axis=-1))
    scale = np.maximum(np.abs(lo[ok]), np.abs(hi[ok])) * 1e-9 + 1e-9
    assert np.all(g[ok] >= lo[ok] - scale) and np.all(g[ok] <= hi[ok] + scale)


@given(panels, st.sampled_from(["linear", "locf", "group_mean", "group_median", "knn"]))
def test_imputation_never_changes_observed_values(values, method):
    panel = make_panel(values)
    params = {}
    if method.startswith("group"):
        params["by"] = pd.Series({e: ("a" if i % 2 else "b") for i, e in enumerate(panel["entity"].values)})
    if method == "knn":
        params["n_neighbors"] = 2
    out, report = impute(panel, method, **params)
    observed = ~np.isnan(values)
    np.testing.assert_array_equal(out.values[observed], values[observed])
    assert len(report) == int((np.isnan(values) & ~np.isnan(out.values)).sum())
    assert report["before"].isna().all()


@pytest.mark.parametrize("method", ["linear", "locf"])
@given(st.lists(maybe_missing, min_size=1, max_size=8))
def test_single_series_fill_is_bounded_by_observations(method, series):
    values = np.array(series)[None, :, None]
    assume(np.isfinite(values).any())
    out, _ = impute(make_panel(values), method, **({"extrapolate": "both"} if method == "linear" else {"nocb": True}))
    assert np.isfinite(out.values).all()
    obs = values[np.isfinite(values)]
    assert out.values.min() >= obs.min() - 1e-9 * max(1, abs(obs.min()))
    assert out.values.max() <= obs.max() + 1e-9 * max(1, abs(obs.max()))
