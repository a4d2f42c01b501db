"""A block's residual sum on an image: S(x), F(x), their sum and the output, checked against the
block's own submodules run by hand (torchvision's, timm's and the source notes' hand-written
Bottleneck) and against the block's own forward; the default channel, the cut share and the
arithmetic at a position computed independently."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torchvision
from torch import nn

import explorer
from explorer.errors import ExplorerError
from explorer.inspect.blockview import block_view

from ..arch.handwritten import ResNet50


def _input_of(model: nn.Module, name: str, x: torch.Tensor) -> torch.Tensor:
    """The block's input, by a hook of the test's own."""
    seen = []
    handle = model.get_submodule(name).register_forward_pre_hook(
        lambda m, a: seen.append(a[0].detach().clone()))  # fmt: skip
    try:
        with torch.no_grad():
            model(x)
    finally:
        handle.remove()
    return seen[0]


def _check(view, f: torch.Tensor, s: torch.Tensor, out: torch.Tensor, relu: bool = True) -> None:
    """The record against F, S and the output computed by hand ((C, h, w) each)."""
    total = f + s
    c = view.channel
    pairs = ((view.branch, f), (view.shortcut, s), (view.total, total), (view.output, out))
    for got, want in pairs:
        np.testing.assert_allclose(got, want[c].numpy(), rtol=1e-4, atol=1e-5)
    alone = torch.relu(s) if relu else s  # what the block gives with its branch gone
    change = (out - alone).flatten(1).norm(dim=1)
    assert view.ranked[0] == int(change.argmax())
    cut = ((out == 0) & (total != 0)).float().mean()
    assert view.cut_share == pytest.approx(float(cut), abs=1e-6)
    assert view.ratio == pytest.approx(float(f.norm() / s.norm()), rel=1e-4)
    assert view.scale == pytest.approx(max(float(t[c].abs().max()) for t in (f, s, total, out)),
                                       rel=1e-5)  # fmt: skip


def test_torchvision_blocks_against_their_own_submodules_and_forward():
    model = torchvision.models.resnet18().eval()
    x = torch.randn(1, 3, 96, 96)
    for name in ("layer1.1", "layer2.0", "layer4.0"):
        view = block_view(x, model, name)
        b = model.get_submodule(name)
        a = _input_of(model, name, x)
        with torch.no_grad():
            f = b.bn2(b.conv2(b.relu(b.bn1(b.conv1(a)))))[0]
            s = (b.downsample(a) if b.downsample is not None else a)[0]
            out = b(a)[0]  # torchvision's own forward
        _check(view, f, s, out)
        assert view.shortcut_kind == ("identity" if name == "layer1.1" else "projection")
        assert view.activation == "ReLU" and view.channels == out.shape[0]
        if name == "layer2.0":
            p = view.projection
            assert (p.in_channels, p.out_channels, p.stride) == (64, 128, 2)
        else:
            assert (view.projection is None) == (name == "layer1.1")


def test_a_timm_block_against_its_submodules():
    timm = pytest.importorskip("timm")
    model = timm.create_model("resnet18", pretrained=False).eval()
    with torch.no_grad():  # timm starts each block's last BatchNorm at 0: F(x) would be 0
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.normal_()
    x = torch.randn(1, 3, 64, 64)
    view = block_view(x, model, "layer3.0")
    b = model.layer3[0]
    a = _input_of(model, "layer3.0", x)
    with torch.no_grad():
        f = b.bn2(b.conv2(b.act1(b.bn1(b.conv1(a)))))[0]
        s = b.downsample(a)[0]
        out = b(a)[0]
    _check(view, f, s, out)
    assert view.projection.stride == 2 and view.projection.out_channels == 256


def test_the_notes_handwritten_bottleneck_against_its_submodules():
    model = ResNet50().eval()
    x = torch.randn(1, 3, 224, 224)
    view = block_view(x, model, "layer2.0")
    b = model.layer2[0]
    a = _input_of(model, "layer2.0", x)
    with torch.no_grad():
        f = b.bottleneck(a.clone())[0]
        s = b.downsample(a)[0]
        out = b(a.clone())[0]
    _check(view, f, s, out)
    assert view.grid == (28, 28) and view.projection.in_channels == 256


def test_option_a_and_a_plain_block():
    resnet = explorer.load_model("resnet20", None)
    x = torch.randn(1, 3, 32, 32)
    view = block_view(x, resnet, "layer3.0")
    a = _input_of(resnet, "layer3.0", x)[0]
    # option A: every other pixel, channels 32 → 64 with zeros (He et al. 2015, Section 4.2)
    s = torch.cat([a[:, ::2, ::2], torch.zeros(32, 8, 8)])
    np.testing.assert_allclose(view.shortcut, s[view.channel].numpy(), atol=1e-6)
    p = view.projection
    assert (p.kind, p.in_channels, p.out_channels, p.stride) == ("zero_pad", 32, 64, 2)
    plain = block_view(x, explorer.load_model("plain20", None), "layer2.1")
    assert plain.plain and plain.ratio == float("inf") and not plain.shortcut.any()
    np.testing.assert_array_equal(plain.total, plain.branch)  # F(x) alone


def test_a_chosen_channel_and_the_arithmetic_at_a_position():
    model = torchvision.models.resnet18().eval()
    x = torch.randn(1, 3, 64, 64)
    view = block_view(x, model, "layer1.0", channel=5)
    assert view.channel == 5
    a = view.at(3, 4)
    assert (a.shortcut, a.branch) == (view.shortcut[3, 4], view.branch[3, 4])
    assert a.total == pytest.approx(a.shortcut + a.branch, abs=1e-5)
    assert a.output == pytest.approx(max(a.total, 0.0), abs=1e-6)
    text = a.text()
    assert text.startswith("S = ") and ", ReLU → " in text and "-" not in text.replace("−", "")
    with pytest.raises(ExplorerError, match="outside"):
        view.at(99, 0)


@pytest.mark.parametrize("channel", [-1, 64, 2.5, True])
def test_a_channel_that_is_not_there_is_refused(channel):
    model = torchvision.models.resnet18().eval()
    with pytest.raises(ExplorerError, match="channel"):
        block_view(torch.randn(1, 3, 64, 64), model, "layer1.0", channel)


def test_a_name_that_is_no_block_is_refused():
    model = torchvision.models.resnet18().eval()
    with pytest.raises(ExplorerError, match="layer"):
        block_view(torch.randn(1, 3, 64, 64), model, "layer1")


def test_a_pre_activation_block_cuts_nothing():
    from ..arch.handwritten import PreActNet

    model = PreActNet().eval()
    view = block_view(torch.randn(1, 3, 64, 64), model, model_first_block(model))
    assert view.activation == "" and view.cut_share == 0.0
    np.testing.assert_allclose(view.output, view.total, atol=1e-6)


def model_first_block(model: nn.Module) -> str:
    from explorer.arch.structure import reading_of

    return reading_of(model).blocks[0].name


def test_bf16_autocast_on_the_cpu_gives_the_same_picture(monkeypatch):
    model = explorer.load_model("resnet20", None)
    x = torch.randn(1, 3, 32, 32)
    full = block_view(x, model, "layer2.1")
    monkeypatch.setenv("EXPLORER_AUTOCAST", "bf16")
    half = block_view(x, model, "layer2.1", channel=full.channel)
    assert np.corrcoef(full.total.ravel(), half.total.ravel())[0, 1] > 0.98
    assert half.ratio == pytest.approx(full.ratio, rel=0.05)
