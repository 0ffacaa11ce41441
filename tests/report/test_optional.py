"""Views of modules not installed yet: 'not yet available' until they import, then their rows."""
from __future__ import annotations

import sys
import types

import numpy as np
import xarray as xr

from holisec.report import optional


def test_missing_module_says_not_yet_available(monkeypatch):
    monkeypatch.setitem(sys.modules, "holisec.holistic", None)  # import fails
    monkeypatch.setitem(sys.modules, "holisec.holistic.balances", None)
    v = optional.holistic_view(object(), "KEN", "balances", "balances")
    assert v == {"available": False, "message": optional.NOT_YET.format(what="balances", module="holistic")}


def test_module_is_picked_up_when_it_imports(monkeypatch):
    ds = xr.Dataset({"D": (("entity", "period"), np.array([[1.0, 2.0], [3.0, 4.0]])), "other": (("entity", "period"),
                     np.zeros((2, 2)))}, coords={"entity": ["KEN", "FRA"], "period": [2020, 2021]})
    fake = types.ModuleType("holisec.holistic.coordination")
    fake.coordination = lambda result: ds
    broken = types.ModuleType("holisec.holistic.balances")
    broken.balances = lambda result: (_ for _ in ()).throw(RuntimeError("boom"))
    monkeypatch.setitem(sys.modules, "holisec.holistic.coordination", fake)
    monkeypatch.setitem(sys.modules, "holisec.holistic.balances", broken)
    v = optional.holistic_view(object(), "KEN", "coordination", "coordination", year=2021)
    assert v["available"] and [(r["period"], r["D"]) for r in v["table"]] == [(2021, 2.0), (2020, 1.0)]
    assert all("other" not in r for r in v["table"])
    bad = optional.holistic_view(object(), "KEN", "balances", "balances")
    assert bad["available"] is False and "boom" in bad["message"]


def test_holistic_output_is_computed_once_per_build(monkeypatch):
    calls = []
    ds = xr.Dataset({"C": (("entity", "period"), np.ones((2, 1)))}, coords={"entity": ["KEN", "FRA"], "period": [2020]})
    fake = types.ModuleType("holisec.holistic.coordination")
    fake.coordination = lambda result: calls.append(1) or ds
    monkeypatch.setitem(sys.modules, "holisec.holistic.coordination", fake)
    build = object()
    for entity in ("KEN", "FRA", "KEN"):
        assert optional.holistic_view(build, entity, "coordination", "coordination", 2020)["available"]
    assert len(calls) == 1
