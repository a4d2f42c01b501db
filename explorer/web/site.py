"""The static site: `python -m explorer export-site OUT/` writes the Architecture view of every
registry model in both languages at its own input size (formula card, stage table, charts,
block diagram, the whole network with its plain twin and Figure 3, layer tree, downloads), the
Compare presets, Figure 3 of the paper and the Why-shortcuts chart, as plain HTML, inline SVG
and Plotly JSON, for any static host or CDN: no compute per student.

Every fragment comes from the same renderers as the live page (pages.py), so a static page shows
what the app shows for the same view. plotly.js is the plotly package's own bundled file, copied
once: a page makes no request outside the site, and opens from `file://` too (the charts' JSON is
inline, not fetched). Links are relative. The live app's deep links (`?tab=architecture&model=…
&lang=zh`) work on the site's index.html, whose script (SITE_JS) sends them to the static page of
that view, or to the live app (`--live-url`) for what only it can compute: another tab, another
input size.

Site layout (LANG is en or zh):
    index.html                        language by the browser; deep links
    LANG/index.html                   the models, the presets, Figure 3, Why shortcuts
    LANG/architecture/NAME.html       one model
    LANG/compare/A-vs-B.html          one preset
    LANG/figure3.html, LANG/why-shortcuts.html
    assets/  site.css, site.js, plotly.min.js
    data/    NAME-SIZE.json, NAME-SIZE.csv (the live page's downloads)

No gradio here.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from .. import __version__
from ..arch.analysis import analyze
from ..arch.registry import get_entry, list_models
from ..errors import ExplorerError
from ..i18n import LANGS, t
from ..render.report import fmt_count, fmt_macs
from . import pages
from .links import FIGURE3, FIGURE3_TWIN, PRESETS
from .shipped import export_stem
from .theme import CSS, FONTS

Progress = Callable[[int, int, str], None]  # (pages written, pages in all, the last one's path)


@dataclass(frozen=True)
class SiteExport:
    """What export_site wrote."""

    folder: Path
    models: tuple[str, ...]
    presets: tuple[tuple[str, str], ...]
    pages: int  # HTML files
    files: int  # every file, assets and downloads included
    bytes: int
    seconds: float


def plotly_js() -> Path:
    """The plotly package's bundled plotly.min.js (the one the live page's charts also run)."""
    path = Path(str(resources.files("plotly").joinpath("package_data", "plotly.min.js")))
    if not path.is_file():
        raise ExplorerError("plotly's bundled plotly.min.js is missing: reinstall plotly "
                            "(pip install --force-reinstall plotly).")  # fmt: skip
    return path


def arch_path(name: str) -> str:
    """A model's page, relative to its language's folder."""
    return f"architecture/{name}.html"


def compare_path(a: str, b: str) -> str:
    return f"compare/{a}-vs-{b}.html"


def live_link(live_url: str | None, **query: str) -> str | None:
    """The live app's deep link to the same view, or None without a live app."""
    if not live_url:
        return None
    return live_url.rstrip("/") + "/?" + urlencode(query)


def check_live_url(url: str | None) -> str | None:
    if url is None:
        return None
    parts = urlsplit(url)
    if (parts.scheme not in ("http", "https") or not parts.hostname or parts.username
            or parts.password or parts.query or parts.fragment):  # fmt: skip
        raise ExplorerError(f"--live-url takes the live app's address, such as "
                            f"https://explorer.school.example (no login, query or #), got "
                            f"{url!r}.")  # fmt: skip
    return url


# ---------------------------------------------------------------- the page frame


