"""What each tab shows for one request: records rendered as HTML, figures and files, cached per
(model, input size, language) so that switching back to a model is instant.

The web page's one door to everything that computes: the tabs reach this module through
`shared.engine()`, and importing it loads torch, torchvision, captum and plotly. No gradio here,
so it is testable without a server.
"""

from __future__ import annotations

import json
import os
import re
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any

import torch

from ..arch.analysis import (
    ArchitectureSummary,
    analyze,
    check_input_size,
    cost,
    module_tree,
    warm_cache,
)
from ..arch.registry import get_entry, list_models
from ..errors import ExplorerError
from ..experiments.degradation import DegradationRun
from ..experiments.degradation import load as load_degradation
from ..i18n import LANGS, Phrase, page_language
from ..inspect.cam import cam_layers
from ..inspect.contributions import PathProgress, ShortcutReport, shortcut_report
from ..inspect.explain import Explanation, explain_many
from ..inspect.images import ImageInput
from ..inspect.plain import gradient_profile
from ..models.device import autocast_dtype as autocast_dtype  # for the server
from ..models.device import select_device as select_device  # for shared.device()
from ..models.loading import load_model, model_info
from ..models.weights import Progress, hub_file
from ..render.cards import formula_html, stage_table_html
from ..render.network import block_text, network_diagram, network_figure3, png, side_by_side
from ..render.report import layers_csv, summary_text
from . import limits
from .block_pages import block_arithmetic as block_arithmetic  # the Inside-a-block tab's
from .block_pages import block_names as block_names
from .block_pages import block_page as block_page
from .block_pages import deletable_blocks as deletable_blocks
from .block_pages import erf_page as erf_page
from .block_pages import erf_stages_page as erf_stages_page
from .block_pages import layer_names as layer_names
from .block_pages import lesion_curves_page as lesion_curves_page
from .block_pages import lesion_page as lesion_page
from .block_pages import warm_blocks as warm_blocks
from .diagram import diagram_html
from .figures import (
    Figure,
    compare_costs,
    degradation_chart,
    param_treemap,
    path_lengths,
    plain_vs_residual,
    shortcut_bars,
    stage_costs,
)
from .files import exports, request_key, save_named, save_picture, write_atomically
from .overlay import feature_grid, map_image, overlay, strip
from .saliency_pages import attribute_page as attribute_page  # Compare explanations
from .saliency_pages import faithfulness_page as faithfulness_page
from .saliency_pages import guidance_page as guidance_page
from .saliency_pages import sanity_page as sanity_page
from .views import (
    compare_blocks_html,
    compare_insights_html,
    compare_stages_html,
    costs_story,
    degradation_html,
    modules_html,
    plain_summary,
    prediction_note,
    shortcut_summary,
    shown_class,
    tree_html,
    weights_status,
)

if os.environ.get("EXPLORER_THREADS", "").isdigit():  # serve --threads: this process's share
    torch.set_num_threads(max(1, int(os.environ["EXPLORER_THREADS"])))


@dataclass(frozen=True)
class ArchitecturePage:
    formula: str  # HTML: the depth formula, explained
    stages: str  # HTML: the stage table
    story: str  # one sentence: where the params and the MACs go
    costs: Figure  # params and MACs per stage
    treemap: Figure  # where the parameters live
    diagram: str  # HTML with inline SVG: the block at each stage
    tree: str  # HTML: the collapsible layer tree


@dataclass(frozen=True)
class ComparePage:
    formula_a: str
    formula_b: str
    insights: str  # HTML: computed sentences on what differs and why
    costs: Figure
    stages: str  # HTML: per-stage table with differences
    blocks: str  # HTML: one block of each model at each stage's width


def architecture_page(model: str, input_size: int, lang: str) -> ArchitecturePage:
    """The Architecture tab for a registry name or custom spec (validated here)."""
    size = check_input_size(input_size)
    return _architecture_page(get_entry(model).name, size, page_language(lang))


@lru_cache(maxsize=128)
def _architecture_page(name: str, size: int, lang: str) -> ArchitecturePage:
    s = analyze(name, size)
    return ArchitecturePage(
        formula=formula_html(s, lang),
        stages=stage_table_html(s, lang),
        story=costs_story(s, lang),
        costs=stage_costs(s, lang),
        treemap=param_treemap(s, lang),
        diagram=diagram_html(s, lang),
        tree=tree_html(s, lang),
    )


