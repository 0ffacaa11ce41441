"""Tiny hand-checkable panels for the audit tests.

Tree::

    IDX (level 3)
    +-- G (level 2): a, b, c      "clean" group: r_ab = r_ac = 0.8, r_bc = 0.3
    +-- F (level 2): x, y, z      planted: r_xy = 0.996 (redundant), r_xz = -0.9 (negative)

Period 2001 holds the same values for the reversed entity order (6 - rank), which leaves
every within-period correlation, and the pooled ones, unchanged.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

ENTITIES = ["e1", "e2", "e3", "e4", "e5"]
P1 = {
    "a": [1, 2, 3, 4, 5],
    "b": [2, 1, 4, 3, 5],
    "c": [1, 3, 2, 5, 4],
    "x": [1, 2, 3, 4, 5],
    "y": [2, 4, 6, 8, 11],
    "z": [5, 4, 3, 1, 2],
}


def make_tree() -> pd.DataFrame:
    rows = [(c, "Indicator", "G", 1) for c in "abc"] + [(c, "Indicator", "F", 1) for c in "xyz"]
    rows += [("G", "Aggregate", "IDX", 2), ("F", "Aggregate", "IDX", 2), ("IDX", "Aggregate", None, 3)]
    df = pd.DataFrame(rows, columns=["code", "type", "parent", "level"]).set_index("code")
    df.insert(0, "name", df.index)
    df["weight"] = 1.0
    df["direction"] = 1
    return df[["name", "type", "parent", "weight", "direction", "level"]]


def make_scores(p1: dict[str, list[float]] = P1) -> xr.DataArray:
    """Indicators, group means and the index (mean of the group means) for two periods."""
    ind = pd.DataFrame(p1, index=ENTITIES, dtype=float)
    p2 = ind.iloc[::-1].set_axis(ENTITIES)  # entity order reversed in 2001
    frames = []
    for df in (ind, p2):
        df = df.copy()
        df["G"] = df[["a", "b", "c"]].mean(axis=1)
        df["F"] = df[["x", "y", "z"]].mean(axis=1)
        df["IDX"] = df[["G", "F"]].mean(axis=1)
        frames.append(df)
    codes = list(frames[0].columns)
    arr = np.stack([f[codes].to_numpy() for f in frames], axis=1)
    return xr.DataArray(arr, dims=("entity", "period", "code"),
                        coords={"entity": ENTITIES, "period": [2000, 2001], "code": codes})


@pytest.fixture
def tree() -> pd.DataFrame:
    return make_tree()


@pytest.fixture
def scores() -> xr.DataArray:
    return make_scores()
