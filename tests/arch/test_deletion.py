"""Deleting blocks (Veit et al. 2016): which blocks can go, and the forward pass without them,
against a copy of the model rebuilt with the blocks replaced by modules of the test's own (a
residual block by ReLU(S(x)), a plain block by nn.Identity): no code shared with the live path."""

from __future__ import annotations

import copy

import pytest
import torch
import torchvision
from torch import nn

import explorer
from explorer.arch.deletion import check_deleted, deletable, forward_without
from explorer.errors import ExplorerError


class ShortcutOnly(nn.Module):
    """A torchvision-style block with its residual branch gone: ReLU(S(x))."""

    def __init__(self, block: nn.Module) -> None:
        super().__init__()
        self.downsample = block.downsample

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(x if self.downsample is None else self.downsample(x))


def rebuilt(model: nn.Module, deleted: list[str]) -> nn.Module:
    """A copy of `model` with each deleted block swapped for its stand-in."""
    out = copy.deepcopy(model)
    for name in deleted:
        parent, _, child = name.rpartition(".")
        block = out.get_submodule(name)
        plain = not getattr(block, "has_shortcut", True)  # nets.PlainBasicBlock says so
        setattr(out.get_submodule(parent), child, nn.Identity() if plain else ShortcutOnly(block))
    return out.eval()


def test_which_blocks_can_go():
    plain = deletable(explorer.load_model("plain20", None), 32)
    fixed = [d.block for d in plain if not d.removable]
    assert fixed == ["layer2.0", "layer3.0"]  # the plain blocks that change the shape
    assert {d.how for d in plain if d.removable} == {"identity"}
    d = next(d for d in plain if d.block == "layer3.0")
    assert (d.in_shape, d.out_shape) == ((32, 16, 16), (64, 8, 8))
    residual = deletable(explorer.load_model("resnet20", None), 32)
    assert all(d.removable and d.how == "branch" for d in residual) and len(residual) == 9


@pytest.mark.parametrize(
    ("name", "deleted"),
    [("resnet18", ["layer1.0", "layer2.0", "layer4.1"]), ("resnet20", ["layer2.0", "layer3.2"]),
     ("plain20", ["layer1.1", "layer2.2", "layer3.1"]), ("resnet56", [])],
)  # fmt: skip
def test_the_logits_equal_a_model_rebuilt_without_the_blocks(name, deleted):
    model = (torchvision.models.resnet18().eval() if name == "resnet18"
             else explorer.load_model(name, None))  # fmt: skip
    size = 64 if name == "resnet18" else 32
    x = torch.randn(4, 3, size, size)
    with torch.no_grad():
        want = rebuilt(model, deleted)(x)
    torch.testing.assert_close(forward_without(model, x, deleted), want, rtol=1e-4, atol=1e-5)


def test_refusals_say_what_to_do():
    plain = deletable(explorer.load_model("plain20", None), 32)
    with pytest.raises(ExplorerError, match=r"layer2\.0 cannot be removed.*16×32×32 → 32×16×16"):
        check_deleted(plain, ["layer2.0"])
    with pytest.raises(ExplorerError, match=r"layer9\.9"):
        check_deleted(plain, ["layer9.9"])
    assert check_deleted(plain, ["layer1.0", "layer1.0"]) == frozenset({"layer1.0"})
