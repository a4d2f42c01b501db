"""One forward pass with a hook on every module, recorded as calls: who ran, in what order, on
what shapes. A module that runs several times (a block's single ReLU) has several calls.

Hooks go through hooks.hooked, so none is left behind; values are never kept, only shapes.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from .hooks import hooked

Shape = tuple[int, ...]


@dataclass(frozen=True)
class Call:
    """One execution of a module during the traced forward pass."""

    order: int  # position of the call's start among all calls
    input_shape: Shape | None
    output_shape: Shape | None


def _shape(value: Any) -> Shape | None:
    if isinstance(value, torch.Tensor):
        return tuple(value.shape)
    if isinstance(value, (tuple, list)) and value:
        return _shape(value[0])
    return None


def trace(model: nn.Module, x: torch.Tensor) -> dict[str, list[Call]]:
    """Run `model(x)` once and record every module call, keyed by module name."""
    names = {m: n for n, m in model.named_modules()}
    starts: dict[nn.Module, list[int]] = defaultdict(list)
    inputs: dict[nn.Module, list[Shape | None]] = defaultdict(list)
    calls: dict[str, list[Call]] = defaultdict(list)
    counter = itertools.count()

    def pre(module: nn.Module, args: tuple[Any, ...]) -> None:
        starts[module].append(next(counter))
        inputs[module].append(_shape(args))

    def post(module: nn.Module, args: tuple[Any, ...], output: Any) -> None:
        call = Call(starts[module].pop(), inputs[module].pop(), _shape(output))
        calls[names[module]].append(call)

    with hooked(model) as hooks:
        for module in names:
            hooks.forward_pre(module, pre)
            hooks.forward(module, post)
        with torch.no_grad():
            model(x)
    for records in calls.values():
        records.sort(key=lambda c: c.order)
    return dict(calls)
