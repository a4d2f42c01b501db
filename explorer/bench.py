"""Benchmarks that print ratios measured in one run: `python -m explorer.bench analysis`.

Cold timings run in fresh interpreters (nothing cached, first-call costs included), interleaved so
that a busy machine slows every contender alike; medians are reported. Not part of the test suite:
speed targets live here, never in timed unit tests.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence

MODEL = "resnet152"
SIZE = 224


def _time(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _cold(kind: str) -> float:
    """One cold measurement in this (fresh) interpreter; imports are not timed."""
    import torch
    from torchvision import models as tvm

    from explorer.analysis import analyze, summarize
    from explorer.registry import get_entry

    if kind == "explorer":
        return _time(lambda: analyze(MODEL, SIZE))
    if kind == "torchinfo":
        import torchinfo

        model = tvm.get_model(MODEL).eval()  # built before the clock starts: torchinfo's favour
        return _time(lambda: torchinfo.summary(model, input_size=(1, 3, SIZE, SIZE), verbose=0))
    entry = get_entry(MODEL)
    if kind == "meta-forward":
        return _time(lambda: summarize(entry.build("meta"), SIZE, MODEL, MODEL))

    def real_forward() -> None:  # the alternative: uninitialised CPU weights, zeroed, real convs
        model = entry.build("meta").to_empty(device="cpu")
        with torch.no_grad():
            for tensor in [*model.parameters(), *model.buffers()]:
                tensor.zero_()
        summarize(model, SIZE, MODEL, MODEL)

    return _time(real_forward)


def _fresh(kind: str) -> float:
    out = subprocess.run(
        [sys.executable, "-m", "explorer.bench", "_cold", kind],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return float(out.stdout.strip().splitlines()[-1])


def analysis(runs: int) -> None:
    from explorer.analysis import analyze

    kinds = ("explorer", "torchinfo", "meta-forward", "cpu-forward")
    times: dict[str, list[float]] = {k: [] for k in kinds}
    for _ in range(runs):
        for kind in kinds:
            times[kind].append(_fresh(kind))
    med = {k: statistics.median(v) for k, v in times.items()}

    analyze(MODEL, SIZE)
    warm_calls = 1000
    warm = _time(lambda: [analyze(MODEL, SIZE) for _ in range(warm_calls)]) / warm_calls
    summary = analyze(MODEL, SIZE)
    to_dict = min(_time(summary.to_dict) for _ in range(20))

    print(f"analysis benchmark: {MODEL} at {SIZE}×{SIZE}, {runs} fresh interpreters per "
          f"contender, medians")  # fmt: skip
    print(f"  cold explorer.analyze          {med['explorer'] * 1e3:8.1f} ms")
    print(f"  cold torchinfo.summary         {med['torchinfo'] * 1e3:8.1f} ms  "
          "(model built before timing)")  # fmt: skip
    print(f"  ratio analyze / torchinfo      {med['explorer'] / med['torchinfo']:8.2f} ×  "
          "(target ≤ 1.5)")  # fmt: skip
    print(f"  method: meta-device forward    {med['meta-forward'] * 1e3:8.1f} ms")
    print(f"  method: real CPU forward       {med['cpu-forward'] * 1e3:8.1f} ms  "
          f"(meta is {med['cpu-forward'] / med['meta-forward']:.2f}× faster)")  # fmt: skip
    print(f"  warm analyze (cached)          {warm * 1e3:8.4f} ms  (target < 5 ms)")
    print(f"  to_dict of the cached summary  {to_dict * 1e3:8.2f} ms")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m explorer.bench")
    sub = parser.add_subparsers(dest="which", required=True)
    bench = sub.add_parser("analysis", help="cold and warm analyze() vs torchinfo")
    bench.add_argument("--runs", type=int, default=5)
    cold = sub.add_parser("_cold")  # internal: one measurement in a fresh interpreter
    cold.add_argument("kind")
    args = parser.parse_args(argv)
    if args.which == "_cold":
        print(_cold(args.kind))
    else:
        analysis(args.runs)


if __name__ == "__main__":
    main()
