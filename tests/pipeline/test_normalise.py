import numpy as np
import pytest

from holisec.pipeline._panel import PipelineError
from holisec.pipeline.steps.normalise import normalise

from .conftest import column, make_panel


def flat(panel):
    return panel.values.ravel().tolist()


def test_minmax_default_and_range(small_framework):
    x = column([1, 2, 3, 5], indicators=["a1"])
    assert flat(normalise(x, "minmax")[0]) == [0, 25, 50, 100]
    assert flat(normalise(x, "minmax", lo=1, hi=100)[0]) == [1, 25.75, 50.5, 100]


def test_direction_is_applied_including_group_directions(small_framework):
    # a2: direction -1; b1: +1 but its group B has -1 -> effective -1; a1: +1
    panel = make_panel([[[1, 1, 1]], [[2, 2, 2]], [[5, 5, 5]]], indicators=["a1", "a2", "b1"])
    out, report = normalise(panel, "minmax", framework=small_framework)
    assert out.sel(indicator="a1").values.ravel().tolist() == [0, 25, 100]
    assert out.sel(indicator="a2").values.ravel().tolist() == [100, 75, 0]
    assert out.sel(indicator="b1").values.ravel().tolist() == [100, 75, 0]
    assert dict(zip(report["indicator"], report["direction"])) == {"a1": 1, "a2": -1, "b1": -1}


def test_panel_scope_keeps_trends_period_scope_does_not():
    panel = make_panel([[[0], [5]], [[10], [20]]])  # entity x period
    by_panel, _ = normalise(panel, "minmax", scope="panel")
    by_period, _ = normalise(panel, "minmax", scope="period")
    assert by_panel.values[:, :, 0].tolist() == [[0, 25], [50, 100]]
    assert by_period.values[:, :, 0].tolist() == [[0, 0], [100, 100]]


def test_zscore_with_target_mean_and_sd():
    x = column([1, 2, 3])
    assert flat(normalise(x, "zscore")[0]) == [-1, 0, 1]
    assert flat(normalise(x, "zscore", mean=100, sd=10)[0]) == [90, 100, 110]


def test_rank_borda_percentile_rank_with_ties_and_nan():
    x = column([3, 1, 3, 2, np.nan])
    assert flat(normalise(x, "rank")[0])[:4] == [3, 1, 3, 2]
    assert flat(normalise(x, "borda")[0])[:4] == [2, 0, 2, 1]
    assert flat(normalise(x, "prank")[0])[:4] == pytest.approx([2 / 3, 0, 2 / 3, 1 / 3])
    assert np.isnan(flat(normalise(x, "rank")[0])[4])


def test_goalposts_from_framework_clipped_and_flipped(small_framework):
    x = column([-5, 5, 15], indicators=["a2"])  # a2 goalposts (0, 10), direction -1
    assert flat(normalise(x, "goalposts", framework=small_framework)[0]) == [100, 50, 0]
    x1 = column([-5, 5, 15], indicators=["a1"])
    out, _ = normalise(x1, "goalposts", framework=small_framework, posts={"a1": (0, 10)}, scale=1, clip=False)
    assert flat(out) == [-0.5, 0.5, 1.5]
    with pytest.raises(PipelineError, match="goalposts"):
        normalise(x1, "goalposts", framework=small_framework)


def test_distance_to_reference_and_frontier():
    x = column([2, 4, 6])
    assert flat(normalise(x, "dist2ref", reference="E2")[0]) == [0, 1, 2]
    assert flat(normalise(x, "dist2ref", reference="E2", cap=True)[0]) == [0, 1, 1]
    assert flat(normalise(x, "dist2max")[0]) == [0, 0.5, 1]
    assert flat(normalise(column([2, 4, 8]), "fracmax")[0]) == [0.25, 0.5, 1]


def test_target_ratio_and_its_inverse_for_negative_direction(small_framework):
    assert flat(normalise(column([50, 100], indicators=["a1"]), "target", targets={"a1": 100})[0]) == [0.5, 1]
    out, _ = normalise(column([50, 100], indicators=["a2"]), "target", framework=small_framework,
                       targets={"a2": 100})
    assert flat(out) == [2, 1]


def test_unknown_method():
    with pytest.raises(PipelineError, match="unknown method 'nope'"):
        normalise(column([1, 2]), "nope")
