"""Map-level faithfulness: does a saliency map rank the pixels the model relies on? The pointing
game, Petsiuk et al.'s deletion and insertion curves and Rong et al.'s ROAD score a given map by
what the model does when pixels leave or enter in the map's order. Everything takes preprocessed
batches on the model's device and returns tensors on the CPU; it computes no map itself and
never imports demo/.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ..arch.hooks import hooked
from ..errors import ExplorerError
from ..models.loading import INFO_ATTR
from .deadline import check
from .imputation import linear_impute

POINTING_TOLERANCE = 0.05  # of the image side: a peak this close to the object still counts
BLUR_SIGMA = 5 / 224  # of the image side: Petsiuk et al.'s σ = 5 px on 224 px inputs
PERCENTILES = (10, 20, 30, 40, 50, 60, 70, 80, 90)  # pytorch-grad-cam's and Rong et al.'s


def dilate(masks: torch.Tensor, radius: int) -> torch.Tensor:
    """Binary masks (N, H, W) grown by a disk of `radius` pixels."""
    grid = torch.arange(-radius, radius + 1, device=masks.device)
    disk = ((grid[:, None] ** 2 + grid[None, :] ** 2) <= radius**2).float()[None, None]
    return F.conv2d(masks.float()[:, None], disk, padding=radius)[:, 0] > 0  # (N, H, W)


def pointing_hits(maps: torch.Tensor, masks: torch.Tensor) -> torch.Tensor:
    """Whether each map's maximum (N,) lies on its mask dilated by 5% of the image side. Of tied
    maxima the first in row-major order counts, so a constant map points at the top-left pixel."""
    grown = dilate(masks, round(POINTING_TOLERANCE * masks.shape[-1]))
    peak = maps.flatten(1).argmax(1)  # torch documents argmax as the first of equal maxima
    return grown.flatten(1)[torch.arange(len(maps), device=grown.device), peak.to(grown.device)]


def _target_probabilities(model: nn.Module, targets: torch.Tensor, per: int, batch: int,
                          make: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
                          ) -> torch.Tensor:  # fmt: skip
    """The softmax probability of each image's target class on `per` perturbed copies of it,
    (N, per) on the CPU. make(image indices, copy indices) builds a batch of copies; `batch`
    copies share each forward pass, copies of different images included."""
    total = len(targets) * per
    chunks = []
    with hooked(model), torch.inference_mode():  # eval mode whatever the caller left
        for start in range(0, total, batch):
            check()
            jobs = torch.arange(start, min(start + batch, total), device=targets.device)
            logits = model(make(jobs // per, jobs % per)).float()  # (b, classes)
            chunks.append(logits.softmax(1).gather(1, targets[jobs // per, None])[:, 0])
    return torch.cat(chunks).view(len(targets), per).cpu()


def _check_shapes(x: torch.Tensor, maps: torch.Tensor, targets: torch.Tensor) -> None:
    if x.ndim != 4 or maps.shape != (x.shape[0], *x.shape[2:]) or targets.shape != x.shape[:1]:
        shapes = f"{tuple(x.shape)}, {tuple(maps.shape)} and {tuple(targets.shape)}"
        raise ValueError(f"need x (N, C, H, W), maps (N, H, W) and targets (N,); got {shapes}")


def black(model: nn.Module) -> torch.Tensor:
    """A black image in the normalised space of a model that explorer loaded, (3, 1, 1):
    (0 - mean) / std of its weights' own preprocessing."""
    info = getattr(model, INFO_ATTR, None)
    if info is None:
        raise ExplorerError(
            "this model was not loaded by explorer.load_model, so its black is unknown; pass "
            "baseline=(0 - mean) / std of its preprocessing, shaped (3, 1, 1)."
        )
    mean, std = torch.tensor(info.preprocess.mean), torch.tensor(info.preprocess.std)
    return ((0 - mean) / std)[:, None, None]


def gaussian_blur(x: torch.Tensor, sigma: float) -> torch.Tensor:
    """x (N, C, H, W) blurred by a Gaussian of standard deviation `sigma` × the shorter side,
    cut at 3σ, with reflected borders: torchvision's gaussian_blur with kernel 2⌈3σ⌉ + 1."""
    h, w = x.shape[-2:]
    s = sigma * min(h, w)  # in pixels
    radius = min(math.ceil(3 * s), min(h, w) - 1)  # reflection needs a pad below the side
    if radius == 0:  # σ = 0, or a single row or column: nothing to spread over
        return x.clone()
    taps = torch.linspace(-radius, radius, 2 * radius + 1, device=x.device, dtype=x.dtype)
    kernel = torch.exp(-0.5 * (taps / s) ** 2)
    kernel = kernel / kernel.sum()
    flat = F.pad(x.reshape(-1, 1, h, w), [radius] * 4, mode="reflect")
    flat = F.conv2d(F.conv2d(flat, kernel.view(1, 1, 1, -1)), kernel.view(1, 1, -1, 1))
    return flat.view_as(x)


