"""Faithfulness metrics against independent answers: the pointing game by closed forms, deletion
and insertion by perturbed images built pixel by pixel and a softmax worked out by hand on a
tiny hand-set model, the blur by torchvision's, and ROAD by pytorch-grad-cam's ROADCombined."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch
from pytorch_grad_cam.metrics import road as grad_cam_road
from pytorch_grad_cam.utils.model_targets import ClassifierOutputSoftmaxTarget
from torch import nn
from torchvision.transforms.v2.functional import gaussian_blur as torchvision_blur

from explorer import ExplorerError, load_model, model_info
from explorer.arch.hooks import hook_count
from explorer.demo import make_samples
from explorer.inspect.cam import gradcam_maps
from explorer.inspect.faithfulness import (
    _percentiles,
    deletion_insertion,
    dilate,
    gaussian_blur,
    pointing_hits,
    road,
    road_curves,
)

# grad-cam hands torch tensors to numpy functions
pytestmark = pytest.mark.filterwarnings("ignore:__array_wrap__:DeprecationWarning")

C, H, W, CLASSES = 3, 4, 4, 3
WEIGHTS = [[math.sin(1 + 3 * k + j) / 3 for j in range(C * H * W)] for k in range(CLASSES)]
BIAS = [0.3, -0.2, 0.1]


def _tiny() -> nn.Module:
    """A linear classifier of 3×4×4 images with hand-set weights; its dropout only acts in train
    mode, so a metric that forgot eval mode would not match the hand computation."""
    linear = nn.Linear(C * H * W, CLASSES)
    with torch.no_grad():
        linear.weight.copy_(torch.tensor(WEIGHTS))
        linear.bias.copy_(torch.tensor(BIAS))
    return nn.Sequential(nn.Flatten(), nn.Dropout(0.5), linear)


def _probability(image: list[list[list[float]]], target: int) -> float:
    """softmax(W · image + b)[target], in Python floats."""
    flat = [image[c][i][j] for c in range(C) for i in range(H) for j in range(W)]
    logits = [sum(w * v for w, v in zip(row, flat, strict=True)) + b
              for row, b in zip(WEIGHTS, BIAS, strict=True)]  # fmt: skip
    top = max(logits)
    return math.exp(logits[target] - top) / sum(math.exp(z - top) for z in logits)


def _by_hand(x: torch.Tensor, source: torch.Tensor, saliency: torch.Tensor, target: int,
             steps: int) -> list[float]:  # fmt: skip
    """The probabilities along one game: at step k the ⌊k·16/steps⌋ most salient pixels (ties
    in reading order) come from `source`, the others from `x`."""
    pixels = [(i, j) for i in range(H) for j in range(W)]
    ranked = sorted(pixels, key=lambda p: (-float(saliency[p]), p))
    scores = []
    for k in range(steps + 1):
        moved = set(ranked[: k * H * W // steps])
        image = [[[float(source[c, i, j]) if (i, j) in moved else float(x[c, i, j])
                   for j in range(W)] for i in range(H)] for c in range(C)]  # fmt: skip
        scores.append(_probability(image, target))
    return scores


def _trapezoid(scores: list[float]) -> float:
    return sum((a + b) / 2 for a, b in itertools.pairwise(scores)) / (len(scores) - 1)


# the pointing game


def test_dilation_by_a_disk():
    mask = torch.zeros(1, 9, 9, dtype=torch.bool)
    mask[0, 4, 4] = True
    assert int(dilate(mask, 2).sum()) == 13  # integer points with x² + y² ≤ 4


def test_pointing_game_uses_the_map_maximum():
    masks = torch.zeros(2, 20, 20, dtype=torch.bool)
    masks[:, 5:10, 5:10] = True
    maps = torch.zeros(2, 20, 20)
    maps[0, 7, 7] = 1.0  # on the object
    maps[1, 18, 18] = 1.0  # far from it (the 5% tolerance is 1 pixel here)
    assert pointing_hits(maps, masks).tolist() == [True, False]


def test_pointing_ties_go_to_the_first_pixel_in_reading_order():
    masks = torch.zeros(3, 20, 20, dtype=torch.bool)
    masks[0, :2, :2] = True  # the top-left corner
    masks[1:, 10:, 10:] = True
    maps = torch.zeros(3, 20, 20)  # 0 and 1: constant maps
    maps[2, 15, 15] = maps[2, 3, 3] = 1.0  # two equal peaks: (3, 3) comes first
    assert pointing_hits(maps, masks).tolist() == [True, False, False]


# deletion and insertion


@pytest.mark.parametrize("sigma", [0.02, 5 / 224, 0.1])
@pytest.mark.parametrize(("h", "w"), [(64, 64), (32, 32), (37, 45)])
def test_blur_is_torchvisions(h, w, sigma):
    x = torch.randn(2, 3, h, w)
    s = sigma * min(h, w)
    size = 2 * math.ceil(3 * s) + 1
    want = torchvision_blur(x, [size, size], [s, s])
    assert torch.allclose(gaussian_blur(x, sigma), want, atol=1e-6)


@pytest.mark.parametrize("steps", [16, 5, 3])  # 5 and 3 do not divide the 16 pixels
def test_deletion_and_insertion_by_hand(steps):
    g = torch.Generator().manual_seed(steps)
    x = torch.randn(2, C, H, W, generator=g)
    maps = torch.tensor([[0.9, 0.1, 0.5, 0.5], [0.3, 0.9, 0.0, 0.2],  # ties: 0.9, 0.5, 0.7
                         [0.5, 0.7, 0.7, 0.1], [0.0, 0.4, 0.6, 0.8]])  # fmt: skip
    maps = torch.stack([maps, maps.flip(1)])
    targets = [2, 0]
    black = torch.tensor([-1.0, -2.0, -1.5])[:, None, None]
    blur = 0.25  # σ = 1 pixel here
    model = _tiny().train()
    curves = deletion_insertion(model, x, maps, targets, steps, black, blur)
    assert model.training and all(m.training for m in model.modules()) and hook_count(model) == 0
    blurred = torchvision_blur(x, [7, 7], [1.0, 1.0])
    for n in range(2):
        deletion = _by_hand(x[n], black.expand(C, H, W), maps[n], targets[n], steps)
        insertion = _by_hand(blurred[n], x[n], maps[n], targets[n], steps)
        assert curves.deletion[n].tolist() == pytest.approx(deletion, abs=1e-6)
        assert curves.insertion[n].tolist() == pytest.approx(insertion, abs=1e-6)
        assert float(curves.deletion_auc[n]) == pytest.approx(_trapezoid(deletion), abs=1e-6)
        assert float(curves.insertion_auc[n]) == pytest.approx(_trapezoid(insertion), abs=1e-6)
    assert curves.fractions.tolist() == pytest.approx([k / steps for k in range(steps + 1)])


class _Counting(nn.Module):
    """Counts forward passes and the images in each."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model, self.batches = model, []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.batches.append(len(x))
        return self.model(x)


