"""HTML views: every number is the record's, the formula reads exactly as computed, text is
escaped, and the Compare sentences fire only when they are true."""

from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser

import pytest
from torchvision import models as tvm

from explorer import analyze, list_models
from explorer.render.cards import formula_html, stage_table_html
from explorer.render.report import fmt_count, fmt_macs
from explorer.web.views import (
    compare_blocks_html,
    compare_insights_html,
    compare_stages_html,
    costs_story,
    factor,
    shown_class,
    tree_html,
)

from ..conftest import module_macs


class _Text(HTMLParser):
    """Collects the text inside elements that carry one CSS class, and table cells."""

    def __init__(self, css: str) -> None:
        super().__init__()
        self.css, self.depth, self.found, self.cells, self.rows = css, 0, [], [], []

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if self.depth or self.css in classes:
            self.depth += 1
            if self.depth == 1:
                self.found.append("")
        if tag == "tr":
            self.rows.append([])

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.found[-1] += data
        if self.rows is not None and self.rows:
            self.rows[-1].append(data)


def _texts(html: str, css: str) -> list[str]:
    parser = _Text(css)
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize("name", [*list_models(), "bottleneck-2-3-1-2-g4-w16", "basic-1-1-1-1"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_big_formula_reads_exactly_as_computed(name, lang):
    s = analyze(name)
    assert _texts(formula_html(s, lang), "rx-formula") == [s.depth_formula]


def test_formula_explains_its_parts():
    html = formula_html(analyze("resnet50"), "en")
    for part in ("1 stem conv (7×7 conv, 3→64, stride 2)", "3 convs per block", "layer3: 6 blocks",
                 "1 fc", "4 projection shortcut 1×1 convs", "53 BatchNorm",
                 "17 ReLU modules (applied 49 times)", "2 pooling layers"):  # fmt: skip
        assert part in html
    zh = formula_html(analyze("resnet18"), "zh")
    assert "简写：18 = 1 + 2·2·4 + 1" in zh and "20 个 BatchNorm" in zh


def test_stage_table_shows_the_records_numbers():
    s = analyze("resnet152")
    html = stage_table_html(s, "en")
    for st in s.stages:
        assert fmt_count(st.params) in html and fmt_macs(st.macs) in html
        if st.name != "head":  # the head's read "global" (the next test)
            assert f"<td>{st.stride}</td><td>{st.receptive_field}</td>" in html
    assert fmt_count(60_192_808) in html and "11.51 G" in html


def test_tree_has_every_module_once():
    s = analyze("resnet50")
    html = tree_html(s, "en")
    stages = {st.name for st in s.stages if st.blocks}  # shown as the stage rows themselves
    names = [n.name for n in s.layers.walk() if n.name and n.name not in stages]
    assert html.count('class="rx-row"') == len(names) + len(s.stages)  # modules + stage lines
    containers = [n for n in s.layers.walk() if n.name and n.children and n.name not in stages]
    assert html.count("<details>") == len(s.stages) + len(containers)
    assert "ReLU ×3" in html and "64×56×56, 64×56×56, 256×56×56" in html
    assert "projection (stride 2, channels 256→512)" in html
    zh = tree_html(s, "zh")
    assert "投影 projection（stride 2，通道 256→512）" in zh
    assert "C=64" in zh and "channels" not in zh and "global" not in zh


def test_text_is_escaped():
    s = dataclasses.replace(analyze("resnet18"), title="<script>alert(1)</script>")
    html = formula_html(s, "en")
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_costs_story():
    model = tvm.resnet50()
    total = tvm.ResNet50_Weights.DEFAULT.meta["num_params"]
    share = sum(p.numel() for p in model.layer4.parameters()) / total  # 14,964,736 / 25,557,032
    story = costs_story(analyze("resnet50"), "en")
    assert story.startswith(f"Parameters pile up late: layer4 alone holds {share:.0%} of them.")
    macs = module_macs(model, 224)  # PyTorch's FlopCounterMode
    stages = [macs[f"layer{i}"] for i in range(1, 5)]
    lo, hi = min(stages), max(stages)  # layer1's 667.9 M, layer3's 1.46 G
    whole = tvm.ResNet50_Weights.DEFAULT.meta["_ops"] * 1e9
    assert f"each stage costs {100 * lo / whole:.0f}–{100 * hi / whole:.0f}% of the total" in story


def test_compare_v15_with_v1():
    """Closed forms: layer2.0 of v1.5 runs its 1×1 (256→128) at 56² positions, its 3×3 (128→128),
    1×1 (128→512) and projection (256→512) at 28²; v1 runs the first 1×1 at 28² too, and so
    saves 256·128·(56² − 28²) MACs in each of layer2.0, layer3.0 and layer4.0."""
    a, b = analyze("resnet50"), analyze("resnet50_v1")
    tail = 9 * 128 * 128 * 28**2 + 128 * 512 * 28**2 + 256 * 512 * 28**2
    v15, v1 = 256 * 128 * 56**2 + tail, 256 * 128 * 28**2 + tail  # 372,506,624 and 295,436,288
    saved = 3 * 256 * 128 * (56**2 - 28**2)
    whole = tvm.ResNet50_Weights.DEFAULT.meta["_ops"] * 1e9  # 4.089 G
    insights = compare_insights_html(a, b, "en")
    assert "sits on conv2 (3×3) in ResNet-50 and on conv1 (1×1) in ResNet-50 (paper v1)" in insights
    assert (f"So layer2.0 costs {v15 / 1e6:.1f} M vs {v1 / 1e6:.1f} M MACs, and the whole network "
            f"{whole / 1e9:.2f} G vs {(whole - saved) / 1e9:.2f} G") in insights  # fmt: skip
    assert f"−{saved / 1e6:.1f} M (−{saved / whole:.0%})" in compare_stages_html(a, b, "en")
    blocks = compare_blocks_html(a, b, "en")
    # layer3.0 and layer4.0 halve the side and double the channels: the same MACs as layer2.0
    assert blocks.count(f"{v1 / 1e6:.1f} M") == 3 and blocks.count(f"{v15 / 1e6:.1f} M") == 3


def test_compare_basic_with_bottleneck():
    a, b = analyze("resnet34"), analyze("resnet50")
    insights = compare_insights_html(a, b, "en")
    assert "a Bottleneck has 3 convs where a BasicBlock has 2, so 34 layers become 50" in insights
    basic = 2 * (3 * 3 * 512 * 512) + 2 * (2 * 512)  # two 3×3 convs and their BN (γ, β)
    assert f"one BasicBlock (512→512→512) has {basic:,} parameters" in insights
    assert "sits on" not in insights  # both stride in a 3×3: no stride-placement sentence
    more = compare_insights_html(analyze("resnet18"), a, "zh")
    assert "每个 stage 的 block 数由 2+2+2+2 变为 3+4+6+3" in more


@pytest.mark.parametrize(
    ("x", "said"),
    [(8.871, "8.87"), (178.3, "178"), (9_999.0, "9,999"), (6.58e10, "6.58 × 10¹⁰"),
     (1.0e5, "1 × 10⁵"), (2.5e-3, "0.0025")],
)  # fmt: skip
def test_a_factor_reads_as_people_write_it(x, said):
    assert factor(x) == said


def test_a_factor_never_reads_as_e_notation():
    for exponent in range(-3, 16):
        for mantissa in (1.0, 2.5, 9.999):
            assert "e" not in factor(mantissa * 10.0**exponent)


def test_one_block_is_one_block():
    """The demo models have one block per stage: "layer1: 1 block", never "1 blocks"."""
    html = formula_html(analyze("demo_basic"), "en")
    assert "layer1: 1 block<" in html and "1 blocks" not in html
    assert "layer1: 2 blocks" in formula_html(analyze("resnet18"), "en")
    assert "1 blocks" not in tree_html(analyze("demo_bottleneck"), "en")


def test_the_shapes_are_named_in_the_pages_language():
    assert shown_class("demo_basic", "heart", "zh") == "心形"
    assert shown_class("demo_basic", "heart", "en") == "heart"
    assert shown_class("resnet50", "tench", "zh") == "tench"  # ImageNet's names: torchvision's


def test_the_note_gives_the_explained_class_its_own_probability():
    """A class outside the top-k is shown with its probability, never as "<0.1%"."""
    from explorer.demo import make_samples
    from explorer.inspect.explain import explain
    from explorer.web.views import prediction_note

    image = make_samples(1, seed=5)[0][0]
    top = explain(image, "demo_bottleneck", k=1)
    other = next(i for i in range(8) if i != top.target)
    ex = explain(image, "demo_bottleneck", k=1, target=other)
    note = prediction_note(ex, "en")
    assert "<0.1%" not in note
    shown = float(re.search(r"\(([\d.]+)% probability\)", note).group(1))
    assert shown == pytest.approx(100 * ex.target_prob, rel=0.05, abs=0.05)


def test_the_plain_sentence_says_which_way_the_gradient_grows():
    from explorer.inspect.plain import gradient_profile
    from explorer.web.views import plain_summary

    deep = gradient_profile("resnet34")
    said = plain_summary(deep, "en")
    assert "grows toward the input, an explosion" in said and "1,315 times" in said
    assert "梯度爆炸" in plain_summary(deep, "zh")
    shallow = gradient_profile("demo_basic")  # its first layer's RMS is below its last's
    assert shallow.spread[1] < 1 and "shrinks toward the input" in plain_summary(shallow, "en")


def test_a_stride_1_projection_is_not_a_downsampling_block_for_veit():
    """demo_basic's layer4.0 changes the width with a projection but keeps stride 1: only the
    strided blocks are compared with the identity blocks."""
    from explorer.demo import make_samples
    from explorer.inspect.contributions import shortcut_report
    from explorer.web.views import shortcut_summary

    report = shortcut_report(make_samples(1, seed=3)[0][0], "demo_basic")
    deltas = {"layer1.0": -0.3, "layer2.0": -0.01, "layer3.0": -0.01, "layer4.0": -0.9}
    records = tuple(dataclasses.replace(r, lesion_delta=deltas[r.block]) for r in report.records)
    said = shortcut_summary(dataclasses.replace(report, records=records), "en")
    assert "this model does not agree" in said  # layer4.0's -0.9 does not count as downsampling


def test_the_heads_stride_and_field_read_global_once_they_cover_the_input():
    """ResNet-50 at 224 px: the head's numbers (stride 224, field 619) exceed what an image of
    224 pixels has; after global pooling the table says "global". layer4 keeps its 427."""
    html = stage_table_html(analyze("resnet50"), "en")
    head = html[html.index("head</span>") :]
    head = head[: head.index("</tr>")]
    assert head.count("<td>global</td>") == 2 and "619" not in head
    assert "<td>427</td>" in html  # layer4's own field, a number
    assert "<td>全局</td>" in stage_table_html(analyze("resnet50"), "zh")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_shortcut_sentences_name_option_a_and_plain_networks_for_what_they_are(lang):
    import torch
    from PIL import Image

    from explorer import load_model, shortcut_report
    from explorer.web.views import shortcut_summary

    image = Image.fromarray((torch.rand(32, 32, 3) * 255).byte().numpy())
    padded = shortcut_summary(shortcut_report(image, load_model("resnet20", weights=None)), lang)
    plain = shortcut_summary(shortcut_report(image, load_model("plain20", weights=None)), lang)
    if lang == "en":
        assert "2 zero-padding (option A) blocks" in padded and "7 identity blocks" in padded
        assert "no shortcuts" in plain and "‖F(x)‖/‖S(x)‖" not in plain
    else:
        assert "2 个补零（方案 A）block" in padded and "没有 shortcut" in plain
