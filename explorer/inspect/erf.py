"""The effective receptive field (Luo et al. 2016) of one unit, beside the theoretical one.

The unit is one position of a stage's or a block's output; its value y is summed over channels,
and the map is Σ_colour |∂y/∂x| over the input image: one forward pass up to the layer and one
backward pass to the input. Its size is the side of the smallest square around the unit's centre
that holds 50% (90%) of that gradient mass. The theoretical field and its centre come from the
layers' kernels, strides and padding (arch/receptive.py). Nothing here draws.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from PIL import Image
from torch import nn

from ..arch.hooks import hooked
from ..arch.receptive import Geometry, field_of
from ..arch.structure import reading_of
from ..errors import ExplorerError
from ..models.device import precision, to_host, to_model
from ..models.loading import INFO_ATTR
from .deadline import check
from .explain import ModelLike, prepare, resolve_model
from .images import ImageInput
from .probe import run_until

SHARES = (0.5, 0.9)  # the gradient mass the two squares hold


@dataclass(frozen=True)
class ReceptiveField:
    """One unit's effective and theoretical receptive fields on one image."""

    model: str
    title: str
    trained: bool
    layer: str  # a stage ("layer3") or a block ("layer3.1")
    position: tuple[int, int]  # (row, col) of the unit in the layer's output grid
    grid: tuple[int, int]  # that grid's (h, w)
    map: np.ndarray  # (H, W) float32: Σ over colour channels of |∂y/∂x|
    theoretical: int  # the theoretical field's side, input pixels (it may exceed the image)
    box: tuple[float, float, float, float]  # its top, left, bottom, right pixels (inclusive)
    centre: tuple[float, float]  # the unit's centre on the image (row, col pixel)
    side50: float  # pixels: the side of the square around `centre` with 50% of the mass
    side90: float  # and with 90%
    image: Image.Image  # the crop the model saw

    @property
    def share50(self) -> float:
        """side50 as a share of the theoretical field's side."""
        return self.side50 / self.theoretical

    @property
    def share90(self) -> float:
        return self.side90 / self.theoretical


def square_sides(mass: np.ndarray, centre: tuple[float, float],
                 shares: Sequence[float] = SHARES) -> tuple[float, ...]:  # fmt: skip
    """For each share q, the side of the smallest square centred on `centre` that holds q of
    the map's mass (0 when the map is all zero)."""
    total = float(mass.sum())
    if total <= 0:
        return tuple(0.0 for _ in shares)
    h, w = mass.shape
    rows, cols = np.mgrid[0:h, 0:w]
    reach = np.maximum(np.abs(rows - centre[0]), np.abs(cols - centre[1])).ravel()
    order = np.argsort(reach, kind="stable")
    held = np.cumsum(mass.ravel()[order], dtype=np.float64) / total
    out = []
    for q in shares:
        # the first pixel that brings the mass to q; the square must take every pixel as far out
        i = min(int(np.searchsorted(held, q - 1e-9)), len(held) - 1)
        out.append(2 * float(reach[order[i]]) + 1)
    return tuple(out)


