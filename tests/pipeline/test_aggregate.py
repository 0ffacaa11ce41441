import numpy as np
import pandas as pd
import pytest

from holisec.framework import from_dict
from holisec.pipeline._panel import PipelineError
from holisec.pipeline.steps.aggregate import aggregate

from .conftest import make_panel

NAN = np.nan


def two_children(weights=(1, 1)):
    return from_dict({"id": "f", "name": "f", "groups": [{"id": "G", "name": "G"}], "indicators": [
        {"id": "x", "name": "x", "parent": "G", "weight": weights[0]},
        {"id": "y", "name": "y", "parent": "G", "weight": weights[1]}]})


def group(scores):
    return scores.sel(code="G").values.ravel().tolist()


def test_arithmetic_mean_skips_missing_and_renormalises():
    panel = make_panel([[[10, 30]], [[10, NAN]]], indicators=["x", "y"])
    scores, report = aggregate(panel, "amean", framework=two_children((1, 3)))
    assert group(scores) == [(10 + 3 * 30) / 4, 10]
    assert report.set_index("code").at["G", "n_incomplete"] == 1
    strict, report = aggregate(panel, "amean", framework=two_children((1, 3)), min_share=1.0)
    assert group(strict)[0] == 25 and np.isnan(group(strict)[1])
    assert report.set_index("code").at["G", "n_below_min_share"] == 1


def test_weights_argument_overrides_framework():
    panel = make_panel([[[10, 30]]], indicators=["x", "y"])
    scores, _ = aggregate(panel, "amean", framework=two_children(), weights=pd.Series({"x": 3.0, "y": 1.0}))
    assert group(scores) == [15.0]


def test_geometric_and_harmonic_means():
    panel = make_panel([[[4, 16]], [[2, 6]], [[1, 5]]], indicators=["x", "y"])
    g, _ = aggregate(panel, "gmean", framework=two_children())
    assert group(g) == pytest.approx([8, np.sqrt(12), np.sqrt(5)])
    g13, _ = aggregate(panel, "gmean", framework=two_children((1, 3)))
    assert group(g13)[0] == pytest.approx(4 ** 0.25 * 16 ** 0.75)
    h, _ = aggregate(panel, "hmean", framework=two_children())
    assert group(h) == pytest.approx([2 / (1 / 4 + 1 / 16), 3, 2 / (1 + 1 / 5)])
    with pytest.raises(PipelineError, match="lo: 1"):
        aggregate(make_panel([[[-1, 2]]], indicators=["x", "y"]), "gmean", framework=two_children())


@pytest.mark.parametrize("method", ["gmean", "hmean"])
def test_geometric_and_harmonic_means_refuse_zeros_and_say_what_to_do(method):
    # a zero made the old gmean/hmean return 0 for the whole group, silently (COINr stops: issue #47)
    panel = make_panel([[[4, 16]], [[0, 6]], [[2, 0]]], indicators=["x", "y"])
    with pytest.raises(PipelineError) as err:
        aggregate(panel, method, framework=two_children())
    msg = str(err.value)
    assert f"aggregate {method}: 2 of 6 input values are zero or negative (minimum 0)" in msg
    assert "x (1), y (1)" in msg and "lo: 1, hi: 100" in msg and "shift" in msg


def test_copeland_counts_pairwise_wins_minus_losses():
    fw = from_dict({"id": "f", "name": "f", "groups": [{"id": "G", "name": "G"}], "indicators": [
        {"id": c, "name": c, "parent": "G"} for c in ("x", "y", "z")]})
    # E1 beats E2 and E3 on 2 of 3; E2 beats E3 on 2 of 3; E4 ties with E2 (omega 0.5)
    panel = make_panel([[[3, 3, 1]], [[2, 2, 2]], [[1, 1, 3]], [[2, 2, 2]]], indicators=["x", "y", "z"])
    scores, _ = aggregate(panel, "copeland", framework=fw)
    # E1: +1 +1 +1 = 3; E2: -1 +1 +0 = 0; E3: -1 -1 -1 = -3; E4: -1 +1 +0 = 0
    assert group(scores) == [3, 0, -3, 0]


def test_mazziotta_pareto_penalises_imbalance():
    # z-scores (mean 100, sd 10, population sd): x -> 100 + 10 (x - 2) / sqrt(2/3)
    # E1 has z = (87.75, 112.25): M = 100, S = 10 sqrt(1.5), S * cv = S^2 / M = 1.5
    panel = make_panel([[[1, 3]], [[2, 2]], [[3, 1]]], indicators=["x", "y"])
    plus, _ = aggregate(panel, "mpi", framework=two_children())
    minus, _ = aggregate(panel, "mpi", framework=two_children(), sign=-1)
    assert group(plus) == pytest.approx([101.5, 100, 101.5])
    assert group(minus) == pytest.approx([98.5, 100, 98.5])


def test_every_level_is_aggregated(small_framework):
    panel = make_panel([[[10, 30, 50]], [[20, NAN, NAN]]], indicators=["a1", "a2", "b1"])
    scores, report = aggregate(panel, "amean", framework=small_framework)
    assert list(scores["code"].values) == ["a1", "a2", "b1", "A", "B", "R"]
    a = (10 + 3 * 30) / 4
    assert scores.sel(code="A").values.ravel().tolist() == [a, 20]
    assert scores.sel(code="R").values.ravel()[0] == pytest.approx((a + 50) / 2)
    assert scores.sel(code="R").values.ravel()[1] == 20  # B missing -> skipped
    assert dict(zip(scores["code"].values, scores["level"].values)) == {
        "a1": 1, "a2": 1, "b1": 1, "A": 2, "B": 2, "R": 3}
    assert len(report) == 3