SITE_CSS = f"""
:root {{ --border-color-primary: #e5e7eb; --block-background-fill: #ffffff;
  --body-text-color: #1f2937; --font-mono: ui-monospace, "DejaVu Sans Mono", monospace;
  --text-md: 16px; --block-label-margin: 0; }}
* {{ box-sizing: border-box; }}
body {{ margin: 0; font-family: {", ".join(FONTS)}; color: var(--body-text-color);
  background: #f8fafc; line-height: 1.5; }}
main {{ max-width: 1320px; margin: 0 auto; padding: 12px 20px 40px; }}
nav.rx-nav {{ display: flex; flex-wrap: wrap; gap: 4px 18px; align-items: center;
  padding: 10px 20px; background: #0f172a; color: #e2e8f0; }}
nav.rx-nav a {{ color: #e2e8f0; text-decoration: none; }}
nav.rx-nav a:hover, nav.rx-nav a[aria-current] {{ color: #ffffff; text-decoration: underline; }}
nav.rx-nav .rx-brand {{ font-weight: 700; font-size: 1.1rem; margin-right: 12px; }}
nav.rx-nav .rx-lang {{ margin-left: auto; }}
h1 {{ font-size: 1.7rem; margin: 14px 0 6px; }}
h2 {{ font-size: 1.25rem; margin: 26px 0 8px; }}
.rx-banner {{ background: #eef2ff; border-left: 4px solid #6366f1; border-radius: 6px;
  padding: 8px 12px; margin: 8px 0 12px; font-size: 0.95rem; }}
.rx-charts {{ display: grid; grid-template-columns: repeat(auto-fit, minmax(440px, 1fr));
  gap: 12px; }}
.rx-plot {{ background: #ffffff; border: 1px solid var(--border-color-primary);
  border-radius: 8px; min-height: 380px; }}
.rx-downloads a, .rx-live {{ display: inline-block; margin: 6px 12px 6px 0; padding: 6px 12px;
  border: 1px solid #cbd5e1; border-radius: 6px; background: #ffffff; color: #1d4ed8;
  text-decoration: none; }}
details.rx-more {{ margin: 10px 0; background: #ffffff; border: 1px solid #e5e7eb;
  border-radius: 8px; padding: 6px 12px; }}
details.rx-more > summary {{ cursor: pointer; font-weight: 600; }}
.rx-pair {{ display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr));
  gap: 12px; }}
table.rx-models {{ border-collapse: collapse; width: 100%; background: #ffffff;
  font-variant-numeric: tabular-nums; }}
table.rx-models th, table.rx-models td {{ padding: 5px 10px;
  border-bottom: 1px solid #e5e7eb; text-align: left; }}
table.rx-models td.rx-num, table.rx-models th.rx-num {{ text-align: right; }}
ul.rx-links li {{ margin: 4px 0; }}
.rx-banner code {{ white-space: nowrap; }}
@media (max-width: 600px) {{ .rx-charts, .rx-pair {{ grid-template-columns: 1fr; }} }}
"""

# Draws every chart from the JSON beside it, and sends the live app's deep links (on the site's
# own index.html) to the page of the same view. No request leaves the site.
SITE_JS = """
(function () {
  function draw() {
    document.querySelectorAll("script[type='application/json'][data-plot]").forEach(function (s) {
      var fig = JSON.parse(s.textContent), div = document.getElementById(s.dataset.plot);
      if (window.Plotly && div) {
        Plotly.newPlot(div, fig.data, fig.layout, {responsive: true, displaylogo: false});
      }
    });
  }
  function route(site) {
    var q = new URLSearchParams(location.search), lang = q.get("lang");
    if (lang !== "en" && lang !== "zh") {
      lang = (navigator.language || "").toLowerCase().indexOf("zh") === 0 ? "zh" : "en";
    }
    var has = function (table, key) { return Object.prototype.hasOwnProperty.call(table, key); };
    var name = function (key) { return (q.get(key) || "").toLowerCase(); };
    var tab = q.get("tab") || "architecture", model = name("model");
    var pair = name("a") + "|" + name("b");
    var size = q.get("size");
    var liveOnly = ["predict", "shortcuts", "block"].indexOf(tab) >= 0 ||
      (tab === "architecture" && size && has(site.sizes, model) &&
       String(site.sizes[model]) !== size) || (tab === "compare" && size && size !== "224");
    if (site.live && liveOnly) {
      location.replace(site.live.replace(/\\/$/, "") + "/" + location.search);
      return;
    }
    var page = lang + "/index.html";
    if (tab === "architecture" && has(site.sizes, model)) {
      page = lang + "/architecture/" + model + ".html";
    }
    if (tab === "compare" && has(site.pairs, pair)) page = lang + "/" + site.pairs[pair];
    location.replace(page);
  }
  var site = document.getElementById("rx-site");
  if (site) route(JSON.parse(site.textContent)); else draw();
})();
"""


