"""Where the stem, the stages, the residual blocks and the head sit in a ResNet's module tree.

Read from the real modules: the model's top-level children, torchvision's BasicBlock/Bottleneck
and their `downsample` shortcut. No table of known depths, no hooks, no forward pass.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from torch import nn
from torchvision.models.resnet import BasicBlock, Bottleneck

from ..errors import ExplorerError

# Layers with weights that the depth of a network counts (the paper's "weighted layers").
WEIGHTED = (nn.Conv2d, nn.Linear)
POOLING = (nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)
SHORTCUT = "downsample"  # torchvision's attribute for a block's projection shortcut


@dataclass(frozen=True)
class Structure:
    """Top-level children of a ResNet, grouped the way its forward pass uses them."""

    stem: tuple[str, ...]  # children run before the first stage, in execution order
    stages: tuple[str, ...]  # children that are a sequence of residual blocks
    head: tuple[str, ...]  # children run after the last stage


def is_block(module: nn.Module) -> bool:
    return isinstance(module, (BasicBlock, Bottleneck))


def _is_stage(module: nn.Module) -> bool:
    return isinstance(module, nn.Sequential) and len(module) > 0 and all(map(is_block, module))


def find_structure(model: nn.Module, order: Mapping[str, int] | None = None) -> Structure:
    """Split the top-level children into stem, stages and head.

    `order` maps a module name to the index of its first call; without it, registration order
    (which torchvision's ResNet follows in forward) stands in for execution order.
    """
    children = [name for name, _ in model.named_children()]
    if order is not None:
        children.sort(key=lambda name: order.get(name, math.inf))
    modules = dict(model.named_children())
    stage_at = [i for i, name in enumerate(children) if _is_stage(modules[name])]
    if not stage_at:
        raise ExplorerError(
            f"{type(model).__name__} is not a ResNet-style model: none of its top-level modules "
            "is a sequence of BasicBlock/Bottleneck blocks."
        )
    first, last = stage_at[0], stage_at[-1]
    if stage_at != list(range(first, last + 1)):
        raise ExplorerError(
            f"{type(model).__name__} has other modules between its residual stages; the explorer "
            "expects stem → stages → head, as in torchvision's ResNet."
        )
    return Structure(
        stem=tuple(children[:first]),
        stages=tuple(children[first : last + 1]),
        head=tuple(children[last + 1 :]),
    )


def leaves(module: nn.Module, prefix: str) -> list[tuple[str, nn.Module]]:
    """Modules without children under `module`, with their full names."""
    return [
        (f"{prefix}.{name}" if prefix and name else name or prefix, m)
        for name, m in module.named_modules()
        if not any(True for _ in m.children())
    ]


def main_path(block: nn.Module, prefix: str) -> list[tuple[str, nn.Module]]:
    """The residual branch F(x): the block's leaves outside its shortcut, in registration order."""
    cut = f"{prefix}.{SHORTCUT}"
    return [(n, m) for n, m in leaves(block, prefix) if n != cut and not n.startswith(cut + ".")]


def shortcut_path(block: nn.Module, prefix: str) -> list[tuple[str, nn.Module]]:
    """The projection shortcut's leaves (1×1 conv + BN), or [] for an identity shortcut."""
    shortcut = getattr(block, SHORTCUT, None)
    return [] if shortcut is None else leaves(shortcut, f"{prefix}.{SHORTCUT}")


def shortcut_kind(block: nn.Module, prefix: str = "") -> str:
    """What S(x) is, read from the modules: "none" (a plain network's block: no shortcut at
    all), "identity" (none registered), "projection" (one with weights) or "zero_pad" (one
    without: option A's zero-padding identity)."""
    if not getattr(block, "has_shortcut", True):
        return "none"
    shortcut = shortcut_path(block, prefix)
    if not shortcut:
        return "identity"
    return "projection" if any(isinstance(m, WEIGHTED) for _, m in shortcut) else "zero_pad"


@dataclass(frozen=True)
class Parts:
    """What torchvision's ResNet.forward applies, in order, as (name, module) pairs."""

    stem: tuple[tuple[str, nn.Module], ...]  # conv1, bn1, relu, maxpool
    blocks: tuple[tuple[str, nn.Module], ...]  # ("layer3.1", block), every block of every stage
    head: tuple[tuple[str, nn.Module], ...]  # avgpool, the flatten forward does, fc


def network_parts(model: nn.Module) -> Parts:
    """The modules of a ResNet's forward pass, so that it can be run step by step."""
    structure = find_structure(model)
    stem = tuple((name, model.get_submodule(name)) for name in structure.stem)
    blocks = tuple(
        (f"{stage}.{i}", block)
        for stage in structure.stages
        for i, block in enumerate(model.get_submodule(stage))
    )
    head: list[tuple[str, nn.Module]] = []
    for name in structure.head:
        module = model.get_submodule(name)
        if isinstance(module, nn.Linear):
            head.append(("flatten", nn.Flatten(1)))
        head.append((name, module))
    return Parts(stem, blocks, tuple(head))
