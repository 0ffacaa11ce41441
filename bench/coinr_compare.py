"""COINr and holisec on the same work in one run: COINr's example pipeline on its ASEM data.

COINr side: ``build_example_coin()`` (new_coin, Denominate, Impute by EurAsia_group, Screen
0.9, Treat, Normalise min-max, Aggregate arithmetic mean), timed inside R by
``bench/coinr_example.R``. holisec side: ``read_coinr`` of the same iData/iMeta tables plus
``build("coinr_example", ...)``, timed in this process. COINr is installed from
``../shared/reference/coinr/COINr_1.1.14.tar.gz`` into a temporary R library (never into the
project) unless ``COINR_LIB`` names a library that already has it. Needs R (Debian
``r-base-core r-cran-openxlsx r-cran-rlang r-cran-ggplot2 r-cran-readxl r-cran-matrixstats``).
Run ``make bench-coinr`` (not part of ``make test`` or CI). No assertions.
"""
from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "coinr"
SCRIPT = ROOT / "bench" / "coinr_example.R"
TARBALL_CANDIDATES = [ROOT.parent / "shared" / "reference" / "coinr" / "COINr_1.1.14.tar.gz",
                      ROOT.parents[1] / "shared" / "reference" / "coinr" / "COINr_1.1.14.tar.gz"]


def r_missing_reason() -> str | None:
    """Why COINr cannot be run here (None if it can)."""
    if shutil.which("Rscript") is None:
        return "R is not installed (apt-get install r-base-core r-cran-openxlsx r-cran-rlang r-cran-ggplot2 " \
               "r-cran-readxl r-cran-matrixstats)"
    if not os.environ.get("COINR_LIB") and _tarball() is None:
        return "COINr_1.1.14.tar.gz not found in ../shared/reference/coinr/ (or set COINR_LIB)"
    return None


def _tarball() -> Path | None:
    return next((p for p in TARBALL_CANDIDATES if p.exists()), None)


def _install(lib: Path) -> None:
    res = subprocess.run(["R", "CMD", "INSTALL", "-l", str(lib), str(_tarball())], capture_output=True, text=True)
    if res.returncode:
        raise RuntimeError(f"installing COINr failed:\n{res.stderr[-2000:]}")


def run_coinr(repeat: int, out_csv: Path) -> dict:
    """Install COINr if needed, run its example ``repeat`` times; median ms, version, results file."""
    lib_env = os.environ.get("COINR_LIB")
    with tempfile.TemporaryDirectory(prefix="coinr-lib-") as tmp:
        lib = Path(lib_env) if lib_env else Path(tmp)
        if not lib_env:
            _install(lib)
        env = {**os.environ, "R_LIBS": str(lib)}
        res = subprocess.run(["Rscript", str(SCRIPT), str(out_csv), str(repeat)], capture_output=True,
                             text=True, env=env)
    if res.returncode:
        raise RuntimeError(f"COINr run failed:\n{res.stderr[-2000:]}")
    ms = re.search(r"COINR_MS median=([\d.]+) min=([\d.]+) n=(\d+)", res.stdout)
    ver = re.search(r"COINR_VERSION (\S+) R (\S+)", res.stdout)
    return {"median_ms": float(ms.group(1)), "min_ms": float(ms.group(2)), "n": int(ms.group(3)),
            "coinr": ver.group(1), "r": ver.group(2)}


def time_holisec(repeat: int) -> tuple[float, pd.DataFrame]:
    """Median ms of read_coinr + build('coinr_example') on the in-memory ASEM tables, and the scores."""
    from holisec.pipeline import Recipe, build, read_coinr

    recipe = Recipe.builtin("coinr_example")  # parsed once, as COINr's function is loaded once
    idata = pd.read_csv(FIXTURES / "ASEM_iData.csv")
    imeta = pd.read_csv(FIXTURES / "ASEM_iMeta.csv")

    def once():
        panel, fw, groups = read_coinr(idata, imeta)
        return build(recipe, panel, fw, entity_groups=groups)

    result = once()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        once()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e3, result.scores.isel(period=0).to_pandas()


def compare(repeat: int = 15) -> dict:
    """Both sides timed in one run, plus the largest difference between their scores."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "coinr.csv"
        coinr = run_coinr(repeat, out)
        reference = pd.read_csv(out).set_index("uCode")
    holisec_ms, mine = time_holisec(repeat)
    mine = mine.loc[reference.index, reference.columns]
    return {**coinr, "holisec_ms": holisec_ms, "ratio": coinr["median_ms"] / holisec_ms,
            "max_abs_diff": float(np.nanmax(np.abs(mine.to_numpy() - reference.to_numpy()))),
            "shape": reference.shape}


def describe(c: dict) -> str:
    return (f"COINr's example pipeline (build_example_coin: denominate, EurAsia_group means, screen 0.9, "
            f"treat, min-max, arithmetic mean) vs holisec recipe 'coinr_example' (read_coinr + build), "
            f"ASEM 51 units x 49 indicators, median of {c['n']}: COINr {c['coinr']} (R {c['r']}) "
            f"{c['median_ms']:.0f} ms, holisec {c['holisec_ms']:.0f} ms -> holisec {c['ratio']:.1f}x faster; "
            f"scores agree to {c['max_abs_diff']:.1e} over {c['shape'][0]} x {c['shape'][1]}")


def main() -> None:
    reason = r_missing_reason()
    if reason:
        print(f"COINr not run: {reason}")
        sys.exit(1)
    print(describe(compare(int(sys.argv[1]) if len(sys.argv) > 1 else 15)))


if __name__ == "__main__":
    main()
