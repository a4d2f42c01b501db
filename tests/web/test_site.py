"""The static site (`python -m explorer export-site`) against the live app: every number of every
page equals the live app's answer for the same view (its Gradio API over HTTP, both parsed), the
site holds together (links, assets, no request outside it), and bad input gets one sentence."""

from __future__ import annotations

import base64
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pytest

from explorer.arch.registry import get_entry, list_models
from explorer.errors import ExplorerError
from explorer.i18n import LANGS
from explorer.web import site as site_module
from explorer.web.links import FIGURE3, FIGURE3_TWIN, PRESETS
from explorer.web.site import export_site, page_count
from tests.conftest import raw_call

NUMBER = re.compile(r"[-−+]?\d[\d,]*(?:\.\d+)?")


class _Text(HTMLParser):
    """What a reader sees in a fragment, and what a hover shows (titles, aria-labels): the
    numbers of a part are those of its text, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        for key, value in attrs:
            if key in ("aria-label", "title") and value:
                self.parts.append(value)

    def handle_data(self, data):
        self.parts.append(data)


def text_of(html: str) -> list[str]:
    """The fragment's texts and hover texts, in order, without the blank ones."""
    parser = _Text()
    parser.feed(html)
    return [p.strip() for p in parser.parts if p.strip()]


def numbers(html: str) -> list[str]:
    return NUMBER.findall(" ".join(text_of(html)))


def _decode(value):
    """Plotly's typed arrays ({"dtype", "bdata"}) as lists."""
    if isinstance(value, dict) and "bdata" in value and "dtype" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).tolist()
    if isinstance(value, dict):
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def chart_numbers(figure: dict) -> list:
    """Every value a chart draws and says: its traces' data and texts, and its titles."""
    out = []
    for trace in _decode(figure["data"]):
        for key in sorted(trace):
            if key in ("x", "y", "values", "text", "labels", "customdata", "name", "hovertext"):
                value = trace[key]
                out.append((key, value if not isinstance(value, str) else NUMBER.findall(value)))
    title = figure["layout"].get("title", {})
    out.append(("title", NUMBER.findall(title.get("text", "") if isinstance(title, dict) else "")))
    return out


class _Parts(HTMLParser):
    """A static page cut into its parts (elements with data-part): the HTML inside each, and the
    Plotly JSON of each chart."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[tuple[str, str | None]] = []
        self.parts: dict[str, list[str]] = {}
        self.open: list[str] = []
        self.plots: dict[str, dict] = {}  # part -> figure
        self._plot_for: str | None = None
        self._plot_ids: dict[str, str] = {}

    def _emit(self, text: str) -> None:
        for part in self.open:
            self.parts[part].append(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        raw = self.get_starttag_text() or ""
        if tag == "script" and "data-plot" in a:
            self._plot_for = self._plot_ids[a["data-plot"]]
            self._script = []
        self._emit(raw)
        part = a.get("data-part")
        if part and tag == "div" and a.get("class") == "rx-plot":
            self._plot_ids[a["id"]] = part
        if part and a.get("class") != "rx-plot":
            self.parts.setdefault(part, [])
            self.open.append(part)
            self.stack.append((tag, part))
        elif tag not in ("br", "img", "meta", "link", "input", "hr", "col", "wbr", "source"):
            self.stack.append((tag, None))

    def handle_startendtag(self, tag, attrs):
        self._emit(self.get_starttag_text() or "")

    def handle_endtag(self, tag):
        if tag == "script" and self._plot_for is not None:
            self.plots[self._plot_for] = json.loads("".join(self._script))
            self._plot_for = None
        self._emit(f"</{tag}>")
        while self.stack:
            opened, part = self.stack.pop()
            if part:
                self.open.remove(part)
            if opened == tag:
                break

    def handle_data(self, data):
        if self._plot_for is not None:
            self._script.append(data)
        self._emit(data)

    def handle_entityref(self, name):
        self._emit(f"&{name};")

    def handle_charref(self, name):
        self._emit(f"&#{name};")


def parts_of(path: Path) -> _Parts:
    parser = _Parts()
    parser.feed(path.read_text("utf-8"))
    return parser


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("site") / "out"
    written = []
    export = export_site(
        folder,
        live_url="http://127.0.0.1:7860",
        progress=lambda done, total, path: path and written.append(path),
    )
    return export, written


def test_the_site_holds_every_model_in_both_languages(site):
    export, written = site
    assert export.models == tuple(list_models())
    assert export.presets == tuple(PRESETS.values())
    assert export.pages == len(written) == page_count(len(list_models()), len(PRESETS), True)
    for lang in LANGS:
        for name in list_models():
            assert (export.folder / lang / "architecture" / f"{name}.html").is_file()
        for a, b in PRESETS.values():
            assert (export.folder / lang / "compare" / f"{a}-vs-{b}.html").is_file()
        for page in ("index.html", "figure3.html", "why-shortcuts.html"):
            assert (export.folder / lang / page).is_file()
    bundled = site_module.plotly_js().read_bytes()
    assert (export.folder / "assets" / "plotly.min.js").read_bytes() == bundled
    files = [p for p in export.folder.rglob("*") if p.is_file()]
    assert export.files == len(files) and export.bytes == sum(p.stat().st_size for p in files)


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag, attrs):
        for key, value in attrs:
            if key in ("href", "src") and value:
                self.refs.append(value)


def test_every_link_and_asset_is_inside_the_site(site):
    """Relative links to files that exist; the one absolute link is the live app's."""
    export, _ = site
    for page in export.folder.rglob("*.html"):
        parser = _Refs()
        parser.feed(page.read_text("utf-8"))
        assert parser.refs, page
        for ref in parser.refs:
            if ref.startswith("http://127.0.0.1:7860/?"):
                continue
            assert not urlsplit(ref).scheme and not ref.startswith("//"), (page, ref)
            target = (page.parent / ref.split("#")[0]).resolve()
            assert target.is_file() and export.folder.resolve() in target.parents, (page, ref)
    assert "cdn" not in (export.folder / "assets" / "site.js").read_text()


