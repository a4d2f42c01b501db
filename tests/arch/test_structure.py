"""Structure: stem, stages and head found in the module tree; a block's two paths."""

from __future__ import annotations

import pytest
from torch import nn

from explorer import ExplorerError, get_entry
from explorer.arch.structure import find_structure, main_path, shortcut_path


def test_resnet_structure():
    s = find_structure(get_entry("resnet50").build(device="meta"))
    assert s.stem == ("conv1", "bn1", "relu", "maxpool")
    assert s.stages == ("layer1", "layer2", "layer3", "layer4")
    assert s.head == ("avgpool", "fc")


def test_block_paths():
    block = get_entry("resnet50").build(device="meta").layer2[0]
    assert [n for n, _ in main_path(block, "layer2.0")] == [
        "layer2.0.conv1", "layer2.0.bn1", "layer2.0.conv2", "layer2.0.bn2",
        "layer2.0.conv3", "layer2.0.bn3", "layer2.0.relu",
    ]  # fmt: skip
    assert [n for n, _ in shortcut_path(block, "layer2.0")] == [
        "layer2.0.downsample.0", "layer2.0.downsample.1",
    ]  # fmt: skip
    identity = get_entry("resnet50").build(device="meta").layer2[1]
    assert shortcut_path(identity, "layer2.1") == []


def test_execution_order_decides_the_split():
    model = get_entry("resnet18").build(device="meta")
    order = {name: i for i, name in enumerate(
        ["conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4", "avgpool",
         "fc"])}  # fmt: skip
    assert find_structure(model, order) == find_structure(model)


def test_non_resnets_are_refused():
    with pytest.raises(ExplorerError, match="not a ResNet-style model"):
        find_structure(nn.Sequential(nn.Conv2d(3, 3, 1)))
    model = get_entry("resnet18").build(device="meta")
    model.layer2.append(nn.ReLU())  # a stage that is no longer a run of blocks
    with pytest.raises(ExplorerError, match="between its residual stages"):
        find_structure(model)
