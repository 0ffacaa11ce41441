#!/usr/bin/env python
"""Early-warning evaluation on DEVELOPMENT origins only, before vs after the 2026-12 data update.

Usage (from the repository root)::

    python tools/warning_dev_rerun.py [--targets conflict_onset ...] [--bootstrap 200] [--out FILE.md]

"before": the V-Dem v12 predictors (``--old-predictors``, the predictors.parquet shipped before the
update) and per-origin index features built on shipped data vintage 1 with the framework published
with it (``holistic_v1``); "after": the shipped predictors (V-Dem v15/v14/v12 per feature, see
tools/curate_outcomes.py) and index features on the latest shipped data with ``holistic``.

Only origins whose outcome window ends by ``DEV_LAST`` are run, so no test-year (2016-2024) row is
forecast, scored or printed: the test years are scored once, by the final evaluation of the issue
"Early warning in real time". Hyperparameters are tuned on these same dev origins, as in
``holisec warn evaluate``.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from holisec.warning.evaluate import DEV_FIRST_ORIGIN, DEV_LAST, evaluate
from holisec.warning.outcomes import TARGETS, load_predictors

METRICS = ["n", "events", "aupr", "auroc", "brier", "bss", "log_loss"]


def old_index():
    """Per-origin index features on shipped data vintage 1 with the framework published with it."""
    from holisec.data.shipped import vintage_ingest
    from holisec.framework import load_framework
    from holisec.index import entity_groups, framework_panel
    from holisec.warning.indexscores import OriginIndex, shipped_store

    st = shipped_store()
    fw = load_framework("holistic_v1")
    return OriginIndex(framework_panel(st, fw, as_of=vintage_ingest(st, 1)), fw, entity_groups(st))


def run(target: str, predictors, index, B: int) -> tuple[pd.DataFrame, str, float]:
    h = TARGETS[target].horizon
    origins = list(range(DEV_FIRST_ORIGIN, DEV_LAST - h + 1))
    t0 = time.perf_counter()
    r = evaluate(target, predictors=predictors, index=index, origins=origins, B=B)
    if (r.forecasts["split"] == "test").any():
        raise SystemExit("a test row was forecast: the dev-only run is broken")
    m = r.metrics[r.metrics["split"] == "dev"].set_index("model")
    return m[[c for c in METRICS if c in m.columns]], str(r.spec), time.perf_counter() - t0


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--targets", nargs="*", default=list(TARGETS))
    ap.add_argument("--bootstrap", type=int, default=200)
    ap.add_argument("--old-predictors", type=Path, required=True,
                    help="predictors.parquet as shipped before the update (git show <commit>:<path>)")
    ap.add_argument("--out", type=Path)
    a = ap.parse_args(argv)
    old_p = pd.read_parquet(a.old_predictors)
    lines = [f"Development origins only (outcome window ends by {DEV_LAST}); bootstrap B = {a.bootstrap}.", ""]
    for t in a.targets:
        before, spec_b, sb = run(t, old_p, old_index(), a.bootstrap)
        after, spec_a, sa = run(t, load_predictors(), True, a.bootstrap)
        lines += [f"#### {t}", "", f"tuned spec before: `{spec_b}`; after: `{spec_a}` ({sb:.0f} s, {sa:.0f} s)", "",
                  "| model | n | events | AUPR before | AUPR after | AUC before | AUC after | Brier before | Brier after |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for m in after.index:
            b, x = before.loc[m], after.loc[m]
            lines.append(f"| {m} | {int(x['n'])} | {int(x['events'])} | {b['aupr']:.3f} | {x['aupr']:.3f} | "
                         f"{b['auroc']:.3f} | {x['auroc']:.3f} | {b['brier']:.4f} | {x['brier']:.4f} |")
        lines.append("")
        print("\n".join(lines[-(len(after) + 6):]), flush=True)
    if a.out:
        a.out.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
