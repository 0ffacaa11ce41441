"""Bounded load on the app's cached index reads over loopback (no network beyond 127.0.0.1).

Starts ``holisec serve`` on a free loopback port with a store (``--store`` or
``$HOLISEC_STORE``, filled from the shipped data if new), warms the cache with one request per
endpoint, then sends a fixed number of GET requests from a few client threads and stops by
itself. Prints requests/s and the p50/p99 latency per endpoint, and the ratio against the
baseline ``/api/health`` (no store access) measured in the same run.

    python bench/bench_app.py [--requests 400] [--threads 4] [--store FILE]
"""
from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import numpy as np

ENDPOINTS = ["/api/health", "/api/ranks?year=2019", "/api/index?entity=KEN&year=2019", "/api/map/index",
             "/api/profile/KEN?year=2019", "/"]


def _get(url: str) -> float:
    t = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as r:
        r.read()
        assert r.status == 200
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=400, help="requests per endpoint")
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--store", default=None)
    a = ap.parse_args()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [sys.executable, "-c", "from holisec.cli import app; app()", "serve", "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(cmd + (["--store", a.store] if a.store else []), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(1200):
            try:
                _get(base + "/api/health")
                break
            except OSError:
                time.sleep(0.1)
        t0 = time.perf_counter()
        for ep in ENDPOINTS:
            _get(base + ep)  # build once, fill the caches
        print(f"warm-up (build + first render of each endpoint): {time.perf_counter() - t0:.1f} s")
        print(f"{a.requests} requests per endpoint, {a.threads} client threads, loopback")
        print(f"{'endpoint':34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'p50 / health':>13}")
        base_p50 = None
        with ThreadPoolExecutor(a.threads) as pool:
            for ep in ENDPOINTS:
                t = time.perf_counter()
                lat = np.array(list(pool.map(_get, [base + ep] * a.requests))) * 1000
                rate = a.requests / (time.perf_counter() - t)
                p50, p99 = np.percentile(lat, [50, 99])
                base_p50 = base_p50 or p50
                print(f"{ep:34} {rate:8.0f} {p50:8.1f} {p99:8.1f} {p50 / base_p50:13.1f}")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
