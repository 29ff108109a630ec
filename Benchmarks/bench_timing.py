"""Timing shared by the PyTorch sides of the benchmarks (the Swift side times the same way)."""

import time


def measure(repeats, body):
    """Runs `body` twice to warm up, then `repeats` times; returns (median, minimum) in milliseconds."""
    body()
    body()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        body()
        times.append((time.perf_counter() - start) * 1e3)
    times.sort()
    return times[len(times) // 2], times[0]
