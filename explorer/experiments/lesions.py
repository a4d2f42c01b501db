"""Veit et al. (2016), "Residual networks behave like ensembles of relatively shallow networks",
on the shipped networks: delete blocks and measure the error on a fixed held-out set of shapes.

The held-out set is images 25,000-25,299 of the experiment's data (seed 2015), which no network
trained on. `lesion_curve` deletes k blocks at random, `repeats` times per k; draws that delete
the same blocks up to some point share the pass up to there, the intact pass included.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
from torch import Tensor, nn

from ..arch.deletion import check_deleted, deletable, run_blocks, without
from ..arch.structure import Parts, network_parts
from ..errors import ExplorerError
from ..models.device import precision, to_model
from ..models.loading import INFO_ATTR, load_model
from .data import HELDOUT, make_arrays
from .degradation import Recipe

HELDOUT_START = Recipe().train_samples  # the first images after the training set
BATCH = 300  # images per forward pass

Images = int | tuple[Tensor, Tensor]  # how many held-out images, or your own (x, labels)


@lru_cache(maxsize=4)
def heldout(n: int = HELDOUT) -> tuple[np.ndarray, np.ndarray]:
    """The first `n` held-out images (n, 32, 32, 3) uint8 and their labels."""
    if not 1 <= n <= Recipe().test_samples:
        raise ExplorerError(f"the held-out set has 1 to {Recipe().test_samples} images, not {n}.")
    return make_arrays(n, Recipe().data_seed, HELDOUT_START)


def resolve(model: str | nn.Module) -> nn.Module:
    """A module; a name loads its shipped (trained) weights."""
    return model if isinstance(model, nn.Module) else load_model(model, "DEFAULT")


def heldout_batch(model: nn.Module, images: Images = HELDOUT) -> tuple[Tensor, Tensor]:
    """The model's input for the held-out images (its own normalisation) and their labels."""
    if isinstance(images, tuple):
        x, y = images
        return to_model(model, x), y.to(x.device)
    pixels, labels = heldout(images)
    info = getattr(model, INFO_ATTR, None)
    if info is None:
        raise ExplorerError("load the model with explorer.load_model, or pass (x, labels).")
    mean = torch.tensor(info.preprocess.mean)[None, :, None, None]
    std = torch.tensor(info.preprocess.std)[None, :, None, None]
    x = (torch.from_numpy(pixels).permute(0, 3, 1, 2).float() / 255 - mean) / std
    return to_model(model, x), torch.from_numpy(labels)


def heldout_error(model: str | nn.Module, deleted: Sequence[str] = (),
                  images: Images = HELDOUT) -> float:  # fmt: skip
    """The error on the held-out images with the `deleted` blocks removed."""
    module = resolve(model)
    parts = network_parts(module)
    x, y = heldout_batch(module, images)
    gone = check_deleted(deletable(module, x.shape[-1]), deleted)
    wrong = 0
    with torch.no_grad(), precision(module):
        for i in range(0, len(x), BATCH):
            logits = run_blocks(parts, parts.run_stem(x[i : i + BATCH]), gone)
            wrong += int((logits.argmax(1).cpu() != y[i : i + BATCH].cpu()).sum())
    return wrong / len(x)


@dataclass(frozen=True)
class LesionPoint:
    """The held-out error with k blocks deleted at random: mean and spread over the draws."""

    model: str
    k: int
    mean_error: float  # over the draws
    spread: float  # their standard deviation (0 for one draw)
    low: float  # the best draw's error
    high: float  # the worst draw's
    draws: int


Progress = Callable[[float], None]  # the share of the draws measured


def draws(removable: Sequence[str], k_max: int, repeats: int, seed: int = 0
          ) -> list[tuple[int, tuple[int, ...]]]:  # fmt: skip
    """(k, sorted block indices) for k = 0 … k_max: one draw of nothing, then `repeats` draws of
    k distinct removable blocks each (indices into `removable`)."""
    rng = np.random.default_rng(seed)
    out: list[tuple[int, tuple[int, ...]]] = [(0, ())]
    for k in range(1, min(k_max, len(removable)) + 1):
        for _ in range(repeats):
            out.append((k, tuple(sorted(rng.choice(len(removable), k, replace=False).tolist()))))
    return out


def _walk(parts: Parts, names: list[str], a: Tensor, at: int,
          tails: list[tuple[tuple[int, ...], int]], scored: Callable[[Tensor, int], None]
          ) -> None:  # fmt: skip
    """Run every draw of `tails` (the blocks still to delete, at `at` or later, and its k) from
    `a`, the input of block `at` that all of them share: the intact blocks up to each next
    deleted one once, then the draws deleting it, recursively."""
    groups: dict[int, list[tuple[tuple[int, ...], int]]] = {}
    for rest, k in tails:
        groups.setdefault(rest[0] if rest else len(names), []).append((rest[1:], k))
    for first in sorted(groups):
        while at < first:  # the intact blocks before the next deletion, once for all
            a = parts.blocks[at][1](a)
            at += 1
        if first == len(names):  # nothing more to delete: the head
            logits = parts.run_head(a)
            for _, k in groups[first]:
                scored(logits, k)
        else:
            # a copy where `a` goes on afterwards: a block may write into its input
            mine = a if first == max(groups) else a.clone()
            _walk(parts, names, without(parts, names[first], mine), first + 1, groups[first],
                  scored)  # fmt: skip


def lesion_curve(model: str | nn.Module, k_max: int, repeats: int = 5, images: Images = HELDOUT,
                 seed: int = 0, progress: Progress | None = None
                 ) -> tuple[LesionPoint, ...]:  # fmt: skip
    """Veit et al.'s curve: the held-out error against the number k of blocks deleted at random
    (k = 0 … k_max, at most the removable blocks), `repeats` draws per k. `progress` hears the
    share done after each draw (and may raise to stop the curve)."""
    if isinstance(k_max, bool) or not isinstance(k_max, int) or k_max < 0:
        raise ExplorerError(f"k_max must be a whole number from 0, not {k_max!r}.")
    if isinstance(repeats, bool) or not isinstance(repeats, int) or not 1 <= repeats <= 100:
        raise ExplorerError(f"repeats must be a whole number from 1 to 100, not {repeats!r}.")
    module = resolve(model)
    parts = network_parts(module)
    x, y = heldout_batch(module, images)
    table = deletable(module, x.shape[-1])
    names = [d.block for d in table]
    removable = [d.block for d in table if d.removable]
    plan = draws(removable, k_max, repeats, seed)
    errors: dict[int, list[float]] = {}
    done = [0]

    def scored(logits: Tensor, k: int) -> None:
        errors.setdefault(k, []).append(int((logits.argmax(1) != y).sum()) / len(y))
        done[0] += 1
        if progress is not None:
            progress(done[0] / len(plan))

    # Every draw as the sorted block indices it deletes; draws that delete the same blocks up to
    # some point share the pass up to there (a trie walked depth first).
    order = [names.index(b) for b in removable]
    tails = [(tuple(order[i] for i in chosen), k) for k, chosen in plan]
    with torch.no_grad(), precision(module):
        a = parts.run_stem(x)
        y = y.to(a.device)
        _walk(parts, names, a, 0, tails, scored)
    info = getattr(module, INFO_ATTR, None)
    name = info.name if info else type(module).__name__
    return tuple(LesionPoint(name, k, float(np.mean(e)), float(np.std(e)), min(e), max(e), len(e))
                 for k, e in sorted(errors.items()))  # fmt: skip
