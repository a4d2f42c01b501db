"""The one place that attaches hooks to a model and takes them off again.

Everything that looks inside a forward pass goes through `hooked`: it removes every handle and
restores each module's train/eval flag in `finally`, so an exception never leaves a hook behind
(a leaked hook fires on every later request and keeps tensors alive).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from torch import nn
from torch.utils.hooks import RemovableHandle


class HookSet:
    """Handles registered during one `hooked` block."""

    def __init__(self) -> None:
        self._handles: list[RemovableHandle] = []

    def forward_pre(
        self, module: nn.Module, fn: Callable[[nn.Module, tuple[Any, ...]], None]
    ) -> None:
        self._handles.append(module.register_forward_pre_hook(fn))

    def forward(
        self, module: nn.Module, fn: Callable[[nn.Module, tuple[Any, ...], Any], None]
    ) -> None:
        self._handles.append(module.register_forward_hook(fn))

    def remove(self) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles.clear()


@contextmanager
def hooked(model: nn.Module, *, train: bool = False) -> Iterator[HookSet]:
    """Put `model` in eval (or train) mode and yield a HookSet; undo both on exit."""
    modes = [(m, m.training) for m in model.modules()]
    hooks = HookSet()
    try:
        model.train(train)
        yield hooks
    finally:
        hooks.remove()
        for module, mode in modes:
            module.training = mode


def hook_count(model: nn.Module) -> int:
    """Forward, pre-forward and backward hooks attached to any module of `model`."""
    return sum(
        len(m._forward_hooks)
        + len(m._forward_pre_hooks)
        + len(m._backward_hooks)
        + len(m._backward_pre_hooks)
        for m in model.modules()
    )