# A block and its shortcut: the browser's tab icon (also spares a request for /favicon.ico)
FAVICON = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<rect x="4" y="17" width="16" height="10" rx="2" fill="#2563eb"/>
<path d="M12 17 V10 C12 4 26 4 26 12 V22" fill="none" stroke="#0f766e" stroke-width="3"/>
<circle cx="26" cy="25" r="3" fill="#0f766e"/></svg>
"""


def _json_script(data: Any, **attrs: str) -> str:
    """JSON inside <script>, safe whatever its strings say."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    more = "".join(f' {k.replace("_", "-")}="{escape(v)}"' for k, v in attrs.items())
    return f'<script type="application/json"{more}>{text}</script>'


class _Plots:
    """Numbers each chart of one page: a div and its Plotly JSON."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, figure: Any, part: str) -> str:
        self.count += 1
        key = f"plot-{self.count}"
        data = json.loads(figure if isinstance(figure, str) else figure.to_json())
        return (f'<div class="rx-plot" id="{key}" data-part="{part}"></div>'
                + _json_script(data, data_plot=key))  # fmt: skip


@dataclass(frozen=True)
class _Frame:
    """What every page of one language shares: the navigation and the note on the live app."""

    lang: str
    live_url: str | None
    has_figure3: bool
    depth: int  # folders below the site's root: links are relative

    def up(self, path: str) -> str:
        return "../" * self.depth + path

    def page(self, title: str, body: str, here: str, live_query: dict[str, str] | None = None
             ) -> str:  # fmt: skip
        """A whole HTML page. `here`: this page's path below the language folder (for the
        other language's twin)."""
        lang = self.lang
        other = next(code for code in LANGS if code != lang)
        links = [(f"{lang}/index.html", t(lang, "site_models")),
                 (f"{lang}/index.html#presets", t(lang, "tab_compare"))]  # fmt: skip
        if self.has_figure3:
            links.append((f"{lang}/figure3.html", t(lang, "site_figure3")))
        links.append((f"{lang}/why-shortcuts.html", t(lang, "site_why")))
        nav = "".join(f'<a href="{self.up(href)}"'
                      + (' aria-current="page"' if href == f"{lang}/{here}" else "")
                      + f">{escape(text)}</a>" for href, text in links)  # fmt: skip
        live = live_link(self.live_url, **{**(live_query or {}), "lang": lang})
        if live:
            note = t(lang, "site_live", link=f'<a href="{escape(live)}">{escape(live)}</a>')
            note += f' · <a class="rx-live" href="{escape(live)}">{t(lang, "site_open_live")}</a>'
        else:
            note = t(lang, "site_run_live", command="<code>python -m explorer serve</code>")
        static = escape(t(lang, "site_static", version=__version__))
        html_lang = "zh-CN" if lang == "zh" else "en"
        return f"""<!DOCTYPE html>
<html lang="{html_lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} · {escape(t(lang, "title"))}</title>
<link rel="icon" href="{self.up("assets/favicon.svg")}" type="image/svg+xml">
<link rel="stylesheet" href="{self.up("assets/site.css")}">
<script src="{self.up("assets/plotly.min.js")}" defer></script>
<script src="{self.up("assets/site.js")}" defer></script>
</head>
<body>
<nav class="rx-nav"><a class="rx-brand" href="{self.up(f"{lang}/index.html")}">{escape(t(lang, "title"))}</a>{nav}<a class="rx-lang" lang="{other}" href="{self.up(f"{other}/{here}")}">{LANGS[other]}</a></nav>
<main>
<h1>{escape(title)}</h1>
<p class="rx-banner">{static} {note}</p>
{body}
</main>
</body>
</html>
"""  # noqa: E501