@dataclass(frozen=True)
class Curves:
    """Deletion and insertion curves: the target's probability at each fraction of pixels moved.
    Deletion removes the most salient pixels first (a faithful map falls fast: low AUC is good);
    insertion puts them back into a blurred image first (it rises fast: high AUC is good)."""

    fractions: torch.Tensor  # (S + 1,) pixels moved at each point: 0, 1/S, …, 1
    deletion: torch.Tensor  # (N, S + 1) probability of the target class, most salient removed
    insertion: torch.Tensor  # (N, S + 1) the same, most salient put back into the blurred image

    @property
    def deletion_auc(self) -> torch.Tensor:
        """(N,) the trapezoid mean of the deletion curve, in [0, 1]."""
        return _trapezoid(self.deletion)

    @property
    def insertion_auc(self) -> torch.Tensor:
        """(N,) the trapezoid mean of the insertion curve, in [0, 1]."""
        return _trapezoid(self.insertion)


def _trapezoid(curves: torch.Tensor) -> torch.Tensor:
    """Area under equally spaced points over [0, 1], as Petsiuk et al.'s auc()."""
    return (curves[:, :-1] + curves[:, 1:]).sum(1) / (2 * (curves.shape[1] - 1))


def deletion_insertion(model: nn.Module, x: torch.Tensor, maps: torch.Tensor,
                       targets: torch.Tensor | Sequence[int], steps: int = 16,
                       baseline: torch.Tensor | None = None, blur_sigma: float = BLUR_SIGMA,
                       batch: int = 64) -> Curves:  # fmt: skip
    """Petsiuk et al. 2018 (RISE), per image of x (N, C, H, W) and its map (N, H, W).

    Pixels are ranked by the map, highest first, equal values in row-major order. At point k of
    0…steps the top ⌊k·H·W / steps⌋ pixels (all channels) are moved: deletion replaces them with
    `baseline` (broadcastable to x; None: black, for a model that explorer loaded), insertion
    copies them from x into x blurred by `blur_sigma` (see gaussian_blur). The score is the
    softmax probability of `targets`; AUCs are `Curves.deletion_auc` and `.insertion_auc`.
    2·N·(steps + 1) images run through the model, `batch` per forward pass.
    """
    targets = torch.as_tensor(targets, device=x.device)
    _check_shapes(x, maps, targets)
    n, _, h, w = x.shape
    base = torch.broadcast_to((black(model) if baseline is None else baseline).to(x), x.shape)
    salience = maps.detach().to(x.device).flatten(1)  # (N, HW)
    order = salience.sort(dim=1, descending=True, stable=True).indices  # ties: reading order
    places = torch.arange(h * w, device=x.device).expand(n, -1)
    rank = torch.empty_like(order).scatter_(1, order, places)  # (N, HW), 0 = most salient
    counts = torch.arange(steps + 1, device=x.device) * (h * w) // steps  # (S + 1,)
    with torch.inference_mode():
        blurred = gaussian_blur(x, blur_sigma)  # (N, C, H, W)

    def game(start: torch.Tensor, finish: torch.Tensor) -> torch.Tensor:
        def make(i: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
            moved = (rank[i] < counts[k, None]).view(-1, 1, h, w)  # (b, 1, H, W)
            return torch.where(moved, finish[i], start[i])  # (b, C, H, W)

        return _target_probabilities(model, targets, steps + 1, batch, make)

    fractions = torch.arange(steps + 1) / steps
    return Curves(fractions, deletion=game(x, base), insertion=game(blurred, x))


@dataclass(frozen=True)
class RoadCurves:
    """ROAD's probabilities of the target class after noisy linear imputation, per percentile p
    of the map, exactly as pytorch-grad-cam's ROADMostRelevantFirst / ROADLeastRelevantFirst
    choose the pixels: MoRF imputes every pixel whose value is not below the map's p-th
    percentile (the top 100 − p %), LeRF every pixel whose 1 − value is not below the p-th
    percentile of 1 − map (the bottom 100 − p %)."""

    percentiles: tuple[float, ...]  # p of each column, 0-100
    morf: torch.Tensor  # (N, P) most relevant imputed: a faithful map makes these low
    lerf: torch.Tensor  # (N, P) least relevant imputed: a faithful map keeps these high

    @property
    def combined(self) -> torch.Tensor:
        """(N,) pytorch-grad-cam's ROADCombined: (mean LeRF − mean MoRF) / 2, higher is better.
        Its scores are each differences from the intact image's, which cancel here."""
        return (self.lerf - self.morf).mean(1) / 2


def _percentiles(values: torch.Tensor, percentiles: Sequence[float]) -> torch.Tensor:
    """(..., P) np.percentile's default ("linear") of each row of values (..., K), to the bit:
    its index (K - 1)·p/100 in float64, its interpolation weight rounded to the values' dtype
    (torch.quantile's float32 index lands a ulp above a tied value and keeps it by mistake)."""
    ordered = values.sort(dim=-1).values
    last = values.shape[-1] - 1
    rows = []
    for p in percentiles:
        index = last * (p / 100)
        low = min(math.floor(index), last)
        a, b = ordered[..., low], ordered[..., min(low + 1, last)]
        t = index - low
        weight = torch.tensor(t if t < 0.5 else 1 - t, dtype=values.dtype, device=values.device)
        rows.append(a + (b - a) * weight if t < 0.5 else b - (b - a) * weight)
    return torch.stack(rows, -1)


def road_curves(model: nn.Module, x: torch.Tensor, maps: torch.Tensor,
                targets: torch.Tensor | Sequence[int], percentiles: Sequence[float] = PERCENTILES,
                noise: float = 0.01, seed: int = 0, batch: int = 64) -> RoadCurves:  # fmt: skip
    """Rong et al. 2022's ROAD on x (N, C, H, W) with maps (N, H, W): see RoadCurves. Imputed
    pixels get Gaussian noise of standard deviation `noise` (in x's units), drawn from `seed`
    per image and percentile: the noise depends neither on `batch` nor on the device.
    2·N·P images run through the model, `batch` per forward pass (each imputed first).

    Rong et al. impute the p % most (least) relevant pixels where pytorch-grad-cam imputes
    100 − p %; over percentiles symmetric about 50, as the default, the means are the same."""
    targets = torch.as_tensor(targets, device=x.device)
    _check_shapes(x, maps, targets)
    n, c, h, w = x.shape
    p = len(percentiles)
    dtype = torch.float64 if maps.dtype == torch.float64 else torch.float32  # as numpy would
    values = maps.detach().to(x.device, dtype)
    # MoRF ranks the map, LeRF 1 - map, each keeping what lies strictly below its percentile:
    # pytorch-grad-cam's rule, computed the same way so that ties fall on the same side
    ranked = torch.stack([values.flatten(1), 1 - values.flatten(1)], 1)  # (N, 2, HW)
    thresholds = _percentiles(ranked, percentiles)  # (N, 2, P)
    seeds = torch.randint(2**62, (n, 2 * p), generator=torch.Generator().manual_seed(seed))

    def make(i: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
        keep = (ranked[i, k // p] < thresholds[i, k // p, k % p, None]).view(-1, h, w)
        filled = linear_impute(x[i], keep)  # (b, C, H, W)
        if noise == 0:
            return filled
        draws = [torch.randn((c, h, w), generator=torch.Generator().manual_seed(int(s)))
                 for s in seeds[i.cpu(), k.cpu()]]  # fmt: skip
        eps = torch.stack(draws).to(filled)  # (b, C, H, W), drawn on the CPU for any device
        return torch.where(keep[:, None], filled, filled + noise * eps)

    probabilities = _target_probabilities(model, targets, 2 * p, batch, make)  # (N, 2P)
    return RoadCurves(tuple(percentiles), morf=probabilities[:, :p], lerf=probabilities[:, p:])


def road(model: nn.Module, x: torch.Tensor, maps: torch.Tensor,
         targets: torch.Tensor | Sequence[int], percentiles: Sequence[float] = PERCENTILES,
         noise: float = 0.01, seed: int = 0, batch: int = 64) -> torch.Tensor:  # fmt: skip
    """(N,) ROAD's combined score, pytorch-grad-cam's ROADCombined with the target's softmax
    probability as its score (ClassifierOutputSoftmaxTarget): see road_curves."""
    return road_curves(model, x, maps, targets, percentiles, noise, seed, batch).combined
