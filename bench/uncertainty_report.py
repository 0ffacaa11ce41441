"""Worked example of docs/uncertainty.md: the default spec on the shipped panel.

Writes docs/figures/uncertainty_caterpillar.png and uncertainty_sobol.png and prints the
markdown tables quoted in the doc (robust and fragile rankings, which input drives them).

    python bench/uncertainty_report.py [N_MC] [N_SOBOL]
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ROOT / "docs" / "figures"


def markdown(frame) -> str:
    """A pipe table (floats to 2 decimals, or 3 for indices)."""
    def cell(v):
        return f"{v:.3f}" if isinstance(v, float) and abs(v) < 1 else f"{v:.2f}" if isinstance(v, float) else str(v)
    rows = [list(frame.columns)] + [[cell(v) for v in r] for r in frame.itertuples(index=False)]
    lines = ["| " + " | ".join(map(str, r)) + " |" for r in rows]
    return "\n".join([lines[0], "|" + "---|" * len(frame.columns), *lines[1:]])


def main() -> None:
    from holisec.data import Store, load_shipped
    from holisec.framework import load_framework
    from holisec.index import entity_groups, framework_panel
    from holisec.pipeline import default_recipe
    from holisec.uncertainty import run
    from holisec.uncertainty.charts import caterpillar, sensitivity_bars
    from holisec.uncertainty.sensitivity import sensitivity

    n_mc = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    n_sobol = int(sys.argv[2]) if len(sys.argv) > 2 else 256
    with tempfile.TemporaryDirectory() as tmp:
        st = Store(Path(tmp) / "r.duckdb")
        load_shipped(st)
        fw = load_framework("holistic")
        panel, groups = framework_panel(st, fw), entity_groups(st)
        st.close()
    FIGURES.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    res = run("default", default_recipe(), panel, fw, entity_groups=groups, n=n_mc, seed=0)
    print(f"Monte Carlo: {res.n} replications, {len(res.reps.keys)} groups, period {res.periods[-1]}, "
          f"{time.perf_counter() - t:.0f} s\n")
    caterpillar(res, FIGURES / "uncertainty_caterpillar.png", top=40)
    table = res.summary()
    cols = ["entity", "nominal_rank", "median_rank", "rank_q05", "rank_q95", "p_top_10", "mean_abs_shift"]
    print("Top 15 by median rank:\n")
    print(markdown(table[cols].head(15)))
    top40 = table.head(40)
    print("\nWidest 5-95% intervals among the 40 riskiest:\n")
    print(markdown(top40.sort_values("interval_width", ascending=False)[cols].head(8)))
    reps = res.replications()
    print(f"\nPer replication: mean |rank shift| median {reps['mean_abs_shift'].median():.2f}, "
          f"5-95% {reps['mean_abs_shift'].quantile(0.05):.2f}-{reps['mean_abs_shift'].quantile(0.95):.2f}; "
          f"Spearman with the nominal ranking median {reps['spearman'].median():.3f}, "
          f"min {reps['spearman'].min():.3f}")
    for name in res.plan.names:
        means = reps.groupby(name)["mean_abs_shift"].mean()
        if len(means) <= 6:
            print(f"  {name}: mean |shift| by choice " + ", ".join(f"{k} {v:.2f}" for k, v in means.items()))
    t = time.perf_counter()
    sob = sensitivity("default", default_recipe(), panel, fw, entity_groups=groups, method="sobol", n=n_sobol, seed=0)
    print(f"\nSobol': N={n_sobol}, {sob.runs.n} runs, {time.perf_counter() - t:.0f} s\n")
    print(markdown(sob.summary()))
    sensitivity_bars(sob, FIGURES / "uncertainty_sobol.png")


if __name__ == "__main__":
    main()
