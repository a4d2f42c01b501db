"""The demo dataset: deterministic, balanced, and masks exactly where the objects are drawn."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from explorer.demo import CLASSES, SIZE, make_samples
from explorer.demo.data import make_arrays


def test_classes():
    assert len(CLASSES) >= 8 and len(set(CLASSES)) == len(CLASSES)


def test_samples_have_the_documented_types():
    images, labels, masks = make_samples(5, seed=11)
    assert len(images) == len(labels) == len(masks) == 5
    for img, label, mask in zip(images, labels, masks, strict=True):
        assert isinstance(img, Image.Image) and img.mode == "RGB" and img.size == (SIZE, SIZE)
        assert isinstance(label, int) and 0 <= label < len(CLASSES)
        assert mask.dtype == np.bool_ and mask.shape == (SIZE, SIZE) and mask.any()


def test_a_seed_fixes_every_pixel():
    a, b = make_samples(6, seed=3), make_samples(6, seed=3)
    assert all(x.tobytes() == y.tobytes() for x, y in zip(a[0], b[0], strict=True))
    assert a[1] == b[1] and all(np.array_equal(x, y) for x, y in zip(a[2], b[2], strict=True))
    head = make_samples(3, seed=3)  # sample i depends on (seed, i) only
    assert all(x.tobytes() == y.tobytes() for x, y in zip(head[0], a[0][:3], strict=True))
    other = make_samples(6, seed=4)
    assert not any(x.tobytes() == y.tobytes() for x, y in zip(a[0], other[0], strict=True))


def test_classes_are_balanced():
    _, labels, _ = make_arrays(800, seed=21)
    counts = np.bincount(labels, minlength=len(CLASSES))
    assert counts.min() >= 60 and counts.max() <= 140  # 100 expected per class


def _ring(mask: np.ndarray) -> np.ndarray:
    """Pixels that touch the mask from outside (4-neighbourhood)."""
    grown = mask.copy()
    grown[1:] |= mask[:-1]
    grown[:-1] |= mask[1:]
    grown[:, 1:] |= mask[:, :-1]
    grown[:, :-1] |= mask[:, 1:]
    return grown & ~mask


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_masks_are_exactly_the_drawn_objects(seed):
    images, _, masks = make_arrays(60, seed=seed)
    for img, mask in zip(images, masks, strict=True):
        inside = np.unique(img[mask], axis=0)
        assert len(inside) == 1  # the object is one solid colour, all of it under the mask
        around = img[_ring(mask)]
        same = (around == inside[0]).all(axis=1).mean()
        assert same < 0.05  # just outside the mask is background, not more object


def test_circles_are_round():
    _, labels, masks = make_arrays(200, seed=5)
    circles = [m for m, label in zip(masks, labels, strict=True) if CLASSES[label] == "circle"]
    assert len(circles) > 10
    for mask in circles:  # a disk fills π/4 of its bounding square
        rows, cols = np.flatnonzero(mask.any(1)), np.flatnonzero(mask.any(0))
        h, w = rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1
        assert abs(h - w) <= 1
        assert mask.sum() / (h * w) == pytest.approx(np.pi / 4, abs=0.05)
