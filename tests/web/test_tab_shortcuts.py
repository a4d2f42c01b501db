"""The Shortcuts tab: handlers, and /shortcuts and /plain through gradio_client."""

from __future__ import annotations

import gradio as gr
import plotly.graph_objects as go
import pytest
from gradio_client import Client, handle_file

from explorer.demo import make_samples
from explorer.web import pages, tab_shortcuts
from explorer.web.files import examples

IMAGES, LABELS, _ = make_samples(2, seed=29)


def test_shortcuts_handler(tmp_path):
    path = tmp_path / "shape.png"
    IMAGES[0].save(path)
    summary, bars, paths, records = tab_shortcuts.shortcuts({"path": str(path)}, "demo_basic")
    assert "Measured for" in summary
    assert "this model agrees" in summary or "does not agree" in summary  # 1 identity block
    assert isinstance(bars, go.Figure) and len(bars.data) == 3
    assert bars.data[0].x == ("layer1.0", "layer2.0", "layer3.0", "layer4.0")
    assert isinstance(paths, go.Figure) and len(paths.data) == 2
    assert len(records) == 4 and records[0]["projection"] is False
    zh = tab_shortcuts.shortcuts({"path": str(path)}, "demo_basic", "star", "DEFAULT", "zh")[0]
    assert "针对“星形”测量" in zh


def test_the_language_switch_draws_the_kept_measurement_again(tmp_path, monkeypatch):
    """After the switch the analysis on screen is drawn in the other language from the kept
    measurement: no second lesion study, the same numbers."""
    path = tmp_path / "shape.png"
    IMAGES[1].save(path)
    measured = []
    real = pages.shortcut_report
    monkeypatch.setattr(pages, "shortcut_report",
                        lambda *a, **k: measured.append(a) or real(*a, **k))  # fmt: skip
    asked = ({"path": str(path)}, "demo_bottleneck", "top-1", "DEFAULT")
    en = tab_shortcuts.shortcuts(*asked, "en")
    zh = tab_shortcuts.said_again(en[3], en[0], *asked, "zh")
    assert len(measured) == 1
    assert "Measured for" in en[0] and "测量" in zh[0] and zh[3] == en[3]
    assert zh[1].layout.title.text != en[1].layout.title.text  # the chart's title, translated
    # Nothing on screen: nothing drawn; a hint on screen: the hint in the new language.
    assert tab_shortcuts.said_again(None, "", *asked, "zh") == (gr.skip(),) * 4
    hint = tab_shortcuts.said_again(None, "<div>hint</div>", *asked, "zh")[0]
    assert "测量 shortcut" in hint and "demo_bottleneck" in hint


def test_the_path_walk_is_a_progress_bar_in_the_pages_language(tmp_path, monkeypatch):
    path = tmp_path / "shape.png"
    IMAGES[0].save(path)
    monkeypatch.setattr(pages, "_reports", type(pages._reports)())  # nothing kept: it measures
    heard = []
    tab_shortcuts.shortcuts({"path": str(path)}, "demo_basic", "top-1", "DEFAULT", "zh", None,
                            lambda done, desc: heard.append((done, desc)))  # fmt: skip
    assert heard[-1] == (1.0, "正在逐条追踪梯度路径：已追踪 16 条")  # 2⁴ paths for 4 blocks


def test_shortcuts_handler_errors(tmp_path):
    with pytest.raises(gr.Error, match="Upload an image"):
        tab_shortcuts.shortcuts(None, "demo_basic")
    junk = tmp_path / "x.jpg"
    junk.write_text("hello")
    with pytest.raises(gr.Error, match="not an image"):
        tab_shortcuts.shortcuts({"path": str(junk)}, "demo_basic")
    with pytest.raises(gr.Error, match="unknown model"):
        tab_shortcuts.plain("resnet19")


def test_plain_handler():
    figure, text = tab_shortcuts.plain("resnet34", "zh")
    assert isinstance(figure, go.Figure) and len(figure.data) == 2
    assert len(figure.data[0].y) == 34 and "倍" in text


def test_through_gradio_client(served):
    url, _ = served
    client = Client(url, verbose=False)
    summary, _, _, records = client.predict(handle_file(examples()[3]), "demo_bottleneck",
                                            api_name="/shortcuts")  # fmt: skip
    assert "Measured for" in summary and len(records) == 4
    assert {"block", "projection", "lesion_delta", "grad_share_shortcut"} <= set(records[0])
    _, text = client.predict("resnet18", "en", api_name="/plain")
    assert "ResNet-18" in text
