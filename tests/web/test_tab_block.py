"""The Inside-a-block tab: its handlers with the payloads the page sends, its refusals in both
languages, the computed sentences under its charts, links to it, and /block, /erf and /lesions
as raw HTTP requests."""

from __future__ import annotations

import base64
import html
import io

import gradio as gr
import numpy as np
import plotly.graph_objects as go
import pytest
from PIL import Image

from explorer.demo import make_samples
from explorer.experiments.degradation import CurvePoint
from explorer.experiments.lesions import LesionPoint
from explorer.inspect.blockview import block_view
from explorer.models.loading import load_model
from explorer.web import block_pages, pages, tab_architecture, tab_block
from explorer.web.block_views import curve_finding
from explorer.web.files import examples
from explorer.web.links import view_from

from ..conftest import raw_call

SHAPES, _, _ = make_samples(2, seed=43)


@pytest.fixture
def shape(tmp_path) -> dict:
    path = tmp_path / "shape.png"
    SHAPES[0].save(path)
    return {"path": str(path)}


def test_the_block_handler_draws_four_maps_on_one_scale(shape):
    *maps, twin, stats = tab_block.block(shape, "resnet20", "layer2.0", None, "DEFAULT", "en")
    assert [m.label for m in maps] == ["S(x): the shortcut", "F(x): the residual branch",
                                       "F(x) + S(x)", "the output, after ReLU"]  # fmt: skip
    assert twin.label == "plain20, the plain twin: F(x) alone" and twin.visible
    paths = [m.value["path"] if isinstance(m.value, dict) else m.value for m in maps]
    pictures = [np.asarray(Image.open(p)) for p in paths]
    assert all(p.shape == (224, 224, 3) for p in pictures)
    view = block_view(shape["path"], load_model("resnet20", "DEFAULT"), "layer2.0")
    text = html.unescape(stats)
    assert f"channel {view.channel} of 32" in text and "option A" in text
    assert f"{view.ratio:.2f}" in text and f"{view.scale:.2f}" in text
    # the colour scale is shared: the map with the largest |value| reaches a saturated end
    ends = [np.abs(p.astype(int) - [247, 247, 247]).max() for p in pictures]
    assert max(ends) > 150


def test_a_plain_block_shows_no_shortcut_and_chinese_labels(shape):
    *maps, twin, stats = tab_block.block(shape, "plain20", "layer1.1", 3, "DEFAULT", "zh")
    assert twin.visible is False  # a plain network has no plain twin
    assert maps[0].label == "S(x)：无（plain 块）" and "第 3 个通道" in stats
    assert "你选择的通道" in stats and "plain 块" in stats


def test_a_click_reads_the_arithmetic_at_that_position(shape):
    view = block_view(shape["path"], load_model("resnet56", "DEFAULT"), "layer3.4")
    h, w = view.grid  # 8×8 positions on 224 pixels: 28 pixels each
    said = block_pages.block_arithmetic(shape["path"], "resnet56", "DEFAULT", "layer3.4", None,
                                        pages.torch.device("cpu"), (3 * 28 + 5, 6 * 28 + 1),
                                        "en")  # fmt: skip
    a = view.at(6, 3)
    assert f"Row 6, column 3 of channel {view.channel}" in html.unescape(said)
    assert a.text() in html.unescape(said) and (h, w) == (8, 8)


@pytest.mark.parametrize(("lang", "words"), [("en", "no block"), ("zh", "没有名为")])
def test_refusals_in_the_pages_language(shape, lang, words):
    with pytest.raises(gr.Error) as err:
        tab_block.block(shape, "resnet20", "layer9.9", None, "DEFAULT", lang)
    assert words in str(err.value.message)
    with pytest.raises(gr.Error, match=r"channel|通道"):
        tab_block.block(shape, "resnet20", "layer1.0", 99, "DEFAULT", lang)
    with pytest.raises(gr.Error, match=r"cannot be removed|无法删除"):
        tab_block.lesions(shape, "plain20", ["layer3.0"], "DEFAULT", lang)
    with pytest.raises(gr.Error):
        tab_block.lesions(shape, "plain20", "layer1.0", "DEFAULT", lang)  # not a list
    with pytest.raises(gr.Error, match=r"Upload an image|上传"):
        tab_block.block(None, "resnet20", "layer1.0", None, "DEFAULT", lang)
    note = tab_block.shown(None, "resnet20", "layer1.0", None, "DEFAULT", lang)
    assert note[:4] == (None,) * 4 and note[4].visible is False and "rx-note" in note[5]


def test_the_erf_handler_places_the_unit_and_says_its_sizes(shape):
    picture, text = tab_block.erf(shape, "resnet20", "layer2", 3, 12, "DEFAULT", "en")
    assert Image.open(picture).size == (320, 320)
    said = html.unescape(text)
    assert "resnet20: the unit at row 3, column 12 of layer2 (16×16 grid)" in said
    assert "37×37 pixels" in said
    picture, text = tab_block.erf(shape, "resnet20", "layer3.1", None, None, "DEFAULT", "zh")
    assert "resnet20：layer3.1（8×8 网格）第 4 行、第 4 列" in text
    with pytest.raises(gr.Error, match="layer7"):
        tab_block.erf(shape, "resnet20", "layer7", None, None, "DEFAULT", "en")


def test_a_click_on_the_photo_picks_the_nearest_unit(shape):
    # layer1 of resnet20: jump 1, 32×32 positions on a 320-pixel picture: 10 pixels each
    _, _, at = block_pages.erf_page(shape["path"], "resnet20", "DEFAULT", "layer1", None, (54, 121),
                                       pages.torch.device("cpu"), "en")  # fmt: skip
    assert at == (12, 5)


