"""Block diagram: valid SVG with the real channel numbers, projection and identity drawn apart."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from explorer import analyze
from explorer.web.diagram import block_kind, diagram_html, projection_sentence

SVG = "{http://www.w3.org/2000/svg}"


def _svg(name: str, lang: str = "en") -> ET.Element:
    html = diagram_html(analyze(name), lang)
    return ET.fromstring(re.search(r"<svg.*</svg>", html, re.S).group(0))


def _labels(root: ET.Element) -> list[str]:
    return [el.text for el in root.iter(f"{SVG}text")]


def _dashed(root: ET.Element) -> int:
    return sum(1 for el in root.iter(f"{SVG}path") if el.get("stroke-dasharray"))


@pytest.mark.parametrize(
    ("name", "projections", "identities"),
    [("resnet50", 4, 4), ("resnet18", 3, 5), ("basic-1-1-1-1", 3, 1)],
)
def test_projection_boxes_and_identity_lines(name, projections, identities):
    """Figure 3's convention, as the whole-network figure draws it: identities solid, a
    projection's path (into and out of its 1×1 conv's box) dotted."""
    root = _svg(name)
    shortcut_boxes = [el for el in root.iter(f"{SVG}rect") if el.get("fill-opacity") == "0.3"]
    assert len(shortcut_boxes) == projections
    assert _dashed(root) == 2 * projections
    grey = [el for el in root.iter(f"{SVG}path") if el.get("stroke") == "#64748b"]
    assert len(grey) == identities and not any(el.get("stroke-dasharray") for el in grey)


def test_real_channel_numbers_per_stage():
    labels = _labels(_svg("resnet50"))
    expected = ["1×1, 64", "3×3, 64", "1×1, 256", "3×3, 128, /2", "1×1, 512, /2", "1×1, 2048",
                "in: 1024 channels", "out: 2048 channels", "layer3.1 … layer3.5 (×5)"]  # fmt: skip
    for text in expected:
        assert text in labels, text
    v1 = _labels(_svg("resnet50_v1"))
    assert "1×1, 128, /2" in v1 and "3×3, 128" in v1 and "3×3, 128, /2" not in v1
    assert "3×3, 128, g32" in _labels(_svg("resnext50_32x4d"))
    assert "输入：64 通道" in _labels(_svg("resnet50", "zh"))


def test_block_kind_and_why_a_projection():
    assert block_kind(analyze("resnet50").stage("layer1").block_rows[-1], "en") == (
        "Bottleneck: 1×1 reduce → 3×3 → 1×1 expand ×4"
    )
    assert block_kind(analyze("resnet34").stage("layer1").block_rows[-1], "en") == (
        "BasicBlock: 3×3 → 3×3"
    )
    sentence = projection_sentence(analyze("resnet50"), "en")
    assert "as in layer2.0: projection (stride 2, channels 256→512)" in sentence


def test_resnext_boxes_fit_and_g32_is_explained():
    """ "3×3, 256, /2, g32" fits its box (bold system-ui is at most 0.62 em per character), and
    the legend says what g32 means, with the group width torchvision's own module has."""
    from torchvision.models import resnext50_32x4d

    from explorer.web.diagram import BOX_W, legend

    for text in _svg("resnext50_32x4d").iter(f"{SVG}text"):
        if text.text and text.text.startswith(("1×1", "3×3")):
            assert 0.62 * int(text.get("font-size")) * len(text.text) <= BOX_W - 10, text.text
    conv = resnext50_32x4d().layer1[0].conv2  # torchvision's own grouped 3×3
    said = legend(analyze("resnext50_32x4d"), "en")
    width = conv.out_channels // conv.groups
    assert f"g{conv.groups}" in said and f"{conv.groups} groups of {width}" in said
    assert "分组卷积" in legend(analyze("resnext50_32x4d"), "zh")
    assert "grouped" not in legend(analyze("resnet50"), "en")
