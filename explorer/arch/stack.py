"""Networks without residual blocks that the paper sets beside ResNet: VGG-19 (Figure 3's left
column), built by torchvision and analysed by the same tracer, layer records and receptive-field
arithmetic as the ResNets, with its stages split where a pooling layer halves the map.

Only what holds for a plain stack of layers: no depth formula (VGG has no blocks to count) and no
block rows. Imports nothing of the rest of the package beyond arch/.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import torch
from torch import nn

from ..errors import ExplorerError
from .analysis import PAPER_NAMES, LayerNode, StageRow, _node, check_input_size
from .receptive import Geometry, pair
from .structure import WEIGHTED, leaves
from .trace import trace


def _vgg19() -> nn.Module:
    from torchvision.models import vgg19

    return vgg19()


# name → (title, builder): the networks a ResNet is drawn beside, never in the ResNet registry
STACKS: dict[str, tuple[str, Callable[[], nn.Module]]] = {"vgg19": ("VGG-19", _vgg19)}


@dataclass(frozen=True)
class StackSummary:
    """One plain stack of layers at one input size: the same records as ArchitectureSummary's,
    with stages split at the pooling layers that halve the map (the pool opens its stage, as
    Table 1 of He et al. puts ResNet's max pool at the start of conv2_x)."""

    model: str
    title: str
    input_size: int
    stages: tuple[StageRow, ...]
    layers: LayerNode

    @property
    def depth(self) -> int:
        """The weighted layers, counted as the paper counts VGG-19's 19 (16 convs, 3 fc)."""
        return sum(n.type in ("Conv2d", "Linear") for n in self.layers.walk())

    @property
    def total_params(self) -> int:
        return self.layers.total_params

    @property
    def total_macs(self) -> int:
        return self.layers.macs


def _halves(module: nn.Module) -> bool:
    return isinstance(module, (nn.MaxPool2d, nn.AvgPool2d)) and pair(module.stride)[0] > 1


def _is_head(members: list[tuple[str, nn.Module]]) -> bool:
    return any(isinstance(m, nn.Linear) for _, m in members)


def summarize_stack(model: nn.Module, input_size: int, name: str, title: str) -> StackSummary:
    """Trace `model` once on an input of `input_size` and group its leaves into stages."""
    size = check_input_size(input_size)
    param = next(model.parameters())
    x = torch.zeros(1, 3, size, size, device=param.device, dtype=param.dtype)
    try:
        calls = trace(model, x)
    except RuntimeError as err:
        raise ExplorerError(f"{name} cannot run on a {size}×{size} input: {err}") from err
    root = _node("", model, calls)
    nodes = {n.name: n for n in root.walk()}
    ran = sorted((p for p in leaves(model, "") if p[0] in calls),
                 key=lambda p: calls[p[0]][0].order)  # fmt: skip
    if not any(isinstance(m, WEIGHTED) for _, m in ran):
        raise ExplorerError(f"{name} has no convolution or fc layer to draw.")
    groups: list[list[tuple[str, nn.Module]]] = [[]]
    for leaf, module in ran:
        if groups[-1] and (_halves(module) or (isinstance(module, nn.Linear) and
                                               not _is_head(groups[-1]))):  # fmt: skip
            groups.append([])  # a halving pool opens a stage; the first fc opens the head
        groups[-1].append((leaf, module))
    rows, g = [], Geometry()
    for i, members in enumerate(groups, start=1):
        row = ("head" if _is_head(members) else f"conv{i}" if any(isinstance(m, nn.Conv2d)
               for _, m in members) else f"pool{i - 1}")  # fmt: skip
        g = g.along(members, calls)
        last = members[-1][0]
        rows.append(
            StageRow(
                name=row,
                paper_name=PAPER_NAMES["head"] if row == "head" else row,
                modules=tuple(n for n, _ in members),
                output_shape=nodes[last].output_shape,  # type: ignore[arg-type]
                stride=g.jump,
                receptive_field=g.rf,
                block_rows=(),
                params=sum(nodes[n].total_params for n, _ in members),
                macs=sum(nodes[n].macs for n, _ in members),
            )
        )
    return StackSummary(name, title, size, tuple(rows), root)


def analyze_stack(name: str, input_size: int = 224) -> StackSummary:
    """The summary of a network of STACKS ("vgg19"), built on the meta device (no weights, no
    arithmetic) and cached per (name, input size)."""
    if name not in STACKS:
        raise ExplorerError(f"unknown network {name!r}; the ones drawn beside ResNet: "
                            f"{', '.join(STACKS)}")  # fmt: skip
    return _summary(name, check_input_size(input_size))


@lru_cache(maxsize=32)  # (name, size) pairs; a VGG summary is small
def _summary(name: str, input_size: int) -> StackSummary:
    title, build = STACKS[name]
    with torch.device("meta"):
        model = build().eval()
    return summarize_stack(model, input_size, name, title)
