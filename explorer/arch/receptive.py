"""Receptive-field arithmetic: how far one output position sees into the input, and the jump
(cumulative stride) between neighbouring positions, along a path of modules.

rf_out = rf_in + dilation·(kernel − 1)·jump_in, jump_out = jump_in·stride: square kernels assumed,
as in every ResNet.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from torch import nn

from .structure import POOLING
from .trace import Call


def pair(value: int | tuple[int, ...]) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else (value[0], value[-1])


@dataclass(frozen=True)
class Geometry:
    """Receptive field and jump (cumulative stride) of one position, in input pixels."""

    rf: int = 1
    jump: int = 1

    def through(self, module: nn.Module, call: Call) -> Geometry:
        if isinstance(module, (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d)):
            k, s = pair(module.kernel_size)[0], pair(module.stride)[0]
            d = pair(getattr(module, "dilation", 1))[0]
            return Geometry(self.rf + d * (k - 1) * self.jump, self.jump * s)
        if isinstance(module, POOLING) and call.input_shape and call.output_shape:
            size, out = call.input_shape[-1], call.output_shape[-1]
            k, s = -(-size // out), size // out  # adaptive pooling's window and step
            return Geometry(self.rf + (k - 1) * self.jump, self.jump * s)
        shapes = (call.input_shape, call.output_shape)
        if all(shape is not None and len(shape) == 4 for shape in shapes):
            # any other module that subsamples (option A's shortcut takes every other pixel)
            step = shapes[0][-1] // shapes[1][-1]  # type: ignore[index]
            return Geometry(self.rf, self.jump * max(step, 1))
        return self

    def along(
        self, path: Iterable[tuple[str, nn.Module]], calls: dict[str, list[Call]]
    ) -> Geometry:
        g = self
        for name, module in path:
            if name in calls:  # a module the forward pass never ran is on no path
                g = g.through(module, calls[name][0])
        return g
