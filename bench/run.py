"""Index-engine benchmark: default build on the shipped panel, audit, and COINr's ASEM example.

Prints the panel's shape, median wall times, peak memory, and ratios against baselines
measured in the same run (per-year builds, the way one builds a COINr coin per year; and
COINr's own published timings on this machine). No assertions: run ``make bench``.
"""
from __future__ import annotations

import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COINR = ROOT / "tests" / "fixtures" / "coinr"
COINR_MS = {"simple": 12.0, "full": 65.0}  # COINr 1.1.14 on this machine (issue 4)


def timeit(fn, repeat: int = 7) -> tuple[float, object]:
    fn()  # warm-up
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def peak_mb(fn) -> float:
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    from holisec.data import Store, load_shipped
    from holisec.framework import load_framework
    from holisec.index import audit_result, entity_groups, framework_panel
    from holisec.pipeline import PipelineError, Recipe, build, default_recipe, read_coinr

    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.duckdb")
        t = time.perf_counter()
        load_shipped(store)
        load_s = time.perf_counter() - t
        fw = load_framework("holistic")
        panel, groups = framework_panel(store, fw), entity_groups(store)
    recipe = default_recipe()
    e, p, i = (panel.sizes[d] for d in ("entity", "period", "indicator"))
    print(f"shipped panel: {e} entities x {p} periods x {i} indicators = {panel.size:,} cells "
          f"({int(panel.notnull().sum()):,} observed); store load {load_s:.2f} s (not in the build time)")

    full_s, result = timeit(lambda: build(recipe, panel, fw, entity_groups=groups))
    print(f"default build (whole panel): median {full_s * 1e3:.0f} ms  [target <= 500 ms]")

    def per_year() -> int:
        built = 0
        for year in panel["period"].values:
            try:
                build(recipe, panel.sel(period=[year]), fw, entity_groups=groups)
                built += 1
            except PipelineError:  # a single early year can fail the screening thresholds
                pass
        return built

    loop_s, built = timeit(per_year, repeat=3)
    print(f"baseline, one build per year ({p} builds, {built} pass the screening alone): median "
          f"{loop_s * 1e3:.0f} ms -> whole-panel build is {loop_s / full_s:.1f}x faster")
    mem = peak_mb(lambda: build(recipe, panel, fw, entity_groups=groups))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of one build: {mem:.0f} MB traced allocations; process peak RSS {rss:.0f} MB  [target <= 1 GB]")

    audit_s, _ = timeit(lambda: audit_result(result, importance="none"), repeat=3)
    loo_s, _ = timeit(lambda: audit_result(result, importance="groups"), repeat=1)
    print(f"audit (pooled, all years): median {audit_s * 1e3:.0f} ms; with leave-one-out per domain "
          f"({len(fw.groups) - 1} rebuilds): {loo_s:.2f} s")

    asem, asem_fw, asem_groups = read_coinr(COINR / "ASEM_iData.csv", COINR / "ASEM_iMeta.csv")
    simple = Recipe.builtin("coinr_minmax_amean")
    simple_s, _ = timeit(lambda: build(simple, asem, asem_fw, entity_groups=asem_groups), repeat=15)
    # COINr's full example imputes by GDP-per-capita group: same recipe, group column swapped
    asem_groups = asem_groups.rename(columns={"GDPpc_group": "region"})
    full_asem_s, _ = timeit(lambda: build(recipe, asem, asem_fw, entity_groups=asem_groups), repeat=15)
    print(f"ASEM (COINr example, {asem.sizes['entity']} units x {asem.sizes['indicator']} indicators): "
          f"min-max + arithmetic mean {simple_s * 1e3:.1f} ms (COINr {COINR_MS['simple']:.0f} ms, "
          f"ratio {COINR_MS['simple'] / (simple_s * 1e3):.1f}x); default recipe (screen, interpolate, group median, JRC treat, min-max, mean) "
          f"{full_asem_s * 1e3:.1f} ms (COINr full example {COINR_MS['full']:.0f} ms, "
          f"ratio {COINR_MS['full'] / (full_asem_s * 1e3):.1f}x)")
    print(f"python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
