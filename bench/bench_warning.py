"""Early-warning benchmark: full rolling-origin evaluation of every target on the shipped data.

Headline models use leakage-free composite-index features (the index rebuilt at every origin
on the data known then); ``--no-index`` runs without them. Prints the runtime of each stage and
the headline test metrics; with ``--out-dir`` writes the tables and reliability plots used by
docs/early-warning.md. No asserts.
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
    ap.add_argument("--no-index", action="store_true", help="without the per-origin index features")
    a = ap.parse_args()
    from holisec.cli.warn import write_outputs
    from holisec.warning.evaluate import evaluate
    from holisec.warning.forecast import forecast

    t0 = time.perf_counter()  # first, while nothing is cached: what `holisec warn forecast` does
    n = len(forecast("conflict_onset", 2023, index=not a.no_index))
    print(f"single forecast (conflict_onset, origin 2023, {n} countries, shipped data loaded and the index "
          f"built at the origin): {time.perf_counter() - t0:.1f}s", flush=True)
    t0 = time.perf_counter()
    for t in a.targets:
        r = evaluate(t, B=a.bootstrap, index=not a.no_index)
        if a.out_dir:
            write_outputs(r, a.out_dir)
        m = r.metrics[r.metrics.split == "test"].set_index("model")
        rt = r.runtime
        print(f"{t:18s} total {rt['total_s']:6.1f}s (index builds {rt['index_builds_s']:4.1f}s, tuning {rt['tuning_s']:5.1f}s, rolling {rt['rolling_s']:5.1f}s, "
              f"scoring {rt['scoring_s']:4.1f}s, {rt['origins']} origins) | test AUPR ensemble "
              f"{m.loc['ensemble', 'aupr']:.3f} history {m.loc['history', 'aupr']:.3f} | spec {r.spec}", flush=True)
    print(f"all targets: {time.perf_counter() - t0:.1f}s")


if __name__ == "__main__":
    main()
