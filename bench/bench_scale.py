"""Scale of the build: synthetic panels of E entities x 100 indicators x 12 periods through
impute (linear), treat (JRC), normalise (min-max), aggregate (10 domains, arithmetic).

Two engines: ``memory`` (:func:`holisec.pipeline.build`, the whole panel and every intermediate
in memory) and ``dask`` (:func:`holisec.pipeline.chunked.build_chunked`: the panel is generated
block by block on Dask, 10,000 entities a block, never whole; the domain and index scores are
returned). Prints wall time and peak RSS per size (a child process per size, so peaks do not add
up) and the growth against the smallest size. No assertions.

    python bench/bench_scale.py [--engine dask|memory] [--scheduler ADDR] 25000 100000 250000
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

N_I, N_P, CHUNK = 100, 12, 10_000
RECIPE = {"name": "scale", "steps": [
    {"step": "impute", "method": "linear", "params": {"extrapolate": "both"}},
    {"step": "treat", "method": "jrc", "params": {"winmax": 5}},
    {"step": "normalise", "method": "minmax", "params": {}},
    {"step": "aggregate", "method": "amean", "params": {}}]}


def framework():
    from holisec.framework import from_dict

    return from_dict({"id": "scale", "name": "scale",
                      "groups": [{"id": "R", "name": "R"}] + [{"id": f"d{g}", "name": f"d{g}", "parent": "R"}
                                                              for g in range(10)],
                      "indicators": [{"id": f"x{k:03d}", "name": f"x{k:03d}", "parent": f"d{k // 10}"}
                                     for k in range(N_I)]})


def _block(block_info=None):
    import numpy as np

    info = block_info[None]
    rng = np.random.default_rng([0, info["chunk-location"][0]])
    values = rng.lognormal(size=info["chunk-shape"])
    values[rng.random(values.shape) < 0.1] = np.nan
    return values


def panel(n_entities: int, lazy: bool, chunk: int = CHUNK):
    """The synthetic panel, seeded per block of ``chunk`` entities."""
    import dask.array as da
    import numpy as np
    import xarray as xr

    sizes = [chunk] * (n_entities // chunk) + ([n_entities % chunk] if n_entities % chunk else [])
    data = da.map_blocks(_block, chunks=(tuple(sizes), (N_P,), (N_I,)), dtype="float64")
    return xr.DataArray(data if lazy else data.compute(), dims=("entity", "period", "indicator"), coords={
        "entity": [f"C{k:06d}" for k in range(n_entities)], "period": np.arange(2010, 2010 + N_P),
        "indicator": [f"x{k:03d}" for k in range(N_I)]})


def one(n_entities: int, engine: str, scheduler: str | None, chunk: int = CHUNK) -> dict:
    from holisec.pipeline import build
    from holisec.pipeline.chunked import build_chunked

    fw = framework()
    t = time.perf_counter()
    if engine == "dask":
        scores = build_chunked(RECIPE, panel(n_entities, lazy=True, chunk=chunk), fw, chunk=chunk, codes="aggregates",
                               scheduler=scheduler)
    else:
        scores = build(RECIPE, panel(n_entities, lazy=False), fw).scores
    seconds = time.perf_counter() - t
    return {"entities": n_entities, "cells": n_entities * N_P * N_I, "seconds": seconds,
            "index_mean": float(scores.sel(code="R").mean()),
            "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("sizes", nargs="*", type=int, default=[25_000, 100_000, 250_000])
    ap.add_argument("--engine", choices=["dask", "memory"], default="dask")
    ap.add_argument("--scheduler", default=None, help="Dask scheduler address or 'local' (default: threads)")
    ap.add_argument("--chunk", type=int, default=CHUNK, help="entities per Dask block (dask engine)")
    ap.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(args.sizes[0], args.engine, args.scheduler, args.chunk)))
        return
    base = None
    for n in args.sizes:
        cmd = [sys.executable, __file__, "--one", "--engine", args.engine, "--chunk", str(args.chunk), str(n)]
        if args.scheduler:
            cmd += ["--scheduler", args.scheduler]
        got = subprocess.run(cmd, capture_output=True, text=True)
        if got.returncode:
            print(f"{n:>8,} entities: failed ({got.stderr.strip().splitlines()[-1] if got.stderr else got.returncode})")
            continue
        r = json.loads(got.stdout.strip().splitlines()[-1])
        base = base or r
        print(f"{n:>8,} entities x {N_I} x {N_P} ({r['cells']:,} cells), {args.engine}: {r['seconds']:.1f} s, "
              f"peak RSS {r['peak_rss_gb']:.2f} GB; time x{r['seconds'] / base['seconds']:.1f} for "
              f"x{n / base['entities']:.0f} entities  [target: peak <= 4 GB at 250k, linear growth]", flush=True)


if __name__ == "__main__":
    main()
