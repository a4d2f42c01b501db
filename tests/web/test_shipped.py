"""The architecture pages shipped in the package against the live engine: every registry model,
both languages, the charts' data and layout, and the downloads byte for byte. When this fails,
what the page shows has changed: run `python -m explorer.tools.ship_pages`."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from explorer.arch.registry import get_entry, list_models
from explorer.i18n import LANGS
from explorer.web import pages, shipped

RUN = "python -m explorer.tools.ship_pages"


def _chart(text: str) -> dict:
    """A Plotly figure's JSON without its template (plotly's own defaults, which a newer plotly
    may spell differently without changing what the page shows)."""
    figure = json.loads(text)
    figure.get("layout", {}).pop("template", None)
    return figure


@pytest.mark.parametrize("name", list_models())
def test_the_shipped_page_is_the_live_engines(name):
    size = get_entry(name).input_size
    for lang in LANGS:
        ready = shipped.page(name, size, lang)
        assert ready is not None, f"{name} is not shipped: run {RUN}"
        live = pages.architecture_page(name, size, lang)
        for key in ("formula", "stages", "story", "diagram", "tree"):
            assert getattr(ready, key) == getattr(live, key), f"{name} {lang} {key}: run {RUN}"
        for key in ("costs", "treemap"):
            assert _chart(getattr(ready, key)) == _chart(getattr(live, key).to_json()), \
                f"{name} {lang} {key}: run {RUN}"  # fmt: skip
    files = shipped.export_files(name, size)
    assert files is not None
    for ready, live in zip(files, pages.export_files(name, size), strict=True):
        assert ready.read_bytes() == live.read_bytes(), f"{name} {ready.suffix}: run {RUN}"


def test_only_a_registry_model_at_its_own_size_is_shipped():
    assert shipped.page("resnet50", 224, "zh") is not None
    assert shipped.page("resnet50", 225, "en") is None  # another size is computed
    assert shipped.page("resnet56", 32, "en") is not None and shipped.page("resnet56", 224, "en") \
        is None  # fmt: skip
    for model in ("bottleneck-2-2-2-2", "timm/resnet18", "../../etc/passwd", "nope", None):
        assert shipped.page(model, 224, "en") is None and shipped.export_files(model, 224) is None
    assert shipped.page("resnet50", True, "en") is None


def test_the_tab_answers_a_shipped_page_as_it_answers_a_computed_one(monkeypatch):
    """The handler's answer from the shipped page equals the one it computes, as Gradio sends
    them: the charts as Plotly JSON."""
    from gradio.components.plot import PlotData

    from explorer.web import tab_architecture

    fast = tab_architecture.architecture("resnet50", 224, "zh")
    monkeypatch.setattr(shipped, "page", lambda *args: None)
    slow = tab_architecture.architecture("resnet50", 224, "zh")
    for a, b in zip(fast, slow, strict=True):
        if isinstance(a, PlotData):
            assert _chart(a.plot) == _chart(b.to_json())
        else:
            assert a == b


def test_the_first_view_needs_no_torch():
    """The tab's first answer, in a fresh interpreter, imports neither torch nor plotly."""
    code = ("import sys; from explorer.web.tab_architecture import architecture; "
            "out = architecture('resnet50', 224, 'en'); "
            "assert 'ResNet-50' in out[0] and out[7].endswith('.json'), out[0][:200]; "
            "print(sorted(m for m in ('torch', 'plotly', 'torchvision') if m in sys.modules))"
            )  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
