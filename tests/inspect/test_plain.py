"""The plain vs residual demo: the residual profile is torchvision's own gradients, the plain one
the same weights without shortcuts, and deep plain gradients spread over orders of magnitude."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from explorer import analyze, get_entry, load_model
from explorer.inspect.plain import gradient_profile
from explorer.web.views import factor


def test_residual_profile_is_torchvisions_forward():
    profile = gradient_profile("resnet18", batch=4, input_size=64, seed=3)
    with torch.random.fork_rng(devices=[]):  # the same seeded weights, batch and labels
        torch.manual_seed(3)
        model = get_entry("resnet18").build().train()
        x, y = torch.randn(4, 3, 64, 64), torch.randint(0, 1000, (4,))
    layers = [m for n, m in model.named_modules()
              if isinstance(m, (nn.Conv2d, nn.Linear)) and "downsample" not in n]  # fmt: skip
    loss = nn.functional.cross_entropy(model(x), y)  # torchvision's forward, shortcuts and all
    grads = torch.autograd.grad(loss, [m.weight for m in layers])
    assert torch.allclose(torch.tensor(profile.residual), torch.stack([g.norm() for g in grads]),
                          rtol=1e-4)  # fmt: skip
    rms = [torch.sqrt((g * g).mean()) for g in grads]  # the root mean square, from its definition
    # float32 sums of squares in another order: agreement to 1e-3, not bit for bit
    assert torch.allclose(torch.tensor(profile.residual_rms), torch.stack(rms), rtol=1e-3)
    relative = [g.norm() / m.weight.norm() for g, m in zip(grads, layers, strict=True)]
    assert torch.allclose(torch.tensor(profile.residual_relative), torch.stack(relative),
                          rtol=1e-3)  # fmt: skip


def _without_shortcut(block: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """torchvision's BasicBlock.forward, less `out += identity`: the paper's plain block."""
    out = block.relu(block.bn1(block.conv1(x)))
    return block.relu(block.bn2(block.conv2(out)))


def _torchvision_rms(name: str, batch: int, size: int, seed: int, plain: bool) -> torch.Tensor:
    """A second computation: torchvision's own modules and forward, each BasicBlock's forward
    replaced, for the plain twin, by the same lines without the addition."""
    import types

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = get_entry(name).build().train()
        x, y = torch.randn(batch, 3, size, size), torch.randint(0, 1000, (batch,))
    if plain:
        for stage in (model.layer1, model.layer2, model.layer3, model.layer4):
            for block in stage:
                block.forward = types.MethodType(_without_shortcut, block)
    layers = [m for n, m in model.named_modules()
              if isinstance(m, (nn.Conv2d, nn.Linear)) and "downsample" not in n]  # fmt: skip
    grads = torch.autograd.grad(nn.functional.cross_entropy(model(x), y),
                                [m.weight for m in layers])  # fmt: skip
    return torch.stack([torch.sqrt((g * g).mean()) for g in grads])


def test_plain_profile_is_torchvisions_forward_without_the_additions():
    profile = gradient_profile("resnet18", batch=4, input_size=64, seed=3)
    rms = _torchvision_rms("resnet18", 4, 64, 3, plain=True)
    assert torch.allclose(torch.tensor(profile.plain_rms), rms, rtol=1e-3)


def test_readmes_plain_figures_by_a_second_computation():
    """README: per weight, plain-34's first layer gets 1,315 times the gradient of its last,
    ResNet-34's 65.4 times (the page's defaults: 16 images of 64 pixels, seed 0)."""
    plain = _torchvision_rms("resnet34", 16, 64, 0, plain=True)
    residual = _torchvision_rms("resnet34", 16, 64, 0, plain=False)
    assert factor(float(plain[0] / plain[-1])) == "1,315"
    assert factor(float(residual[0] / residual[-1])) == "65.4"
    assert gradient_profile("resnet34").spread == pytest.approx(
        (float(residual[0] / residual[-1]), float(plain[0] / plain[-1])), rel=1e-3)  # fmt: skip


def test_the_layers_are_the_counted_ones():
    for name in ("resnet34", "demo_basic"):
        assert len(gradient_profile(name).layers) == analyze(name).depth  # convs on the path + fc


def test_deep_plain_gradients_spread_over_orders_of_magnitude():
    """Per weight, the plain ResNet-34's first layer gets far more than its last (it explodes
    toward the input); with the shortcuts, much less so."""
    profile = gradient_profile("resnet34")
    residual, plain = profile.spread
    assert plain == profile.plain_rms[0] / profile.plain_rms[-1] > 100  # measured here: 1,315×
    assert plain > 10 * residual  # measured here: 1,315× against 65×


def test_the_shared_models_are_untouched(torch_home):
    cached = load_model("resnet18")
    before = {k: v.clone() for k, v in cached.state_dict().items()}
    gradient_profile("resnet18", seed=5)
    assert not cached.training
    assert all(torch.equal(v, before[k]) for k, v in cached.state_dict().items())
