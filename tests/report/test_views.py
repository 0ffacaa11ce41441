"""The views beside the index: stored uncertainty runs (or how to make one) and holistic rows."""
from __future__ import annotations

import sys
import types

import numpy as np
import xarray as xr

from holisec.report import views


def test_holistic_rows_and_errors_are_shown(monkeypatch):
    ds = xr.Dataset({"D": (("entity", "period"), np.array([[1.0, 2.0], [3.0, 4.0]])), "other": (("entity", "period"),
                     np.zeros((2, 2)))}, coords={"entity": ["KEN", "FRA"], "period": [2020, 2021]})
    fake = types.ModuleType("holisec.holistic.coordination")
    fake.coordination = lambda result: ds
    broken = types.ModuleType("holisec.holistic.balances")
    broken.balances = lambda result: (_ for _ in ()).throw(RuntimeError("boom"))
    monkeypatch.setitem(sys.modules, "holisec.holistic.coordination", fake)
    monkeypatch.setitem(sys.modules, "holisec.holistic.balances", broken)
    v = views.holistic_view(object(), "KEN", "coordination", "coordination", year=2021)
    assert v["available"] and [(r["period"], r["D"]) for r in v["table"]] == [(2021, 2.0), (2020, 1.0)]
    assert all("other" not in r for r in v["table"])
    bad = views.holistic_view(object(), "KEN", "balances", "balances")
    assert bad["available"] is False and "boom" in bad["message"]


def test_holistic_output_is_computed_once_per_build(monkeypatch):
    calls = []
    ds = xr.Dataset({"C": (("entity", "period"), np.ones((2, 1)))}, coords={"entity": ["KEN", "FRA"], "period": [2020]})
    fake = types.ModuleType("holisec.holistic.coordination")
    fake.coordination = lambda result: calls.append(1) or ds
    monkeypatch.setitem(sys.modules, "holisec.holistic.coordination", fake)
    build = object()
    for entity in ("KEN", "FRA", "KEN"):
        assert views.holistic_view(build, entity, "coordination", "coordination", 2020)["available"]
    assert len(calls) == 1


def _run(periods=(2021,)):
    import pandas as pd

    from holisec.uncertainty.stored import StoredRun

    ranks = pd.DataFrame({"entity": ["KEN", "FRA"], "period": [periods[-1]] * 2, "nominal_rank": [1.0, 2.0],
                          "median_rank": [1.0, 2.0], "rank_q05": [1.0, 1.0], "rank_q95": [2.0, 2.0],
                          "p_top_k": [1.0, 0.5]})
    scores = pd.DataFrame({"entity": ["KEN", "KEN", "FRA"], "period": [periods[-1]] * 3, "code": ["index", "a", "index"],
                           "nominal": [50.0, 40.0, 30.0], "q05": [45.0, 35.0, 25.0], "median": [50.0, 40.0, 30.0],
                           "q95": [55.0, 45.0, 35.0]})
    meta = {"n": 200, "seed": 3, "spec_name": "default", "spec_hash": "ab" * 32, "created_at": "2026-01-02T03:04:05",
            "created_by": "t1", "top_k": 10, "vintage": "v", "recipe_name": "default", "periods": list(periods)}
    return StoredRun("r1", meta, ranks, scores)


def test_no_stored_run_says_how_to_make_one():
    v = views.uncertainty_view(None, recipe_name="default")
    assert v["available"] is False and v["command"] == "holisec uncertainty --save --n 1000"
    assert "`holisec uncertainty --save --n 1000` stores one" in v["message"] and "POST /api/uncertainty" in v["message"]
    assert "--recipe mine" in views.uncertainty_view(None, recipe_name="mine")["command"]


def test_stored_run_rows_of_one_entity_with_what_they_mean():
    v = views.uncertainty_view(_run(), "KEN", 2021)
    assert v["available"] and v["year"] == 2021 and v["run"]["n"] == 200 and v["run"]["run_id"] == "r1"
    assert [r["entity"] for r in v["rows"]] == ["KEN"] and v["rows"][0]["rank_q95"] == 2.0
    assert [b["code"] for b in v["bands"]] == ["index", "a"]
    assert v["message"].startswith("5-95% rank interval over 200 replications of the choices in spec 'default'")


def test_a_year_the_run_does_not_cover_is_said():
    v = views.uncertainty_view(_run((2021,)), year=2019)
    assert v["available"] is False and "covers [2021], not 2019" in v["message"] and "--period 2019" in v["command"]


def test_an_entity_the_run_does_not_rank_is_said():
    v = views.uncertainty_view(_run(), "DEU", 2021)
    assert v["available"] is False and v["message"] == "DEU has no rank in the stored uncertainty run (r1) for 2021"


def test_latest_observed_value_up_to_the_year_by_hand():
    from holisec.report.profile import _latest_observed

    nan = np.nan
    raw = xr.DataArray(np.array([[[1.0, nan, nan], [2.0, 5.0, nan], [nan, nan, nan], [4.0, 6.0, nan]],
                                 [[9.0, 9.0, 9.0]] * 4]),
                       dims=("entity", "period", "indicator"),
                       coords={"entity": ["KEN", "FRA"], "period": [2000, 2001, 2002, 2003], "indicator": ["a", "b", "c"]})
    assert _latest_observed(raw, "KEN", 2002) == ({"a": 2.0, "b": 5.0}, {"a": 2001, "b": 2001})
    assert _latest_observed(raw, "KEN", 2003) == ({"a": 4.0, "b": 6.0}, {"a": 2003, "b": 2003})
    assert _latest_observed(raw, "KEN", 1999) == ({}, {})
    assert _latest_observed(raw, "XXX", 2003) == ({}, {})
