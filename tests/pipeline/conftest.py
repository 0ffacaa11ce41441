"""Small hand-checkable panels and frameworks for the pipeline tests."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from holisec.framework import from_dict

COINR = Path(__file__).resolve().parents[1] / "fixtures" / "coinr"


def make_panel(values, entities=None, periods=None, indicators=None) -> xr.DataArray:
    """Panel from a nested list shaped (entity, period, indicator)."""
    arr = np.asarray(values, dtype="float64")
    n_e, n_p, n_i = arr.shape
    return xr.DataArray(
        arr, dims=("entity", "period", "indicator"),
        coords={
            "entity": entities or [f"E{i + 1}" for i in range(n_e)],
            "period": periods or list(range(2000, 2000 + n_p)),
            "indicator": indicators or [f"i{i + 1}" for i in range(n_i)],
        },
    )


def column(values, **kw) -> xr.DataArray:
    """One indicator, one period: a column of entity values."""
    return make_panel([[[v]] for v in values], **kw)


@pytest.fixture
def small_framework():
    """Root R <- groups A (a1, a2; a2 direction -1), B (b1); B has direction -1."""
    return from_dict({
        "id": "small", "name": "small",
        "groups": [
            {"id": "R", "name": "root"},
            {"id": "A", "name": "A", "parent": "R"},
            {"id": "B", "name": "B", "parent": "R", "direction": -1},
        ],
        "indicators": [
            {"id": "a1", "name": "a1", "parent": "A", "weight": 1},
            {"id": "a2", "name": "a2", "parent": "A", "weight": 3, "direction": -1, "goalposts": [0, 10]},
            {"id": "b1", "name": "b1", "parent": "B"},
        ],
    })
