"""The build chunked over entities on Dask equals the in-memory build exactly."""
from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from holisec.framework import from_dict
from holisec.pipeline import PipelineError, build
from holisec.pipeline.chunked import build_chunked

pytest.importorskip("distributed")

RECIPE = {"name": "scale", "steps": [
    {"step": "impute", "method": "linear", "params": {"extrapolate": "both", "limit": 3}},
    {"step": "treat", "method": "jrc", "params": {"winmax": 5}},
    {"step": "normalise", "method": "minmax", "params": {"lo": 1.0, "hi": 100.0}},
    {"step": "aggregate", "method": "amean", "params": {"min_share": 0.5}}]}


def synthetic(n_entities=230, n_indicators=24, n_periods=6, seed=0):
    rng = np.random.default_rng(seed)
    values = rng.lognormal(sigma=1.2, size=(n_entities, n_periods, n_indicators))
    values[:, :, ::5] = rng.normal(size=(n_entities, n_periods, len(range(0, n_indicators, 5))))  # not skewed
    values[[3, 9], 0, 5] = [25.0, 18.0]  # a normal indicator with two outliers: winsorised, then passes
    values[rng.random(values.shape) < 0.15] = np.nan
    values[:4, :, 7] = np.nan  # an entity-series that stays missing
    panel = xr.DataArray(values, dims=("entity", "period", "indicator"), coords={
        "entity": [f"C{k:04d}" for k in range(n_entities)], "period": np.arange(2010, 2010 + n_periods),
        "indicator": [f"x{k:02d}" for k in range(n_indicators)]})
    n_groups = 4
    framework = from_dict({
        "id": "scale", "name": "scale",
        "groups": [{"id": "R", "name": "R"}] + [{"id": f"d{g}", "name": f"d{g}", "parent": "R"}
                                                for g in range(n_groups)],
        "indicators": [{"id": f"x{k:02d}", "name": f"x{k:02d}", "parent": f"d{k % n_groups}",
                        "direction": -1 if k % 7 == 0 else 1} for k in range(n_indicators)]})
    return panel, framework


def _recipe(**changes):
    steps = [dict(s, params={**s["params"], **changes.get(s["step"], {})}) for s in RECIPE["steps"]]
    return {**RECIPE, "steps": steps}


@pytest.mark.parametrize("changes", [{}, {"treat": {"combine": True, "winmax": 2}},
                                     {"treat": {"transform": "none"}, "normalise": {"scope": "period"}},
                                     {"aggregate": {"min_share": 0.0}}])
def test_chunked_equals_in_memory(changes):
    panel, framework = synthetic()
    recipe = _recipe(**changes)
    memory = build(recipe, panel, framework)
    chunked = build_chunked(recipe, panel, framework, chunk=37, indicator_block=5)
    # the panel exercises every JRC outcome, so the test is not vacuous
    methods = set(memory.reports["treated"]["method"])
    assert methods >= ({"winhi"} if changes.get("treat", {}).get("transform") == "none" else {"winhi", "log_ct"})
    np.testing.assert_array_equal(chunked.values, memory.scores.transpose("entity", "period", "code").values)
    assert list(chunked["code"].values) == list(memory.scores["code"].values)
    assert list(chunked["entity"].values) == list(memory.scores["entity"].values)


def test_chunked_on_a_local_cluster_equals_in_memory():
    panel, framework = synthetic(seed=1)
    memory = build(RECIPE, panel, framework).scores
    dask = build_chunked(RECIPE, panel, framework, chunk=50, scheduler="local", codes="aggregates")
    expect = memory.sel(code=list(dask["code"].values)).transpose("entity", "period", "code")
    assert list(dask["code"].values) == ["d0", "d1", "d2", "d3", "R"]
    np.testing.assert_array_equal(dask.values, expect.values)


def test_dask_backed_panel_is_not_loaded_whole():
    import dask.array as da

    panel, framework = synthetic(seed=2)
    lazy = panel.copy(data=da.from_array(panel.values, chunks=(40, -1, -1)))
    np.testing.assert_array_equal(build_chunked(RECIPE, lazy, framework, chunk=40).values,
                                  build(RECIPE, panel, framework).scores.transpose("entity", "period", "code").values)


def test_steps_that_need_all_entities_are_refused_by_name():
    panel, framework = synthetic()
    recipe = {"name": "r", "steps": [{"step": "impute", "method": "group_median", "params": {"by": "region"}},
                                     {"step": "normalise", "method": "minmax"},
                                     {"step": "aggregate", "method": "amean"}]}
    with pytest.raises(PipelineError, match=r"steps\[0\] \(impute group_median\).*build\(\) in memory"):
        build_chunked(recipe, panel, framework)


def test_a_panel_over_the_memory_budget_is_streamed_with_the_same_scores():
    """``memory=0``: nothing is held between the passes over all entities (each pass recomputes
    the blocks); the scores are identical to the in-memory build."""
    panel, framework = synthetic(seed=3)
    memory = build(RECIPE, panel, framework).scores.transpose("entity", "period", "code").values
    streamed = build_chunked(RECIPE, panel, framework, chunk=37, memory=0)
    np.testing.assert_array_equal(streamed.values, memory)
    with pytest.raises(PipelineError, match="500MB or 2GB"):
        build_chunked(RECIPE, panel, framework, memory="lots")
