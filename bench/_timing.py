"""Timing helper shared by the benchmarks: the median of a few runs (no assertions anywhere)."""
from __future__ import annotations

import statistics
import time


def median_time(fn, repeat: int = 3, warm: bool = False) -> tuple[float, object]:
    """Median wall time of ``repeat`` calls of ``fn`` (after one untimed call if ``warm``) and its last result."""
    if warm:
        fn()
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out
