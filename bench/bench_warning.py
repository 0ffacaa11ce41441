"""Early-warning benchmark: full rolling-origin evaluation of every target on the shipped data.

Prints the runtime of each stage and the headline test metrics; with ``--out-dir`` writes the
tables and reliability plots used by docs/early-warning.md. No asserts.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from holisec.warning.outcomes import TARGETS


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--targets", nargs="*", default=list(TARGETS))
    ap.add_argument("--bootstrap", type=int, default=1000)
    ap.add_argument("--out-dir", type=Path, default=None)
    ap.add_argument("--with-index", action="store_true", help="also conflict_onset + index domain scores")
    a = ap.parse_args()
    from holisec.warning.cli import write_outputs
    from holisec.warning.evaluate import evaluate

    t0 = time.perf_counter()
    for t in a.targets:
        r = evaluate(t, B=a.bootstrap)
        if a.out_dir:
            write_outputs(r, a.out_dir)
        m = r.metrics[r.metrics.split == "test"].set_index("model")
        rt = r.runtime
        print(f"{t:18s} total {rt['total_s']:6.1f}s (tuning {rt['tuning_s']:5.1f}s, rolling {rt['rolling_s']:5.1f}s, "
              f"scoring {rt['scoring_s']:4.1f}s, {rt['origins']} origins) | test AUPR ensemble "
              f"{m.loc['ensemble', 'aupr']:.3f} history {m.loc['history', 'aupr']:.3f} | spec {r.spec}", flush=True)
    if a.with_index:
        from holisec.warning.features import SLOW_DEFAULT
        from holisec.warning.indexscores import index_scores

        s = time.perf_counter()
        sc = index_scores()
        codes = [c for c in sc.code.values if c in {"index", "political", "homeland", "military", "economic",
                 "cultural", "social", "scitech", "information", "ecological", "resource", "nuclear"}]
        sc = sc.sel(code=codes)
        b = time.perf_counter()
        r = evaluate("conflict_onset", scores=sc, B=a.bootstrap)
        r.target = "conflict_onset_with_index"
        if a.out_dir:
            write_outputs(r, a.out_dir)
        print(f"index build {b - s:.1f}s; conflict_onset + index scores {r.runtime['total_s']:.1f}s", flush=True)
    print(f"all targets: {time.perf_counter() - t0:.1f}s")


if __name__ == "__main__":
    main()