def test_the_lesion_handler_follows_the_ticked_blocks(shape):
    labels, text = tab_block.lesions(shape, "resnet56", [], "DEFAULT", "en")
    intact = html.unescape(text)
    assert "resnet56 with no block deleted" in intact
    gone = ["layer1.0", "layer1.1", "layer2.0", "layer2.1", "layer3.0", "layer3.1"]
    labels_after, text_after = tab_block.lesions(shape, "resnet56", gone, "DEFAULT", "en")
    assert "layer1.0, layer1.1, layer2.0" in text_after and labels_after != labels
    _, plain = tab_block.lesions(shape, "plain20", [], "DEFAULT", "zh")
    assert "无法删除" in plain and "layer2.0, layer3.0" in plain
    _, random = tab_block.lesions(shape, "resnet20", [], "random", "en")
    assert "top-5 only" in html.unescape(random)


def _points(model: str, errors: list[float]) -> tuple[LesionPoint, ...]:
    return tuple(LesionPoint(model, k, e, 0.01, e, e, 5) for k, e in enumerate(errors))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_sentence_under_the_curve_is_computed_from_the_points(lang):
    plain56 = CurvePoint("plain56", 2000, 0.82, 0.838)
    veit = {"resnet20": _points("resnet20", [0.02, 0.05, 0.09]),
            "resnet56": _points("resnet56", [0.01, 0.02, 0.04]),
            "plain20": _points("plain20", [0.01, 0.90, 0.90])}  # fmt: skip
    other = {"resnet20": _points("resnet20", [0.02, 0.60, 0.9]),
             "resnet56": _points("resnet56", [0.01, 0.55, 0.9]),
             "plain20": _points("plain20", [0.01, 0.20, 0.40])}  # fmt: skip
    yes, no = curve_finding(veit, lang, plain56), curve_finding(other, lang, plain56)
    assert "83.8%" in yes and "2,000" in yes
    assert "1.0%" in yes and "2.0%" in yes and "+1.0" in yes and "+89.0" in yes and "4.0%" in yes
    if lang == "en":
        assert "As Veit et al. found, plain20 collapses" in yes and "do not show that" in no
        assert "resnet56 degrades step by step: its error stays below 50% up to k = 2" in yes
        assert "resnet20 does not degrade step by step" in no and "58.0 points" in no
    else:
        assert "一致" in yes and "没有显示" in no and "k = 2" in yes


def test_links_to_the_tab_and_from_figure_3():
    view = view_from({"tab": "block", "model": "resnet56", "block": "layer2.0", "channel": "3"})
    assert (view.tab, view.model_for("block"), view.block, view.channel) == (
        "block", "resnet56", "layer2.0", 3)  # fmt: skip
    bad = view_from({"tab": "block", "block": "../../etc", "channel": "-4"})
    assert bad.block is None and bad.channel is None
    link = tab_architecture.inside_link("resnet50", "layer2.0", "zh")
    assert 'href="?tab=block&amp;model=resnet50&amp;block=layer2.0&amp;lang=zh"' in link
    assert "查看 layer2.0 的内部" in link


def test_the_charts_and_their_sentences():
    fig, text = block_pages.lesion_curves_page(pages.torch.device("cpu"), "en")
    assert isinstance(fig, go.Figure) and [t.name for t in fig.data] == [
        "resnet20", "resnet56", "plain20"]  # fmt: skip
    # k up to 10, or up to the blocks that can go: resnet20 has 9, plain20 7 of its 9
    assert [list(d.x) for d in fig.data] == [list(range(10)), list(range(11)), list(range(8))]
    assert "plain56 is not lesioned" in text
    r56, p20 = fig.data[1].y, fig.data[2].y  # the sentence quotes the chart's own points
    assert (
        f"from {r56[0]:.1%} to {r56[1]:.1%}" in text
        and f"from {p20[0]:.1%} to {p20[1]:.1%}" in text
    )
    fig, text = block_pages.erf_stages_page("resnet20", "DEFAULT", pages.torch.device("cpu"),
                                            examples()[:2], "zh")  # fmt: skip
    assert len(fig.data) == 5  # the theoretical field once, ERF 50% and 90% twice
    assert "训练后" in text and "随机" in text and "depth^" in text


def _png_url() -> str:
    buffer = io.BytesIO()
    SHAPES[1].save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def test_raw_http_requests(served):
    url, _ = served
    event, out = raw_call(url, "block", [{"url": _png_url()}, "resnet20", "layer2.0", None,
                                         "DEFAULT", "en"])  # fmt: skip
    assert event == "complete" and len(out) == 6 and "channel" in out[5]
    assert out[4] is not None  # resnet20's plain twin, plain20, trained alike
    event, out = raw_call(url, "erf", [{"url": _png_url()}, "resnet20", "layer3", 2, 2,
                                       "DEFAULT", "zh"])  # fmt: skip
    assert event == "complete" and "第 2 行" in out[1]
    event, out = raw_call(url, "lesions", [{"url": _png_url()}, "plain20", ["layer1.0"],
                                           "DEFAULT", "en"])  # fmt: skip
    assert event == "complete" and out[0]["label"] and "held-out" in out[1]
    event, said = raw_call(url, "block", [{"path": "/etc/passwd"}, "resnet20", "layer2.0", None,
                                          "DEFAULT", "en"])  # fmt: skip
    assert event == "error" and "not uploaded" in said
    event, said = raw_call(url, "lesions", [{"url": _png_url()}, "plain20", ["layer2.0"],
                                            "DEFAULT", "zh"])  # fmt: skip
    assert event == "error" and "无法删除" in said and "Traceback" not in said
