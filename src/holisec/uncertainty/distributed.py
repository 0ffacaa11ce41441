"""The Monte Carlo on Dask (``dask.distributed``): each batch of replications is one task.

The tasks run the same function as the in-memory engine
(:func:`holisec.uncertainty.montecarlo.run_group`: one ``build()`` over a ``replication``
dimension), so the numbers are identical; the data and plan are scattered to the workers once.
``scheduler`` is a scheduler address (``tcp://host:8786``) or ``"local"`` (a LocalCluster on
this machine, threads, closed afterwards).

References
----------
Rocklin, M. (2015) Dask: parallel computation with blocked algorithms and task scheduling. *SciPy*.
https://distributed.dask.org/
"""
from __future__ import annotations

import numpy as np
import xarray as xr

from holisec.pipeline.chunked import client_for


def _task(plan, reps, g, rows, data, framework, entity_groups, periods, codes, entities, scales):
    from holisec.uncertainty.montecarlo import run_group

    return rows, g, *run_group(plan, reps, g, rows, data, framework, entity_groups, periods, codes, entities,
                               scales, {})


def run_groups_dask(plan, reps, recipe, data, framework, entity_groups, periods, codes, entities, scales, budget,
                    progress, scheduler):
    """Same contract as the in-memory ``_run_groups``: scores ``(replication, entity, period, code)``
    and the codes each group's build kept."""
    from distributed import as_completed

    from holisec.uncertainty.montecarlo import chunk_size

    total = len(reps.group)
    scores = np.full((total, len(entities), len(periods), len(codes)), np.nan)
    size = chunk_size(reps, data, len(periods), len(codes), budget, bool(scales))
    group_codes: dict[int, list[str]] = {}
    with client_for(scheduler) as client:
        shared = client.scatter([plan, reps, data, framework, entity_groups, scales], broadcast=True)
        plan_f, reps_f, data_f, fw_f, groups_f, scales_f = shared
        futures = []
        for g in range(len(reps.keys)):
            rows_all = np.flatnonzero(reps.group == g)
            for start in range(0, len(rows_all), size):
                futures.append(client.submit(_task, plan_f, reps_f, g, rows_all[start:start + size], data_f, fw_f,
                                             groups_f, periods, codes, entities, scales_f, pure=False))
        done = 0
        for future in as_completed(futures):
            rows, g, values, kept = future.result()
            scores[rows] = values
            group_codes[int(g)] = kept
            done += len(rows)
            if progress is not None:
                progress(done, total)
    coords = {"replication": np.arange(total), "entity": entities, "period": periods, "code": codes}
    return xr.DataArray(scores, dims=("replication", "entity", "period", "code"), coords=coords), group_codes
