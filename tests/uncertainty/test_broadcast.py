"""Every pipeline step broadcasts over an extra leading dim: each slice equals the step on that slice."""
from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from holisec.pipeline import Recipe, build
from holisec.pipeline.steps.aggregate import aggregate
from holisec.pipeline.steps.impute import impute
from holisec.pipeline.steps.normalise import normalise
from holisec.pipeline.steps.treat import treat
from holisec.pipeline.steps.weight import within_parent, within_parent_array

R = 3


def _stack(asem_panel) -> xr.DataArray:
    """R different panels: the data scaled and shifted per slice, some extra holes."""
    base = asem_panel
    rng = np.random.default_rng(0)
    slices = []
    for r in range(R):
        noise = 1 + 0.05 * rng.standard_normal(base.shape)
        slices.append(base * noise)
    return xr.concat(slices, dim="replication").assign_coords(replication=np.arange(R))


def _same(batched, step):
    for r in range(R):
        alone = step(r)
        np.testing.assert_allclose(batched.isel(replication=r).values, alone.values, rtol=0, atol=1e-12)


@pytest.mark.parametrize("method,params", [
    ("linear", {"extrapolate": "both", "limit": 2}),
    ("locf", {"nocb": True}),
    ("group_mean", {"scope": "period"}),
    ("group_median", {"scope": "panel"}),
])
def test_impute_broadcasts(asem, method, params):
    panel, _, groups, _ = asem
    data = _stack(panel.isel(indicator=slice(0, 12)))
    if "scope" in params:
        params = {**params, "by": groups["GDPpc_group"]}
    out, report = impute(data, method, **params)
    assert out.dims == data.dims
    _same(out, lambda r: impute(data.isel(replication=r, drop=True), method, **params)[0])
    assert "replication" in report.columns


@pytest.mark.parametrize("scope", ["panel", "period"])
def test_treat_broadcasts(asem, scope):
    panel, *_ = asem
    data = _stack(panel)
    out, report = treat(data, "jrc", winmax=3, scope=scope)
    _same(out, lambda r: treat(data.isel(replication=r, drop=True), "jrc", winmax=3, scope=scope)[0])
    alone = treat(data.isel(replication=1, drop=True), "jrc", winmax=3, scope=scope)[1]
    mine = report[report["replication"] == 1].drop(columns="replication").reset_index(drop=True)
    assert len(mine) == len(alone) and list(mine["indicator"]) == list(alone["indicator"])


@pytest.mark.parametrize("method,params", [
    ("minmax", {"lo": 1.0, "hi": 100.0}), ("zscore", {"mean": 10.0, "sd": 2.0}), ("rank", {}),
    ("minmax", {"scope": "period"}),
])
def test_normalise_broadcasts(asem, method, params):
    panel, framework, *_ = asem
    data = _stack(panel.sel(indicator=framework.indicator_ids))
    out, _ = normalise(data, method, framework=framework, **params)
    assert out.dims == ("replication", "entity", "period", "indicator")
    _same(out, lambda r: normalise(data.isel(replication=r, drop=True), method, framework=framework, **params)[0])


@pytest.mark.parametrize("method", ["amean", "gmean", "hmean", "mpi"])
def test_aggregate_broadcasts_over_data_and_weights(asem, method):
    panel, framework, *_ = asem
    data, _ = normalise(_stack(panel.sel(indicator=framework.indicator_ids)), "minmax", framework=framework, lo=1.0)
    codes = list(framework.tree.index)
    rng = np.random.default_rng(1)
    raw = xr.DataArray(rng.uniform(0.5, 1.5, (R, len(codes))), dims=("replication", "code"),
                       coords={"replication": np.arange(R), "code": codes})
    weights = within_parent_array(raw, framework)
    out, _ = aggregate(data, method, framework=framework, weights=weights, min_share=0.5)

    def alone(r):
        w = within_parent(raw.isel(replication=r).to_series(), framework)
        return aggregate(data.isel(replication=r, drop=True), method, framework=framework, weights=w, min_share=0.5)[0]
    _same(out, alone)
    # weights per replication on shared data: the same numbers
    shared = data.isel(replication=0, drop=True)
    out2, _ = aggregate(shared, method, framework=framework, weights=weights, min_share=0.5)
    for r in range(R):
        w = within_parent(raw.isel(replication=r).to_series(), framework)
        np.testing.assert_allclose(out2.isel(replication=r).values,
                                   aggregate(shared, method, framework=framework, weights=w, min_share=0.5)[0].values,
                                   rtol=0, atol=1e-12)


def test_zero_weight_leaves_a_child_out(two_group_framework):
    from tests.uncertainty.conftest import tiny_panel

    data = tiny_panel([[[10, 20, 30, 40]], [[50, 60, 70, 80]]], indicators=["a1", "a2", "b1", "b2"])
    w = xr.DataArray([[1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 0, 1, 1, 1]], dims=("replication", "code"),
                     coords={"code": list(two_group_framework.tree.index)})
    out, _ = aggregate(data, "amean", framework=two_group_framework,
                       weights=within_parent_array(w.astype(float), two_group_framework))
    tree = list(two_group_framework.tree.index)
    left_out = tree[3]
    group = two_group_framework.tree.at[left_out, "parent"]
    kids = [c for c in two_group_framework.children(group) if c != left_out]
    assert float(out.isel(replication=1, entity=0, period=0).sel(code=group)) == pytest.approx(
        float(data.isel(entity=0, period=0).sel(indicator=kids).mean()))


def test_all_zero_weights_in_a_group_is_an_error(two_group_framework):
    codes = list(two_group_framework.tree.index)
    raw = xr.DataArray([[1.0 if two_group_framework.tree.at[c, "parent"] != "A" else 0.0 for c in codes]],
                       dims=("replication", "code"), coords={"code": codes})
    with pytest.raises(ValueError, match="every child of 'A' weighs zero"):
        within_parent_array(raw, two_group_framework)


def test_build_with_periods_equals_full_build(asem):
    panel, framework, groups, recipe = asem
    two = xr.concat([panel, panel * 1.1], dim="period").assign_coords(period=[2018, 2019])
    full = build(recipe, two, framework, entity_groups=groups)
    part = build(recipe, two, framework, entity_groups=groups, periods=[2019])
    assert list(part.scores["period"].values) == [2019]
    np.testing.assert_allclose(part.scores.values, full.scores.sel(period=[2019]).values, rtol=0, atol=1e-12)


def test_build_cache_reuses_data_steps_and_gives_the_same_result(asem):
    panel, framework, groups, recipe = asem
    cache: dict = {}
    first = build(recipe, panel, framework, entity_groups=groups, cache=cache)
    assert len(cache) == 4  # denominate, impute, treat, normalise
    other = Recipe.from_dict({**recipe.canonical(), "steps": recipe.canonical()["steps"][:-1] + [
        {"step": "aggregate", "method": "copeland", "params": {}}]})
    cached = build(other, panel, framework, entity_groups=groups, cache=cache)
    fresh = build(other, panel, framework, entity_groups=groups)
    np.testing.assert_array_equal(cached.scores.values, fresh.scores.values)
    assert list(cached.datasets) == list(fresh.datasets) == list(first.datasets)
