"""The paper's own networks: Section 4.2's CIFAR-10 ResNets (option A shortcuts) and their plain
twins, Table 2's plain ImageNet networks, Table 3's shortcut options, and the pre-activation
ResNets of He et al. 2016. Numbers come from closed forms, torchvision's metadata and the papers;
block outputs from functional ops on the blocks' own weights, never from their forward."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
import torch
import torch.nn.functional as F
from PIL import Image
from torchvision import models as tvm

from explorer import analyze, get_entry, load_model, network_diagram, shortcut_report
from explorer.arch.nets import PlainBasicBlock, ZeroPadShortcut
from explorer.inspect.explain import explain
from explorer.web.diagram import diagram_html

from ..conftest import CIFAR_PLAIN, CIFAR_RESNETS, IMAGENET_PAPER_NAMES, PAPER_NET_NAMES

RESNET34_PARAMS = tvm.ResNet34_Weights.IMAGENET1K_V1.meta["num_params"]  # option B, torchvision's


def conv(c_in: int, c_out: int, k: int) -> int:
    return c_in * c_out * k * k


def bn(c: int) -> int:
    return 2 * c


def cifar_params(depth: int) -> int:
    """6n+2 layers, option A (no shortcut weights), in closed form: stem, 3 stages, fc."""
    n = (depth - 2) // 6
    total = conv(3, 16, 3) + bn(16)
    previous = 16
    for w in (16, 32, 64):
        total += conv(previous, w, 3) + bn(w) + conv(w, w, 3) + bn(w)  # the stage's first block
        total += (n - 1) * 2 * (conv(w, w, 3) + bn(w))
        previous = w
    return total + 64 * 10 + 10


# ResNet-34's blocks per stage and widths: the projections option B adds (3 of them, where the
# shape changes) and option C adds on top (one on every other block).
STAGES34 = ((3, 64), (4, 128), (6, 256), (3, 512))
B_PROJECTIONS = sum(conv(w // 2, w, 1) + bn(w) for _, w in STAGES34[1:])
C_EXTRA = sum((n - (i > 0)) * (conv(w, w, 1) + bn(w)) for i, (n, w) in enumerate(STAGES34))


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("resnet20", 269_722),
        ("resnet56", 853_018),
        ("resnet110", 1_727_962),
        ("resnet34_a", 21_623_848),
        ("resnet34", 21_797_672),
        ("resnet34_c", 22_716_840),
    ],
)
def test_the_issue_numbers_exactly(name, params):
    assert analyze(name, get_entry(name).input_size).total_params == params


@pytest.mark.parametrize("name", CIFAR_RESNETS + CIFAR_PLAIN)
def test_cifar_params_equal_the_closed_form_and_the_paper(name):
    depth = int(re.search(r"\d+", name).group())
    s = analyze(name, 32)
    assert s.total_params == cifar_params(depth)
    paper = {20: 0.27, 32: 0.46, 44: 0.66, 56: 0.85, 110: 1.7}[depth]  # Table 6, in millions
    assert round(s.total_params / 1e6, 2 if depth < 110 else 1) == paper


def test_table3_options_differ_by_their_projections_alone():
    assert RESNET34_PARAMS == 21_797_672
    assert analyze("resnet34_a").total_params == RESNET34_PARAMS - B_PROJECTIONS
    assert analyze("resnet34_c").total_params == RESNET34_PARAMS + C_EXTRA
    assert analyze("plain34").total_params == RESNET34_PARAMS - B_PROJECTIONS
    resnet18 = tvm.ResNet18_Weights.IMAGENET1K_V1.meta["num_params"]
    assert analyze("plain18").total_params == resnet18 - (
        sum(conv(w // 2, w, 1) + bn(w) for w in (128, 256, 512))
    )


@pytest.mark.parametrize("name", ["preact_resnet110", "preact_resnet164"])
def test_preact_params_are_the_papers_1_7_million(name):
    s = analyze(name, 32)
    assert round(s.total_params / 1e6, 1) == 1.7  # He et al. 2016, Table 3
    assert s.depth == int(name.rsplit("resnet", 1)[1])


@pytest.mark.parametrize("name", PAPER_NET_NAMES)
def test_depth_formula_stage_table_and_tree(name):
    entry = get_entry(name)
    s = analyze(name, entry.input_size)
    digits = re.search(r"\d+", name.replace("34_", "34")).group()
    assert s.depth == int(digits)
    k = 3 if entry.block == "bottleneck" else 2
    blocks = "+".join(str(n) for n in entry.layers)
    assert s.depth_formula == f"{s.depth} = 1 + {k}·({blocks}) + 1"
    stages = [st for st in s.stages if st.blocks]
    assert len(stages) == len(entry.layers)
    if entry.family == "cifar":
        widths = [16, 32, 64] if entry.block == "basic" else [64, 128, 256]
        assert [st.output_shape for st in stages] == [(1, w, 32 >> i, 32 >> i)
                                                      for i, w in enumerate(widths)]  # fmt: skip
        assert [st.stride for st in stages] == [1, 2, 4]
        assert s.stages[-1].output_shape == (1, 10)
    # every block of every stage is in the tree, with its shortcut module where it has one
    nodes = {n.name: n for n in s.layers.walk()}
    for st in stages:
        for b in st.block_rows:
            assert b.name in nodes
            if b.shortcut in ("projection", "zero_pad"):
                assert f"{b.name}.downsample" in nodes


def test_cifar_formula_is_the_papers_6n_plus_2():
    assert analyze("resnet56", 32).depth_formula == "56 = 1 + 2·(9+9+9) + 1"
    assert analyze("resnet110", 32).depth_formula == "110 = 1 + 2·(18+18+18) + 1"


# ---------------------------------------------------------------- option A


def test_option_a_shortcut_has_no_weights_in_the_tree_and_the_figure():
    s = analyze("resnet20", 32)
    nodes = {n.name: n for n in s.layers.walk()}
    for name, c_in, c_out, side in (("layer2.0", 16, 32, 16), ("layer3.0", 32, 64, 8)):
        node = nodes[f"{name}.downsample"]
        assert node.type == "ZeroPadShortcut" and node.total_params == 0 and node.macs == 0
        assert node.output_shape == (1, c_out, side, side)
        row = next(b for st in s.stages for b in st.block_rows if b.name == name)
        assert row.shortcut == "zero_pad" and row.projection is None
        assert (row.in_channels, row.out_channels, row.stride) == (c_in, c_out, 2)
    kinds = [b.shortcut for st in s.stages for b in st.block_rows]
    assert kinds.count("zero_pad") == 2 and kinds.count("identity") == 7
    not_counted = {u.key: u.modules for u in s.depth_breakdown.not_counted}
    assert not_counted["zero_pad_shortcut"] == 2 and not_counted["projection_conv"] == 0
    drawn = [e.get("data-shortcut") for e in ET.fromstring(network_diagram("resnet20",
             input_size=32)).iter() if e.get("data-shortcut")]  # fmt: skip
    assert sorted(drawn) == ["identity"] * 7 + ["zero_pad"] * 2
    html = diagram_html(s, "en")
    assert "0-pad → 32, /2" in html and "0-pad → 64, /2" in html


def test_option_a_block_equals_an_independent_zero_padding():
    torch.manual_seed(0)
    model = get_entry("resnet20").build()
    block = model.layer2[0]
    for m in block.modules():  # non-trivial BN statistics
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 2.0)
    x = torch.randn(2, 16, 32, 32)

    def norm(t, m):
        return F.batch_norm(t, m.running_mean, m.running_var, m.weight, m.bias, False, 0.0, m.eps)

    inner = F.relu(norm(F.conv2d(x, block.conv1.weight, stride=2, padding=1), block.bn1))
    f = norm(F.conv2d(inner, block.conv2.weight, padding=1), block.bn2)
    s = torch.cat([x[:, :, ::2, ::2], torch.zeros(2, 16, 16, 16)], dim=1)
    assert isinstance(block.downsample, ZeroPadShortcut)
    with torch.no_grad():
        assert torch.equal(block.downsample(x), s)
        torch.testing.assert_close(block(x), F.relu(f + s))


def test_shortcut_and_lesion_records_on_option_a_blocks():
    torch.manual_seed(1)
    model = load_model("resnet20", weights=None)
    image = Image.fromarray((torch.rand(32, 32, 3) * 255).byte().numpy())
    report = shortcut_report(image, model)
    records = {r.block: r for r in report.records}
    assert len(records) == 9 and report.paths_exact  # 2^9 paths, all followed
    padded = records["layer2.0"]
    assert padded.shortcut == "zero_pad" and not padded.projection and padded.stride == 2
    assert records["layer2.1"].shortcut == "identity"

    # Independently: the input of layer2.0, its zero-padded shortcut, and the network with the
    # block's residual branch removed (its output ReLU(S(x))), by a forward hook.
    x = get_entry("resnet20").preprocess()(image).unsqueeze(0)  # CIFAR-10's statistics
    seen = {}
    hook = model.layer2[0].register_forward_hook(
        lambda m, args, out: seen.update(x=args[0].detach(), out=out.detach())
    )
    with torch.no_grad():
        intact = model(x).softmax(1)[0]
    hook.remove()
    s = torch.cat([seen["x"][:, :, ::2, ::2], torch.zeros_like(seen["x"][:, :, ::2, ::2])], 1)
    assert padded.shortcut_norm == pytest.approx(float(s.norm()), rel=1e-4)
    target = report.target
    assert report.prob == pytest.approx(float(intact[target]), abs=1e-5)
    hook = model.layer2[0].register_forward_hook(lambda m, args, out: F.relu(s))
    with torch.no_grad():
        lesioned = model(x).softmax(1)[0]
    hook.remove()
    assert padded.lesion_prob == pytest.approx(float(lesioned[target]), abs=1e-5)
    assert padded.lesion_delta == pytest.approx(float(lesioned[target] - intact[target]), abs=1e-5)


# ---------------------------------------------------------------- plain twins


@pytest.mark.parametrize("name", CIFAR_PLAIN + IMAGENET_PAPER_NAMES[:2])
def test_plain_twins_have_no_shortcut_anywhere(name):
    entry = get_entry(name)
    s = analyze(name, entry.input_size)
    rows = [b for st in s.stages for b in st.block_rows]
    assert rows and all(b.shortcut == "none" and b.projection is None for b in rows)
    assert not any(".downsample" in n.name for n in s.layers.walk())
    not_counted = {u.key: u.modules for u in s.depth_breakdown.not_counted}
    assert not_counted["projection_conv"] == 0 and "zero_pad_shortcut" not in not_counted
    svg = network_diagram(name, input_size=entry.input_size)
    assert "data-shortcut" not in svg and svg.count("data-layer=") == s.depth
    twin = name.replace("plain", "resnet")
    if entry.family == "cifar":  # option A has no weights: the twins have the same parameters
        assert s.total_params == analyze(twin, 32).total_params


def test_plain_block_is_relu_of_its_branch_alone():
    torch.manual_seed(2)
    plain, residual = get_entry("plain20").build(), get_entry("resnet20").build()
    plain.load_state_dict(residual.state_dict())  # the same keys: option A adds no weights
    block = plain.layer1[1]
    assert isinstance(block, PlainBasicBlock)
    x = torch.randn(2, 16, 32, 32)

    def norm(t, m):
        return F.batch_norm(t, m.running_mean, m.running_var, m.weight, m.bias, False, 0.0, m.eps)

    f = norm(F.conv2d(F.relu(norm(F.conv2d(x, block.conv1.weight, padding=1), block.bn1)),
                      block.conv2.weight, padding=1), block.bn2)  # fmt: skip
    with torch.no_grad():
        torch.testing.assert_close(block(x), F.relu(f))
        torch.testing.assert_close(residual.layer1[1](x), F.relu(f + x))


# ---------------------------------------------------------------- pre-activation


@pytest.mark.parametrize(("name", "steps"), [
    ("preact_resnet110", ("bn", "relu", "conv", "bn", "relu", "conv")),
    ("preact_resnet164", ("bn", "relu", "conv", "bn", "relu", "conv", "bn", "relu", "conv")),
])  # fmt: skip
def test_preact_blocks_run_bn_relu_conv_and_nothing_after_the_sum(name, steps):
    s = analyze(name, 32)
    rows = [b for st in s.stages for b in st.block_rows]
    assert all(b.steps == steps and not b.relu_after_sum for b in rows)
    resnet = analyze("resnet56", 32).stages[1].block_rows[1]
    assert resnet.steps == ("conv", "bn", "relu", "conv", "bn") and resnet.relu_after_sum
    projections = [b for b in rows if b.shortcut == "projection"]
    assert len(projections) == (3 if len(steps) == 9 else 2)  # a Bottleneck widens layer1 too
    assert all(b.shortcut_steps == ("conv",) for b in projections)
    html = diagram_html(s, "en")
    assert ">+ BN<" not in html and "1×1 conv on the pre-activated input" in html
    assert ">+ BN<" in diagram_html(analyze("resnet50"), "en")  # torchvision's: conv + BN
    first_box = html.index("<rect")
    assert html.index(">BN, ReLU<") < first_box  # BN and ReLU drawn before the first conv
    assert ">ReLU<" not in html  # no ReLU after the addition
    assert ">ReLU<" in diagram_html(analyze("resnet56", 32), "en")


def test_preact_block_equals_its_functional_form():
    torch.manual_seed(3)
    model = get_entry("preact_resnet110").build()
    x = torch.randn(2, 16, 32, 32)

    def norm(t, m):
        return F.batch_norm(t, m.running_mean, m.running_var, m.weight, m.bias, False, 0.0, m.eps)

    with torch.no_grad():
        for block, stride in ((model.layer1[1], 1), (model.layer2[0], 2)):
            pre = F.relu(norm(x, block.bn1))
            f = F.conv2d(F.relu(norm(F.conv2d(pre, block.conv1.weight, stride=stride, padding=1),
                                     block.bn2)), block.conv2.weight, padding=1)  # fmt: skip
            s = x if block.downsample is None else F.conv2d(pre, block.downsample[0].weight,
                                                            stride=stride)  # fmt: skip
            torch.testing.assert_close(block(x), f + s)
            x = block(x)


# ---------------------------------------------------------------- predict on 32×32 models


def test_cifar_models_predict_its_ten_classes_at_the_last_stage():
    torch.manual_seed(4)
    model = load_model("resnet20", weights=None)
    image = Image.fromarray((torch.rand(48, 40, 3) * 255).byte().numpy())
    e = explain(image, model, 3)
    assert e.layer == "layer3" and e.cam.shape == (32, 32) and e.image.size == (32, 32)
    assert {p.label for p in e.predictions} <= set(get_entry("resnet20").categories)
    assert len(e.features) == 3
    # resnet20 ships trained on the degradation experiment's ten shapes; resnet32 has no weights
    # and keeps CIFAR-10's classes
    assert get_entry("resnet20").categories[-2:] == ("pentagon", "diamond")
    assert get_entry("resnet32").categories[0] == "airplane"


def test_shortcut_measures_of_a_plain_network_say_there_is_none():
    torch.manual_seed(5)
    model = load_model("plain20", weights=None)
    image = Image.fromarray((torch.rand(32, 32, 3) * 255).byte().numpy())
    report = shortcut_report(image, model)
    assert len(report.records) == 9
    for r in report.records:
        assert r.shortcut == "none" and not r.projection
        assert r.shortcut_norm == 0.0 and r.ratio == float("inf") and r.residual_norm > 0
        assert r.grad_share_shortcut == pytest.approx(0.0, abs=1e-6)  # all of it through F
    # every path that takes a shortcut carries nothing: only the all-branch path is left
    assert report.gradient_by_length[-1] == pytest.approx(1.0)
    assert all(rec["ratio"] is None for rec in report.to_dict()["records"])
