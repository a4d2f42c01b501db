"""Inside one residual block, on one image: S(x), F(x), their sum and the block's output, channel
by channel, and the arithmetic at any position.

The model runs only as far as the block's input (probe.py); the block then runs once by its own
forward with its sum in our hands (`run_block`), on two rows: the sum, and the shortcut alone, so
that the activation's effect on S(x) is known too. Nothing here draws.
"""

from __future__ import annotations

import math
from contextlib import nullcontext
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image
from torch import nn

from ..arch.hooks import hooked
from ..arch.structure import block_reading, reading_of, run_block
from ..errors import ExplorerError
from ..models.device import precision, to_host, to_model
from ..models.loading import INFO_ATTR
from .explain import ModelLike, prepare, resolve_model
from .images import ImageInput
from .probe import run_until

RANKED = 8  # channels listed by how much F changes them


@dataclass(frozen=True)
class Projection:
    """What a shortcut that is not the identity does to x."""

    kind: str  # "projection", "pooled_projection" or "zero_pad"
    in_channels: int
    out_channels: int
    stride: int  # pixels between the positions it reads


@dataclass(frozen=True)
class Arithmetic:
    """The block's sum at one position of one channel."""

    row: int
    col: int
    shortcut: float  # S(x)
    branch: float  # F(x)
    total: float  # F(x) + S(x)
    output: float  # after the block's activation (the sum itself when it has none)
    activation: str  # "ReLU", or "" for a block that returns the sum

    def text(self, sum_word: str = "sum", sep: str = ", ") -> str:
        """ "S = 0.82, F = −0.31, sum = 0.51, ReLU → 0.51" (a page in another language passes its
        own word for the sum and its comma)."""

        def num(v: float) -> str:
            return f"{v:.2f}".replace("-", "−")

        said = sep.join([f"S = {num(self.shortcut)}", f"F = {num(self.branch)}",
                         f"{sum_word} = {num(self.total)}"])  # fmt: skip
        return said + (f"{sep}{self.activation} → {num(self.output)}" if self.activation else "")


@dataclass(frozen=True)
class BlockView:
    """One block's residual sum for one image, at one channel, on one colour scale."""

    model: str
    title: str
    trained: bool
    block: str  # "layer2.0"
    stage: str
    shortcut_kind: str  # identity, projection, pooled_projection, zero_pad, none (plain)
    channel: int  # the channel shown
    channels: int  # the block's output channels
    ranked: tuple[int, ...]  # the channels F changes most, most first (the default is the first)
    shortcut: np.ndarray  # (h, w) float32: S(x) at `channel` (zeros in a plain block)
    branch: np.ndarray  # (h, w): F(x)
    total: np.ndarray  # (h, w): F(x) + S(x)
    output: np.ndarray  # (h, w): the block's output
    scale: float  # the largest |value| of the four maps: the one colour scale's end
    ratio: float  # ‖F(x)‖ / ‖S(x)‖ over the whole block (inf without a shortcut)
    channel_ratio: float  # the same at `channel`
    cut_share: float  # share of the block's values (every channel) its activation sets to 0
    channel_cut_share: float  # the same at `channel`
    activation: str  # "ReLU" or "" (a pre-activation block returns the sum)
    projection: Projection | None
    image: Image.Image  # the crop the model saw

    @property
    def plain(self) -> bool:
        """No shortcut: the block's sum is F(x) alone."""
        return self.shortcut_kind == "none"

    @property
    def grid(self) -> tuple[int, int]:
        return self.branch.shape  # type: ignore[return-value]

    def at(self, row: int, col: int) -> Arithmetic:
        h, w = self.grid
        if not (0 <= row < h and 0 <= col < w):
            raise ExplorerError.text("err_position", row=row, col=col, h=h, w=w)
        return Arithmetic(row, col, float(self.shortcut[row, col]), float(self.branch[row, col]),
                          float(self.total[row, col]), float(self.output[row, col]),
                          self.activation)  # fmt: skip


def _activation(model: nn.Module, name: str) -> str:
    b = block_reading(model.get_submodule(name))
    if b.post:
        return type(model.get_submodule(b.post[-1])).__name__
    return "ReLU" if b.relu_after_sum else ""