def test_a_page_links_to_the_same_view_in_the_live_app_and_the_other_language(site):
    export, _ = site
    text = (export.folder / "zh" / "architecture" / "resnet152.html").read_text("utf-8")
    assert 'href="http://127.0.0.1:7860/?tab=architecture&amp;model=resnet152&amp;size=224' \
           '&amp;lang=zh"' in text  # fmt: skip
    assert 'href="../../en/architecture/resnet152.html"' in text
    assert '<html lang="zh-CN">' in text


def _live_arch(url, name, size, lang):
    event, out = raw_call(url, "architecture", [name, size, lang])
    assert event == "complete", (name, lang, out)
    return out


def _plot(value) -> dict:
    return json.loads(value["plot"]) if isinstance(value["plot"], str) else value["plot"]


@pytest.mark.parametrize("name", list_models())
def test_every_number_of_an_architecture_page_is_the_live_apps(site, served, name):
    url, _ = served
    export, _ = site
    size = get_entry(name).input_size
    for lang in LANGS:
        page = parts_of(export.folder / lang / "architecture" / f"{name}.html")
        formula, stages, story, costs, treemap, diagram, tree, json_file, csv_file = \
            _live_arch(url, name, size, lang)  # fmt: skip
        for part, live in (("formula", formula), ("stages", stages), ("story", story),
                           ("diagram", diagram), ("tree", tree)):  # fmt: skip
            ours = numbers("".join(page.parts[part]))
            assert ours and ours == numbers(live), (name, lang, part)
        for part, live in (("costs", costs), ("treemap", treemap)):
            assert chart_numbers(page.plots[part]) == chart_numbers(_plot(live)), (name, lang, part)
        for draw, kwargs in (("residual", {}), ("plain", {"plain": True}),
                             ("figure3", {"figure3": True})):  # fmt: skip
            event, live = raw_call(url, "network", [name, size, kwargs.get("plain", False),
                                                    "vertical", lang,
                                                    kwargs.get("figure3", False)])  # fmt: skip
            assert event == "complete", (name, draw, live)
            ours = numbers("".join(page.parts[f"network-{draw}"]))
            assert ours and ours == numbers(live[0]), (name, lang, draw)
    # the downloads are the live page's, byte for byte
    stem = Path(json_file["path"]).name
    assert (export.folder / "data" / stem).read_bytes() == Path(json_file["path"]).read_bytes()
    assert (export.folder / "data" / Path(csv_file["path"]).name).read_bytes() == \
        Path(csv_file["path"]).read_bytes()  # fmt: skip


@pytest.mark.parametrize("pair", [*PRESETS.values(), (FIGURE3, FIGURE3_TWIN)])
def test_every_number_of_a_compare_page_is_the_live_apps(site, served, pair):
    url, _ = served
    export, _ = site
    a, b = pair
    file = "figure3.html" if pair == (FIGURE3, FIGURE3_TWIN) else f"compare/{a}-vs-{b}.html"
    for lang in LANGS:
        page = parts_of(export.folder / lang / file)
        event, live = raw_call(url, "compare", [a, b, 224, lang])
        assert event == "complete", live
        formula_a, formula_b, insights, costs, stages, blocks = live
        for part, value in (("formula_a", formula_a), ("formula_b", formula_b),
                            ("insights", insights), ("stages", stages),
                            ("blocks", blocks)):  # fmt: skip
            ours = numbers("".join(page.parts[part]))
            assert ours and ours == numbers(value), (pair, lang, part)
        assert chart_numbers(page.plots["costs"]) == chart_numbers(_plot(costs))
        if file == "figure3.html":  # the live /network draws the same three columns
            event, live = raw_call(url, "network", [a, 224, False, "horizontal", lang, True])
            assert event == "complete"
            assert numbers("".join(page.parts["networks"])) == numbers(live[0])


