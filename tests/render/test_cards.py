"""The formula card and stage table as a notebook shows them (`_repr_html_`), and the figure
object a notebook draws (`_repr_svg_`): numbers from torchvision's metadata and the paper."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from torchvision.models import get_model_weights

import explorer
from explorer import ExplorerError, NetworkFigure, analyze, network_figure


class _Balanced(HTMLParser):
    """Every element the HTML opens, it closes; and the text it shows."""

    VOID = frozenset({"br", "img", "meta", "hr", "input"})

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag):
        assert self.open.pop() == tag

    def handle_data(self, data):
        if self.open and self.open[-1] != "style":
            self.text.append(data)


PAPER = [("resnet18", "18 = 1 + 2·(2+2+2+2) + 1"), ("resnet50", "50 = 1 + 3·(3+4+6+3) + 1")]


@pytest.mark.parametrize(("name", "formula"), PAPER)
def test_a_notebook_shows_the_formula_card_and_the_stage_table(name, formula):
    html = analyze(name)._repr_html_()
    parsed = _Balanced()
    parsed.feed(html)
    assert parsed.open == []
    shown = "".join(parsed.text)
    assert formula in shown  # the paper's Table 1, read as a sum
    params = get_model_weights(name).DEFAULT.meta["num_params"]
    assert f"{params:,}" in shown
    for stage in ("stem", "layer1", "layer2", "layer3", "layer4", "head"):
        assert stage in shown
    assert "<style>" in html and ".rx-formula" in html  # carries its own look


def test_a_notebook_draws_the_figure_and_saves_it(tmp_path):
    figure = network_figure("resnet34")
    assert isinstance(figure, NetworkFigure) and explorer.network_figure is network_figure
    root = ET.fromstring(figure._repr_svg_())
    assert len([e for e in root.iter() if e.get("data-layer")]) == 34
    three = ET.fromstring(network_figure("resnet34", figure3=True).svg)
    assert [p.get("data-model") for p in three] == ["vgg19", "resnet34", "resnet34"]
    svg = figure.save(tmp_path / "resnet34.svg")
    assert ET.parse(svg).getroot().get("data-model") == "resnet34"
    png = figure.save(tmp_path / "resnet34.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(png[16:20], "big")
    assert width == 2 * int(root.get("width"))  # drawn at twice the SVG's size
    with pytest.raises(ExplorerError, match=r"\.svg or \.png"):
        figure.save(tmp_path / "resnet34.pdf")


def test_the_max_pool_note_only_where_a_stage_took_the_stems_pool():
    from explorer.render.cards import stage_table_html

    for lang, words in (("en", "max pool"), ("zh", "最大池化")):
        assert words in stage_table_html(analyze("resnet50"), lang)
        assert words not in stage_table_html(analyze("resnet20", 32), lang)  # a 3×3 stem only