def _section(lang: str, key: str, body: str, part: str) -> str:
    return f'<section data-part="{part}"><h2>{escape(t(lang, key))}</h2>{body}</section>'


def architecture_html(frame: _Frame, name: str) -> str:
    """One model's Architecture view: what the live tab shows when it opens the model."""
    lang, size = frame.lang, get_entry(name).input_size
    page = pages.architecture_page(name, size, lang)
    plot = _Plots()
    figures = []
    for key, kwargs in (("net_residual", {}), ("net_plain_box", {"plain": True}),
                        ("net_figure3", {"figure3": True})):  # fmt: skip
        html = pages.network_html(name, size, "vertical", lang, **kwargs)
        part = key.removeprefix("net_").removesuffix("_box")
        inner = f'<div data-part="network-{part}">{html}</div>'
        figures.append(inner if not kwargs else
                       f'<details class="rx-more"><summary>{escape(t(lang, key))}</summary>'
                       f"{inner}</details>")  # fmt: skip
    stem = export_stem(name, size)
    downloads = (f'<p class="rx-downloads"><a href="{frame.up(f"data/{stem}.json")}" download>'
                 f'{escape(t(lang, "download_json"))}</a><a href="'
                 f'{frame.up(f"data/{stem}.csv")}" download>{escape(t(lang, "download_csv"))}'
                 "</a></p>")  # fmt: skip
    body = "".join([
        f'<div data-part="formula">{page.formula}</div>',
        _section(lang, "section_stages", page.stages, "stages"),
        _section(lang, "section_costs", f'<p data-part="story">{escape(page.story)}</p>'
                 f'<div class="rx-charts">{plot(page.costs, "costs")}'
                 f'{plot(page.treemap, "treemap")}</div>', "costs"),
        _section(lang, "section_diagram", page.diagram, "diagram"),
        _section(lang, "section_network", f'<p>{escape(t(lang, "site_net_hint"))}</p>'
                 + "".join(figures), "network"),
        f'<details class="rx-more" data-part="tree"><summary>{escape(t(lang, "section_tree"))}'
        f"</summary>{page.tree}</details>",
        downloads,
    ])  # fmt: skip
    title = f"{get_entry(name).title} · {name}"
    return frame.page(title, body, arch_path(name),
                      {"tab": "architecture", "model": name, "size": str(size)})  # fmt: skip


def compare_html(frame: _Frame, a: str, b: str, figure3: bool = False, title: str = "",
                 here: str = "", intro: str = "") -> str:  # fmt: skip
    """A Compare view at 224 pixels, as the live tab shows the pair (`figure3`: the whole
    networks as Figure 3 of the paper draws A)."""
    lang = frame.lang
    page = pages.compare_page(a, b, 224, lang)
    networks = pages.compare_networks(a, b, 224, figure3, lang)
    plot = _Plots()
    body = "".join([
        intro,
        f'<div class="rx-pair"><div data-part="formula_a">{page.formula_a}</div>'
        f'<div data-part="formula_b">{page.formula_b}</div></div>',
        f'<div data-part="insights">{page.insights}</div>',
        plot(page.costs, "costs"),
        _section(lang, "section_compare_stages", page.stages, "stages"),
        _section(lang, "section_compare_blocks", page.blocks, "blocks"),
        _section(lang, "section_compare_networks", networks, "networks"),
    ])  # fmt: skip
    if not title:
        key = next(k for k, pair in PRESETS.items() if pair == (a, b))
        title = t(lang, key)
    return frame.page(title, body, here or compare_path(a, b),
                      {"tab": "compare", "a": a, "b": b})  # fmt: skip


