"""Structure: stem, stages and head read from the dataflow; a block's two paths."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from explorer import ExplorerError, get_entry
from explorer.arch.structure import reading_of


def test_resnet_structure():
    r = reading_of(get_entry("resnet50").build(device="meta"))
    assert r.stem == ("conv1", "bn1", "relu", "maxpool")
    assert r.stage_names == ("layer1", "layer2", "layer3", "layer4")
    assert r.head == ("avgpool", "fc")
    assert r.glue == (("fc", "flatten"),)  # torch.flatten in forward, between avgpool and fc
    assert r.chain == ""


def test_block_paths():
    r = reading_of(get_entry("resnet50").build(device="meta"))
    projection, identity = r.block("layer2.0"), r.block("layer2.1")
    # execution order; the ReLU that also runs after the sum is the block's own
    assert projection.branch == (
        "layer2.0.conv1", "layer2.0.bn1", "layer2.0.relu", "layer2.0.conv2", "layer2.0.bn2",
        "layer2.0.conv3", "layer2.0.bn3",
    )  # fmt: skip
    assert projection.shortcut == ("layer2.0.downsample.0", "layer2.0.downsample.1")
    assert projection.post == ("layer2.0.relu",) and projection.relu_after_sum
    assert identity.shortcut == () and identity.shortcut_kind == "identity"
    assert projection.shortcut_kind == "projection" and projection.branch_order == "post"


def test_non_resnets_are_refused():
    with pytest.raises(ExplorerError, match="no residual blocks"):
        reading_of(nn.Sequential(nn.Conv2d(3, 3, 1)), input_size=32)
    model = get_entry("resnet18").build(device="meta")
    model.layer2.append(nn.ReLU())  # a layer inside a stage, after its blocks: read, not refused
    r = reading_of(model)
    assert r.between == ("layer2.2",) and r.block("layer2.1").stage == "layer2"
    with pytest.raises(ExplorerError, match="between two blocks"):
        from explorer.arch.structure import network_parts

        network_parts(model)


def test_a_real_model_is_read_without_arithmetic():
    model = get_entry("resnet18").build()  # on the CPU: its weights are swapped for meta ones
    assert reading_of(model).stage_names == ("layer1", "layer2", "layer3", "layer4")
    assert all(p.device.type == "cpu" for p in model.parameters())
    assert torch.isfinite(next(model.parameters())).all()
