"""What "Compare explanations" shows for one request: the methods' maps side by side, the sanity
check's chart and sentences, the faithfulness scores, and the layer guidance on the examples.

Reached through pages.py (the tabs' one door to the engine); no gradio here. The last few
requests' results are kept by what they depend on (the image's bytes, the model, its weights,
the layer, the class, the methods), so the table gathers the cost, the verdict and the scores of
one image as each is measured, and a language switch only renders them again.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..errors import ExplorerError
from ..inspect.attribution import METHODS, compare
from ..inspect.deadline import check
from ..inspect.images import ImageInput, load_image
from ..inspect.sanity import sanity_check
from ..inspect.trust import faithfulness, layer_guidance
from ..models.loading import load_model
from .figures import Figure, layers_chart, sanity_chart
from .files import example_samples, examples, request_key, save_picture
from .overlay import overlay
from .saliency_views import (
    caption,
    guidance_html,
    methods_table,
    sanity_html,
    what_html,
)

RESULTS_KEPT = 16
PANEL = 224  # pixels: each map; four fit a 1024 px projector's row
_results: OrderedDict[tuple[str, ...], dict[str, Any]] = OrderedDict()
_lock = threading.Lock()


def methods_of(methods: Sequence[str]) -> tuple[str, ...]:
    """The methods asked for, in the page's order; an unknown name is refused."""
    for m in methods:
        if m not in METHODS:
            raise ExplorerError.text("err_method", method=m, known=", ".join(METHODS))
    chosen = tuple(m for m in METHODS if m in methods)
    if not chosen:
        raise ExplorerError.text("err_no_method")
    return chosen


def _key(image: ImageInput, model: str, weights: str | None, layer: str | None,
         target: str | None, methods: tuple[str, ...]) -> tuple[str, ...] | None:  # fmt: skip
    return request_key(image, model, weights, layer, target, ",".join(methods))


def _kept(key: tuple[str, ...] | None) -> dict[str, Any]:
    """The results measured so far for `key` (a fresh dict for an unreadable image)."""
    with _lock:
        if key is None:
            return {}
        found = _results.pop(key, {})
        _results[key] = found
        while len(_results) > RESULTS_KEPT:
            _results.popitem(last=False)
        return found


@lru_cache(maxsize=1)
def _example_masks() -> dict[bytes, np.ndarray]:
    """The generated examples' object masks, by the bytes of their pixels."""
    return {np.ascontiguousarray(img).tobytes(): mask for img, _, mask in example_samples()}


def mask_of(image: ImageInput) -> np.ndarray | None:
    """The object's mask when `image` is one of the generated examples (the page's or a copy
    of its file), else None: an upload has no mask."""
    try:
        pixels = np.asarray(load_image(image).convert("RGB"))
    except ExplorerError:
        return None
    return _example_masks().get(np.ascontiguousarray(pixels).tobytes())


def _table(kept: dict[str, Any], methods: tuple[str, ...], has_mask: bool, lang: str) -> str:
    return methods_table(methods, kept.get("maps"), kept.get("sanity"), kept.get("faith"),
                         has_mask, lang)  # fmt: skip


def _maps(
    kept: dict[str, Any],
    image: ImageInput,
    module: torch.nn.Module,
    methods: tuple[str, ...],
    layer: str | None,
    target: str | None,
) -> Any:
    """The methods' maps of this request, computed once."""
    if kept.get("maps") is None:
        kept["maps"] = compare(image, module, methods, layer, target)
    return kept["maps"]


def _gallery(kept: dict[str, Any], lang: str) -> list[tuple[Path, str]]:
    """The maps side by side, each over the crop, captioned with its cost and, once measured,
    its sanity verdict and deletion AUC."""
    verdicts = {}
    if kept.get("sanity") is not None:
        report = kept["sanity"]
        survivors = set(report.survivors())
        verdicts = {m: (m in survivors, report.last(m).spearman_abs) for m in report.maps}
    faith = {f.method: f for f in kept.get("faith") or ()}
    out = []
    for a in kept["maps"]:
        check()
        picture = overlay(a.image, a.drawn, 0.5, "Jet", size=PANEL)
        stem = re.sub(r"[^A-Za-z0-9_.+-]", "_", f"sal-{a.model}-{a.method}")  # timm/… has a /
        out.append((save_picture(picture, stem),
                    caption(a, lang, verdicts.get(a.method), faith.get(a.method))))  # fmt: skip
    return out


