"""What the "Inside a block" tab shows for one request: a block's four maps as pictures and
sentences, a unit's receptive fields drawn on the photo, the top-5 and held-out accuracy with
blocks deleted, and the two charts (fields per stage, Veit et al.'s curve).

Reached through pages.py (the tabs' one door to the engine); no gradio here. The last few block
views are kept, so that a click on a map reads its arithmetic without running the model again.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import torch

from ..arch.analysis import analyze, cost
from ..arch.deletion import deletable
from ..arch.receptive import field_of
from ..arch.registry import TRAINED_ON_SHAPES, get_entry, plain_twin
from ..errors import ExplorerError
from ..experiments.degradation import load as load_degradation
from ..experiments.lesions import HELDOUT, heldout_error, lesion_curve
from ..inspect.blockview import BlockView, block_view
from ..inspect.deadline import check
from ..inspect.erf import effective_receptive_field as erf
from ..inspect.erf import erf_by_stage, growth
from ..inspect.images import ImageInput
from ..inspect.lesions import predict_without
from ..models.loading import load_model, model_info
from . import limits
from .block_views import (
    arithmetic_html,
    block_html,
    curve_finding,
    erf_html,
    growth_html,
    lesion_html,
    map_labels,
    twin_label,
)
from .figures import Figure, erf_chart, lesion_chart
from .files import request_key, save_picture
from .overlay import BLOCK_PANEL, DISPLAY, erf_picture, no_map, signed_map
from .views import shown_class

VIEWS_KEPT = 16  # block views (a model's and its plain twin's): four small maps each
CURVE_MODELS = ("resnet20", "resnet56", "plain20")  # Veit et al.'s comparison, on trained weights
CURVE_K, CURVE_REPEATS = 10, 5


@dataclass(frozen=True)
class BlockPage:
    panels: tuple[Path, Path, Path, Path]  # S, F, sum, output: pictures on one colour scale
    labels: tuple[str, str, str, str]
    twin: Path | None  # the plain twin's F(x) at the same block and channel, on the same scale
    twin_label: str
    stats: str  # HTML
    channel: int  # the channel shown


_views: OrderedDict[tuple[str, ...], BlockView] = OrderedDict()


def _view(image: ImageInput, model: str, weights: str | None, block: str, channel: int | None,
          device: torch.device) -> BlockView:  # fmt: skip
    key = request_key(image, model, weights, block, channel, device)
    held = _views.get(key) if key else None
    if held is not None:
        _views.move_to_end(key)  # type: ignore[arg-type]
        return held
    view = block_view(image, load_model(model, weights, device=device), block, channel)
    if key:
        _views[key] = view
        while len(_views) > VIEWS_KEPT:
            _views.popitem(last=False)
    return view


def block_page(image: ImageInput, model: str, weights: str | None, block: str,
               channel: int | None, device: torch.device, lang: str) -> BlockPage:  # fmt: skip
    """The four maps of `block` at `channel` (None: the one F changes most) and what they say."""
    view = _view(image, model, weights, block, channel, device)
    twin, twin_weights = _twin(model, weights)
    other = _view(image, twin, twin_weights, block, view.channel, device) if twin else None
    # one colour scale for every map shown, the twin's F(x) included
    scale = max(view.scale, float(abs(other.branch).max()) if other is not None else 0.0)
    stem = f"{view.model}-{view.block}-{view.channel}".replace("/", "_")
    maps = (view.shortcut, view.branch, view.total, view.output)
    pictures = [no_map() if i == 0 and view.plain else signed_map(m, scale)
                for i, m in enumerate(maps)]  # fmt: skip
    panels = tuple(save_picture(p, f"block-{stem}-{i}") for i, p in enumerate(pictures))
    twin_picture = (save_picture(signed_map(other.branch, scale), f"block-{stem}-{twin}")
                    if other is not None else None)  # fmt: skip
    return BlockPage(panels=panels, labels=map_labels(view, lang),  # type: ignore[arg-type]
                     twin=twin_picture, twin_label=twin_label(other, lang) if other else "",
                     stats=block_html(view, lang, channel is not None, other, scale),
                     channel=view.channel)  # fmt: skip


def _twin(model: str, weights: str | None) -> tuple[str | None, str | None]:
    """The plain twin to set beside `model`, with weights like its own: both trained here, or
    both random; None where the two would not be alike."""
    twin = plain_twin(model)
    if twin is None:
        return None, None
    size = get_entry(twin).input_size
    price = cost(twin, size)
    if price.params > limits.MAX_PARAMS or price.macs > limits.MAX_MACS:
        return None, None  # the server's limits hold for the second model too
    if weights is None:
        return twin, None
    if weights == "DEFAULT" and get_entry(twin).shipped and get_entry(model).shipped:
        return twin, "DEFAULT"
    return None, None


def block_arithmetic(image: ImageInput, model: str, weights: str | None, block: str,
                     channel: int | None, device: torch.device, pixel: tuple[int, int],
                     lang: str) -> str:  # fmt: skip
    """The arithmetic at the position a click on a map (BLOCK_PANEL pixels) landed on."""
    view = _view(image, model, weights, block, channel, device)
    h, w = view.grid
    # the square a pixel lies in, as the picture was enlarged (nearest neighbour)
    row = min(max(int((int(pixel[1]) + 0.5) * h / BLOCK_PANEL), 0), h - 1)
    col = min(max(int((int(pixel[0]) + 0.5) * w / BLOCK_PANEL), 0), w - 1)
    twin, twin_weights = _twin(model, weights)
    other = None
    if twin is not None:
        other = _view(image, twin, twin_weights, block, view.channel, device)
    return arithmetic_html(view.at(row, col), view.channel, lang,
                           other.at(row, col) if other else None, twin or "")  # fmt: skip


def warm_blocks(model: str) -> None:
    """What the tab's menus need for `model` (its blocks, layers and the blocks that can go),
    computed before a page asks: a page that opens must not wait on a meta pass."""
    block_names(model), layer_names(model), deletable_blocks(model)


@lru_cache(maxsize=64)
def block_names(model: str) -> tuple[str, ...]:
    """Every block of a model, in forward order (from its cached analysis)."""
    s = analyze(get_entry(model).name)
    return tuple(b.name for st in s.stages for b in st.block_rows)


@lru_cache(maxsize=64)
def layer_names(model: str) -> tuple[str, ...]:
    """The stages, then the blocks: what a receptive field can be taken at."""
    s = analyze(get_entry(model).name)
    return (*(st.name for st in s.stages if st.block_rows), *block_names(model))


def _grid(model: str, layer: str) -> tuple[int, int]:
    s = analyze(get_entry(model).name)
    for st in s.stages:
        if st.name == layer:
            return st.output_shape[-2], st.output_shape[-1]
        for b in st.block_rows:
            if b.name == layer:
                return b.output_shape[-2], b.output_shape[-1]
    raise ExplorerError.text(
        "err_no_layer", layer=layer, model=model, example=layer_names(model)[0]
    )


def erf_page(image: ImageInput, model: str, weights: str | None, layer: str,
             position: tuple[int, int] | None, pixel: tuple[int, int] | None,
             device: torch.device, lang: str) -> tuple[Path, str, tuple[int, int]]:  # fmt: skip
    """The receptive fields of the unit of `layer` at `position` (row, col of its grid), or the
    one nearest to `pixel` (x, y on the DISPLAY-px picture), or at its centre, drawn on the
    photo; their sizes; the unit's position."""
    module = load_model(model, weights, device=device)
    if pixel is not None:
        size = get_entry(model).input_size
        # the input pixel under the click (the picture enlarges the crop to DISPLAY pixels)
        y, x = ((int(p) + 0.5) * size / DISPLAY - 0.5 for p in (pixel[1], pixel[0]))
        position = field_of(module, layer, size).nearest(y, x, _grid(model, layer))
    rf = erf(image, module, layer, position)
    stem = f"erf-{rf.model}-{layer}-{rf.position[0]}-{rf.position[1]}".replace("/", "_")
    return save_picture(erf_picture(rf), stem), erf_html(rf, lang), rf.position


