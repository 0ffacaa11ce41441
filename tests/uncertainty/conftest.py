"""ASEM (COINr's example) with a COINr-like recipe, and small hand-checkable panels."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from holisec.framework import from_dict
from holisec.pipeline import Recipe, read_coinr

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
COINR = FIXTURES / "coinr"

#: COINr's example coin (build_example_coin): denominate, group-mean imputation, JRC treatment,
#: min-max 0-100, arithmetic means.
ASEM_RECIPE = {"name": "asem", "steps": [
    {"step": "denominate", "method": "divide"},
    {"step": "impute", "method": "group_mean", "params": {"by": "GDPpc_group"}},
    {"step": "treat", "method": "jrc", "params": {"winmax": 5}},
    {"step": "normalise", "method": "minmax", "params": {"lo": 0.0, "hi": 100.0}},
    {"step": "aggregate", "method": "amean"},
]}

#: COINr's build_example_coin() exactly: denominate, EurAsia-group means, screen units under 90%
#: data availability, JRC treatment with winmax 5, min-max 0-100, arithmetic means.
ASEM_RECIPE_COINR = {"name": "coinr_example", "steps": [
    {"step": "denominate", "method": "divide"},
    {"step": "impute", "method": "group_mean", "params": {"by": "EurAsia_group"}},
    {"step": "impute", "method": "screen", "params": {"min_entity_share": 0.9}},
    {"step": "treat", "method": "jrc", "params": {"winmax": 5}},
    {"step": "normalise", "method": "minmax", "params": {"lo": 0.0, "hi": 100.0}},
    {"step": "aggregate", "method": "amean"},
]}

#: The 4 uncertain inputs of COINr's get_sensitivity vignette.
ASEM_SPEC = {"inputs": [
    {"name": "winsorisation", "step": "treat", "param": "winmax", "values": [1, 2, 3, 4, 5]},
    {"name": "normalisation", "step": "normalise", "methods": [
        {"method": "minmax", "params": {"lo": 1.0, "hi": 100.0}},
        {"method": "zscore", "params": {"mean": 10.0, "sd": 2.0}}]},
    {"name": "weights", "weights": {"level": [2, 3], "noise": 0.25, "draws": 100}},
    {"name": "aggregation", "step": "aggregate", "methods": [{"method": "amean"}, {"method": "gmean"}]},
]}


@pytest.fixture(scope="session")
def asem():
    panel, framework, groups = read_coinr(COINR / "ASEM_iData.csv", COINR / "ASEM_iMeta.csv")
    return panel, framework, groups, Recipe.from_dict(ASEM_RECIPE)


def tiny_panel(values, entities=None, indicators=None, periods=None) -> xr.DataArray:
    arr = np.asarray(values, dtype="float64")
    n_e, n_p, n_i = arr.shape
    return xr.DataArray(arr, dims=("entity", "period", "indicator"), coords={
        "entity": entities or [f"E{i + 1}" for i in range(n_e)],
        "period": periods or list(range(2000, 2000 + n_p)),
        "indicator": indicators or [f"i{i + 1}" for i in range(n_i)]})


@pytest.fixture
def two_group_framework():
    """R <- A (a1, a2), B (b1, b2)."""
    return from_dict({"id": "t", "name": "t",
                      "groups": [{"id": "R", "name": "R"}, {"id": "A", "name": "A", "parent": "R"},
                                 {"id": "B", "name": "B", "parent": "R"}],
                      "indicators": [{"id": c, "name": c, "parent": c[0].upper()} for c in ("a1", "a2", "b1", "b2")]})
