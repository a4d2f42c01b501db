"""The depth of a ResNet as the 2015 paper counts it, and the formula that explains the number.

Depth counts weighted layers (convs and fc) along the residual path: the stem's convs, each
block's residual-branch convs, the head's fc. Projection shortcuts, attention gates, BatchNorm,
ReLU and pooling are listed as not counted. Every count comes from the dataflow reading of the
modules (reading.py); no depth is looked up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

from .reading import WEIGHTED, Reading
from .structure import POOLING, leaves


@dataclass(frozen=True)
class Uncounted:
    """A kind of layer that the depth leaves out."""

    key: str  # "projection_conv", "batchnorm", "relu", "pooling", "other"
    label: str  # English label for text output, plural
    modules: int  # module instances in the model
    calls: int  # applications in one forward pass (a block's single ReLU runs 2-3 times)


@dataclass(frozen=True)
class DepthBreakdown:
    """depth = stem + Σ residual-branch convs of every block + head."""

    depth: int
    stem: int  # weighted layers in the stem (the 7×7 conv: 1)
    block_convs: tuple[tuple[int, ...], ...]  # residual-branch convs of each block, per stage
    head: int  # weighted layers after the last stage (the fc: 1)
    formula: str  # "50 = 1 + 3·(3+4+6+3) + 1"
    compact: str | None  # "18 = 1 + 2·2·4 + 1" when every stage has the same number of blocks
    expanded: str  # "18 = 1 + (2·2 + 2·2 + 2·2 + 2·2) + 1", the source notes' form
    not_counted: tuple[Uncounted, ...]

    @property
    def stage_blocks(self) -> tuple[int, ...]:
        return tuple(len(stage) for stage in self.block_convs)

    @property
    def convs_per_block(self) -> int | None:
        """Convs in every block's residual branch, or None when blocks differ."""
        counts = {c for stage in self.block_convs for c in stage}
        return counts.pop() if len(counts) == 1 else None


def _weighted(pairs: list[tuple[str, nn.Module]]) -> int:
    return sum(isinstance(m, WEIGHTED) for _, m in pairs)


def _stage_term(convs: tuple[int, ...]) -> str:
    if len(set(convs)) == 1:
        return f"{convs[0]}·{len(convs)}"
    return "(" + "+".join(map(str, convs)) + ")"


def depth_breakdown(model: nn.Module, reading: Reading, calls: Mapping[str, int]) -> DepthBreakdown:
    """Count the depth of `model`; `calls` maps module names to how often one forward ran them."""
    stem = sum(_weighted(leaves(model.get_submodule(n), n)) for n in reading.stem)
    head = sum(_weighted(leaves(model.get_submodule(n), n)) for n in reading.head)
    blocks = {b.name: b for b in reading.blocks}
    block_convs = tuple(
        tuple(_weighted([(n, model.get_submodule(n)) for n in blocks[b].branch])
              + blocks[b].functional_convs for b in stage.blocks)
        for stage in reading.stages
    )  # fmt: skip
    depth = stem + sum(map(sum, block_convs)) + head

    k = {c for stage in block_convs for c in stage}
    blocks = [len(stage) for stage in block_convs]
    expanded = f"{depth} = {stem} + ({' + '.join(map(_stage_term, block_convs))}) + {head}"
    if len(k) == 1:
        per_block = k.pop()
        formula = f"{depth} = {stem} + {per_block}·({'+'.join(map(str, blocks))}) + {head}"
        compact = (
            f"{depth} = {stem} + {per_block}·{blocks[0]}·{len(blocks)} + {head}"
            if len(set(blocks)) == 1
            else None
        )
    else:
        formula, compact = expanded, None

    return DepthBreakdown(
        depth,
        stem,
        block_convs,
        head,
        formula,
        compact,
        expanded,
        _not_counted(model, reading, calls),
    )


def _not_counted(
    model: nn.Module, reading: Reading, calls: Mapping[str, int]
) -> tuple[Uncounted, ...]:
    shortcut_names = {name for b in reading.blocks for name in b.shortcut}
    gate_names = {name for b in reading.blocks for name in b.gate}
    kinds = {
        "projection_conv": "projection shortcut 1×1 convs",
        "zero_pad_shortcut": "zero-padding shortcuts (no weights)",
        "attention": "attention-gate layers (squeeze-excitation)",
        "batchnorm": "BatchNorm",
        "relu": "ReLU",
        "pooling": "pooling",
        "other": "other layers",
    }
    tally = {key: [0, 0] for key in kinds}
    for name, module in leaves(model, ""):
        if name in gate_names:
            key = "attention"  # an SE or ECA gate's convs and activations: not the main path
        elif isinstance(module, WEIGHTED):
            if name not in shortcut_names:
                continue  # counted in the depth
            key = "projection_conv"
        elif isinstance(module, _BatchNorm):
            key = "batchnorm"
        elif isinstance(module, nn.ReLU):
            key = "relu"
        elif isinstance(module, POOLING):
            key = "pooling"
        elif name in shortcut_names:
            key = "zero_pad_shortcut"  # option A: a shortcut module without weights
        else:
            key = "other"
        tally[key][0] += 1
        tally[key][1] += calls.get(name, 0)
    return tuple(
        Uncounted(key, kinds[key], n_modules, n_calls)
        for key, (n_modules, n_calls) in tally.items()
        if n_modules or key not in ("other", "zero_pad_shortcut", "attention")
    )
