"""Which map to trust, measured on images: `faithfulness(images, model, methods, masks)` scores
each method (deletion and insertion AUC, ROAD, the pointing game), and `layer_guidance` scores
every candidate layer of a CAM (pointing game and deletion AUC), with the layer it recommends and
why. The metrics are faithfulness.py's; the maps attribution.py's. Nothing here draws.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torchvision.transforms.functional as TF
from torch import nn

from ..arch.structure import reading_of
from ..errors import ExplorerError
from ..models.device import precision, to_model
from ..models.loading import INFO_ATTR
from .attribution import (
    METHODS,
    autograd_pass,
    black,
    cam_weights,
    forward,
    ranking,
    saliency,
    score,
    upsample,
)
from .cam import cam_layers, forward_steps, last_stage
from .deadline import check
from .explain import ModelLike, prepare, resolve_model
from .faithfulness import deletion_insertion, pointing_hits, road
from .images import ImageInput

STEPS = 16  # deletion and insertion: 17 points per curve
GUIDE_STEPS = 8  # the layer guidance's deletion curves: 9 points (every layer of a deep network)


@dataclass(frozen=True)
class FaithRecord:
    """One method's scores, averaged over the images."""

    method: str
    images: int
    deletion_auc: float  # lower is better: the class fades fast as the top pixels go
    insertion_auc: float  # higher is better
    road: float  # Rong et al.'s combined ROAD: LeRF − MoRF, higher is better
    pointing: float | None  # share of maps whose peak lies on the object; None without masks
    ms: float  # the map's own cost, summed over the images


def _batch(images: Sequence[ImageInput | torch.Tensor], model: nn.Module) -> torch.Tensor:
    if not images:
        raise ExplorerError.text("no_image")
    return to_model(model, torch.cat([prepare(img, model)[0] for img in images]))


def crop_masks(masks: Sequence[Any], model: nn.Module, size: int) -> torch.Tensor:
    """Object masks (H, W) of the original images, through the model's own resize and centre
    crop (nearest neighbour), so that they lie on the crop the maps cover: (N, size, size)."""
    info = getattr(model, INFO_ATTR, None)
    out = []
    for m in masks:
        t = torch.as_tensor(np.asarray(m, dtype=bool))[None].float()  # (1, H, W)
        if info is not None:
            p = info.preprocess
            t = TF.resize(t, p.resize_size, interpolation=TF.InterpolationMode.NEAREST)
            t = TF.center_crop(t, p.crop_size)
        if t.shape[-2:] != (size, size):
            raise ExplorerError.text("err_mask_size", got="×".join(map(str, t.shape[-2:])),
                                     side=size)  # fmt: skip
        out.append(t[0] > 0.5)
    return torch.stack(out)


def _unit(maps: torch.Tensor) -> torch.Tensor:
    """Each map divided by its largest |value|: the same order, in [-1, 1], where ROAD's least
    relevant first (1 − map, in float32) still tells a gradient's 1e-6 from its 1e-7."""
    peak = maps.abs().flatten(1).amax(1).clamp_min(torch.finfo(maps.dtype).tiny)
    return maps / peak[:, None, None]


def faithfulness(images: Sequence[ImageInput | torch.Tensor], model: ModelLike,
                 methods: Sequence[str] = METHODS, masks: Sequence[Any] | None = None,
                 layer: str | None = None, targets: Sequence[int] | None = None,
                 steps: int = STEPS, progress: Callable[[int, int], None] | None = None,
                 **options: Any) -> tuple[FaithRecord, ...]:  # fmt: skip
    """Each method's deletion and insertion AUC (Petsiuk et al. 2018), ROAD (Rong et al. 2022)
    and, with `masks` (one boolean (H, W) per image), the pointing game, for `images` and their
    `targets` (default: each image's top-1), the pixels ranked by `attribution.ranking`.
    `progress(done, total)` after each method."""
    module = resolve_model(model)
    if isinstance(methods, str) or not methods:
        raise ExplorerError.text("err_method", method=methods, known=", ".join(METHODS))
    methods = tuple(dict.fromkeys(methods))
    x = _batch(images, module)
    wanted = None if targets is None else torch.as_tensor(list(targets), device=x.device)
    found = saliency(module, x, methods, layer, wanted, **options)
    cls = found.targets
    regions = None
    if masks is not None:
        if len(masks) != len(x):
            raise ExplorerError.text("err_mask_count", masks=len(masks), images=len(x))
        regions = crop_masks(masks, module, x.shape[-1])
    base = black(module, x[:1])
    out = []
    for k, m in enumerate(methods):
        check()
        order = _unit(ranking(m, found.maps[m]))
        with precision(module):
            curves = deletion_insertion(module, x, order, cls, steps, baseline=base)
            roads = road(module, x, order, cls)
        hits = None
        if regions is not None:
            hits = float(pointing_hits(order.cpu(), regions).float().mean())
        out.append(FaithRecord(m, len(x), float(curves.deletion_auc.mean()),
                               float(curves.insertion_auc.mean()), float(roads.mean()), hits,
                               found.costs[m].ms))  # fmt: skip
        if progress is not None:
            progress(k + 1, len(methods))
    return tuple(out)