def figure3_html(frame: _Frame) -> str:
    lang = frame.lang
    return compare_html(frame, FIGURE3, FIGURE3_TWIN, figure3=True, title=t(lang, "site_figure3"),
                        here="figure3.html",
                        intro=f'<p>{escape(t(lang, "site_figure3_intro"))}</p>')  # fmt: skip


def why_html(frame: _Frame) -> str:
    lang = frame.lang
    figure, text = pages.degradation_view(lang)
    body = f'<div data-part="degradation">{_Plots()(figure, "degradation")}</div>{text}'
    return frame.page(t(lang, "deg_title"), body, "why-shortcuts.html")


def index_html(frame: _Frame, models: Sequence[str], presets: Sequence[tuple[str, str]]) -> str:
    lang = frame.lang
    heads = ["site_col_model", "site_col_depth", "site_col_block", "site_col_stages",
             "site_col_params", "col_macs", "site_col_input"]  # fmt: skip
    numeric = {1, 4, 5, 6}
    header = "".join(f'<th{" class=rx-num" if i in numeric else ""}>{escape(t(lang, k))}</th>'
                     for i, k in enumerate(heads))  # fmt: skip
    rows = []
    for name in models:
        entry = get_entry(name)
        s = analyze(name, entry.input_size)
        block = next(b.type for st in s.stages for b in st.block_rows)
        cells = [f'<a href="{arch_path(name)}">{escape(entry.title)}</a> <code>{name}</code>',
                 str(s.depth), block, "-".join(map(str, entry.layers)), fmt_count(s.total_params),
                 fmt_macs(s.total_macs), str(entry.input_size)]  # fmt: skip
        rows.append("<tr>" + "".join(f'<td{" class=rx-num" if i in numeric else ""}>{c}</td>'
                                     for i, c in enumerate(cells)) + "</tr>")  # fmt: skip
    table = (f'<div class="rx-scroll"><table class="rx-models" data-part="models"><thead><tr>'
             f'{header}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>')  # fmt: skip
    items = [f'<li><a href="{compare_path(a, b)}">{escape(t(lang, key))}</a></li>'
             for key, (a, b) in PRESETS.items() if (a, b) in presets]  # fmt: skip
    if frame.has_figure3:
        items.append(f'<li><a href="figure3.html">{escape(t(lang, "preset_figure3"))}</a></li>')
    body = (f'<p>{escape(t(lang, "subtitle"))}</p><h2>{escape(t(lang, "site_models"))}</h2>'
            f'<p>{escape(t(lang, "site_models_intro"))}</p>{table}'
            f'<h2 id="presets">{escape(t(lang, "presets"))}</h2><ul class="rx-links">'
            f'{"".join(items)}</ul><h2>{escape(t(lang, "site_why"))}</h2><ul class="rx-links">'
            f'<li><a href="why-shortcuts.html">{escape(t(lang, "deg_title"))}</a></li>'
            "</ul>")  # fmt: skip
    return frame.page(t(lang, "title"), body, "index.html")


