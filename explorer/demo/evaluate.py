"""Evaluating the bundled demo models on held-out generated images: `python -m explorer.demo
evaluate`.

Three numbers per model: top-1 accuracy; the pointing game (does the Grad-CAM maximum fall on
the object, its mask dilated by 5% of the image side?); and Adebayo et al.'s sanity check (the
Spearman rank correlation between the maps of the trained model and of a randomly initialised
one must be low, or the maps would not depend on what the model learnt).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..arch.analysis import analyze
from ..inspect.cam import gradcam_maps
from ..inspect.contributions import shortcuts
from ..inspect.faithfulness import pointing_hits
from ..inspect.similarity import spearman_rows
from ..models.loading import load_model, model_info
from .data import SIZE, make_arrays, make_samples

EVAL_SEED = 2  # neither the training (0) nor the validation (1) seed
RANDOM_SEED = 12345  # the randomised model of the sanity check


@dataclass(frozen=True)
class DemoScores:
    model: str
    samples: int
    seed: int
    layer: str
    grid: str  # the layer's spatial size, e.g. "8×8"
    accuracy: float  # top-1 on the held-out images
    pointing: float  # share of images whose CAM maximum is on the (dilated) object
    random_pointing: float  # the same for the randomly initialised model (chance level)
    spearman_mean: float  # trained vs random CAMs, per image, averaged
    spearman_median: float


def evaluate(name: str, samples: int = 1000, seed: int = EVAL_SEED, layer: str = "layer4",
             batch: int = 100) -> DemoScores:  # fmt: skip
    model = load_model(name, weights="DEFAULT")
    randomised = load_model(name, weights=None, seed=RANDOM_SEED)
    preprocess = model_info(model).preprocess
    images, labels, masks = make_arrays(samples, seed)
    x = preprocess(torch.from_numpy(images).permute(0, 3, 1, 2))  # (N, 3, 64, 64), no crop
    y, m = torch.from_numpy(labels), torch.from_numpy(masks)
    correct, trained_maps, random_maps = 0, [], []
    for i in range(0, samples, batch):
        xb, yb = x[i : i + batch], y[i : i + batch]
        with torch.inference_mode():
            correct += int((model(xb).argmax(1) == yb).sum())
        trained_maps.append(gradcam_maps(model, xb, yb, layer))
        random_maps.append(gradcam_maps(randomised, xb, yb, layer))
    trained, rand = torch.cat(trained_maps), torch.cat(random_maps)
    rho = spearman_rows(trained.flatten(1).numpy(), rand.flatten(1).numpy())
    side = {n.name: n for n in analyze(name, SIZE).layers.walk()}[layer].output_shape[-1]  # type: ignore[index]
    return DemoScores(
        model=name, samples=samples, seed=seed, layer=layer, grid=f"{side}×{side}",
        accuracy=correct / samples,
        pointing=float(pointing_hits(trained, m).float().mean()),
        random_pointing=float(pointing_hits(rand, m).float().mean()),
        spearman_mean=float(rho.mean()), spearman_median=float(np.median(rho)),
    )  # fmt: skip


def top1(name: str, samples: int = 1000, seed: int = EVAL_SEED, batch: int = 250) -> float:
    """Top-1 accuracy of the bundled model on held-out images and their true labels, without
    the Grad-CAM passes of `evaluate` (what the card quotes for the shuffled-label model)."""
    model = load_model(name, weights="DEFAULT")
    preprocess = model_info(model).preprocess
    images, labels, _ = make_arrays(samples, seed)
    x = preprocess(torch.from_numpy(images).permute(0, 3, 1, 2))  # (N, 3, 64, 64), no crop
    y = torch.from_numpy(labels)
    with torch.inference_mode():
        correct = sum(int((model(x[i : i + batch]).argmax(1) == y[i : i + batch]).sum())
                      for i in range(0, samples, batch))  # fmt: skip
    return correct / samples


@dataclass(frozen=True)
class LesionRow:
    block: str
    projection: bool
    mean_delta: float  # mean change of the true class's probability with the branch removed
    flips: float  # share of images whose top-1 class changes


def lesion_study(name: str, samples: int = 100, seed: int = EVAL_SEED) -> list[LesionRow]:
    """Veit et al.'s lesion study on held-out images: each block's residual branch removed."""
    model = load_model(name, weights="DEFAULT")
    images, labels, _ = make_samples(samples, seed)
    totals: dict[str, list[float]] = {}
    kinds: dict[str, bool] = {}
    for image, label in zip(images, labels, strict=True):
        for r in shortcuts(image, model, target=int(label)):
            row = totals.setdefault(r.block, [0.0, 0.0])
            row[0] += r.lesion_delta / samples
            row[1] += r.lesion_top1_changed / samples
            kinds[r.block] = r.projection
    return [LesionRow(block, kinds[block], d, f) for block, (d, f) in totals.items()]


def lesion_report(rows: dict[str, list[LesionRow]], samples: int) -> str:
    lines = [
        f"lesion study on {samples} held-out images: each block's residual branch removed",
        "model            block     shortcut    mean Δp(true class)   top-1 changes",
    ]
    for name, study in rows.items():
        for r in study:
            kind = "projection" if r.projection else "identity"
            lines.append(f"{name:<16} {r.block:<9} {kind:<10}  {r.mean_delta:+19.3f}   "
                         f"{r.flips:13.0%}")  # fmt: skip
    return "\n".join(lines)


def report(scores: list[DemoScores]) -> str:
    """The table that the model card and README quote."""
    first = scores[0]
    lines = [
        f"held-out images: {first.samples} (seed {first.seed}), Grad-CAM at {first.layer}",
        "model            top-1   pointing game   random-init pointing   "
        "Spearman trained vs random",
    ]
    for s in scores:
        lines.append(
            f"{s.model:<16} {s.accuracy:6.1%}   {s.pointing:6.1%} ({s.grid})   "
            f"{s.random_pointing:13.1%}          mean {s.spearman_mean:.3f}, "
            f"median {s.spearman_median:.3f}"
        )
    lines.append("targets: top-1 ≥ 95%, pointing game ≥ 90%, Spearman < 0.5")
    return "\n".join(lines)