@lru_cache(maxsize=16)
def _stage_fields(model: str, weights: str | None, device: str, images: tuple[str, ...]
                  ) -> Any:  # fmt: skip
    return erf_by_stage(list(images), load_model(model, weights, device=device))


def erf_stages_page(model: str, weights: str | None, device: torch.device,
                    images: Sequence[str], lang: str,
                    progress: Callable[[float], None] | None = None
                    ) -> tuple[Figure, str]:  # fmt: skip
    """Per stage, the theoretical field and the ERF averaged over `images`, with the trained
    weights (where this machine has them) and random ones, and what the fit says."""
    entry = get_entry(model)
    sets: dict[str, str | None] = {}
    if weights not in (None, "random"):
        sets["trained"] = weights
    sets["random"] = None
    fields: dict[str, Any] = {}
    for n, (name, chosen) in enumerate(sets.items()):
        check()
        if name == "trained":
            if not model_info(load_model(entry.name, chosen, device=device)).trained:
                continue  # offline without the weights: they would be random too
        fields[name] = _stage_fields(entry.name, chosen, str(device), tuple(images))
        if progress is not None:
            progress((n + 1) / len(sets))
    last = fields["random"][-1].stage
    found = {name: growth(f) for name, f in fields.items()}
    return erf_chart(fields, entry.name, lang), growth_html(found, last, entry.name, lang)