def _projection(model: nn.Module, name: str, x: torch.Tensor, s: torch.Tensor
                ) -> Projection | None:  # fmt: skip
    b = block_reading(model.get_submodule(name))
    if b.shortcut_kind in ("identity", "none"):
        return None
    convs = [m for n in b.shortcut if isinstance(m := model.get_submodule(n), nn.Conv2d)]
    stride = max(x.shape[-1] // s.shape[-1], 1)  # a pooled projection pools, then a 1×1 conv
    return Projection(b.shortcut_kind, x.shape[1], s.shape[1], stride if not convs
                      else max(stride, convs[0].stride[0]))  # fmt: skip


def block_view(image: ImageInput | torch.Tensor, model: ModelLike, block: str,
               channel: int | None = None) -> BlockView:  # fmt: skip
    """S(x), F(x), F(x) + S(x) and the output of `block` for `image` at `channel` (default: the
    channel whose output F(x) changes most, ‖out_c − post(S(x))_c‖), one colour scale for all
    four, with the block's ‖F‖/‖S‖ and the share of values its activation cuts to zero."""
    module = resolve_model(model)
    reading = reading_of(module)
    names = [b.name for b in reading.blocks]
    if not isinstance(block, str) or block not in names:
        raise ExplorerError.text("err_no_block", block=block, example=names[len(names) // 2])
    x, crop = prepare(image, module)
    x = to_model(module, x)
    target = module.get_submodule(block)
    mode = hooked(module) if module.training else nullcontext()  # BatchNorm needs eval mode
    with torch.no_grad(), mode, precision(module):
        a = run_until(module, x, block)  # (1, C_in, H, W)

        def both(f: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
            return torch.cat([f + s, s])  # row 0: the sum; row 1: the shortcut alone

        run = run_block(target, reading.block(block), a, join=both, keep=True)
        f, s = run.branch[0].float(), run.shortcut[0].float()  # (C, h, w)
        total, out, alone = run.joined[0].float(), run.output[0].float(), run.output[1].float()
        change = (out - alone).flatten(1).norm(dim=1)  # (C,)
        norms = torch.stack([f.norm(), s.norm()])
        per_channel = torch.stack([f.flatten(1).norm(dim=1), s.flatten(1).norm(dim=1)])
        cut = ((out == 0) & (total != 0)).float()  # the activation set a nonzero sum to 0
        cut_c = cut.flatten(1).mean(1)
        host = to_host({"f": f, "s": s, "total": total, "out": out, "change": change,
                        "norms": norms, "per_channel": per_channel, "cut": cut.mean(),
                        "cut_c": cut_c})  # fmt: skip
    channels = f.shape[0]
    order = host["change"].argsort(descending=True, stable=True)  # ties: the lowest first
    if channel is None:
        chosen = int(order[0])
    elif isinstance(channel, bool) or not isinstance(channel, int) or \
            not 0 <= channel < channels:  # fmt: skip
        raise ExplorerError.text("err_channel", channel=channel, last=channels - 1, block=block)
    else:
        chosen = channel
    nf, ns = host["norms"].tolist()
    cf, cs = host["per_channel"][:, chosen].tolist()
    maps = [host[k][chosen].numpy() for k in ("s", "f", "total", "out")]
    info = getattr(module, INFO_ATTR, None)
    return BlockView(
        model=info.name if info else type(module).__name__,
        title=info.title if info else type(module).__name__,
        trained=info.trained if info else True,
        block=block, stage=reading.block(block).stage,
        shortcut_kind=reading.block(block).shortcut_kind,
        channel=chosen, channels=channels,
        ranked=tuple(int(c) for c in order[:RANKED]),
        shortcut=maps[0], branch=maps[1], total=maps[2], output=maps[3],
        scale=float(max(np.abs(m).max() for m in maps)),
        ratio=nf / ns if ns else math.inf, channel_ratio=cf / cs if cs else math.inf,
        cut_share=float(host["cut"]), channel_cut_share=float(host["cut_c"][chosen]),
        activation=_activation(module, block),
        projection=_projection(module, block, a, run.shortcut),
        image=crop,
    )  # fmt: skip
