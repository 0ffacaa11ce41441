"""Index-engine benchmark: default build on the shipped panel, audit, and COINr's ASEM example.

Prints the panel's shape, median wall times, peak memory, and ratios against baselines
measured in the same run (per-year builds, the way one builds a COINr coin per year; and, when
R is installed, COINr itself running its example pipeline beside holisec's ``coinr_example``
recipe, see ``bench/coinr_compare.py``). No assertions: run ``make bench``.
"""
from __future__ import annotations

import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COINR = ROOT / "tests" / "fixtures" / "coinr"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import median_time  # noqa: E402


def timeit(fn, repeat: int = 7) -> tuple[float, object]:
    return median_time(fn, repeat, warm=True)


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
    sys.path.insert(0, str(Path(__file__).resolve().parent))

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
    for name in ("coinr_minmax_amean", "coinr_example"):
        rec = Recipe.builtin(name)
        asem_s, _ = timeit(lambda: build(rec, asem, asem_fw, entity_groups=asem_groups), repeat=15)
        print(f"ASEM ({asem.sizes['entity']} units x {len(asem_fw.indicators)} indicators), holisec recipe {name!r} "
              f"({' -> '.join(s.step + ' ' + s.method for s in rec.steps)}): median {asem_s * 1e3:.1f} ms")
    from coinr_compare import compare, describe, r_missing_reason

    reason = r_missing_reason()
    if reason:
        print(f"COINr comparison not run: {reason}; no COINr figure is printed (make bench-coinr when R is present)")
    else:
        print("like-for-like: " + describe(compare(repeat=15)))
    print(f"python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
