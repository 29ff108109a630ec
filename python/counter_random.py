"""A counter-based pseudo-random generator that LandUse's Swift tests reproduce bit for bit.

Fixtures for whole networks would be too large to commit if they stored every weight (a ResNet-50
PSPNet has 49 M parameters), so parity fixtures define weights and inputs by this generator instead and
store only outputs. Value i of a tensor named `name` is

    bits = splitmix64(fnv1a64(name) + i)          (64-bit wrapping arithmetic)
    u    = (bits >> 40) / 2**24                    (exact in Float32, in [0, 1))

and the Swift twin is `CounterRandom` in Tests/SegmentationModelsTests. Derived values are computed in
float64 and rounded to float32 once, identically on both sides.
"""

import numpy as np

MASK = (1 << 64) - 1


def fnv1a64(name: str) -> int:
    value = 0xCBF29CE484222325
    for byte in name.encode("utf-8"):
        value ^= byte
        value = (value * 0x100000001B3) & MASK
    return value


def splitmix64(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        z = x + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def unit(name: str, count: int) -> np.ndarray:
    """`count` float64 values in [0, 1), each a multiple of 2**-24."""
    with np.errstate(over="ignore"):
        counters = np.uint64(fnv1a64(name)) + np.arange(count, dtype=np.uint64)
    return (splitmix64(counters) >> np.uint64(40)).astype(np.float64) / float(1 << 24)


def symmetric(name: str, count: int, bound: float) -> np.ndarray:
    """`count` float32 values uniform in [-bound, bound)."""
    return ((unit(name, count) * 2.0 - 1.0) * bound).astype(np.float32)
