"""Why deep plain networks are hard to train: one architecture at initialisation, with and
without its shortcuts, and the gradient that reaches each layer.

No weights are needed: the same seeded random weights run twice on the same random batch, in
train mode (BatchNorm uses the batch's statistics, as in training), once as ReLU(F(x) + S(x))
and once as ReLU(F(x)), the paper's "plain" network. The shared, cached models are not touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import torch
from torch import nn

from ..arch.registry import get_entry
from ..arch.structure import network_parts, run_block


@dataclass(frozen=True)
class GradientProfile:
    model: str
    title: str
    layers: tuple[str, ...]  # the convs of the main path, input to output, then the fc
    residual: tuple[float, ...]  # ‖∂loss/∂W‖ of each layer, with the shortcuts
    plain: tuple[float, ...]  # the same layers and weights, shortcuts removed
    # Like with like: the first conv has 9,408 weights and ResNet-34's fc 512,000, so the norms
    # above compare layer sizes as much as gradients. Per weight: ‖∂loss/∂W‖ / √numel(W) (the
    # gradient's root mean square), and relative to the weights: ‖∂loss/∂W‖ / ‖W‖.
    residual_rms: tuple[float, ...]
    plain_rms: tuple[float, ...]
    residual_relative: tuple[float, ...]
    plain_relative: tuple[float, ...]
    batch: int
    input_size: int
    seed: int

    @property
    def spread(self) -> tuple[float, float]:
        """The first layer's RMS gradient over the last layer's: (residual, plain). Above 1 the
        gradient grows toward the input (it explodes), below 1 it vanishes."""
        return (self.residual_rms[0] / self.residual_rms[-1],
                self.plain_rms[0] / self.plain_rms[-1])  # fmt: skip


def _loss(model: nn.Module, x: torch.Tensor, y: torch.Tensor, plain: bool) -> torch.Tensor:
    parts = network_parts(model)
    a = parts.run_stem(x)
    for name, block in parts.blocks:
        # the block's own forward, with its sum replaced by F(x) alone for the plain twin
        a = run_block(block, parts.block(name), a, _branch_only if plain else _sum).output
    return nn.functional.cross_entropy(parts.run_head(a), y)


def _branch_only(f: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
    return f


def _sum(f: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
    return f + s


@lru_cache(maxsize=16)
def gradient_profile(name: str = "resnet34", batch: int = 16, input_size: int = 64,
                     seed: int = 0) -> GradientProfile:  # fmt: skip
    """Gradient norm per layer of `name` and of its plain twin, at initialisation."""
    entry = get_entry(name)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = entry.build().train()  # a private copy: BatchNorm in training mode
        x = torch.randn(batch, 3, input_size, input_size)
        y = torch.randint(0, len(entry.categories), (batch,))
    off_path = {n for b in network_parts(model).reading.blocks for n in (*b.shortcut, *b.gate)}
    layers = [(n, m) for n, m in model.named_modules()
              if isinstance(m, (nn.Conv2d, nn.Linear)) and n not in off_path]  # fmt: skip
    weights = [m.weight for _, m in layers]
    norms, rms, relative = {}, {}, {}
    for plain in (False, True):
        grads = torch.autograd.grad(_loss(model, x, y, plain), weights)
        norms[plain] = tuple(float(g.norm()) for g in grads)
        rms[plain] = tuple(float(g.norm() / g.numel() ** 0.5) for g in grads)
        relative[plain] = tuple(float(g.norm() / w.detach().norm())
                                for g, w in zip(grads, weights, strict=True))  # fmt: skip
    return GradientProfile(entry.name, entry.title, tuple(n for n, _ in layers), norms[False],
                           norms[True], rms[False], rms[True], relative[False], relative[True],
                           batch, input_size, seed)  # fmt: skip
