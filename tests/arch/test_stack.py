"""VGG-19 as the same tracer analyses it, checked against torchvision's own modules and metadata,
PyTorch's FlopCounterMode, receptive fields measured by backpropagation, and the output sizes of
Figure 3 in He et al. (2015)."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torchvision.models import VGG19_Weights, vgg19

from explorer import ExplorerError
from explorer.arch.stack import analyze_stack

from ..conftest import backprop_fields, module_macs


def test_vgg19_has_the_papers_19_layers_and_torchvisions_numbers():
    s = analyze_stack("vgg19")
    model = vgg19()
    weighted = [n for n, m in model.named_modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    assert s.depth == len(weighted) == 19
    drawn = [n.name for n in s.layers.walk() if n.type in ("Conv2d", "Linear")]
    assert drawn == weighted
    assert s.total_params == VGG19_Weights.IMAGENET1K_V1.meta["num_params"] == 143_667_240
    assert round(s.total_macs / 1e9, 3) == VGG19_Weights.IMAGENET1K_V1.meta["_ops"]
    macs = module_macs(model, 224)
    for stage in s.stages:
        assert stage.macs == sum(macs.get(m, 0) for m in stage.modules), stage.name
        assert stage.params == sum(p.numel() for m in stage.modules
                                   for p in model.get_submodule(m).parameters())  # fmt: skip


@pytest.mark.parametrize(("size", "sides"), [(224, [224, 112, 56, 28, 14, 7]),
                                              (320, [320, 160, 80, 40, 20, 7])])  # fmt: skip
def test_stages_end_at_figure_3s_output_sizes(size, sides):
    """Each pool opens its stage, so the stages run at 224, 112, 56, 28, 14 and the pool that
    leaves 7×7 before the fc layers, as Figure 3 labels VGG-19's column. At 320 the maps are
    larger, and torchvision's adaptive average pool still hands the fc layers 7×7 (from 10×10)."""
    s = analyze_stack("vgg19", size)
    names = [st.name for st in s.stages]
    assert names == ["conv1", "conv2", "conv3", "conv4", "conv5", "pool5", "head"]
    assert [st.output_shape[-1] for st in s.stages[:-1]] == sides
    assert s.stages[-1].output_shape == (1, 1000)
    assert [st.stride for st in s.stages[:-1]] == [1, 2, 4, 8, 16, 32]
    types = {n.name: n.type for n in s.layers.walk()}
    convs = [sum(types[m] == "Conv2d" for m in st.modules) for st in s.stages]
    assert convs == [2, 2, 4, 4, 4, 0, 0]


def test_receptive_fields_match_backpropagation():
    s = analyze_stack("vgg19")
    model = vgg19()
    with torch.no_grad():
        for i, m in enumerate(model.features):
            if isinstance(m, nn.MaxPool2d):  # its gradient reaches every input of its window
                model.features[i] = nn.AvgPool2d(m.kernel_size, m.stride)
            elif isinstance(m, nn.Conv2d):
                m.weight.fill_(1.0 / m.weight[0].numel())
    # The last module of each stage that runs on the map (the fc layers have no rows to trace).
    ends = {st.modules[-1].removeprefix("features."): st.receptive_field
            for st in s.stages if st.modules[-1].startswith("features.")}  # fmt: skip
    ends["36"] = next(st for st in s.stages if st.name == "pool5").receptive_field
    assert backprop_fields(model.features.eval(), list(ends), 400) == ends
    assert ends["36"] == 268  # VGG-19's pool5, as published receptive-field tables say


def test_only_the_networks_drawn_beside_resnet():
    with pytest.raises(ExplorerError, match="vgg19"):
        analyze_stack("vgg16")
    with pytest.raises(ExplorerError, match="input size"):
        analyze_stack("vgg19", 16)
