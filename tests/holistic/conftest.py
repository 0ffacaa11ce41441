"""Hand-made frameworks and panels whose holistic measures are worked out in the tests."""
from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from holisec.framework import from_dict
from holisec.pipeline import build

#: min-max over the panel keeps raw values when one entity is 0 and one is 100 everywhere
RECIPE = {"name": "plain", "steps": [
    {"step": "normalise", "method": "minmax", "params": {"scope": "panel"}},
    {"step": "weight", "method": "equal"},
    {"step": "aggregate", "method": "amean"},
]}


@pytest.fixture
def tagged_framework():
    """R <- D1 (a1 internal, a2 internal, a3 external), D2 (b1 external, b2 internal)."""
    def ind(code, parent, scope):
        return {"id": code, "name": code, "parent": parent, "tags": {"scope": scope}}
    return from_dict({
        "id": "tiny", "name": "tiny",
        "groups": [{"id": "R", "name": "root"}, {"id": "D1", "name": "D1", "parent": "R"},
                   {"id": "D2", "name": "D2", "parent": "R"}],
        "indicators": [ind("a1", "D1", "internal"), ind("a2", "D1", "internal"), ind("a3", "D1", "external"),
                       ind("b1", "D2", "external"), ind("b2", "D2", "internal")],
    })


def anchored_panel(target: dict[str, list[float]], periods=(2000, 2001, 2002)) -> xr.DataArray:
    """Entity X with the given raw values per indicator and period, LO = 0 and HI = 100 everywhere."""
    codes = list(target)
    x = np.array([target[c] for c in codes], dtype=float).T  # (period, indicator)
    data = np.stack([x, np.zeros_like(x), np.full_like(x, 100.0)])
    return xr.DataArray(data, dims=("entity", "period", "indicator"),
                        coords={"entity": ["X", "LO", "HI"], "period": list(periods), "indicator": codes})


@pytest.fixture
def tiny_result(tagged_framework):
    panel = anchored_panel({"a1": [80, 80, 80], "a2": [20, 20, 20], "a3": [60, 60, 60],
                            "b1": [40, 40, 40], "b2": [10, 20, 30]})
    return build(RECIPE, panel, tagged_framework)
