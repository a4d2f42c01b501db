"""Architecture analysis against independent oracles: torchvision's weights metadata, the 2015
paper's Table 1, torchinfo as a second implementation, closed-form shapes, a real CPU forward
pass, and the receptive field measured by backpropagation."""

from __future__ import annotations

import json
import threading

import pytest
import torch
import torchinfo
from torch import nn
from torchvision import models as tvm

from explorer import ExplorerError, analyze, get_entry, load_model

from ..conftest import (
    IMAGENET_NAMES,
    TORCHVISION_NAMES,
    backprop_fields,
    depth_in_name,
    see_every_path,
)

# He et al. 2015, Table 1: multiply-adds ("FLOPs") at 224×224, ×10⁹.
PAPER_GMACS = {
    "resnet18": 1.8,
    "resnet34": 3.6,
    "resnet50_v1": 3.8,
    "resnet101_v1": 7.6,
    "resnet152_v1": 11.3,
}
V1_TO_TORCHVISION = {"resnet50_v1": "resnet50", "resnet101_v1": "resnet101",
                     "resnet152_v1": "resnet152"}  # fmt: skip


def _meta(name: str) -> dict:
    return tvm.get_model_weights(name).DEFAULT.meta


@pytest.mark.parametrize("name", TORCHVISION_NAMES)
def test_params_and_macs_match_torchvision_metadata(name):
    s = analyze(name)
    assert s.total_params == _meta(name)["num_params"]
    gmacs = _meta(name)["_ops"]
    assert abs(s.total_macs / 1e9 - gmacs) / gmacs < 0.005


@pytest.mark.parametrize("name", V1_TO_TORCHVISION)
def test_paper_v1_has_v15_params(name):
    # Moving the stride between convs changes the cost, never the weights.
    assert analyze(name).total_params == _meta(V1_TO_TORCHVISION[name])["num_params"]


@pytest.mark.parametrize("name", PAPER_GMACS)
def test_macs_match_the_paper_table(name):
    assert abs(analyze(name).total_macs / 1e9 - PAPER_GMACS[name]) / PAPER_GMACS[name] < 0.03


def test_v15_costs_more_than_the_paper_v1():
    """v1 strides the first 1×1 of stages 2-4's first blocks, v1.5 the 3×3: the 1×1 of layer2.0
    (256 → 128 channels) then runs at 28² rather than 56² positions, and likewise in layer3.0
    and layer4.0 (each doubles the channels and halves the side): a closed form, not a reading
    of our own output."""
    assert analyze("resnet50").total_macs / 1e9 == pytest.approx(4.089, abs=0.001)  # torchvision
    per_block = 256 * 128 * (56 * 56 - 28 * 28)  # = 77,070,336
    assert analyze("resnet50").total_macs - analyze("resnet50_v1").total_macs == 3 * per_block


@pytest.mark.parametrize("name", IMAGENET_NAMES)
def test_stage_sizes_depth_and_tree_totals(name):
    s = analyze(name)
    assert [st.name for st in s.stages] == ["stem", "layer1", "layer2", "layer3", "layer4", "head"]
    assert [st.output_shape[-1] for st in s.stages[:5]] == [112, 56, 28, 14, 7]
    assert [st.stride for st in s.stages[:5]] == [2, 4, 8, 16, 32]
    assert s.stages[-1].output_shape == (1, 1000)
    assert s.depth == depth_in_name(name)
    assert sum(st.params for st in s.stages) == s.total_params
    assert sum(st.macs for st in s.stages) == s.total_macs
    nodes = list(s.layers.walk())
    assert sum(n.params for n in nodes) == s.total_params
    for node in nodes:  # a container's MACs are its children's, counted once
        if node.children:
            assert node.macs == sum(c.macs for c in node.children)


def _torchinfo_layers(model: nn.Module, size: int) -> dict[int, object]:
    stats = torchinfo.summary(model, input_size=(1, 3, size, size), verbose=0, depth=20)
    return {id(layer.module): layer for layer in stats.summary_list}


@pytest.mark.slow
@pytest.mark.parametrize(("name", "size"), [("resnet18", 224), ("resnet50", 224),
                                            ("bottleneck-2-1-3-1-g8-w16", 160)])  # fmt: skip
