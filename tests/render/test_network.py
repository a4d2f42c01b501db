"""Figure 3 of the paper as SVG: one element per counted layer and per shortcut, at every level
of folding, with the counts taken from the analysis records and torchvision's modules (never from
the drawing code), and the paper's labels and conventions."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET

import pytest
from torch import nn
from torchvision import models as tvm

import explorer
from explorer import ExplorerError, analyze, list_models, network_diagram, network_figure3
from explorer.render.network import EXPAND, ORIENTATIONS

SVG = "{http://www.w3.org/2000/svg}"
CUSTOM = ["bottleneck-2-5-1-7-g4-w16", "basic-4-1-1-2"]


def _elements(svg: str) -> list[ET.Element]:
    return list(ET.fromstring(svg).iter())


def _shown(element: ET.Element, parents: dict[ET.Element, ET.Element]) -> bool:
    while element is not None:
        if element.get("display") == "none":
            return False
        element = parents.get(element)
    return True


def _expected(name: str) -> tuple[list[str], dict[str, str]]:
    """Counted layers in forward order and each block's shortcut, from the analysis records."""
    s = analyze(name)
    blocks = [b for st in s.stages for b in st.block_rows]
    layers = ["conv1"] + [f"{b.name}.{c.name}" for b in blocks for c in b.branch] + ["fc"]
    assert len(layers) == s.depth  # the depth formula counts exactly these
    return layers, {b.name: b.shortcut for b in blocks if b.shortcut != "none"}  # a plain block


@pytest.mark.parametrize("name", [*list_models(), *CUSTOM])
@pytest.mark.parametrize("expand", EXPAND)
def test_one_element_per_counted_layer_and_per_shortcut(name, expand):
    layers, shortcuts = _expected(name)
    for plain in (False, True):
        elements = _elements(network_diagram(name, expand=expand, plain=plain))
        assert [e.get("data-layer") for e in elements if e.get("data-layer")] == layers
        drawn = {e.get("data-block"): e.get("data-shortcut") for e in elements
                 if e.get("data-shortcut")}  # fmt: skip
        assert drawn == ({} if plain else shortcuts)
        assert len([e for e in elements if e.get("data-shortcut")]) == len(drawn)


def test_the_counts_the_issue_names():
    """resnet34: 34 layers, 16 shortcuts (3 projections); resnet152: 152 and 50 (4), counted
    from torchvision's own modules."""
    for name, depth, blocks, projections in (("resnet34", 34, 16, 3), ("resnet152", 152, 50, 4)):
        model = tvm.get_model(name)
        convs = [n for n, m in model.named_modules()
                 if isinstance(m, (nn.Conv2d, nn.Linear)) and "downsample" not in n]  # fmt: skip
        assert len(convs) == depth
        blocks_of = [m for m in model.modules()
                     if isinstance(m, (tvm.resnet.BasicBlock, tvm.resnet.Bottleneck))]  # fmt: skip
        assert sum(m.downsample is not None for m in blocks_of) == projections
        for orientation in ("vertical", "horizontal"):
            elements = _elements(network_diagram(name, orientation=orientation))
            assert [e.get("data-layer") for e in elements if e.get("data-layer")] == convs
            kinds = [e.get("data-shortcut") for e in elements if e.get("data-shortcut")]
            assert len(kinds) == blocks and kinds.count("projection") == projections


def test_labels_are_the_papers():
    """A box reads as in Figure 3: kernel, output channels, and /2 where the stride is."""
    root = ET.fromstring(network_diagram("resnet34", expand="layers"))
    text = {e.get("data-layer"): " ".join(t.text or "" for t in e.iter(f"{SVG}text"))
            for e in root.iter() if e.get("data-layer")}  # fmt: skip
    assert text["conv1"] == "7×7 conv, 64, /2"
    assert text["layer1.0.conv1"] == "3×3 conv, 64"
    assert text["layer2.0.conv1"] == "3×3 conv, 128, /2"
    assert text["layer4.2.conv2"] == "3×3 conv, 512"
    assert text["fc"] == "fc, 1000"
    svg = network_diagram("resnext50_32x4d", expand="layers")
    assert "3×3 conv, 128, g32" in svg
    sizes = [e.text for e in root.iter(f"{SVG}text") if e.text and "×" in e.text and
             "conv" not in e.text and "image" not in e.text]  # fmt: skip
    assert sizes == ["112×112", "56×56", "28×28", "14×14", "7×7"]


def test_identity_solid_projection_dotted_with_its_conv_on_hover():
    root = ET.fromstring(network_diagram("resnet50"))
    arcs = {e.get("data-block"): e for e in root.iter() if e.get("data-shortcut")}
    assert arcs["layer1.1"].get("stroke-dasharray") is None
    assert arcs["layer2.0"].get("stroke-dasharray") is not None
    hover = arcs["layer2.0"].find(f"{SVG}title").text
    assert "layer2.0.downsample.0" in hover and "1×1 conv, 512, /2" in hover


