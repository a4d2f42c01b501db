"""Running a model only as far as one of its modules: that module's input or output, and nothing
of the forward pass after it.

A pre-hook or hook on the module keeps what it saw and stops the pass with an exception the
caller never sees, through `hooked` (the one context manager for hooks), so no hook outlives the
call and the model's train/eval mode is restored.
"""

from __future__ import annotations

from typing import Any

from torch import Tensor, nn

from ..arch.hooks import hooked


class _Reached(Exception):
    """The pass got where it was going."""


def run_until(model: nn.Module, x: Tensor, name: str, *, output: bool = False) -> Tensor:
    """The input (or, with `output`, the output) of `model`'s module `name` when `model` runs on
    `x`, keeping its autograd graph; the rest of the forward pass is not run."""
    module = model.get_submodule(name)
    seen: list[Tensor] = []

    def before(_: nn.Module, args: tuple[Any, ...]) -> None:
        seen.append(args[0])
        raise _Reached

    def after(_: nn.Module, args: tuple[Any, ...], result: Any) -> None:
        # a block that adds in place may change its result later only outside this call
        seen.append(result)
        raise _Reached

    with hooked(model, train=model.training) as hooks:
        if output:
            hooks.forward(module, after)
        else:
            hooks.forward_pre(module, before)
        try:
            model(x)
        except _Reached:
            pass
    if not seen:
        raise RuntimeError(f"{name} did not run in the forward pass")
    return seen[0]