@lru_cache(maxsize=32)
def modules_page(model: str, input_size: int, lang: str) -> str:
    """For a model without residual blocks: its top-level modules' parameters, MACs, shapes."""
    return modules_html(module_tree(get_entry(model).name, check_input_size(input_size)),
                        page_language(lang))  # fmt: skip


def compare_page(model_a: str, model_b: str, input_size: int, lang: str) -> ComparePage:
    a, b = get_entry(model_a).name, get_entry(model_b).name
    return _compare_page(a, b, check_input_size(input_size), page_language(lang))


@lru_cache(maxsize=64)
def _compare_page(name_a: str, name_b: str, size: int, lang: str) -> ComparePage:
    a, b = analyze(name_a, size), analyze(name_b, size)
    return ComparePage(
        formula_a=formula_html(a, lang, small=True),
        formula_b=formula_html(b, lang, small=True),
        insights=compare_insights_html(a, b, lang),
        costs=compare_costs(a, b, lang),
        stages=compare_stages_html(a, b, lang),
        blocks=compare_blocks_html(a, b, lang),
    )


def export_files(model: str, input_size: int) -> tuple[Path, Path]:
    """The summary as JSON and the layer table as CSV, written once per (model, input size)."""
    s: ArchitectureSummary = analyze(model, input_size)
    # timm/NAME and a model of yours ("ResNet50 (my.py)") become one safe file name
    stem = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{s.model}-{s.input_size}")
    json_path, csv_path = exports() / f"{stem}.json", exports() / f"{stem}.csv"
    if not json_path.exists():
        text = json.dumps(s.to_dict(), indent=1, ensure_ascii=False)
        write_atomically(json_path, text.encode("utf-8"))
    if not csv_path.exists():
        write_atomically(csv_path, layers_csv(s).encode("utf-8"))
    return json_path, csv_path


@dataclass(frozen=True)
class NetworkView:
    """Figure 3 of the paper as the page shows it, and the same drawing as two downloads."""

    html: str  # the SVG in a box that scrolls when the figure is wider than the page
    svg: Path
    png: Path  # drawn at twice the SVG's size


def network_view(model: str, input_size: int, plain: bool, orientation: str, lang: str,
                 toggled: Sequence[str] = (), figure3: bool = False) -> NetworkView:  # fmt: skip
    """The whole network as Figure 3 draws it, with `toggled` stages and blocks opened or closed
    (`figure3`: with VGG-19 and the plain twin beside it); one drawing for the page and both
    files."""
    svg = _network_svg(model, input_size, plain, orientation, lang, toggled, figure3)
    name = analyze(model, input_size).model
    stem = f"{name}-figure3" if figure3 else f"{name}-plain" if plain else name
    return NetworkView(html=_network_box(svg),
                       svg=save_named(svg.encode("utf-8"), stem, "svg"),
                       png=save_named(png(svg), stem, "png"))  # fmt: skip


def _network_svg(model: str, input_size: int, plain: bool, orientation: str, lang: str,
                 toggled: Sequence[str], figure3: bool) -> str:  # fmt: skip
    if figure3:
        return network_figure3(model, input_size=input_size, orientation=orientation, lang=lang,
                               toggled=toggled)  # fmt: skip
    return network_diagram(model, plain=plain, input_size=input_size, orientation=orientation,
                           lang=lang, toggled=toggled)  # fmt: skip


def network_html(model: str, input_size: int, orientation: str, lang: str, plain: bool = False,
                 figure3: bool = False) -> str:  # fmt: skip
    """The figure as network_view shows it when it opens (nothing toggled), without its files."""
    return _network_box(_network_svg(model, input_size, plain, orientation, lang, (), figure3))


def compare_networks(model_a: str, model_b: str, input_size: int, figure3: bool, lang: str
                     ) -> str:  # fmt: skip
    """The Compare tab's whole networks, one above the other in the horizontal flow: A and B, or
    Figure 3 of the paper for A (VGG-19, A's plain twin, A)."""
    if figure3:
        svg = network_figure3(model_a, input_size=input_size, orientation="horizontal", lang=lang)
    else:
        svg = side_by_side([network_diagram(m, input_size=input_size, orientation="horizontal",
                                            lang=lang) for m in (model_a, model_b)],
                           "horizontal")  # fmt: skip
    return _network_box(svg)


