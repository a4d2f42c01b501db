"""Any residual network, read from its dataflow: the source notes' hand-written ResNet-50, a
student's variants and timm's families, each checked against a source that shares no code with
the reading (torchvision's metadata and forward, closed forms, timm's feature_info, torch.fx)."""

from __future__ import annotations

import importlib.util
import math
import operator
import re
import sys
from pathlib import Path

import pytest
import torch
from torch import nn
from torchvision.models import ResNet18_Weights, ResNet34_Weights, ResNet50_Weights, resnet50

from explorer import ExplorerError, analyze, shortcut_report

sys.path.insert(0, str(Path(__file__).parent))
import handwritten

HAS_TIMM = importlib.util.find_spec("timm") is not None


def _meta(build):  # type: ignore[no-untyped-def]
    with torch.device("meta"):
        return build().eval()


def test_the_notes_resnet50_as_written():
    s = analyze(_meta(handwritten.ResNet50))
    assert s.total_params == ResNet50_Weights.DEFAULT.meta["num_params"] == 25_557_032
    assert s.depth_formula == "50 = 1 + 3·(3+4+6+3) + 1"
    # the notes' own loop: each top-level child on the output of the one before
    x, shapes = torch.zeros(1, 3, 224, 224, device="meta"), {}
    model = _meta(handwritten.ResNet50)
    with torch.no_grad():
        for name, child in model.named_children():
            if name == "liner":
                break
            x = child(x)
            shapes[name] = tuple(x.shape)
    for stage in ("layer1", "layer2", "layer3", "layer4"):
        assert s.stage(stage).output_shape == shapes[stage]
    assert shapes["layer1"] == (1, 256, 56, 56) and shapes["layer4"] == (1, 2048, 7, 7)
    names = {n.name for n in s.layers.walk()}
    assert {"conv1.0", "layer2.0.bottleneck.3", "liner"} <= names
    block = s.stage("layer2").block_rows[0]
    assert block.shortcut == "projection" and block.stride == 2 and block.convs == 3


def test_the_notes_resnet50_computes_torchvisions_function():
    """torchvision's weights copied tensor by tensor in registration order give the same
    logits: the reading maps the same blocks, and the measures run the same function."""
    torch.manual_seed(0)
    reference = resnet50().eval()
    notes = handwritten.ResNet50().eval()
    ours, theirs = list(notes.state_dict().values()), list(reference.state_dict().values())
    assert [t.shape for t in ours] == [t.shape for t in theirs]
    with torch.no_grad():
        for a, b in zip(ours, theirs, strict=True):
            a.copy_(b)
        x = torch.randn(1, 3, 224, 224)
        # float64: AvgPool2d(7) and AdaptiveAvgPool2d(1) sum in another order
        assert torch.allclose(notes.double()(x.double()), reference.double()(x.double()),
                              rtol=0, atol=1e-5)  # fmt: skip
    notes.float()
    report = shortcut_report(x, notes)
    assert [r.block for r in report.records][:4] == ["layer1.0", "layer1.1", "layer1.2",
                                                     "layer2.0"]  # fmt: skip
    assert [r.shortcut for r in report.records].count("projection") == 4


def test_the_notes_resnet50_at_256_is_explained():
    with pytest.raises(ExplorerError) as caught:
        analyze(_meta(handwritten.ResNet50), 256)
    message = str(caught.value)
    for word in ("avgpool", "liner", "8192", "2048", "8×8", "AdaptiveAvgPool2d"):
        assert word in message
    # layer4 must be 7×7 for AvgPool2d(7) to leave 2048 features: inputs 193..224 px
    assert "193–224 px" in message
    assert "AdaptiveAvgPool2d" in caught.value.in_language("zh")


def _preact_params(counts: tuple[int, ...]) -> int:
    """Closed form of handwritten.PreActNet: BN(c_in), 3×3, BN(c_out), 3×3, projection conv."""
    total, c = 3 * 64 * 49 + 2 * 64, 64
    for i, (n, w) in enumerate(zip(counts, (64, 128, 256, 512), strict=True)):
        for j in range(n):
            c_in = c if j == 0 else w
            total += 2 * c_in + 9 * c_in * w + 2 * w + 9 * w * w
            total += c_in * w if j == 0 and (i > 0 or c_in != w) else 0
        c = w
    return total + 512 * 1000 + 1000


@pytest.mark.parametrize(("build", "params", "formula"), [
    (lambda: handwritten.Net34(), ResNet34_Weights.DEFAULT.meta["num_params"],
     "34 = 1 + 2·(3+4+6+3) + 1"),
    (handwritten.FunctionalNet, ResNet18_Weights.DEFAULT.meta["num_params"],
     "18 = 1 + 2·(2+2+2+2) + 1"),
    (handwritten.DictNet, ResNet18_Weights.DEFAULT.meta["num_params"],
     "18 = 1 + 2·(2+2+2+2) + 1"),
    (handwritten.PreActNet, _preact_params((2, 2, 2, 2)), "18 = 1 + 2·(2+2+2+2) + 1"),
])  # fmt: skip
def test_hand_written_variants(build, params, formula):
    s = analyze(_meta(build))
    assert s.total_params == params
    assert s.depth_formula == formula
    assert [r.output_shape[1:] for r in s.stages if r.block_rows] == [
        (64, 56, 56), (128, 28, 28), (256, 14, 14), (512, 7, 7)]  # fmt: skip
    rows = [b for r in s.stages for b in r.block_rows]
    assert [b.shortcut for b in rows].count("projection") == 3
    pre = build is handwritten.PreActNet
    assert all(b.branch_order == ("pre" if pre else "post") for b in rows)
    assert all(b.relu_after_sum != pre for b in rows)