@lru_cache(maxsize=64)
def deletable_blocks(model: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The blocks that can be deleted, and those that cannot (plain blocks that change shape),
    as the deletion itself decides (on a meta build: shapes only)."""
    entry = get_entry(model)
    table = deletable(entry.build(device="meta"), entry.input_size)
    return (tuple(d.block for d in table if d.removable),
            tuple(d.block for d in table if not d.removable))  # fmt: skip


def lesion_page(image: ImageInput, model: str, weights: str | None, deleted: Sequence[str],
                device: torch.device, lang: str) -> tuple[dict[str, float], str]:  # fmt: skip
    """The image's top-5 with `deleted` gone, and the held-out accuracy where the model was
    trained on the shipped shapes."""
    module = load_model(model, weights, device=device)
    les = predict_without(image, module, deleted)
    labels: dict[str, float] = {}
    for p in les.predictions:
        labels[shown_class(les.model, p.label, lang)] = p.prob
    accuracy = None
    if get_entry(model).name in TRAINED_ON_SHAPES and weights == "DEFAULT":
        check()
        acc = 1 - _heldout(model, str(device), les.deleted)
        accuracy = (acc, 1 - _heldout(model, str(device), ()), HELDOUT)
    return labels, lesion_html(les, accuracy, lang, TRAINED_ON_SHAPES)


@lru_cache(maxsize=64)
def _heldout(model: str, device: str, deleted: tuple[str, ...]) -> float:
    return heldout_error(load_model(model, "DEFAULT", device=device), deleted)


_curves: dict[str, dict[str, Any]] = {}  # device → the three curves: measured once per process


def lesion_curves_page(device: torch.device, lang: str,
                       progress: Callable[[float, str], None] | None = None
                       ) -> tuple[Figure, str]:  # fmt: skip
    """Veit et al.'s curve for the shipped resnet20, resnet56 and plain20 (plain56 never
    trained, and the sentence says so), with the sentence the points support. Measured once
    (seconds), then only drawn again."""
    found = _curves.get(str(device))
    if found is None:
        found = {}
        for n, m in enumerate(CURVE_MODELS):

            def step(done: float, n: int = n, m: str = m) -> None:
                check()  # the request's time budget, between draws
                if progress is not None:
                    progress((n + done) / len(CURVE_MODELS), m)

            found[m] = lesion_curve(load_model(m, "DEFAULT", device=device), CURVE_K,
                                    CURVE_REPEATS, progress=step)  # fmt: skip
        _curves[str(device)] = found
    run = load_degradation()
    plain56 = run.final("plain56") if "plain56" in run.models else None
    return (lesion_chart(found, HELDOUT, CURVE_REPEATS, lang),
            curve_finding(found, lang, plain56))  # fmt: skip
