"""Receptive-field arithmetic: how far one output position sees into the input, and the jump
(cumulative stride) between neighbouring positions, along a path of modules.

rf_out = rf_in + dilation·(kernel − 1)·jump_in, jump_out = jump_in·stride: square kernels assumed,
as in every ResNet. The field's centre moves by (dilation·(kernel − 1)/2 − padding)·jump_in, so
that `box` can place one output position's field on the image.
"""

from __future__ import annotations

import weakref
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
    offset: float = 0.0  # input pixel at the centre of output position 0 (pixel k spans k±0.5)

    def through(self, module: nn.Module, call: Call) -> Geometry:
        if isinstance(module, (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d)):
            k, s = pair(module.kernel_size)[0], pair(module.stride)[0]
            d = pair(getattr(module, "dilation", 1))[0]
            pad = module.padding
            p = d * (k - 1) / 2 if pad == "same" else 0 if pad == "valid" else pair(pad)[0]
            return Geometry(self.rf + d * (k - 1) * self.jump, self.jump * s,
                            self.offset + (d * (k - 1) / 2 - p) * self.jump)  # fmt: skip
        if isinstance(module, POOLING) and call.input_shape and call.output_shape:
            size, out = call.input_shape[-1], call.output_shape[-1]
            k, s = -(-size // out), size // out  # adaptive pooling's window and step
            return Geometry(self.rf + (k - 1) * self.jump, self.jump * s,
                            self.offset + (k - 1) / 2 * self.jump)  # fmt: skip
        shapes = (call.input_shape, call.output_shape)
        if all(shape is not None and len(shape) == 4 for shape in shapes):
            # any other module that subsamples (option A's shortcut takes every other pixel)
            step = shapes[0][-1] // shapes[1][-1]  # type: ignore[index]
            return Geometry(self.rf, self.jump * max(step, 1), self.offset)
        return self

    def centre(self, row: int, col: int) -> tuple[float, float]:
        """The input pixel (row, column) at the centre of output position (row, col)."""
        return self.offset + row * self.jump, self.offset + col * self.jump

    def nearest(self, y: float, x: float, grid: tuple[int, int]) -> tuple[int, int]:
        """The output position of a `grid` (h, w) whose centre lies nearest to input pixel
        (y, x): the inverse of `centre`."""
        h, w = grid
        return (min(max(round((y - self.offset) / self.jump), 0), h - 1),
                min(max(round((x - self.offset) / self.jump), 0), w - 1))  # fmt: skip

    def box(self, row: int, col: int) -> tuple[float, float, float, float]:
        """The field of output position (row, col): top, left, bottom, right input pixels
        (inclusive; beyond the image where the field runs off it, into the padding)."""
        cy, cx = self.centre(row, col)
        half = (self.rf - 1) / 2
        return cy - half, cx - half, cy + half, cx + half

    def along(
        self, path: Iterable[tuple[str, nn.Module]], calls: dict[str, list[Call]]
    ) -> Geometry:
        g = self
        for name, module in path:
            if name in calls:  # a module the forward pass never ran is on no path
                g = g.through(module, calls[name][0])
        return g


_fields: weakref.WeakKeyDictionary[nn.Module, dict[tuple[str, int], Geometry]] = (
    weakref.WeakKeyDictionary()
)  # per model object: its geometry depends on its modules, not on its weights


def field_of(model: nn.Module, layer: str, input_size: int) -> Geometry:
    """The geometry of the output of `layer` (a stage or a block of `model`'s reading): the stem,
    then each block's residual branch (whose field holds its shortcut's), as the analysis walks
    them, up to `layer`'s last block. Traced once per (model, layer, size)."""
    held = _fields.setdefault(model, {})
    if (layer, input_size) not in held:
        held[(layer, input_size)] = _field_of(model, layer, input_size)
    return held[(layer, input_size)]


def _field_of(model: nn.Module, layer: str, input_size: int) -> Geometry:
    from ..errors import ExplorerError
    from .structure import leaves, reading_of, trace_model

    reading = reading_of(model)
    ends = reading.layer_ends
    if layer not in ends:
        choices = ", ".join([*reading.stage_names, *(b.name for b in reading.blocks[:3])])
        raise ExplorerError.text("err_no_layer", layer=layer, model=type(model).__name__,
                                 example=choices)  # fmt: skip
    info = getattr(model, "explorer_info", None)
    traced = model
    if info is not None:  # a loaded registry model: its meta build, as the reading was made
        from .registry import get_entry

        traced = get_entry(info.name).build(device="meta")
    calls = trace_model(traced, input_size).by_module()
    order = {name: records[0].order for name, records in calls.items()}
    g = Geometry()
    for unit in reading.stem:
        g = g.along(sorted(leaves(traced.get_submodule(unit), unit),
                           key=lambda p: order.get(p[0], 0)), calls)  # fmt: skip
    for b in reading.blocks:
        branch = g.along([(n, traced.get_submodule(n)) for n in b.branch], calls)
        side = g.along([(n, traced.get_submodule(n)) for n in b.shortcut], calls)
        g = Geometry(max(branch.rf, side.rf), branch.jump, branch.offset)
        if b.name == ends[layer]:
            break
    return g
