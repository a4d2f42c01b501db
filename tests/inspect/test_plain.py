"""The plain vs residual demo: the residual profile is torchvision's own gradients, the plain one
the same weights without shortcuts, and deep plain gradients spread over orders of magnitude."""

from __future__ import annotations

import torch
from torch import nn

from explorer import analyze, get_entry, load_model
from explorer.inspect.plain import gradient_profile


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


def test_the_layers_are_the_counted_ones():
    for name in ("resnet34", "demo_basic"):
        assert len(gradient_profile(name).layers) == analyze(name).depth  # convs on the path + fc


def test_deep_plain_gradients_spread_over_orders_of_magnitude():
    residual, plain = gradient_profile("resnet34").spread
    assert plain > 10 * residual  # measured here: 178× against 8.9×


def test_the_shared_models_are_untouched(torch_home):
    cached = load_model("resnet18")
    before = {k: v.clone() for k, v in cached.state_dict().items()}
    gradient_profile("resnet18", seed=5)
    assert not cached.training
    assert all(torch.equal(v, before[k]) for k, v in cached.state_dict().items())