def test_perturbed_images_share_forward_passes():
    x, maps = torch.randn(3, C, H, W), torch.rand(3, H, W)
    model = _Counting(_tiny())
    whole = deletion_insertion(model, x, maps, [0, 1, 2], steps=4, baseline=torch.zeros(3, 1, 1))
    assert model.batches == [15, 15]  # 3 images × 5 points, per game
    model.batches.clear()
    split = deletion_insertion(model, x, maps, [0, 1, 2], 4, torch.zeros(3, 1, 1), batch=4)
    assert model.batches == [4, 4, 4, 3] * 2
    assert torch.allclose(split.deletion, whole.deletion, atol=1e-6)
    assert torch.allclose(split.insertion, whole.insertion, atol=1e-6)
    model.batches.clear()
    road(model, x, maps, [0, 1, 2], percentiles=(25, 50, 75))
    assert model.batches == [18]  # 3 images × 3 percentiles × MoRF and LeRF


def _demo_batch(n: int) -> tuple[nn.Module, torch.Tensor, torch.Tensor]:
    model = load_model("demo_basic", weights="DEFAULT")
    images, labels, _ = make_samples(n, seed=5)
    x = torch.stack([model_info(model).preprocess(image) for image in images])
    return model, x, torch.tensor(labels)


def test_the_default_baseline_is_black():
    model, x, y = _demo_batch(2)
    maps = torch.rand(2, *x.shape[-2:])
    black = model_info(model).preprocess(torch.zeros(3, *x.shape[-2:]))  # a black picture's input
    default = deletion_insertion(model, x, maps, y, steps=4)
    explicit = deletion_insertion(model, x, maps, y, steps=4, baseline=black)
    assert torch.allclose(default.deletion, explicit.deletion, atol=1e-6)
    with pytest.raises(ExplorerError, match="baseline="):
        deletion_insertion(_tiny(), torch.randn(1, C, H, W), torch.rand(1, H, W), [0])


