"""Compare explanations: its handlers with the payloads the page sends, the sentences and table
computed from the records, its refusals in both languages, and /attribute, /sanity,
/faithfulness and /layer_guidance as raw HTTP requests."""

from __future__ import annotations

import base64
import html
import io
import re

import gradio as gr
import pytest
from PIL import Image

from explorer.demo import make_samples
from explorer.inspect.attribution import compare
from explorer.inspect.sanity import SanityRecord, SanityReport
from explorer.models.loading import load_model
from explorer.web import saliency_pages, section_saliency
from explorer.web.files import examples
from explorer.web.saliency_views import sanity_html, shipped_html

from ..conftest import raw_call

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")
SHAPES, _, _ = make_samples(2, seed=43)
FEW = ["gradcam", "guided_backprop", "occlusion"]


@pytest.fixture
def shape(tmp_path) -> dict:
    path = tmp_path / "shape.png"
    SHAPES[0].save(path)
    return {"path": str(path)}


def test_the_maps_come_side_by_side_with_their_costs(shape):
    gallery, what, table = section_saliency.attribute(shape, "demo_basic", FEW, "layer3", "top-1",
                                                      "DEFAULT", "en")  # fmt: skip
    assert [caption.split(" · ")[0] for _, caption in gallery] == ["Grad-CAM", "Guided Backprop",
                                                                   "Occlusion"]  # fmt: skip
    assert all(Image.open(path).size == (224, 224) for path, _ in gallery)
    expected = compare(shape["path"], load_model("demo_basic", "DEFAULT"), FEW, "layer3")
    text = html.unescape(what)
    assert f"p = {expected[0].target_prob:.3f}" in text and "layer3" in text
    assert "65 forward passes" in gallery[2][1]  # 8×8 patches of 8 px, and the image itself
    rows = re.findall(r'<tr data-method="([a-z_+]+)">', table)
    assert rows == FEW and table.count("not run") == 3 * 5
    assert "click one of the generated examples" in html.unescape(table)  # an upload: no mask


def test_the_pages_method_and_mode_names_are_the_engines():
    from explorer.inspect.attribution import METHODS
    from explorer.inspect.sanity import MODES

    assert section_saliency.METHODS == METHODS and section_saliency.MODES == MODES
    assert len(section_saliency.NAMES) == len(METHODS)


def test_an_example_has_its_mask_and_an_upload_has_none(shape):
    assert saliency_pages.mask_of(examples()[2]) is not None
    assert saliency_pages.mask_of(shape["path"]) is None


@pytest.mark.slow
def test_sanity_and_faithfulness_fill_in_the_table_in_chinese():
    example = {"path": examples()[0]}
    args = (example, "demo_basic", FEW, "layer4", "top-1", "DEFAULT")
    section_saliency.attribute(*args, "zh")
    gallery, plot, verdict, table = section_saliency.sanity(*args, "cascading", "zh")
    assert plot is not None and "Spearman" in verdict and "fc → layer4.0" in verdict
    assert "合理性检验" in table and table.count("未运行") == 3 * 4  # faithfulness still to run
    assert all(("✓ 改变了" in c or "✗ 没变" in c) for _, c in gallery)  # each map's verdict
    gallery, table = section_saliency.faithfulness(*args, "zh")
    assert "未运行" not in table and "无掩码" not in table  # an example: pointing is measured
    assert all("删除 AUC 0." in c for _, c in gallery)
    cells = re.findall(r"<td>([0-9.]+)</td>", table)
    assert len(cells) >= 3 * 2 and all(0 <= float(c) <= 1 for c in cells)


def test_the_verdict_says_the_measured_numbers():
    records = (SanityRecord("guided_backprop", "fc", 1, 0.95, 0.9, 0.8),
               SanityRecord("guided_backprop", "stem", 2, 0.81, 0.7, 0.6),
               SanityRecord("gradcam", "fc", 1, 0.4, 0.4, 0.3),
               SanityRecord("gradcam", "stem", 2, 0.05, 0.05, 0.1))  # fmt: skip
    report = SanityReport("demo_basic", "cascading", "layer4", 2, "triangle", ("fc", "stem"),
                          records, 1234.0, {})  # fmt: skip
    text = html.unescape(sanity_html(report, "en"))
    assert "Guided Backprop: with every layer randomised its map still ranks the pixels like " \
           "the original (Spearman of |map| 0.81): its picture does not depend on what the " \
           "model learned." in text  # fmt: skip
    assert "Grad-CAM passes: with every layer randomised its map no longer resembles the " \
           "original (Spearman of |map| 0.05)." in text  # fmt: skip
    assert text.index("Guided Backprop") < text.index("Grad-CAM passes")  # the warning first
    assert "它的图像并不取决于模型学到了什么" in sanity_html(report, "zh")


