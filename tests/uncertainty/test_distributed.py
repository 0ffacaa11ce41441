"""Dask (LocalCluster, in-process) gives the same replications as the in-memory engine."""
from __future__ import annotations

import numpy as np
import pytest

from holisec.uncertainty import run

from .conftest import ASEM_SPEC

pytest.importorskip("distributed")


def test_dask_equals_in_memory(asem):
    panel, framework, groups, recipe = asem
    spec = {"inputs": ASEM_SPEC["inputs"] + [{"name": "drop", "leave_out": {"k": 1}}]}
    memory = run(spec, recipe, panel, framework, entity_groups=groups, n=30, seed=4, memory="200KB")
    dask = run(spec, recipe, panel, framework, entity_groups=groups, n=30, seed=4, memory="200KB",
               scheduler="local")
    np.testing.assert_array_equal(dask.scores.values, memory.scores.values)
    np.testing.assert_array_equal(dask.ranks.values, memory.ranks.values)
    assert dask.summary().equals(memory.summary())
    i = 17
    alone = dask.rerun(i).scores.sel(period=dask.periods)
    a = alone.reindex(code=dask.scores["code"].values, entity=dask.scores["entity"].values)
    np.testing.assert_allclose(dask.scores.isel(replication=i).values,
                               a.transpose("entity", "period", "code").values, rtol=0, atol=1e-12)
