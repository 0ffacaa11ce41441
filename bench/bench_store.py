"""Stored builds: a cold build against reading the stored one, and the end-to-end CLI times.

In one temporary store filled from the shipped data, prints (medians of a few runs):
- cold: ``build_from_store`` (panel read from the store + the default recipe) and the time to store it;
- stored: ``stored_build`` reading the build back (scores; datasets load on use) and with every dataset;
- the ratio cold / stored read;
- end to end, in fresh processes: ``holisec rank --year 2019 --top 20`` and ``holisec warn alerts
  --level red`` on the stored build and registered alerts, against ``holisec --help`` (start-up only).
No assertions: ``python bench/bench_store.py``.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _timing import median_time  # noqa: E402  (bench/ is on sys.path when run as a script)

HOLISEC = str(Path(sys.executable).with_name("holisec"))


def cli(args: list[str], env: dict, repeat: int = 3) -> float:
    def run():
        done = subprocess.run([HOLISEC, *args], env=env, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"holisec {' '.join(args)} failed: {done.stderr}")
    run()  # warm the OS file cache
    return median_time(run, repeat)[0]


def main() -> None:
    from holisec.data.builds import build_key, load_build, save_build
    from holisec.data.shipped import load_shipped
    from holisec.data.store import Store
    from holisec.framework import load_framework
    from holisec.index import build_from_store, stored_build
    from holisec.pipeline import default_recipe

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "store.duckdb"
        with Store(path) as st:
            load_shipped(st)
            fw, rec = load_framework("holistic"), default_recipe()
            cold, result = median_time(lambda: build_from_store(st, fw, rec))
            key = build_key(st, fw, rec, st._as_of_id(None), "country")
            t = time.perf_counter()
            save_build(st, result, key)
            save = time.perf_counter() - t
        cells = sum(int(d.notnull().sum()) for d in result.datasets.values()) + int(result.scores.notnull().sum())
        with Store(path, read_only=True) as st:
            read, got = median_time(lambda: stored_build(st, fw, rec), repeat=5)
            full, _ = median_time(lambda: [d.shape for d in load_build(st, key.build_id).datasets.values()])
        print(f"default build: {result.scores.sizes['entity']} entities x {result.scores.sizes['period']} periods x "
              f"{result.scores.sizes['code']} codes; {len(result.datasets)} datasets, {cells:,} stored cells, "
              f"store file {path.stat().st_size / 2**20:.0f} MB")
        print(f"cold build (panel from store + recipe): {cold:.3f} s")
        print(f"store the build (one transaction):      {save:.3f} s")
        print(f"read the stored build (scores):         {read:.3f} s   -> cold / stored = {cold / read:.0f}x")
        print(f"read it with every dataset:             {full:.3f} s   -> cold / full read = {cold / full:.1f}x")

        env = {**os.environ, "HOLISEC_STORE": str(path)}
        subprocess.run([HOLISEC, "warn", "alerts", "--level", "red"], env=env, capture_output=True, check=True)
        start = cli(["--help"], env)
        rank = cli(["rank", "--year", "2019", "--top", "20"], env)
        alerts = cli(["warn", "alerts", "--level", "red"], env)
        print(f"CLI start-up (holisec --help):          {start:.3f} s")
        print(f"holisec rank --year 2019 --top 20:      {rank:.3f} s   ({rank - start:.3f} s after start-up)")
        print(f"holisec warn alerts --level red:        {alerts:.3f} s   ({alerts - start:.3f} s after start-up)")


if __name__ == "__main__":
    main()
