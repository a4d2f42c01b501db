"""Why a model cannot run at an input size, and which sizes it accepts.

The source notes' ResNet-50 ends in AvgPool2d(7) and Linear(2048, 1000): at 256 px layer4 is 8×8,
the pool leaves 2×2×2048 = 8192 features and the fc refuses them. This says so from the failed
trace, and finds the accepted sizes by trying them on the meta device (shapes only, no weights).
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ..errors import ExplorerError
from ..i18n import Phrase
from .dataflow import TraceError
from .reading import Reading

SEARCH = (32, 1024)  # the sizes tried: the page's range
POOLS = (nn.AvgPool2d, nn.MaxPool2d, nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)


def _runs(model: nn.Module, size: int) -> bool:
    from .structure import on_meta

    try:
        with on_meta(model), torch.no_grad():
            model(torch.zeros(1, 3, size, size, device="meta"))
    except (RuntimeError, ValueError, TypeError):
        return False
    return True


def accepted_sizes(
    model: nn.Module, lo: int = SEARCH[0], hi: int = SEARCH[1]
) -> list[tuple[int, int]]:
    """The runs of input sizes in [lo, hi] the model runs on, as (first, last) pairs: every
    32nd size is tried, then each edge of an accepted run is found by bisection."""
    was = model.training
    model.eval()
    try:

        def works(size: int) -> bool:
            return _runs(model, size)

        grid = list(range(lo, hi + 1, 32))
        ok = [works(s) for s in grid]
        runs: list[tuple[int, int]] = []
        for i, good in enumerate(ok):
            if not good or (i and ok[i - 1]):
                continue
            a, b = (grid[i - 1] if i else lo - 1), grid[i]  # works(b), not works(a)
            while b - a > 1:
                mid = (a + b) // 2
                a, b = (a, mid) if works(mid) else (mid, b)
            j = i
            while j + 1 < len(ok) and ok[j + 1]:
                j += 1
            c, d = grid[j], grid[j + 1] if j + 1 < len(grid) else hi + 1  # works(c), not d
            while d - c > 1:
                mid = (c + d) // 2
                c, d = (mid, d) if works(mid) else (c, mid)
            runs.append((b, c))
        return runs
    finally:
        model.train(was)


def _said(runs: list[tuple[int, int]]) -> str:
    if not runs:
        return f"none from {SEARCH[0]} to {SEARCH[1]} px"
    return ", ".join(f"{a} px" if a == b else f"{a}–{b} px" for a, b in runs)


def size_error(model: nn.Module, err: TraceError, size: int, title: str,
               reading: Reading | None) -> ExplorerError:  # fmt: skip
    """The error for a forward pass that failed at `size`: the fc's diagnosis where an fc
    refused its features, the raw message otherwise; with the accepted sizes either way."""
    sizes = _said(accepted_sizes(model))
    failing = model.get_submodule(err.module) if err.module else model
    calls = err.flow.by_module()
    cause: object = f"{err}."
    if isinstance(failing, nn.Linear):
        given = err.input_shape
        if given is not None and given[-1] != failing.in_features:
            pools = [n for n, m in model.named_modules() if n in calls and isinstance(m, POOLS)]
            pool = pools[-1] if pools else None
            grid = calls[pool][-1].input_shape if pool else None
            pooled = calls[pool][-1].output_shape if pool else None
            # the map the pool took: the last top-level module that gave that shape
            before = [n for n, c in calls.items() if n and "." not in n and n != pool
                      and c[-1].output_shape == grid]  # fmt: skip
            stage = before[-1] if before else (reading.stages[-1].name if reading else None)
            if grid is not None and pooled is not None and len(pooled) == 4:
                module = model.get_submodule(pool) if pool else None
                cause = Phrase("cause_fc_features", {
                    "last": stage or "the last stage", "h": grid[2], "w": grid[3],
                    "pool": f"{pool} ({_describe(module)})" if pool else "the head",
                    "h2": pooled[2], "w2": pooled[3], "c": pooled[1],
                    "features": math.prod(pooled[1:]), "fc": err.module,
                    "expects": failing.in_features})  # fmt: skip
    return ExplorerError.text("err_head_size", model=title, size=size, cause=cause, sizes=sizes)


def _describe(module: nn.Module | None) -> str:
    if module is None:
        return ""
    if isinstance(module, (nn.AvgPool2d, nn.MaxPool2d)):
        return f"{type(module).__name__}({module.kernel_size})"
    return f"{type(module).__name__}({module.output_size})"  # type: ignore[union-attr]
