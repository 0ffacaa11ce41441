"""Uncertainty benchmarks: COINr's ASEM example side by side, the shipped panel, Sobol' on every rank.

Prints the shape of the work, seconds and ms per replication, and ratios against baselines
measured in the same run: COINr's own ``get_sensitivity`` (when ``Rscript`` is present; COINr is
installed into a temporary R library from ../shared/reference/coinr), and a plain-numpy floor
(the same aggregation written directly on precomputed normalised data). No assertions.

    python bench/bench_uncertainty.py [--skip-shipped] [--coinr-n 100]
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
COINR_TAR = ROOT.parent.parent / "shared" / "reference" / "coinr" / "COINr_1.1.14.tar.gz"


def asem():
    from holisec.pipeline import Recipe, read_coinr
    from uncertainty.conftest import ASEM_RECIPE_COINR, ASEM_SPEC, COINR

    panel, fw, groups = read_coinr(COINR / "ASEM_iData.csv", COINR / "ASEM_iMeta.csv")
    return panel, fw, groups, Recipe.from_dict(ASEM_RECIPE_COINR), ASEM_SPEC


def numpy_floor(panel, fw, groups, recipe, n: int) -> float:
    """ms per replication of the bare arithmetic: 10 precomputed normalised panels (winmax x
    normalisation), per replication a noisy weight set and an arithmetic or geometric mean per level."""
    from holisec.pipeline import build

    variants = []
    for winmax in range(1, 6):
        for norm in ({"method": "minmax", "params": {"lo": 1.0, "hi": 100.0}},
                     {"method": "zscore", "params": {"mean": 10.0, "sd": 2.0}}):
            raw = recipe.canonical()
            raw["steps"] = [dict(s) for s in raw["steps"]]
            for s in raw["steps"]:
                if s["step"] == "treat":
                    s["params"] = {**s["params"], "winmax": winmax}
                if s["step"] == "normalise":
                    s.update(norm)
            res = build(raw, panel, fw, entity_groups=groups)
            variants.append(res.datasets["normalised"].isel(period=0).sel(indicator=fw.indicator_ids).values)
    tree = fw.tree
    codes = list(fw.indicator_ids)
    structure = []  # per level: child columns, base weight matrix (children x parents)
    for level in sorted(tree.loc[tree["type"] == "Aggregate", "level"].unique()):
        parents = list(tree.index[(tree["type"] == "Aggregate") & (tree["level"] == level)])
        kids = [c for c in codes if tree.at[c, "parent"] in parents]
        base = np.zeros((len(kids), len(parents)))
        for i, c in enumerate(kids):
            base[i, parents.index(tree.at[c, "parent"])] = tree.at[c, "weight"]
        structure.append((np.array([codes.index(c) for c in kids]), base))
        codes = codes + parents
    rng = np.random.default_rng(0)
    t = time.perf_counter()
    for _ in range(n):  # the per-replication work only: noisy weights, one mean per level, the ranking
        x = variants[rng.integers(len(variants))]
        geometric = rng.random() < 0.5
        for cols, base in structure:
            m = base * rng.uniform(0.75, 1.25, base.shape)
            sub = x[:, cols]
            ok = ~np.isnan(sub)
            den = ok @ m
            y = np.exp((np.where(ok, np.log(np.where(ok, sub, 1)), 0) @ m) / den) if geometric else \
                (np.where(ok, sub, 0) @ m) / den
            x = np.concatenate([x, y], axis=1)
        np.argsort(-x[:, -1])
    return (time.perf_counter() - t) / n * 1e3


def coinr_ms(n: int) -> float | None:
    """COINr's get_sensitivity (UA, the same 4 inputs) ms per replication, or None without R."""
    if not shutil.which("Rscript") or not COINR_TAR.exists():
        return None
    with tempfile.TemporaryDirectory() as tmp:
        lib = Path(tmp) / "lib"
        lib.mkdir()
        have = subprocess.run(["Rscript", "-e", "library(COINr)"], capture_output=True).returncode == 0
        env = None
        if not have:
            subprocess.run(["R", "CMD", "INSTALL", "-l", str(lib), str(COINR_TAR)], capture_output=True, check=True)
            import os
            env = {**os.environ, "R_LIBS": str(lib)}
        subprocess.run(["Rscript", str(ROOT / "bench" / "coinr_sensitivity.R"), tmp, str(n), "0"],
                       check=True, capture_output=True, env=env)
        import pandas as pd

        timing = pd.read_csv(Path(tmp) / "timing.csv")
        return float(timing.loc[timing["analysis"] == "UA", "ms_per_replication"].iloc[0])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--skip-shipped", action="store_true")
    ap.add_argument("--coinr-n", type=int, default=100)
    ap.add_argument("--no-coinr", action="store_true", help="skip COINr even when R is present")
    args = ap.parse_args()
    from holisec.uncertainty import run
    from holisec.uncertainty.sensitivity import sensitivity

    panel, fw, groups, recipe, spec = asem()
    run(spec, recipe, panel, fw, entity_groups=groups, n=50, seed=0)  # warm-up
    n = 2000
    t = time.perf_counter()
    res = run(spec, recipe, panel, fw, entity_groups=groups, n=n, seed=1)
    ours = (time.perf_counter() - t) / n * 1e3
    floor = numpy_floor(panel, fw, groups, recipe, 500)
    print(f"ASEM ({panel.sizes['entity']} units x {len(fw.indicator_ids)} indicators), 4 inputs, {n} replications "
          f"in {len(res.reps.keys)} groups: {ours:.2f} ms per replication (incl. the nominal build); "
          f"plain-numpy floor {floor:.2f} ms -> {ours / floor:.1f}x the floor")
    theirs = None if args.no_coinr else coinr_ms(args.coinr_n)
    if theirs is None:
        print("COINr: skipped (--no-coinr, or Rscript not found: install r-base-core and the r-cran packages of "
              "../shared/reference/coinr/SOURCE.md)")
    else:
        print(f"COINr get_sensitivity (UA, N={args.coinr_n}, same run): {theirs:.1f} ms per replication -> "
              f"holisec is {theirs / ours:.0f}x faster  [target >= 100x]")
    if args.skip_shipped:
        return
    from holisec.data import Store, load_shipped
    from holisec.index import entity_groups, framework_panel
    from holisec.framework import load_framework
    from holisec.pipeline import default_recipe

    with tempfile.TemporaryDirectory() as tmp:
        st = Store(Path(tmp) / "b.duckdb")
        load_shipped(st)
        hfw = load_framework("holistic")
        hpanel, hgroups = framework_panel(st, hfw), entity_groups(st)
        st.close()
    t = time.perf_counter()
    big = run("default", default_recipe(), hpanel, hfw, entity_groups=hgroups, n=10_000, seed=0)
    mc_s = time.perf_counter() - t
    print(f"shipped panel ({hpanel.sizes['entity']} x {hpanel.sizes['period']} x {hpanel.sizes['indicator']}), "
          f"default spec ({len(big.plan.names)} inputs), 10,000 replications, period {big.periods[-1]}, "
          f"{len(big.reps.keys)} groups: {mc_s:.1f} s  [target <= 60 s]")
    t = time.perf_counter()
    sob = sensitivity("default", default_recipe(), hpanel, hfw, entity_groups=hgroups, method="sobol", n=1024, seed=0)
    sob_s = time.perf_counter() - t
    print(f"Sobol' N=1,024 ({sob.runs.n:,} runs) on every country's rank ({sob.indices['output'].nunique() - 1} "
          f"outputs + mean |shift|): {sob_s:.1f} s  [target <= 60 s]")
    print(sob.summary().to_string(index=False))
    print(f"python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
