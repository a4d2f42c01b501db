"""Registry: names, the architecture each stands for, custom specs and their validation."""

from __future__ import annotations

import pytest
import torch
from torchvision import models as tvm
from torchvision.models.resnet import BasicBlock, Bottleneck

from explorer import ExplorerError, custom_spec, get_entry, list_models
from explorer.arch.nets import BottleneckV1

from ..conftest import DEMO_NAMES, PAPER_NET_NAMES, PAPER_V1_NAMES, TORCHVISION_NAMES


def _meta_params(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def test_registry_names_are_the_public_contract():
    assert list_models() == TORCHVISION_NAMES + PAPER_V1_NAMES + PAPER_NET_NAMES + DEMO_NAMES


@pytest.mark.parametrize("name", list_models())
def test_entry_describes_the_model_it_builds(name):
    entry = get_entry(name)
    model = entry.build(device="meta")
    stages = [getattr(model, f"layer{i + 1}") for i in range(len(entry.layers))]
    assert tuple(len(s) for s in stages) == entry.layers
    expected = {"basic": BasicBlock, "bottleneck": Bottleneck}[entry.block]
    assert all(isinstance(b, expected) for s in stages for b in s)
    # the demo stages and the CIFAR-10 ones are narrower
    if entry.block == "bottleneck" and entry.source != "demo" and entry.family != "cifar":
        conv2 = model.layer1[0].conv2
        assert conv2.groups == entry.groups
        assert conv2.out_channels == entry.groups * entry.width_per_group
    assert not model.training


@pytest.mark.parametrize("name", TORCHVISION_NAMES)
def test_torchvision_entries_are_built_by_torchvision_builders(name):
    ours = get_entry(name).build(device="meta")
    with torch.device("meta"):
        theirs = tvm.get_model(name)
    assert str(ours) == str(theirs)


@pytest.mark.parametrize("name", PAPER_V1_NAMES)
def test_paper_v1_puts_the_stride_on_the_first_1x1(name):
    model = get_entry(name).build(device="meta")
    for stage in (model.layer2, model.layer3, model.layer4):
        first = stage[0]
        assert isinstance(first, BottleneckV1)
        assert first.conv1.stride == (2, 2) and first.conv1.kernel_size == (1, 1)
        assert first.conv2.stride == (1, 1)
        assert first.downsample[0].stride == (2, 2)
    assert get_entry(name).weights_enum is None


@pytest.mark.parametrize(
    ("spec", "same_as"),
    [
        ("basic-2-2-2-2", "resnet18"),
        ("basic-3-4-6-3", "resnet34"),
        ("bottleneck-3-4-6-3", "resnet50"),
        ("bottleneck-3-4-6-3-g32-w4", "resnext50_32x4d"),
        ("bottleneck-3-4-23-3-w128", "wide_resnet101_2"),
        ("bottleneck-3-8-36-3-v1", "resnet152_v1"),
    ],
)
def test_custom_spec_rebuilds_registry_architectures(spec, same_as):
    custom = get_entry(spec).build(device="meta")
    reference = get_entry(same_as).build(device="meta")
    assert str(custom) == str(reference)
    assert _meta_params(custom) == _meta_params(reference)


def test_custom_spec_is_canonicalised():
    assert get_entry(" Bottleneck-2-2-2-2-W64-g1 ").name == "bottleneck-2-2-2-2"
    assert get_entry("bottleneck-02-2-2-2-w4-g32").name == "bottleneck-2-2-2-2-g32-w4"
    assert custom_spec("bottleneck", [2, 2, 2, 2], groups=32, width_per_group=4, v1=True) == (
        "bottleneck-2-2-2-2-g32-w4-v1"
    )
    assert get_entry("resnext50_32x4d").spec == "bottleneck-3-4-6-3-g32-w4"


@pytest.mark.parametrize(
    "spec",
    [
        "bottleneck-2-2-2",  # three stages
        "bottleneck-0-2-2-2",  # an empty stage
        "bottleneck-51-2-2-2",  # too deep
        "bottleneck-a-b-c-d",
        "bottleneck--2-2-2-2",
        "bottleneck-2-2-2-2-2",  # a fifth count
        "bottleneck-2-2-2-2-x5",
        "bottleneck-2-2-2-2-g0",
        "bottleneck-2-2-2-2-g65",
        "bottleneck-2-2-2-2-g64-w64",  # 4096 channels per group set
        "bottleneck-2-2-2-2-v1-v1",
        "basic-2-2-2-2-g32",  # BasicBlock has no groups
        "basic-2-2-2-2-v1",
        "bottleneck-2-2-2-2-w-1",
    ],
)
def test_nonsense_specs_are_refused_with_the_grammar(spec):
    with pytest.raises(ExplorerError, match="Expected a custom spec is BLOCK-N1-N2-N3-N4"):
        get_entry(spec)


@pytest.mark.parametrize("name", ["resnet19", "vgg16", "", "   "])
def test_unknown_names_list_the_valid_ones(name):
    with pytest.raises(ExplorerError) as err:
        get_entry(name)
    assert "resnet18" in str(err.value) and "resnet152_v1" in str(err.value)


def test_preprocessing_and_labels_travel_with_the_weights():
    entry = get_entry("resnet50")
    weights = tvm.ResNet50_Weights.IMAGENET1K_V2
    assert entry.categories == tuple(weights.meta["categories"])
    assert len(entry.categories) == 1000
    ours, theirs = entry.preprocess("IMAGENET1K_V2"), weights.transforms()
    assert (ours.resize_size, ours.crop_size, ours.mean, ours.std) == (
        theirs.resize_size, theirs.crop_size, theirs.mean, theirs.std,
    )  # fmt: skip
    v1 = entry.preprocess("IMAGENET1K_V1")
    assert v1.resize_size == tvm.ResNet50_Weights.IMAGENET1K_V1.transforms().resize_size
    assert entry.weight_names == ("DEFAULT", "IMAGENET1K_V1", "IMAGENET1K_V2")


def test_no_weights_for_paper_variants():
    with pytest.raises(ExplorerError, match="no published pretrained weights"):
        get_entry("resnet50_v1").weights("DEFAULT")
    with pytest.raises(ExplorerError, match="IMAGENET1K_V1"):
        get_entry("resnet50").weights("IMAGENET1K_V9")