def attribute_page(image: ImageInput, model: str, weights: str | None, methods: Sequence[str],
                   layer: str | None, target: str | None, device: torch.device, lang: str
                   ) -> tuple[list[tuple[Path, str]], str, str]:  # fmt: skip
    """The maps side by side (each over the crop, with its method, passes and milliseconds),
    what they are of, and the table of methods."""
    chosen = methods_of(methods)
    module = load_model(model, weights, device=device)
    kept = _kept(_key(image, model, weights, layer, target, chosen))
    found = _maps(kept, image, module, chosen, layer, target)
    table = _table(kept, chosen, mask_of(image) is not None, lang)
    return _gallery(kept, lang), what_html(found, lang), table


def sanity_page(image: ImageInput, model: str, weights: str | None, methods: Sequence[str],
                layer: str | None, target: str | None, mode: str, device: torch.device,
                lang: str, progress: Callable[[int, int], None] | None = None
                ) -> tuple[list[tuple[Path, str]], Figure, str, str]:  # fmt: skip
    """Adebayo et al.'s check for these methods on this image: the maps with their verdicts,
    the chart, one sentence per method, and the table with the verdicts."""
    chosen = methods_of(methods)
    module = load_model(model, weights, device=device)
    kept = _kept(_key(image, model, weights, layer, target, chosen))
    found = _maps(kept, image, module, chosen, layer, target)
    report = kept.get(f"sanity/{mode}")
    if report is None:
        report = sanity_check(image, module, chosen, mode, layer,  # type: ignore[arg-type]
                              found[0].target, progress=progress)  # fmt: skip
        kept[f"sanity/{mode}"] = report
    if mode == "cascading":
        kept["sanity"] = report  # the verdict the maps and the table show: every layer randomised
    table = _table(kept, chosen, mask_of(image) is not None, lang)
    return _gallery(kept, lang), sanity_chart(report, lang), sanity_html(report, lang), table


def faithfulness_page(image: ImageInput, model: str, weights: str | None, methods: Sequence[str],
                      layer: str | None, target: str | None, device: torch.device, lang: str,
                      progress: Callable[[int, int], None] | None = None
                      ) -> tuple[list[tuple[Path, str]], str]:  # fmt: skip
    """Deletion, insertion, ROAD and (for an example, whose mask is known) the pointing game of
    each method on this image: the maps with their deletion AUC, and the table."""
    chosen = methods_of(methods)
    module = load_model(model, weights, device=device)
    kept = _kept(_key(image, model, weights, layer, target, chosen))
    found = _maps(kept, image, module, chosen, layer, target)
    mask = mask_of(image)
    if kept.get("faith") is None:
        kept["faith"] = faithfulness([image], module, chosen, None if mask is None else [mask],
                                     layer, [found[0].target], progress=progress)  # fmt: skip
    return _gallery(kept, lang), _table(kept, chosen, mask is not None, lang)


@lru_cache(maxsize=16)
def _guidance(model: str, weights: str | None, device: str) -> Any:
    images = examples()
    masks = [mask_of(path) for path in images]
    if any(m is None for m in masks):
        raise RuntimeError("an example image no longer matches its generated mask")
    return layer_guidance(images, load_model(model, weights, device=device), masks)


def guidance_page(model: str, weights: str | None, device: torch.device, lang: str
                  ) -> tuple[Figure, str]:  # fmt: skip
    """Grad-CAM at every stage and block of the model on the examples: the chart, and the
    recommended layer with its reason. Measured once per model and weights."""
    guide = _guidance(model, weights, str(device))
    return layers_chart(guide, lang), guidance_html(guide, model, lang)