def test_every_layer_agrees_with_torchinfo(name, size):
    model = load_model(name)
    ours = {n.name: n for n in analyze(name, size).layers.walk()}
    theirs = _torchinfo_layers(model, size)
    checked = 0
    for module_name, module in model.named_modules():
        node, info = ours[module_name], theirs[id(module)]
        assert node.total_params == info.num_params, module_name
        if isinstance(module, (nn.Conv2d, nn.Linear)):
            assert list(node.output_shape) == info.output_size, module_name
            # torchinfo adds one MAC per bias element; a bias add is no multiply-accumulate
            # (torchvision's _ops and the paper leave it out too).
            bias = module.bias.numel() if module.bias is not None else 0
            assert node.macs == info.macs - bias, module_name
            checked += 1
    assert checked == sum(isinstance(m, (nn.Conv2d, nn.Linear)) for m in model.modules())


@pytest.mark.slow
def test_meta_analysis_equals_a_real_cpu_forward():
    on_meta = analyze("resnet50", 200)
    on_cpu = analyze(load_model("resnet50"), 200)
    assert on_cpu.to_dict() == on_meta.to_dict()


def _closed_form_sizes(size: int) -> list[int]:
    # out = ⌊(in + 2·pad − kernel) / stride⌋ + 1 for the 7×7/2 conv, the 3×3/2 pool and each
    # stage's strided 3×3 conv.
    conv1 = (size + 2 * 3 - 7) // 2 + 1
    pool = (conv1 + 2 * 1 - 3) // 2 + 1
    sizes = [conv1, pool]
    for _ in range(3):
        sizes.append((sizes[-1] + 2 * 1 - 3) // 2 + 1)
    return sizes


@pytest.mark.parametrize("size", [32, 33, 97, 225, 320, 511, 4096])
@pytest.mark.parametrize("name", ["resnet18", "resnet50_v1", "resnext50_32x4d"])
def test_any_input_size_follows_the_conv_arithmetic(name, size):
    s = analyze(name, size)
    assert [st.output_shape[-1] for st in s.stages[:5]] == _closed_form_sizes(size)
    assert s.stages[-1].output_shape == (1, 1000)


def test_macs_scale_with_the_input_area():
    fc = analyze("resnet50").stage("head").macs
    assert analyze("resnet50", 448).total_macs - fc == 4 * (analyze("resnet50").total_macs - fc)


@pytest.mark.parametrize("size", [31, 0, -224, 4097, 224.0, "224", True])
def test_input_size_out_of_range_is_refused(size):
    with pytest.raises(ExplorerError, match="input size"):
        analyze("resnet18", size)


def test_no_input_size_is_the_models_own():
    """None (the default) is the size the model is meant for: the paper's 32×32 for CIFAR-10,
    the demo's 64, else 224 (before, analyze("resnet56") silently used 224)."""
    assert analyze("resnet56").input_size == analyze("resnet56", None).input_size == 32
    assert analyze("resnet56").stage("layer3").output_shape == (1, 64, 8, 8)
    assert analyze("demo_basic").input_size == 64 and analyze("resnet18").input_size == 224


def test_shared_relu_is_shown_once_with_its_calls():
    nodes = {n.name: n for n in analyze("resnet50").layers.walk()}
    relu = nodes["layer1.0.relu"]
    assert relu.calls == 3
    assert relu.call_shapes == ((1, 64, 56, 56), (1, 64, 56, 56), (1, 256, 56, 56))
    assert relu in nodes["layer1.0"].children  # nested under its block, not under a conv
    assert [c.name for c in nodes["layer1.0"].children].count("layer1.0.relu") == 1
    assert nodes["relu"].calls == 1
    assert {n.name: n for n in analyze("resnet18").layers.walk()}["layer3.1.relu"].calls == 2


def test_blocks_say_which_shortcut_and_why():
    s = analyze("resnet50")
    blocks = {b.name: b for st in s.stages for b in st.block_rows}
    assert (blocks["layer1.0"].shortcut, blocks["layer1.0"].reason) == (
        "projection", "channels 64→256",
    )  # fmt: skip
    assert (blocks["layer2.0"].shortcut, blocks["layer2.0"].reason) == (
        "projection", "stride 2, channels 256→512",
    )  # fmt: skip
    assert (blocks["layer2.1"].shortcut, blocks["layer2.1"].reason) == ("identity", "")
    assert (blocks["layer3.0"].in_channels, blocks["layer3.0"].width) == (512, 256)
    assert blocks["layer3.0"].out_channels == 1024
    assert blocks["layer2.0"].stride_layer == "conv2"
    v1 = {b.name: b for st in analyze("resnet50_v1").stages for b in st.block_rows}
    assert v1["layer2.0"].stride_layer == "conv1"
    r18 = {b.name: b for st in analyze("resnet18").stages for b in st.block_rows}
    assert r18["layer1.0"].shortcut == "identity"  # 64→64, stride 1: nothing to project
    assert sum(b.shortcut == "projection" for b in r18.values()) == 3


def _empirical_rf(name: str, size: int, stage: str) -> int:
    """Receptive field measured by backpropagation from one central output row."""
    return backprop_fields(see_every_path(get_entry(name).build()), [stage], size)[stage]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["basic-1-1-1-1", "bottleneck-1-1-1-1", "bottleneck-1-1-1-1-v1"])