def test_the_shipped_table_is_the_measured_one():
    from explorer.demo.saliency import load

    table = load()
    assert table is not None and table["images"] >= 100
    names = {(r["model"], r["method"]) for r in table["rows"]}
    assert ("demo_basic", "occlusion") in names and ("demo_bottleneck", "gradcam") in names
    shown = shipped_html(table["rows"], "en")
    first = table["rows"][0]
    assert f"{first['deletion_auc']:.3f}" in shown and f"{first['pointing']:.0%}" in shown


@pytest.mark.parametrize(("lang", "words"), [("en", "no saliency method"),
                                             ("zh", "没有名为")])  # fmt: skip
def test_refusals_in_the_pages_language(shape, lang, words):
    with pytest.raises(gr.Error) as err:
        section_saliency.attribute(shape, "demo_basic", ["ig"], None, "top-1", "DEFAULT", lang)
    assert words in str(err.value.message)
    with pytest.raises(gr.Error, match=r"choose at least one|至少选择"):
        section_saliency.attribute(shape, "demo_basic", [], None, "top-1", "DEFAULT", lang)
    with pytest.raises(gr.Error, match=r"sanity check|合理性检验"):
        section_saliency.sanity(shape, "demo_basic", FEW, None, "top-1", "DEFAULT", "all", lang)
    with pytest.raises(gr.Error, match=r"shuffled|打乱"):
        section_saliency.sanity(shape, "demo_bottleneck", FEW, None, "top-1", "DEFAULT",
                                "labels", lang)  # fmt: skip


def test_the_page_shows_a_refusal_in_its_note_and_clears_the_results(shape):
    out = section_saliency.attribute_shown(shape, "demo_basic", FEW, "layer9", "top-1",
                                           "DEFAULT", "en", None)  # fmt: skip
    assert out[:3] == (None, None, None) and "no layer 'layer9'" in html.unescape(out[3])
    out = section_saliency.attribute_shown(None, "demo_basic", FEW, None, "top-1", "DEFAULT",
                                           "zh", None)  # fmt: skip
    assert out[:3] == (None, None, None) and "rx-note" in out[3]


@pytest.mark.slow
def test_layer_guidance_recommends_a_layer_with_its_reason():
    plot, said = section_saliency.layer_guidance("demo_bottleneck", "DEFAULT", "en")
    guide = saliency_pages._guidance("demo_bottleneck", "DEFAULT", "cpu")
    b = guide.best
    text = html.unescape(said)
    assert f"<b>{b.layer}</b>: best pointing game ({b.pointing:.0%}" in text
    assert b.pointing == max(s.pointing for s in guide.scores)
    assert [s.layer for s in guide.scores][:4] == ["layer1", "layer2", "layer3", "layer4"]
    assert plot is not None


def _png_url(image: Image.Image) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def test_raw_http_requests(served):
    url, _ = served
    upload = {"url": _png_url(SHAPES[1])}
    event, out = raw_call(url, "attribute", [upload, "demo_basic", FEW, None, "top-1", "DEFAULT",
                                             "en", None])  # fmt: skip
    assert event == "complete" and len(out) == 3 and len(out[0]) == 3
    assert "Grad-CAM" in out[0][0]["caption"] and "not run" in out[2]
    event, out = raw_call(url, "sanity", [upload, "demo_basic", ["gradcam"], None, "top-1",
                                          "DEFAULT", "independent", "zh", None])  # fmt: skip
    said = out[2]  # independent: the one layer that moved the map most, or none that did
    assert event == "complete" and ("只随机化 layer" in said or "任意一层随机化" in said)
    assert "fc → layer4.0 → layer3.0" in said
    event, said = raw_call(url, "attribute", [{"path": "/etc/passwd"}, "demo_basic", FEW, None,
                                              "top-1", "DEFAULT", "en", None])  # fmt: skip
    assert event == "error" and "not uploaded" in said
    event, said = raw_call(url, "faithfulness", [upload, "demo_basic", "gradcam", "layer7",
                                                 "top-1", "DEFAULT", "zh", None])  # fmt: skip
    assert event == "error" and "layer7" in said and "Traceback" not in said
    event, said = raw_call(url, "attribute", [upload, "demo_basic", {"a": 1}, None, "top-1",
                                              "DEFAULT", "en", None])  # fmt: skip
    assert event == "error" and "saliency method" in said
    event, said = raw_call(url, "attribute", [upload, "demo_basic", FEW, None, "top-1", "DEFAULT",
                                              "en", {"path": "/etc/hostname"}])  # fmt: skip
    assert event == "error" and "Traceback" not in said  # Gradio's own checks of a File
    event, out = raw_call(url, "layer_guidance", ["demo_basic", "DEFAULT", "en", None])
    assert event == "complete" and "Recommended layer" in out[1]