def _network_box(svg: str) -> str:
    """A figure of network.py in a box that scrolls sideways when it is wider than the page."""
    return f'<div class="rx-scroll rx-network">{svg}</div>'


def network_click(model: str, input_size: int, toggled: Sequence[str], name: Any, lang: str
                  ) -> tuple[tuple[str, ...], str]:  # fmt: skip
    """A click on the figure: the stage or block `name` opens or closes (a name the model does
    not have changes nothing); a block also says its row."""
    s = analyze(model, input_size)
    blocks = {b.name: b for st in s.stages for b in st.block_rows}
    if not isinstance(name, str) or (name not in blocks and name not in {st.name for st in
                                                                         s.stages}):  # fmt: skip
        return tuple(toggled), ""
    now = tuple(n for n in toggled if n != name) + (() if name in toggled else (name,))
    return now, (escape(block_text(blocks[name], lang)) if name in blocks else "")


def warm_pages(first: Sequence[str] = (), input_size: int | None = None) -> None:
    """Analyse every registry model and render its page in both languages, `first` first, at
    `input_size` or at the size the page opens the model at (its own: 32 for CIFAR-10's)."""
    names = list(dict.fromkeys([*first, *list_models()]))  # in order, each once
    for name in names:
        size = input_size or get_entry(name).input_size
        warm_cache([name], size)
        for lang in LANGS:
            architecture_page(name, size, lang)


# ---------------------------------------------------------------- Predict & Explain


STAGE_PANEL = 200  # pixels: each stage's map in the side-by-side picture


@dataclass(frozen=True)
class PredictView:
    """One answer of the Predict tab: four files and two texts. The display pictures are few and
    cheap to encode (the handler's main cost used to be ten PNGs); the two files that are
    downloads are lossless."""

    labels: dict[str, float]  # top-5, for gr.Label
    note: str  # HTML: what the overlay shows, and a warning when untrained
    overlay: Path  # the CAM over the crop, enlarged: a lossless PNG, shown and downloadable
    stages: Path  # the same class's map at layer1 … layer4, side by side (JPEG)
    features: Path  # each stage's strongest channels, side by side (JPEG)
    raw_map: Path  # the map itself, 16-bit grayscale PNG


def predict_view(ex: Explanation, opacity: float, colormap: str, lang: str) -> PredictView:
    """The note and the class names are in `lang`; the captions drawn on the pictures are stage
    names and numbers, the same in every language."""
    labels: dict[str, float] = {}
    for p in ex.predictions:  # ImageNet repeats a few names ("crane"): keep both entries
        name = shown_class(ex.model, p.label, lang)
        labels[name if name not in labels else f"{name} #{p.index}"] = p.prob
    stem = f"{ex.model}-{ex.layer}-{ex.target}"
    grids = {f.stage: f for f in ex.features}
    stages = [(overlay(ex.image, m, opacity, colormap, size=STAGE_PANEL),
               f"{s}: {'x'.join(map(str, grids[s].shape[1:]))}" if s in grids else s)
              for s, m in ex.stage_cams]  # fmt: skip
    features = [(feature_grid(f), f"{f.stage}: " + ", ".join(map(str, f.channels[:4])) + " ...")
                for f in ex.features]  # fmt: skip
    return PredictView(
        labels=labels,
        note=prediction_note(ex, lang),
        overlay=save_picture(overlay(ex.image, ex.cam, opacity, colormap), f"overlay-{stem}"),
        stages=save_picture(strip(stages), f"stages-{stem}", "jpg"),
        features=save_picture(strip(features), f"features-{stem}", "jpg"),
        raw_map=save_picture(map_image(ex.cam), f"map-{stem}"),
    )


def default_predict_model() -> str:
    """resnet50 when its ImageNet weights are on this machine, else the demo model."""
    entry = get_entry("resnet50")
    cached = hub_file(entry.weights("DEFAULT")).exists()
    return "resnet50" if cached else "demo_bottleneck"


@lru_cache(maxsize=64)
def cam_layer_names(name: str) -> list[str]:
    """The layers a CAM can be taken at, read from the architecture (built on the meta device)."""
    return cam_layers(get_entry(name).build(device="meta"))


def summary(model: str, input_size: int) -> str:
    """The CLI's text summary of one model, with a row per block (/summary)."""
    return summary_text(analyze(model, input_size), blocks=True)