@pytest.mark.parametrize("stage", ["layer1", "layer2", "layer3", "layer4"])
def test_receptive_field_matches_backpropagation(name, stage):
    assert analyze(name).stage(stage).receptive_field == _empirical_rf(name, 320, stage)


@pytest.mark.slow
def test_resnet18_receptive_field_matches_backpropagation():
    assert analyze("resnet18").stage("layer4").receptive_field == 435
    assert _empirical_rf("resnet18", 512, "layer4") == 435


def test_to_dict_is_the_documented_json():
    d = analyze("resnet50").to_dict()
    json.dumps(d)
    for key in ("model", "depth", "depth_formula", "total_params", "total_macs", "stages",
                "layers"):  # fmt: skip
        assert key in d
    assert d["depth_formula"] == "50 = 1 + 3·(3+4+6+3) + 1"
    stage = d["stages"][2]
    for key in ("name", "output_shape", "stride", "receptive_field", "blocks", "params", "macs"):
        assert key in stage
    assert stage["output_shape"] == [1, 512, 28, 28] and stage["blocks"] == 4
    assert stage["block_rows"][0]["output_shape"] == [1, 512, 28, 28]
    assert d["layers"]["output_shape"] == [1, 1000]
    assert [c["name"] for c in d["layers"]["children"]][:4] == ["conv1", "bn1", "relu", "maxpool"]
    assert d["layers"]["children"][0]["output_shape"] == [1, 64, 112, 112]


def test_results_are_cached_per_model_and_size():
    assert analyze("resnet34") is analyze("RESNET34")
    assert analyze("resnet34", 256) is not analyze("resnet34")


def test_concurrent_first_analyses_share_one_result():
    got = []
    threads = [threading.Thread(target=lambda: got.append(analyze("resnet101", 288)))
               for _ in range(4)]  # fmt: skip
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(s) for s in got}) == 1


def test_a_module_that_is_no_resnet_is_refused():
    with pytest.raises(ExplorerError, match="not a ResNet-style model"):
        analyze(nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU()))


def test_a_loaded_module_keeps_its_mode_and_gets_no_hooks(torch_home):
    model = load_model("resnet18")
    model.train()
    analyze(model, 64)
    assert model.training and all(m.training for m in model.modules())
    assert all(not m._forward_hooks and not m._forward_pre_hooks for m in model.modules())
    model.eval()


def test_cost_against_torchvision_and_a_count_of_real_outputs():
    """Parameters against torchvision's metadata; activation bytes against the outputs of every
    leaf module of a real forward pass, counted by hooks (no explorer code involved)."""
    import math

    import torchvision

    from explorer.arch.analysis import cost

    price = cost("resnet50", 224)
    meta = torchvision.models.ResNet50_Weights.IMAGENET1K_V2.meta
    assert price.params == meta["num_params"] and price.param_bytes == 4 * meta["num_params"]
    assert round(price.macs / 1e9, 2) == round(meta["_ops"], 2)
    model = torchvision.models.resnet18().eval()
    seen = []
    for module in model.modules():
        if not list(module.children()):
            module.register_forward_hook(lambda m, i, o: seen.append(math.prod(o.shape)))
    with torch.no_grad():
        model(torch.zeros(1, 3, 96, 96))
    assert cost("resnet18", 96).activation_bytes == 4 * sum(seen)
