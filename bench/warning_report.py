"""Render the per-target result sections of docs/early-warning.md from an evaluation run.

Usage: ``python bench/bench_warning.py --out-dir DIR`` then
``python bench/warning_report.py DIR [TARGET ...] > sections.md``. Reads the ``<target>.json``
files that ``holisec.cli.warn.write_outputs`` writes, so the tables in the docs are the
run's own numbers, never retyped.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

METRIC_COLS = ["split", "stratum", "model", "n", "events", "base_rate", "brier", "bss", "log_loss", "aupr", "auroc",
               "recall_fpr05", "recall_fpr10", "top10_recall", "top20_recall", "cal_slope", "cal_intercept"]
DIFF_METRICS = ["brier", "log_loss", "aupr", "auroc"]
EWP_COLS = ["split", "model", "n", "events", "brier", "log_loss", "aupr", "auroc", "top10_recall", "top20_recall", "cal_slope"]


def table(df: pd.DataFrame, digits: int = 3) -> str:
    """A markdown table; floats with ``digits`` decimals."""
    def cell(v):
        return f"{v:.{digits}f}" if isinstance(v, float) else str(v)

    lines = ["| " + " | ".join(map(str, df.columns)) + " |", "|" + "---|" * len(df.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join(lines)


def diffs(boot: pd.DataFrame) -> pd.DataFrame:
    """Test-year paired differences as ``diff [lo, hi]`` per model x baseline."""
    t = boot[boot["split"] == "test"].copy()
    t["cell"] = [f"{d:+.4f} [{lo:+.4f}, {hi:+.4f}]" for d, lo, hi in zip(t["diff"], t["lo"], t["hi"])]
    w = t.pivot_table(index=["model", "baseline"], columns="metric", values="cell", aggfunc="first")
    return w[[m for m in DIFF_METRICS if m in w.columns]].reset_index()


def per_year(py: pd.DataFrame) -> pd.DataFrame:
    w = py.pivot_table(index="year", columns="model", values="aupr")
    ev = py.groupby("year")["events"].first()
    out = pd.DataFrame({"year": w.index, "events": ev.reindex(w.index).astype(int).to_numpy()})
    for m in ("ensemble", "history", "pitf"):
        if m in w:
            out[m] = w[m].to_numpy()
    return out


def section(r: dict) -> str:
    s, rt = r["spec"], r["runtime"]
    out = [f"### Target: {r['target']}", "",
           f"spec: logit C={s['logit_C']}, LightGBM {s['gbm']}; runtime {rt['total_s']:.0f} s (index builds "
           f"{rt['index_builds_s']:.1f} s, tuning {rt['tuning_s']:.0f} s, rolling {rt['rolling_s']:.0f} s, scoring "
           f"{rt['scoring_s']:.0f} s; {rt['origins']} origins)", ""]
    m = pd.DataFrame(r["metrics"])
    out += [table(m[[c for c in METRIC_COLS if c in m.columns]].sort_values([c for c in ("split", "stratum", "model") if c in m.columns])), ""]
    out += ["Test, paired differences model - baseline [95% country-block bootstrap]:", "",
            table(diffs(pd.DataFrame(r["bootstrap"]))), ""]
    if r.get("tuning"):
        out += ["tuning (dev origins only):", "", table(pd.DataFrame(r["tuning"]), 4), ""]
    out += ["per-year AUPR (target year):", "", table(per_year(pd.DataFrame(r["per_year"]))), ""]
    if r.get("ewp"):
        e = pd.DataFrame(r["ewp"])
        met = e[e["kind"] == "metric"].astype({"n": int, "events": int})
        out += ["EWP comparison (same country-years; metrics):", "", table(met[EWP_COLS]), "",
                table(e[(e["kind"] != "metric") & (e["model"] == "ensemble")][["split", "model", "kind", "diff", "lo", "hi"]], 4), ""]
    out += [f"verdict: {json.dumps(r['verdict'])}", ""]
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("run_dir", type=Path)
    ap.add_argument("targets", nargs="*")
    a = ap.parse_args()
    files = [a.run_dir / f"{t}.json" for t in a.targets] or sorted(a.run_dir.glob("*.json"))
    print("\n".join(section(json.loads(f.read_text())) for f in files))


if __name__ == "__main__":
    main()