def weights_view(model: str, weights: str | None, device: torch.device, lang: str,
                 progress: Progress | bool = False) -> tuple[str, bool]:  # fmt: skip
    """Load a model's weights (downloading them when online) and say what they are: the status
    HTML, and whether they are trained."""
    info = model_info(load_model(model, weights, device=device, progress=progress))
    return weights_status(info, lang), info.trained


def explanations(model: str, weights: str | None, device: torch.device,
                 images: Sequence[ImageInput], targets: Sequence[int | str | None], layer: str
                 ) -> list[Explanation | Exception]:  # fmt: skip
    """Top-5, Grad-CAM at `layer` and the maps at every stage for each image: one forward pass
    for the batch; if an image fails, each again alone so that the others still get answers."""
    module = load_model(model, weights, device=device)
    try:
        return list(explain_many(images, module, 5, layer, targets, stage_cams=True))
    except Exception:
        out: list[Explanation | Exception] = []
        for image, target in zip(images, targets, strict=True):
            try:
                out.extend(explain_many([image], module, 5, layer, [target], stage_cams=True))
            except Exception as err:
                out.append(err)
        return out


def shortcuts_view(image: ImageInput, model: str, weights: str | None, target: str | None,
                   device: torch.device, lang: str, progress: PathProgress | None = None
                   ) -> tuple[str, Figure, Figure, list[dict[str, Any]]]:  # fmt: skip
    """The Shortcuts tab for one image: summary, per-block charts, path lengths, the records.

    The last few measurements are kept, so that the same analysis in the other language (the
    language switch) is only drawn again, not measured. `progress` hears the path walk's."""
    key = request_key(image, model, weights, target, device)
    report = _reports.get(key) if key else None
    if report is None:
        report = shortcut_report(image, load_model(model, weights, device=device), target,
                                 progress=progress)  # fmt: skip
        if key:
            _reports[key] = report
            while len(_reports) > REPORTS_KEPT:
                _reports.popitem(last=False)
    else:
        _reports.move_to_end(key)
    records = [asdict(r) for r in report.records]
    return (shortcut_summary(report, lang), shortcut_bars(report, lang),
            path_lengths(report, lang), records)  # fmt: skip


REPORTS_KEPT = 8  # a ShortcutReport is a few numbers per block: kilobytes
_reports: OrderedDict[tuple[str, ...], ShortcutReport] = OrderedDict()


PLAIN_BATCH, PLAIN_SIZE = 16, 64  # the plain-vs-residual demo: 16 random 64 px images


def check_cost(model: str, input_size: int | None = None, batch: int = 1) -> None:
    """Refuse, before anything real is allocated, a model whose weights or one pass over `batch`
    images at `input_size` (default: the model's own) would exceed the server's limits."""
    entry = get_entry(model)
    price = cost(entry.name, input_size or entry.input_size)
    for what, value, limit, unit in (
        ("cost_params", price.params, limits.MAX_PARAMS, "params"),
        ("cost_macs", price.macs * batch, limits.MAX_MACS, "macs"),
        ("cost_activations", price.activation_bytes * batch, limits.MAX_ACTIVATION_BYTES, "bytes"),
    ):
        if value > limit:
            raise ExplorerError.text(
                "err_too_costly", model=entry.name, what=Phrase(what),
                value=_amount(value, unit), limit=_amount(limit, unit),
            )  # fmt: skip


def _amount(value: int, unit: str) -> str:
    if unit == "bytes":
        return f"{value / 2**20:,.0f} MiB"
    scaled = f"{value / 1e9:,.1f} G" if value >= 1e9 else f"{value / 1e6:,.1f} M"
    return scaled + (" MACs" if unit == "macs" else "")


def plain_view(model: str, lang: str) -> tuple[Figure, str]:
    """The gradient per layer at initialisation, with and without shortcuts: chart, sentence."""
    check_cost(model, PLAIN_SIZE, PLAIN_BATCH)
    profile = gradient_profile(get_entry(model).name, batch=PLAIN_BATCH, input_size=PLAIN_SIZE)
    return plain_vs_residual(profile, lang), plain_summary(profile, lang)


@lru_cache(maxsize=1)
def degradation_run() -> DegradationRun:
    """The degradation experiment's record shipped with the package (read once)."""
    return load_degradation()


def degradation_view(lang: str) -> tuple[Figure, str]:
    """The paper's Figure 6 as this package measured it: chart and the sentence it supports."""
    run = degradation_run()
    return degradation_chart(run, lang), degradation_html(run, lang)
