"""The one timing helper the benchmark scripts share."""

from __future__ import annotations

import statistics
import time


def timed(fn, repeat: int = 5):
    """(median seconds, last result) over ``repeat`` runs."""
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out
