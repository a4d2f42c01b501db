"""Timing helpers the benchmarks share: one call's seconds, contenders taking turns so that a
busy machine slows every one alike, and percentiles."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def seconds(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def forward_pass(model: Any, x: Any) -> Callable[[], object]:
    """A bare inference of `model` on `x`: the unit the benchmarks count passes in."""

    def forward() -> object:
        import torch

        with torch.inference_mode():
            return model(x)

    return forward


def interleaved(contenders: dict[str, Callable[[], object]], runs: int) -> dict[str, float]:
    """Median seconds per call, the contenders taking turns so that noise hits all alike."""
    for fn in contenders.values():  # warm-up: allocator, oneDNN primitives, lazy imports
        fn()
        fn()
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(runs):
        for name, fn in contenders.items():
            times[name].append(seconds(fn))
    return {name: statistics.median(values) for name, values in times.items()}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]