def test_deep_models_open_as_blocks_and_clicks_open_them():
    parents = {}
    root = ET.fromstring(network_diagram("resnet152"))
    parents = {c: p for p in root.iter() for c in p}
    shown = [e for e in root.iter() if e.get("data-layer") and _shown(e, parents)]
    assert [e.get("data-layer") for e in shown] == ["conv1", "fc"]  # every block folded
    root = ET.fromstring(network_diagram("resnet152", toggled=["layer3.7"]))
    parents = {c: p for p in root.iter() for c in p}
    shown = [e.get("data-layer") for e in root.iter() if e.get("data-layer") and _shown(e, parents)]
    assert shown == ["conv1", "layer3.7.conv1", "layer3.7.conv2", "layer3.7.conv3", "fc"]
    root = ET.fromstring(network_diagram("resnet18"))  # shallow: every layer shown
    parents = {c: p for p in root.iter() for c in p}
    assert all(_shown(e, parents) for e in root.iter() if e.get("data-layer"))
    folded = ET.fromstring(network_diagram("resnet18", expand="stages", toggled=["layer2"]))
    parents = {c: p for p in folded.iter() for c in p}
    arcs = [e.get("data-block") for e in folded.iter()
            if e.get("data-shortcut") and _shown(e, parents)]  # fmt: skip
    assert arcs == ["layer2.0", "layer2.1"]


def test_the_figure_fits_one_projected_screen():
    """ResNet-152 opens folded to its 50 blocks in a figure of about 800 × 650 pixels."""
    root = ET.fromstring(network_diagram("resnet152"))
    assert float(root.get("width")) <= 1000 and float(root.get("height")) <= 700


def test_chinese_and_bad_arguments():
    zh = network_diagram("resnet50", lang="zh", expand="stages")
    assert "输入图像 224×224" in zh and "6 个 block" in zh
    assert explorer.network_diagram is network_diagram
    with pytest.raises(ExplorerError, match="expand"):
        network_diagram("resnet18", expand="all")
    with pytest.raises(ExplorerError, match="orientation"):
        network_diagram("resnet18", orientation="diagonal")
    with pytest.raises(ExplorerError, match="unknown model"):
        network_diagram("resnet19")


def test_vgg19_is_drawn_from_torchvisions_modules():
    """Figure 3's left column: 16 convs in five groups, each opened by a /2 pool, then 3 fc."""
    model = tvm.vgg19()
    weighted = [(n, m) for n, m in model.named_modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    root = ET.fromstring(network_diagram("vgg19"))
    boxes = [e for e in root.iter() if e.get("data-layer")]
    assert [e.get("data-layer") for e in boxes] == [n for n, _ in weighted]
    text = [" ".join(t.text or "" for t in e.iter(f"{SVG}text")) for e in boxes]
    assert text == [f"3×3 conv, {m.out_channels}" if isinstance(m, nn.Conv2d)
                    else f"fc, {m.out_features}" for _, m in weighted]  # fmt: skip
    assert not [e for e in root.iter() if e.get("data-shortcut")]
    pools = [" ".join(t.text or "" for t in e.iter(f"{SVG}text"))
             for e in root.iter() if e.get("data-pool")]  # fmt: skip
    assert pools == ["pool, /2"] * 5 + ["avg pool, 7×7"]
    sizes = [e.text for e in root.iter(f"{SVG}text") if e.text and "×" in e.text and
             "conv" not in e.text and "image" not in e.text and "pool" not in e.text]  # fmt: skip
    assert sizes == ["224×224", "112×112", "56×56", "28×28", "14×14", "7×7"]
    assert network_diagram("vgg19", plain=True) == network_diagram("vgg19")  # nothing to remove


def test_figure_3_sets_vgg19_the_plain_twin_and_the_resnet_side_by_side():
    for orientation in ORIENTATIONS:
        root = ET.fromstring(network_figure3("resnet34", orientation=orientation))
        panels = list(root)
        assert [(p.get("data-model"), p.get("data-plain")) for p in panels] == [
            ("vgg19", "false"), ("resnet34", "true"), ("resnet34", "false")]  # fmt: skip
        layers = [len([e for e in p.iter() if e.get("data-layer")]) for p in panels]
        shortcuts = [[e.get("data-shortcut") for e in p.iter() if e.get("data-shortcut")]
                     for p in panels]  # fmt: skip
        assert layers == [19, 34, 34]
        assert [len(s) for s in shortcuts] == [0, 0, 16] and shortcuts[2].count("projection") == 3
        # The panels follow one another without overlapping, inside the figure.
        at = "x" if orientation == "vertical" else "y"
        extent = "width" if orientation == "vertical" else "height"
        spans = [(float(p.get(at)), float(p.get(at)) + float(p.get(extent))) for p in panels]
        assert all(a[1] < b[0] for a, b in itertools.pairwise(spans))
        assert spans[-1][1] <= float(root.get(extent))
    assert explorer.network_figure3 is network_figure3


def test_stage_marks_are_drawn_not_typed():
    """The open/closed mark is a path: a ▾ glyph made resvg set the whole header in a serif."""
    svg = network_diagram("resnet50", expand="stages", toggled=["layer2"])
    assert "▾" not in svg and "▸" not in svg
    root = ET.fromstring(svg)
    headers = [e for e in root.iter() if e.get("data-toggle") and e.get("data-stage")]
    assert [h.get("data-stage") for h in headers] == ["layer1", "layer2", "layer3", "layer4"]
    assert all(len(h.findall(f"{SVG}path")) == 1 for h in headers)