def test_the_why_shortcuts_chart_is_the_live_apps(site, served):
    url, _ = served
    export, _ = site
    for lang in LANGS:
        page = parts_of(export.folder / lang / "why-shortcuts.html")
        event, (chart, text) = raw_call(url, "degradation", [lang])
        assert event == "complete"
        assert chart_numbers(page.plots["degradation"]) == chart_numbers(_plot(chart))
        assert numbers(text) and numbers(text)[:20] == numbers(
            (export.folder / lang / "why-shortcuts.html").read_text("utf-8").split(
                "</div>", 2)[-1])[:20]  # fmt: skip


def test_the_model_list_says_what_the_registry_says(site):
    """Depth, params and MACs in the index against torchvision's own metadata and the paper."""
    from torchvision.models import get_model_weights

    export, _ = site
    text = " ".join(text_of((export.folder / "en" / "index.html").read_text("utf-8")))
    for name, depth, block, stages in (("resnet50", "50", "Bottleneck", "3-4-6-3"),
                                       ("resnet18", "18", "BasicBlock", "2-2-2-2"),
                                       ("resnet152", "152", "Bottleneck", "3-8-36-3")):  # fmt: skip
        row = re.search(rf" {name} (\d+) (\w+) ([\d-]+) ([\d,]+) ([\d.]+) G 224 ", text)
        assert row and row.groups()[:3] == (depth, block, stages), name
        meta = get_model_weights(name).DEFAULT.meta
        assert int(row.group(4).replace(",", "")) == meta["num_params"]
        assert float(row.group(5)) == pytest.approx(meta["_ops"], abs=0.01)  # GFLOPS: MACs


def test_a_subset_writes_only_its_models_presets_and_figure(tmp_path):
    export = export_site(tmp_path / "s", ["resnet34", "resnet50", "resnet34"])
    assert export.models == ("resnet34", "resnet50")
    assert export.presets == (("resnet34", "resnet50"),)
    assert not (tmp_path / "s" / "en" / "figure3.html").exists()
    assert sorted(p.name for p in (tmp_path / "s" / "zh" / "architecture").iterdir()) == \
        ["resnet34.html", "resnet50.html"]  # fmt: skip
    index = (tmp_path / "s" / "en" / "index.html").read_text("utf-8")
    assert "figure3.html" not in index and "resnet18" not in index


@pytest.mark.parametrize(
    ("kwargs", "says"),
    [
        ({"models": ["nope"]}, "unknown model 'nope'"),
        ({"models": ["bottleneck-2-2-2-2"]}, "not a registry model"),
        ({"live_url": "javascript:alert(1)"}, "--live-url takes"),
        ({"live_url": "school.example"}, "--live-url takes"),
        ({"live_url": "https://teacher:pw@school.example"}, "--live-url takes"),
        ({"live_url": "https://school.example/?tab=predict"}, "--live-url takes"),
        ({"models": []}, "--models names no model"),
    ],
)
def test_bad_input_is_one_sentence_and_writes_nothing(tmp_path, kwargs, says):
    with pytest.raises(ExplorerError, match=re.escape(says)):
        export_site(tmp_path / "s", **kwargs)
    assert list(tmp_path.iterdir()) == []


def test_an_existing_folder_is_never_overwritten(tmp_path):
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "mine.txt").write_text("keep")
    with pytest.raises(ExplorerError, match="already exists"):
        export_site(tmp_path / "s", ["resnet18"])
    assert [p.name for p in (tmp_path / "s").iterdir()] == ["mine.txt"]
    with pytest.raises(ExplorerError, match="is not a folder"):
        export_site(tmp_path / "missing" / "s", ["resnet18"])


def test_the_command(tmp_path, capsys):
    from explorer.cli import main

    assert main(["export-site", str(tmp_path / "s"), "--models", "resnet18,resnet56",
                 "--live-url", "https://explorer.school.example"]) == 0  # fmt: skip
    out, err = capsys.readouterr()
    assert out.startswith(f"wrote {tmp_path / 's'}: 2 models, 0 presets, 9 pages")
    assert "9/9 pages" in err  # the progress bar, a line per tenth in a log
    assert main(["export-site", str(tmp_path / "s")]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "already exists" in err
