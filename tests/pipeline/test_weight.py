import numpy as np
import pytest
import xarray as xr

from holisec.framework import from_dict
from holisec.pipeline._panel import PipelineError
from holisec.pipeline.steps.weight import weight


def scores_for(columns: dict[str, list[float]]) -> xr.DataArray:
    codes = list(columns)
    n = len(next(iter(columns.values())))
    arr = np.array([columns[c] for c in codes], dtype=float).T[:, None, :]
    return xr.DataArray(arr, dims=("entity", "period", "code"),
                        coords={"entity": [f"E{i}" for i in range(n)], "period": [2000], "code": codes})


def flat_framework(children: list[str]):
    return from_dict({"id": "f", "name": "f",
                      "groups": [{"id": "R", "name": "R"}, {"id": "G", "name": "G", "parent": "R"}],
                      "indicators": [{"id": c, "name": c, "parent": "G"} for c in children]})


def test_equal_and_explicit_weights_sum_to_one_within_parent(small_framework):
    eq, _ = weight(small_framework, "equal")
    assert eq[["a1", "a2", "b1", "A", "B", "R"]].tolist() == [0.5, 0.5, 1.0, 0.5, 0.5, 1.0]
    fw, _ = weight(small_framework, "framework")  # a1 weight 1, a2 weight 3
    assert fw[["a1", "a2"]].tolist() == [0.25, 0.75]
    over, _ = weight(small_framework, "framework", weights={"a1": 3, "A": 3})
    assert over[["a1", "a2", "A", "B"]].tolist() == [0.5, 0.5, 0.75, 0.25]
    with pytest.raises(PipelineError, match="zz"):
        weight(small_framework, "framework", weights={"zz": 1})


def test_pca_weights_are_squared_first_eigenvector():
    # a and b perfectly correlated, c uncorrelated with both: R = [[1,1,0],[1,1,0],[0,0,1]],
    # first eigenvector (1, 1, 0)/sqrt(2) -> weights (0.5, 0.5, 0)
    a = [1, 2, 3, 4]
    scores = scores_for({"a": a, "b": [2 * v for v in a], "c": [1, -1, -1, 1]})
    w, report = weight(flat_framework(["a", "b", "c"]), "pca", scores=scores)
    assert w[["a", "b", "c"]].tolist() == pytest.approx([0.5, 0.5, 0.0], abs=1e-12)
    assert report.set_index("code").at["a", "statistic"] == pytest.approx(2 / 3)


def test_optimised_weights_equalise_correlations_of_uncorrelated_children():
    # x1, x2 uncorrelated with sample sds s1 = sqrt(5/3), s2 = sqrt(16/3). Equal correlation
    # with the weighted mean requires w1 s1 = w2 s2, so w1 = s2 / (s1 + s2).
    x1 = [-1.5, -0.5, 0.5, 1.5]
    x2 = [2, -2, -2, 2]
    s1, s2 = np.sqrt(5 / 3), np.sqrt(16 / 3)
    for importance in ("r", "r2"):
        w, report = weight(flat_framework(["x1", "x2"]), "optimise", scores=scores_for({"x1": x1, "x2": x2}),
                           importance=importance, seed=3)
        assert w["x1"] == pytest.approx(s2 / (s1 + s2), abs=1e-4)
        assert report.set_index("code").loc[["x1", "x2"], "statistic"].tolist() == pytest.approx([0.5, 0.5], abs=1e-6)


def test_optimised_weights_follow_unequal_targets_and_are_reproducible():
    rng = np.random.default_rng(0)
    data = {c: rng.normal(size=40).tolist() for c in ("p", "q", "r")}
    fw = flat_framework(["p", "q", "r"])
    w1, rep = weight(fw, "optimise", scores=scores_for(data), targets={"p": 2, "q": 1, "r": 1}, seed=7)
    w2, _ = weight(fw, "optimise", scores=scores_for(data), targets={"p": 2, "q": 1, "r": 1}, seed=7)
    assert w1.equals(w2)
    got = rep.set_index("code").loc[["p", "q", "r"], "statistic"].tolist()
    assert got == pytest.approx([0.5, 0.25, 0.25], abs=1e-4)


def test_negative_override_is_an_error_naming_the_key_and_group(small_framework):
    with pytest.raises(PipelineError, match=r"params\.weights\.a2 = -2 \(group 'A'\).*must be >= 0"):
        weight(small_framework, "framework", weights={"a2": -2})


def test_all_zero_weights_from_the_framework_are_an_error(small_framework):
    raw = small_framework.model_dump()
    for ind in raw["indicators"]:
        if ind["parent"] == "A":
            ind["weight"] = 0
    fw = from_dict(raw)
    with pytest.raises(PipelineError, match=r"framework weights gives all-zero weights within group 'A'"):
        weight(fw, "framework")
    with pytest.raises(PipelineError, match=r"all-zero weights within group 'A'"):
        from holisec.pipeline.steps.aggregate import aggregate

        from .conftest import make_panel
        aggregate(make_panel([[[1, 2, 3]]], indicators=["a1", "a2", "b1"]), framework=fw)


def test_derived_weights_that_end_all_zero_are_an_error():
    # optimise with min_weight 0 cannot be checked by hand to end at zero, so feed pca an
    # override that zeroes the group above the pca level (the root's children): an error names it
    a = [1.0, 2.0, 3.0, 4.0]
    fw = flat_framework(["a", "b"])
    scores = scores_for({"a": a, "b": [4.0, 1.0, 3.0, 2.0]})
    with pytest.raises(PipelineError, match=r"pca weights on framework weights with params\.weights overrides "
                                            r"gives all-zero weights within group 'R' \(children \['G'\]\)"):
        weight(fw, "pca", scores=scores, weights={"G": 0})
