"""Deleting blocks from a trained network (Veit et al. 2016): which blocks can go, and the forward
pass without them.

A residual block loses its branch and keeps its shortcut: out = post(S(x)). A plain block (no
shortcut) becomes the identity where its input and output have one shape, and cannot be removed
where it changes the shape. Blocks run by their own forward (`run_block`); the model is never
changed, copied or hooked.
"""

from __future__ import annotations

import weakref
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from ..errors import ExplorerError
from .structure import Parts, network_parts, on_meta, run_block


@dataclass(frozen=True)
class Deletable:
    """Whether and how one block can be deleted."""

    block: str  # "layer2.0"
    shortcut: str  # its shortcut kind: identity, projection, zero_pad, none, ...
    removable: bool
    # "branch": the residual branch goes, the shortcut stays; "identity": a plain block becomes
    # the identity; "": it cannot be removed
    how: str
    in_shape: tuple[int, ...]  # (C, H, W) of its input
    out_shape: tuple[int, ...]  # and of its output


def _shapes(parts: Parts, size: int, channels: int = 3) -> list[tuple[tuple[int, ...], ...]]:
    """Each block's input and output shape, from one pass on the meta device."""
    shapes: list[tuple[tuple[int, ...], ...]] = []
    with torch.no_grad():
        a = torch.empty(1, channels, size, size, device="meta")
        for _, module in parts.stem:
            with on_meta(module):
                a = module(a)
        for name, block in parts.blocks:
            with on_meta(block):
                out = run_block(block, parts.block(name), a).output
            shapes.append((tuple(a.shape[1:]), tuple(out.shape[1:])))
            a = out
    return shapes


# per model object and input size: a page's every tick asks, and the answer is its modules'
_tables: weakref.WeakKeyDictionary[nn.Module, dict[int, tuple[Deletable, ...]]] = (
    weakref.WeakKeyDictionary()
)


def deletable(model: nn.Module, input_size: int) -> tuple[Deletable, ...]:
    """Every block of `model` in forward order, with how it can be deleted (worked out once per
    model object and input size, on the meta device)."""
    held = _tables.setdefault(model, {})
    if input_size not in held:
        held[input_size] = _deletable(model, input_size)
    return held[input_size]


def _deletable(model: nn.Module, input_size: int) -> tuple[Deletable, ...]:
    parts = network_parts(model)
    out = []
    for (name, _), (shape_in, shape_out) in zip(parts.blocks, _shapes(parts, input_size),
                                                strict=True):  # fmt: skip
        kind = parts.block(name).shortcut_kind
        if kind != "none":
            how = "branch"
        else:
            how = "identity" if shape_in == shape_out else ""
        out.append(Deletable(name, kind, bool(how), how, shape_in, shape_out))
    return tuple(out)


def check_deleted(table: Sequence[Deletable], deleted: Collection[str]) -> frozenset[str]:
    """`deleted` as a set of removable block names; an unknown or fixed block is refused."""
    known = {d.block: d for d in table}
    for name in deleted:
        if name not in known:
            raise ExplorerError.text("err_no_block", block=name,
                                     example=table[0].block if table else "layer1.0")  # fmt: skip
        if not known[name].removable:
            d = known[name]
            raise ExplorerError.text("err_not_removable", block=name,
                                     shape_in="×".join(map(str, d.in_shape)),
                                     shape_out="×".join(map(str, d.out_shape)))  # fmt: skip
    return frozenset(deleted)


def _keep_shortcut(f: Tensor, s: Tensor) -> Tensor:
    # a copy: an identity's S(x) is the block's input, which the block's in-place activation
    # would otherwise overwrite (and a lesion curve reuses that input for the next draw)
    return s.clone()


def without(parts: Parts, name: str, a: Tensor) -> Tensor:
    """Block `name` deleted, on its input `a`: post(S(a)) for a residual block, `a` itself for a
    plain one (the caller has checked that it can go)."""
    if parts.block(name).shortcut_kind == "none":
        return a
    block = dict(parts.blocks)[name]
    return run_block(block, parts.block(name), a, join=_keep_shortcut).output


def run_blocks(parts: Parts, a: Tensor, deleted: frozenset[str], start: int = 0) -> Tensor:
    """Blocks `start`… of `parts` on `a` (the input of block `start`), the `deleted` ones
    removed; then the head. Returns the logits."""
    for name, block in parts.blocks[start:]:
        # its own forward where nothing is deleted: nothing intercepted
        a = block(a) if name not in deleted else without(parts, name, a)
    return parts.run_head(a)


def forward_without(model: nn.Module, x: Tensor, deleted: Collection[str] = ()) -> Tensor:
    """The logits of `model` on `x` with the `deleted` blocks removed (see the module's note)."""
    parts = network_parts(model)
    table = deletable(model, x.shape[-1])
    gone = check_deleted(table, deleted)
    with torch.no_grad():
        return run_blocks(parts, parts.run_stem(x), gone)