def test_module_dict_stages_keep_their_names():
    s = analyze(_meta(handwritten.DictNet))
    assert [r.name for r in s.stages] == ["stem", "body.s1", "body.s2", "body.s3", "body.s4",
                                          "head"]  # fmt: skip


def test_a_functional_block_measures_like_its_module_twin():
    """F.relu and torch.add, with the shortcut as the add's second operand: the shortcut
    measures of the functional net equal those of the module-written twin with equal weights."""
    torch.manual_seed(1)
    a, b = handwritten.Net34(counts=(1, 1, 1, 1)).eval(), handwritten.FunctionalNet().eval()
    b = handwritten.Net34(handwritten.FunctionalPair, (1, 1, 1, 1)).eval()
    b.load_state_dict(a.state_dict())
    x = torch.randn(1, 3, 64, 64)
    ra, rb = shortcut_report(x, a), shortcut_report(x, b)
    for p, q in zip(ra.records, rb.records, strict=True):
        assert p.residual_norm == pytest.approx(q.residual_norm, rel=1e-5)
        assert p.lesion_prob == pytest.approx(q.lesion_prob, abs=1e-6)


def test_no_residual_additions_is_said_plainly():
    with pytest.raises(ExplorerError, match=r"no residual blocks.*convolutions"):
        analyze(handwritten.PlainCNN(), 64)
    from torchvision.models import vgg16

    with pytest.raises(ExplorerError, match="no residual blocks"):
        analyze(_meta(vgg16))


# ---------------------------------------------------------------- timm's families

TIMM = ["resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "resnet50d", "resnet26t",
        "seresnet50", "resnext50_32x4d", "wide_resnet50_2", "resnetv2_50", "resnetrs50",
        "ecaresnet50d"]  # fmt: skip
# convs a deep stem adds to the paper's one 7×7: three 3×3 convs instead of it; ResNet-RS also
# replaces the max pool with a strided 3×3 conv
DEEP_STEM = {"resnet50d": 2, "resnet26t": 2, "ecaresnet50d": 2, "resnetrs50": 3}


def _fx_adds(model: nn.Module) -> int:
    """Two-tensor additions in a torch.fx trace: a second method that shares nothing with the
    dataflow reading."""
    graph = torch.fx.symbolic_trace(model).graph
    adds = {operator.add, operator.iadd, torch.add, "add", "add_"}
    return sum(node.target in adds and sum(isinstance(a, torch.fx.Node) for a in node.args) == 2
               for node in graph.nodes)  # fmt: skip


@pytest.mark.skipif(not HAS_TIMM, reason="timm is not installed (pip install '.[timm]')")
@pytest.mark.parametrize("name", TIMM)
def test_timm_families(name):
    import timm

    s = analyze(f"timm/{name}")
    with torch.device("meta"):
        model = timm.create_model(name, pretrained=False).eval()
    assert s.total_params == sum(p.numel() for p in model.parameters())
    stages = [r for r in s.stages if r.block_rows]
    info = model.feature_info[-len(stages) :]
    assert [r.output_shape[1] for r in stages] == [f["num_chs"] for f in info]
    assert [r.stride for r in stages] == [f["reduction"] for f in info]
    depth = int(re.search(r"ne(?:t|xt)(?:v2_|rs)?(\d+)", name).group(1))  # type: ignore[union-attr]
    assert s.depth == depth + DEEP_STEM.get(name, 0)
    assert sum(len(r.block_rows) for r in stages) == _fx_adds(model)


@pytest.mark.skipif(not HAS_TIMM, reason="timm is not installed (pip install '.[timm]')")
def test_timm_readings_name_what_they_hold():
    v2 = analyze("timm/resnetv2_50")
    assert [r.name for r in v2.stages][1:5] == ["stages.0", "stages.1", "stages.2", "stages.3"]
    assert v2.stages[1].block_rows[0].branch_order == "pre"
    d = analyze("timm/resnet50d")
    assert d.stage("layer2").block_rows[0].shortcut == "pooled_projection"
    se = analyze("timm/seresnet50")
    assert se.stage("layer1").block_rows[0].attention == "channel"
    assert any(u.key == "attention" for u in se.depth_breakdown.not_counted)
    with pytest.raises(ExplorerError, match="token sequences"):
        analyze("timm/vit_small_patch16_224")
    with pytest.raises(ExplorerError, match="no model called"):
        analyze("timm/resnet_does_not_exist")
    assert math.isfinite(analyze("timm/resnet18", 64).total_macs)
