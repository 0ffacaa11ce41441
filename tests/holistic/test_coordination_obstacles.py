"""Coupling coordination degree and obstacle degree on hand-made data."""
from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from holisec.holistic import HolisticError
from holisec.holistic.coordination import coupling_coordination, coordination, grade
from holisec.holistic.obstacles import obstacle_degree, obstacle_table

from .conftest import RECIPE, anchored_panel


def _risk(rows):
    arr = np.array(rows, dtype=float)
    return xr.DataArray(arr, dims=("entity", "domain"),
                        coords={"entity": [f"E{i}" for i in range(len(rows))],
                                "domain": [f"d{j}" for j in range(arr.shape[1])]})


def test_coupling_coordination_by_hand():
    """U = 1 - r/100 (eps = 0): (0.5, 0.5) -> C = 1, T = 0.5, D = 0.70711; (0.25, 1) ->
    C = 2 sqrt(0.25) / 1.25 = 0.8, T = 0.625, D = sqrt(0.5)."""
    ds = coupling_coordination(_risk([[50, 50], [75, 0]]), eps=0.0)
    assert ds["C"].values == pytest.approx([1.0, 0.8])
    assert ds["T"].values == pytest.approx([0.5, 0.625])
    assert ds["D"].values == pytest.approx([np.sqrt(0.5), np.sqrt(0.5)])
    assert list(ds["grade"].values) == ["intermediate coordination"] * 2
    assert list(ds["lagging"].values) == ["d0", "d0"]


def test_eps_keeps_coupling_defined_at_maximum_risk():
    """A domain at risk 100 has U = eps = 0.01, not 0: C = 2 sqrt(0.01 * 1) / 1.01 = 0.19802."""
    ds = coupling_coordination(_risk([[100, 0]]))
    assert float(ds["C"][0]) == pytest.approx(2 * np.sqrt(0.01) / 1.01)
    assert float(ds["T"][0]) == pytest.approx(0.505)


def test_eleven_equal_domains_couple_perfectly_and_missing_is_not_measurable():
    ds = coupling_coordination(_risk([[30.0] * 11, [30.0] * 10 + [np.nan]]))
    assert float(ds["C"][0]) == pytest.approx(1.0)
    assert float(ds["D"][0]) == pytest.approx(np.sqrt(0.01 + 0.99 * 0.7))
    assert not bool(ds["measurable"][1]) and np.isnan(float(ds["D"][1])) and ds["grade"].values[1] == ""


def test_coordination_rejects_scores_off_the_risk_scale():
    with pytest.raises(HolisticError, match="outside 0..100"):
        coupling_coordination(_risk([[120, 10]]))


def test_grade_bands():
    assert list(grade(np.array([0.05, 0.1, 0.55, 0.95, 1.0, np.nan]))) == [
        "extreme disorder", "serious disorder", "barely coordinated", "quality coordination",
        "quality coordination", ""]


def test_coordination_of_a_built_index(tiny_result):
    """Domains D1 = mean(80, 20, 60) = 53.33 and D2 = mean(40, 10) = 25 for X in 2000."""
    ds = coordination(tiny_result, eps=0.0).sel(entity="X", period=2000)
    u = np.array([1 - 160 / 300, 0.75])
    assert float(ds["C"]) == pytest.approx(2 * np.sqrt(u.prod()) / u.sum())
    assert str(ds["lagging"].values) == "D1"


def test_obstacle_degree_by_hand(tiny_result):
    """F = 1/2 * 1/3 for a1..a3 and 1/2 * 1/2 for b1, b2; X in 2000: F*I = .1333, .0333, .1, .1, .025
    (sum .39167 = index / 100); O(a1) = 34.04 %, O(D1) = 68.09 %, O(D2) = 31.91 %."""
    ds = obstacle_degree(tiny_result).sel(entity="X", period=2000)
    fi = np.array([80 / 6, 20 / 6, 60 / 6, 40 / 4, 10 / 4]) / 100
    o = 100 * fi / fi.sum()
    assert ds["obstacle"].sel(code=["a1", "a2", "a3", "b1", "b2"]).values == pytest.approx(o)
    assert float(ds["obstacle"].sel(code="D1")) == pytest.approx(o[:3].sum())
    assert float(ds["obstacle"].sel(code="R")) == pytest.approx(100.0)
    assert fi.sum() * 100 == pytest.approx(float(tiny_result.scores.sel(entity="X", period=2000, code="R")))
    table = obstacle_table(tiny_result, "X", 2000)
    assert list(table["code"][:2]) == ["a1", "a3"] and list(table["rank"]) == [1, 2, 3, 4, 5]
    domains = obstacle_table(tiny_result, "X", 2000, level="domain")
    assert list(domains["code"]) == ["D1", "D2"] and domains["obstacle"].sum() == pytest.approx(100.0)


def test_obstacle_weights_renormalise_over_missing_indicators(tagged_framework):
    from holisec.pipeline import build

    panel = anchored_panel({"a1": [80], "a2": [np.nan], "a3": [60], "b1": [40], "b2": [10]}, periods=(2000,))
    ds = obstacle_degree(build(RECIPE, panel, tagged_framework)).sel(entity="X", period=2000)
    assert ds["contribution"].sel(code=["a1", "a2", "a3"]).values == pytest.approx([0.25, 0.0, 0.25])
    assert float(ds["obstacle"].sel(code="a2")) == 0.0


def test_obstacle_errors_name_the_entity_and_period(tiny_result):
    with pytest.raises(HolisticError, match="unknown entity 'ZZZ'"):
        obstacle_table(tiny_result, "ZZZ")
    with pytest.raises(HolisticError, match="no index score in 1990"):
        obstacle_table(tiny_result, "X", 1990)
    with pytest.raises(HolisticError, match="no risk in any indicator"):
        obstacle_table(tiny_result, "LO", 2000)