def _unit_grads(model: nn.Module, x: torch.Tensor, layers: Sequence[str],
                position: tuple[int, int] | None) -> dict[str, Any]:  # fmt: skip
    """Σ_colour |∂y/∂x| for the unit at `position` (default: the centre) of each layer's output,
    for every image of `x`: one forward pass as far as the deepest layer, one backward per
    layer."""
    ends = reading_of(model).layer_ends
    outputs: dict[str, torch.Tensor] = {}
    order = [b.name for b in reading_of(model).blocks]
    deepest = max(layers, key=lambda n: order.index(ends[n]))
    wanted = {ends[n] for n in layers}
    one = len(wanted) == 1 and not model.training  # no hook besides run_until's own
    with torch.enable_grad():
        x = x.detach().clone().requires_grad_(True)
        with nullcontext(None) if one else hooked(model) as hooks:  # eval: BN's running stats
            for name in wanted - {ends[deepest]}:
                hooks.forward(
                    model.get_submodule(name),
                    lambda _m, _a, out, name=name: outputs.__setitem__(name, out),
                )
            outputs[ends[deepest]] = run_until(model, x, ends[deepest], output=True)
        maps, grids = {}, {}
        for n, layer in enumerate(layers):
            check()
            out = outputs[ends[layer]]  # (N, C, h, w)
            h, w = out.shape[-2:]
            i, j = position if position is not None else (h // 2, w // 2)
            if not (0 <= i < h and 0 <= j < w):
                raise ExplorerError.text("err_position", row=i, col=j, h=h, w=w)
            y = out[:, :, i, j].float().sum()  # every image's unit: their gradients stay apart
            (g,) = torch.autograd.grad(y, x, retain_graph=n < len(layers) - 1)
            maps[layer] = g.float().abs().sum(1)  # (N, H, W)
            grids[layer] = (h, w, i, j)
    return {"maps": maps, "grids": grids}


def effective_receptive_field(image: ImageInput | torch.Tensor, model: ModelLike, layer: str,
                              position: tuple[int, int] | None = None
                              ) -> ReceptiveField:  # fmt: skip
    """The effective receptive field of one unit of `layer` (a stage or block name) at
    `position` (row, col of the layer's grid; default its centre) for `image`, with the
    theoretical field's box and the sides of the squares holding 50% and 90% of the mass."""
    module = resolve_model(model)
    layers = reading_of(module).layer_ends
    if not isinstance(layer, str) or layer not in layers:
        raise ExplorerError.text("err_no_layer", layer=layer, model=type(module).__name__,
                                 example=next(iter(layers)))  # fmt: skip
    x, crop = prepare(image, module)
    x = to_model(module, x)
    with precision(module):
        found = _unit_grads(module, x, [layer], position)
    h, w, i, j = found["grids"][layer]
    grad = to_host({"map": found["maps"][layer][0]})["map"].numpy()
    g = field_of(module, layer, x.shape[-1])
    centre = g.centre(i, j)
    side50, side90 = square_sides(grad, centre)
    info = getattr(module, INFO_ATTR, None)
    return ReceptiveField(
        model=info.name if info else type(module).__name__,
        title=info.title if info else type(module).__name__,
        trained=info.trained if info else True,
        layer=layer, position=(i, j), grid=(h, w), map=grad.astype(np.float32),
        theoretical=g.rf, box=g.box(i, j), centre=centre, side50=side50, side90=side90,
        image=crop,
    )  # fmt: skip


@dataclass(frozen=True)
class StageField:
    """One stage's fields, averaged over images: the theoretical side and the ERF's."""

    stage: str
    depth: int  # weighted layers from the input to the stage's output (on the residual branch)
    theoretical: int  # pixels
    side50: float  # mean over the images, pixels
    side90: float
    images: int


def erf_by_stage(images: Sequence[ImageInput], model: ModelLike) -> tuple[StageField, ...]:
    """The centre unit's ERF at each stage's output, averaged over `images` (one batch), beside
    the theoretical field: Luo et al.'s comparison for this model and these weights."""
    module = resolve_model(model)
    if not images:
        raise ExplorerError.text("no_image")
    reading = reading_of(module)
    stages = [st.name for st in reading.stages]
    x = to_model(module, torch.cat([prepare(img, module)[0] for img in images]))
    with precision(module):
        found = _unit_grads(module, x, stages, None)
    host = to_host(found["maps"])
    convs = _depths(module)
    out = []
    for k, stage in enumerate(stages):
        _, _, i, j = found["grids"][stage]
        g: Geometry = field_of(module, stage, x.shape[-1])
        sides = [square_sides(m.numpy(), g.centre(i, j)) for m in host[stage]]
        depth = convs[reading.stages[k].blocks[-1]]
        out.append(StageField(stage, depth, g.rf, float(np.mean([s[0] for s in sides])),
                              float(np.mean([s[1] for s in sides])), len(images)))  # fmt: skip
    return tuple(out)


def _depths(model: nn.Module) -> dict[str, int]:
    """Weighted layers on the path from the input through each block's branch, block by block."""
    reading = reading_of(model)
    weighted = (nn.Conv2d, nn.Linear)
    depth = sum(isinstance(m, weighted) for unit in reading.stem
                for m in model.get_submodule(unit).modules())  # fmt: skip
    out = {}
    for b in reading.blocks:
        gate = set(b.gate)
        depth += sum(isinstance(model.get_submodule(n), weighted) for n in b.branch
                     if n not in gate)  # fmt: skip
        out[b.name] = depth
    return out


@dataclass(frozen=True)
class Growth:
    """How the fields grow with depth across the stages: side ∝ depth^exponent (a least-squares
    fit in log-log), and how much of the theoretical field the deepest stage's ERF covers."""

    theoretical: float  # exponent of the theoretical field
    erf50: float
    erf90: float
    last_share90: float  # the last stage's 90% side / its theoretical side


def growth(stages: Sequence[StageField]) -> Growth | None:
    """The fit over the stages whose fields are measured (None with fewer than two)."""
    points = [s for s in stages if s.side50 > 0 and s.side90 > 0 and s.depth > 0]
    if len({s.depth for s in points}) < 2:
        return None
    logd = np.log([s.depth for s in points])

    def slope(values: list[float]) -> float:
        return float(np.polyfit(logd, np.log(values), 1)[0])

    return Growth(
        theoretical=slope([s.theoretical for s in points]),
        erf50=slope([s.side50 for s in points]),
        erf90=slope([s.side90 for s in points]),
        last_share90=points[-1].side90 / points[-1].theoretical,
    )
