"""The effective receptive field against torch.func.vjp on a tiny hand-set network, its support
against the theoretical field (positive weights, average pooling: the backprop oracle), its
centre against the unit's, and the square sizes and growth fits against closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
import torchvision
from torch import nn

import explorer
from explorer.errors import ExplorerError
from explorer.inspect.erf import StageField, effective_receptive_field, growth, square_sides

from ..conftest import see_every_path


class TinyBlock(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.a = nn.Conv2d(2, 2, 3, padding=1, bias=False)
        self.b = nn.Conv2d(2, 2, 3, padding=1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(self.b(F.relu(self.a(x))) + x)


class Tiny(nn.Module):
    """A stem, two residual blocks and a head, every weight set by a formula."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 2, 3, stride=2, padding=1, bias=False)
        self.blocks = nn.Sequential(TinyBlock(), TinyBlock())
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(2, 3)
        with torch.no_grad():
            for i, p in enumerate(self.parameters()):
                n = p.numel()
                p.copy_((torch.arange(n, dtype=torch.float32).reshape(p.shape) % 7 - 3 + i) / 5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.pool(self.blocks(self.stem(x))).flatten(1))


def test_the_map_equals_a_vector_jacobian_product_by_hand():
    model = Tiny().eval()
    x = torch.rand(1, 3, 20, 20)
    i, j = 3, 6
    rf = effective_receptive_field(x, model, "blocks.0", (i, j))

    def by_hand(inp: torch.Tensor) -> torch.Tensor:  # the stem and the first block, written out
        a = model.stem(inp)
        blk = model.blocks[0]
        return F.relu(blk.b(F.relu(blk.a(a))) + a)[0, :, i, j].sum()

    _, pull = torch.func.vjp(by_hand, x)
    (g,) = pull(torch.tensor(1.0))
    np.testing.assert_allclose(rf.map, g[0].detach().abs().sum(0).numpy(), rtol=1e-5, atol=1e-7)
    assert rf.position == (i, j) and rf.grid == (10, 10)
    # stem 3×3/2, then two 3×3 convs at jump 2: 3 + 2·2 + 2·2 = 11 pixels; centres at 2·i
    assert rf.theoretical == 11 and rf.centre == (6.0, 12.0)


def _support(m: np.ndarray) -> tuple[int, int, int, int]:
    rows, cols = np.nonzero(m)
    return int(rows.min()), int(cols.min()), int(rows.max()), int(cols.max())


@pytest.mark.parametrize("layer", ["layer1", "layer2", "layer2.0", "layer3.0"])
def test_with_positive_weights_the_support_is_the_theoretical_field(layer):
    model = see_every_path(torchvision.models.resnet18()).double()
    x = torch.rand(1, 3, 224, 224, dtype=torch.float64) + 0.5  # every ReLU passes
    rf = effective_receptive_field(x, model, layer)
    top, left, bottom, right = rf.box
    assert _support(rf.map) == (max(top, 0), max(left, 0), min(bottom, 223), min(right, 223))
    if bottom <= 223:  # inside the image: the whole field, as the backprop oracle measures it
        assert bottom - top + 1 == rf.theoretical
    # centred on the unit: a symmetric field's centre of mass is the unit's centre
    rows, cols = np.mgrid[0:224, 0:224]
    mass = rf.map / rf.map.sum()
    centroid = float((rows * mass).sum()), float((cols * mass).sum())
    if top >= 0 and bottom <= 223:
        assert centroid == pytest.approx(rf.centre, abs=0.5)
    assert rf.side50 <= rf.side90 <= rf.theoretical


def test_square_sides_against_closed_forms():
    point = np.zeros((9, 9))
    point[4, 4] = 1
    assert square_sides(point, (4, 4)) == (1.0, 1.0)
    flat = np.ones((11, 11))  # 50% needs 60.5 of 121 pixels: 9×9; 90%: 108.9, so 11×11
    assert square_sides(flat, (5, 5)) == (9.0, 11.0)
    assert square_sides(np.zeros((4, 4)), (2, 2)) == (0.0, 0.0)
    ring = np.zeros((9, 9))
    ring[1, 4] = ring[7, 4] = 1  # the mass sits 3 pixels from the centre: a 7×7 square
    assert square_sides(ring, (4, 4)) == (7.0, 7.0)


def test_growth_recovers_the_exponents_it_was_built_with():
    depths = [4, 16, 64]
    stages = tuple(StageField(f"s{k}", d, 10 * d, 2 * math.sqrt(d), 3 * math.sqrt(d), 1)
                   for k, d in enumerate(depths))  # fmt: skip
    g = growth(stages)
    assert g.theoretical == pytest.approx(1.0) and g.erf90 == pytest.approx(0.5)
    assert g.erf50 == pytest.approx(0.5) and g.last_share90 == pytest.approx(24 / 640)
    assert growth(stages[:1]) is None


def test_a_demo_model_by_name_at_a_chosen_position_and_refusals():
    model = explorer.load_model("demo_basic", "DEFAULT")
    image = torch.rand(1, 3, 64, 64)
    rf = effective_receptive_field(image, model, "layer2", (2, 5))
    assert rf.trained and rf.position == (2, 5) and rf.map.shape == (64, 64)
    assert rf.map.sum() > 0 and 0 < rf.share50 <= rf.share90
    with pytest.raises(ExplorerError, match="outside"):
        effective_receptive_field(image, model, "layer2", (99, 0))
    with pytest.raises(ExplorerError, match="layer9"):
        effective_receptive_field(image, model, "layer9")


def test_bf16_autocast_on_the_cpu_keeps_the_field(monkeypatch):
    model = explorer.load_model("demo_basic", "DEFAULT")
    image = torch.rand(1, 3, 64, 64)
    full = effective_receptive_field(image, model, "layer3")
    monkeypatch.setenv("EXPLORER_AUTOCAST", "bf16")
    half = effective_receptive_field(image, model, "layer3")
    assert np.corrcoef(full.map.ravel(), half.map.ravel())[0, 1] > 0.95
    assert abs(half.side90 - full.side90) <= 4
