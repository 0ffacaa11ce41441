"""Early-warning benchmark: rolling-origin evaluation of every target on the shipped data,
DEVELOPMENT origins only (the locked test years are scored only by `holisec warn evaluate --final`,
which logs each scoring).

Headline models use leakage-free composite-index features (the index rebuilt at every origin
on the data known then); ``--no-index`` runs without them. Prints the runtime of each stage and
the headline development metrics; with ``--out-dir`` writes the tables and reliability plots.
``--candidates`` compares the candidate feature sets (``features.CANDIDATES``) on development
origins and prints a markdown table (docs/early-warning.md, "More skill"). No asserts.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from holisec.warning.outcomes import TARGETS

ARMS = [(), ("intensity",), ("nb_intensity",), ("intensity", "nb_intensity")]


def _dev_row(r, arm) -> dict:
    """Ensemble vs the best raw-score baseline on the dev rows (all strata pooled)."""
    from holisec.warning.evaluate import BASELINES

    m = r.metrics[(r.metrics.split == "dev") & (r.metrics.stratum == "all")].set_index("model")
    base = [b for b in BASELINES if b in m.index]
    ba, bb = m.loc[base, "aupr"].idxmax(), m.loc[base, "brier"].idxmin()
    e = m.loc["ensemble"]
    v = r.verdict
    return {"features added": " + ".join(arm) or "(none: current)", "n": int(e.n), "events": int(e.events),
            "AUPR": e.aupr, "Brier": e.brier, "log loss": e.log_loss, "AUROC": e.auroc, "cal. slope": e.cal_slope,
            "AUPR / best baseline": f"{e.aupr / m.loc[ba, 'aupr']:.3f} ({ba})",
            "Brier / best baseline": f"{e.brier / m.loc[bb, 'brier']:.3f} ({bb})",
            "AUPR diff CI": "[{:+.4f}, {:+.4f}]".format(*v["aupr_diff_ci"]), "spec": f"C={r.spec.logit_C}, {r.spec.gbm}"}


def candidates(targets, B: int, tune: bool, index: bool) -> pd.DataFrame:
    from holisec.warning.evaluate import evaluate
    from holisec.warning.forecast import default_spec

    rows = []
    for t in targets:
        for arm in ARMS:
            t0 = time.perf_counter()
            r = evaluate(t, B=B, index=index, extra=arm, tune_hyper=tune, spec=None if tune else default_spec(t))
            rows.append({"target": t, **_dev_row(r, arm)})
            print(f"{t} {arm}: {time.perf_counter() - t0:.0f}s  AUPR {rows[-1]['AUPR']:.4f} "
                  f"Brier {rows[-1]['Brier']:.5f}", flush=True)
    return pd.DataFrame(rows)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--targets", nargs="*", default=list(TARGETS))
    ap.add_argument("--bootstrap", type=int, default=1000)
    ap.add_argument("--out-dir", type=Path, default=None)
    ap.add_argument("--no-index", action="store_true", help="without the per-origin index features")
    ap.add_argument("--candidates", action="store_true", help="compare the candidate feature sets (dev only)")
    ap.add_argument("--no-tune", action="store_true", help="use the stored hyperparameters (faster)")
    a = ap.parse_args()
    if a.candidates:
        from warning_report import table

        print(table(candidates(a.targets, a.bootstrap, not a.no_tune, not a.no_index), digits=4))
        return
    from holisec.cli.warn import write_outputs
    from holisec.warning.evaluate import evaluate
    from holisec.warning.forecast import default_spec, forecast

    t0 = time.perf_counter()  # first, while nothing is cached: what `holisec warn forecast` does
    n = len(forecast("conflict_onset", 2023, index=not a.no_index))
    print(f"single forecast (conflict_onset, origin 2023, {n} countries, shipped data loaded and the index "
          f"built at the origin): {time.perf_counter() - t0:.1f}s", flush=True)
    t0 = time.perf_counter()
    for t in a.targets:
        r = evaluate(t, B=a.bootstrap, index=not a.no_index, tune_hyper=not a.no_tune,
                     spec=None if not a.no_tune else default_spec(t))
        if a.out_dir:
            write_outputs(r, a.out_dir)
        m = r.metrics[(r.metrics.split == "dev") & (r.metrics.stratum == "all")].set_index("model")
        rt = r.runtime
        print(f"{t:18s} total {rt['total_s']:6.1f}s (index builds {rt['index_builds_s']:4.1f}s, tuning {rt['tuning_s']:5.1f}s, rolling {rt['rolling_s']:5.1f}s, "
              f"scoring {rt['scoring_s']:4.1f}s, {rt['origins']} origins) | dev AUPR ensemble "
              f"{m.loc['ensemble', 'aupr']:.3f} history {m.loc['history', 'aupr']:.3f} | spec {r.spec}", flush=True)
    print(f"all targets: {time.perf_counter() - t0:.1f}s")


if __name__ == "__main__":
    main()