def root_html(models: Sequence[str], presets: Sequence[tuple[str, str]],
              live_url: str | None) -> str:  # fmt: skip
    """The site's index.html: the language the browser asks for, or the view a deep link
    names; two plain links where scripts do not run."""
    site = {"sizes": {name: get_entry(name).input_size for name in models},
            "pairs": {f"{a}|{b}": compare_path(a, b) for a, b in presets},
            "live": live_url}  # fmt: skip
    if FIGURE3 in models and FIGURE3_TWIN in models:
        site["pairs"][f"{FIGURE3}|{FIGURE3_TWIN}"] = "figure3.html"
    links = " · ".join(f'<a href="{code}/index.html" lang="{code}">{name}</a>'
                       for code, name in LANGS.items())  # fmt: skip
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(t("en", "title"))} · {escape(t("zh", "title"))}</title>
<link rel="icon" href="assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="assets/site.css">
{_json_script(site, id="rx-site")}
<script src="assets/site.js" defer></script>
</head>
<body><main><h1>{escape(t("en", "title"))}</h1><p>{links}</p></main></body>
</html>
"""


# ---------------------------------------------------------------- writing it


def _write(path: Path, text: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)


def check_out(out: str | os.PathLike[str]) -> Path:
    """The site's folder: a new one, in a folder that exists."""
    folder = Path(out)
    if folder.exists():
        raise ExplorerError(f"{folder} already exists: choose a new folder for the site, or "
                            "delete this one first.")  # fmt: skip
    if not folder.parent.is_dir():
        raise ExplorerError(f"{folder.parent} is not a folder: create it first, or choose "
                            "another place for the site.")  # fmt: skip
    return folder


def export_site(out: str | os.PathLike[str], models: Sequence[str] | None = None,
                live_url: str | None = None, progress: Progress | None = None
                ) -> SiteExport:  # fmt: skip
    """Write the static site into `out`, a folder that must not exist yet (it appears whole:
    the site is written beside it and renamed into place). `models`: registry names (default:
    all); the presets and Figure 3 are written when their models are among them."""
    start = time.perf_counter()
    folder = check_out(out)
    live_url = check_live_url(live_url)
    if models is not None and not models:
        raise ExplorerError(
            "--models names no model: give registry names, such as --models resnet18,resnet50."
        )
    names = list(dict.fromkeys(get_entry(m).name for m in models)) if models else list_models()
    for name in names:
        if name not in list_models():
            raise ExplorerError(f"{name} is not a registry model: the static site holds the "
                                "registry's models (see python -m explorer models).")  # fmt: skip
    presets = [pair for pair in PRESETS.values() if all(m in names for m in pair)]
    has_figure3 = FIGURE3 in names and FIGURE3_TWIN in names
    total = page_count(len(names), len(presets), has_figure3)
    if progress:
        progress(0, total, "")
    work = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        count = 0

        def page(path: str, text: str) -> None:
            nonlocal count
            _write(work / path, text)
            count += 1
            if progress:
                progress(count, total, path)

        _write(work / "assets" / "site.css", CSS + SITE_CSS)
        _write(work / "assets" / "site.js", SITE_JS)
        _write(work / "assets" / "favicon.svg", FAVICON)
        shutil.copyfile(plotly_js(), work / "assets" / "plotly.min.js")
        (work / "data").mkdir()
        for name in names:
            for path in pages.export_files(name, get_entry(name).input_size):
                shutil.copyfile(path, work / "data" / path.name)
        for lang in LANGS:
            top = _Frame(lang, live_url, has_figure3, depth=1)
            deep = _Frame(lang, live_url, has_figure3, depth=2)
            page(f"{lang}/index.html", index_html(top, names, presets))
            for name in names:
                page(f"{lang}/{arch_path(name)}", architecture_html(deep, name))
            for a, b in presets:
                page(f"{lang}/{compare_path(a, b)}", compare_html(deep, a, b))
            if has_figure3:
                page(f"{lang}/figure3.html", figure3_html(top))
            page(f"{lang}/why-shortcuts.html", why_html(top))
        page("index.html", root_html(names, presets, live_url))
        os.chmod(work, 0o755)  # mkdtemp's 0700 would hide the site from a web server's user
        work.rename(folder)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    files = [p for p in folder.rglob("*") if p.is_file()]
    return SiteExport(folder=folder, models=tuple(names), presets=tuple(presets), pages=count,
                      files=len(files), bytes=sum(p.stat().st_size for p in files),
                      seconds=time.perf_counter() - start)  # fmt: skip


def page_count(models: int, presets: int, figure3: bool) -> int:
    """How many HTML pages export_site writes."""
    per_language = 1 + models + presets + int(figure3) + 1
    return len(LANGS) * per_language + 1