# ROAD


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_percentiles_are_numpys_to_the_bit(dtype):
    rng = np.random.default_rng(0)
    rows = np.stack([rng.random(4096), rng.integers(0, 7, 4096) / 7, np.zeros(4096)])
    rows = rows.astype(dtype)  # ties, and 0.8 · 4095 = 3276 where float32 misses by a ulp
    percentiles = (0, 10, 12.5, 20, 33.3, 50, 60, 80, 90, 99.9, 100)
    ours = _percentiles(torch.from_numpy(rows), percentiles).numpy()
    want = np.array([[np.percentile(row, p) for p in percentiles] for row in rows])
    assert ours.dtype == dtype and np.array_equal(ours, want)


@pytest.fixture
def noiseless_grad_cam(monkeypatch):
    """pytorch-grad-cam's ROAD with its imputer's noise at 0 (its classes build the imputer
    themselves, without passing noise on)."""

    class Noiseless(grad_cam_road.NoisyLinearImputer):
        def __init__(self, noise: float = 0.0, weighting=grad_cam_road.neighbors_weights):
            super().__init__(0.0, weighting)

    monkeypatch.setattr(grad_cam_road, "NoisyLinearImputer", Noiseless)


def test_road_is_grad_cams_road_combined(noiseless_grad_cam):
    model, x, y = _demo_batch(3)
    maps = gradcam_maps(model, x, y, "layer4")  # many exact zeros: the ties fall as grad-cam's
    ours = road(model, x, maps, y, noise=0)
    targets = [ClassifierOutputSoftmaxTarget(int(c)) for c in y]
    want = grad_cam_road.ROADCombined()(x, maps.numpy(), targets, model)
    assert ours.numpy() == pytest.approx(want, abs=1e-5)


def test_road_noise_is_seeded():
    x, maps, targets = torch.randn(2, C, H, W), torch.rand(2, H, W), [0, 1]
    model = _tiny()
    first = road_curves(model, x, maps, targets, seed=3)
    again = road_curves(model, x, maps, targets, seed=3)
    split = road_curves(model, x, maps, targets, seed=3, batch=5)  # the same noise, 4 passes
    other = road_curves(model, x, maps, targets, seed=4)
    assert torch.equal(first.morf, again.morf) and torch.equal(first.lerf, again.lerf)
    assert torch.allclose(first.morf, split.morf, atol=1e-6)
    assert torch.allclose(first.lerf, split.lerf, atol=1e-6)
    assert (first.morf - other.morf).abs().max() > 1e-3


def test_road_of_a_constant_map_is_zero():
    """Neither order ranks anything: both impute every pixel, to the same image."""
    x = torch.randn(2, C, H, W)
    score = road(_tiny(), x, torch.ones(2, H, W), [0, 2], noise=0)
    assert score.tolist() == [0.0, 0.0]