# ---------------------------------------------------------------- which layer


@dataclass(frozen=True)
class LayerScore:
    layer: str  # a stage ("layer3") or a block ("layer3.1"); a stage is its last block's output
    grid: tuple[int, int]  # the layer's output (h, w): the CAM's resolution
    pointing: float  # share of images whose CAM peak lies on the object
    deletion_auc: float  # mean over the images; lower is better


@dataclass(frozen=True)
class Guidance:
    method: str
    images: int
    side: int  # input pixels
    scores: tuple[LayerScore, ...]  # every candidate layer, in forward order
    best: LayerScore  # the best pointing game; among ties, the lowest deletion AUC
    default: LayerScore  # the last stage: what a CAM uses unless told otherwise


def _all_cams(model: nn.Module, x: torch.Tensor, targets: torch.Tensor, ends: dict[str, str]
              ) -> tuple[dict[str, torch.Tensor], dict[str, tuple[int, int]]]:  # fmt: skip
    """Grad-CAM at every block's output from one forward and one backward pass: (N, H, W)
    each, and each block's grid."""
    steps = forward_steps(model, {})
    wanted = set(ends.values())
    kept: dict[str, torch.Tensor] = {}
    with autograd_pass(model, x) as a:
        for name, module in steps:
            check()
            a = module(a)
            if name in wanted:
                kept[name] = a
        grads = torch.autograd.grad(score(a, targets).sum(), list(kept.values()))
    size = tuple(x.shape[-2:])
    out, grids = {}, {}
    for (name, act), g in zip(kept.items(), grads, strict=True):
        out[name] = upsample(cam_weights(act.detach(), g)["gradcam"], size)
        grids[name] = (int(act.shape[-2]), int(act.shape[-1]))
    return out, grids


def layer_guidance(images: Sequence[ImageInput | torch.Tensor], model: ModelLike,
                   masks: Sequence[Any], steps: int = GUIDE_STEPS,
                   progress: Callable[[int, int], None] | None = None) -> Guidance:  # fmt: skip
    """Grad-CAM at every stage and block of `model` on `images` (each image's top-1), scored
    by the pointing game on `masks` and by deletion AUC: which layer to pick, and why."""
    module = resolve_model(model)
    x = _batch(images, module)
    regions = crop_masks(masks, module, x.shape[-1])
    if len(masks) != len(x):
        raise ExplorerError.text("err_mask_count", masks=len(masks), images=len(x))
    cls = forward(module, x).argmax(1)  # eval mode, whatever the caller left
    layers = cam_layers(module)
    ends = reading_of(module).layer_ends
    maps, grids = _all_cams(module, x, cls, {layer: ends[layer] for layer in layers})
    base = black(module, x[:1])
    done: dict[str, tuple[float, float]] = {}  # a stage and its last block share one map
    scores = []
    for k, layer in enumerate(layers):
        end = ends[layer]
        if end not in done:
            check()
            with precision(module):
                curves = deletion_insertion(module, x, maps[end], cls, steps, baseline=base)
            hits = pointing_hits(maps[end].cpu(), regions).float().mean()
            done[end] = (float(hits), float(curves.deletion_auc.mean()))
        scores.append(LayerScore(layer, grids[end], *done[end]))
        if progress is not None:
            progress(k + 1, len(layers))
    top = max(s.pointing for s in scores)
    best = min((s for s in scores if s.pointing == top), key=lambda s: s.deletion_auc)
    default = next(s for s in scores if s.layer == last_stage(module))
    return Guidance("gradcam", len(x), int(x.shape[-1]), tuple(scores), best, default)
