"""Scale of the in-memory build: synthetic panels of E entities x 100 indicators x 12 periods
through impute (linear), treat (JRC), normalise (min-max), aggregate (10 domains, arithmetic).

Prints wall time and peak RSS per size (a child process per size, so peaks do not add up) and
the growth ratio against the smallest size. No assertions.

    python bench/bench_scale.py 25000 100000 250000
"""
from __future__ import annotations

import json
import resource
import subprocess
import sys
import time


def one(n_entities: int) -> dict:
    import numpy as np
    import xarray as xr

    from holisec.framework import from_dict
    from holisec.pipeline import build

    rng = np.random.default_rng(0)
    n_i, n_p = 100, 12
    values = rng.lognormal(size=(n_entities, n_p, n_i))
    values[rng.random(values.shape) < 0.1] = np.nan
    panel = xr.DataArray(values, dims=("entity", "period", "indicator"), coords={
        "entity": [f"C{k:06d}" for k in range(n_entities)], "period": np.arange(2010, 2010 + n_p),
        "indicator": [f"x{k:03d}" for k in range(n_i)]})
    framework = from_dict({"id": "scale", "name": "scale",
                           "groups": [{"id": "R", "name": "R"}] + [{"id": f"d{g}", "name": f"d{g}", "parent": "R"}
                                                                   for g in range(10)],
                           "indicators": [{"id": f"x{k:03d}", "name": f"x{k:03d}", "parent": f"d{k // 10}"}
                                          for k in range(n_i)]})
    recipe = {"name": "scale", "steps": [
        {"step": "impute", "method": "linear", "params": {"extrapolate": "both"}},
        {"step": "treat", "method": "jrc", "params": {"winmax": 5}},
        {"step": "normalise", "method": "minmax", "params": {}},
        {"step": "aggregate", "method": "amean", "params": {}}]}
    t = time.perf_counter()
    build(recipe, panel, framework)
    seconds = time.perf_counter() - t
    return {"entities": n_entities, "cells": int(panel.size), "seconds": seconds,
            "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20}


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--one":
        print(json.dumps(one(int(sys.argv[2]))))
        return
    sizes = [int(a) for a in sys.argv[1:]] or [25_000, 100_000, 250_000]
    base = None
    for n in sizes:
        got = subprocess.run([sys.executable, __file__, "--one", str(n)], capture_output=True, text=True)
        if got.returncode:
            print(f"{n:>8,} entities: failed ({got.stderr.strip().splitlines()[-1] if got.stderr else got.returncode})")
            continue
        r = json.loads(got.stdout.strip().splitlines()[-1])
        base = base or r
        print(f"{n:>8,} entities x 100 x 12 ({r['cells']:,} cells): {r['seconds']:.1f} s, peak RSS "
              f"{r['peak_rss_gb']:.2f} GB; time x{r['seconds'] / base['seconds']:.1f} for "
              f"x{n / base['entities']:.0f} entities  [target: peak <= 4 GB at 250k, linear growth]")


if __name__ == "__main__":
    main()
