"""The degradation experiment's data: ten classes of shapes on 32×32 cluttered images.

The demo models' shapes made harder: two more classes (a pentagon beside the hexagon and circle,
a thin diamond beside the square), smaller objects (radius 20-40% of the side, the demo's 18-32%
of a 64-pixel image), and 32×32 pixels like CIFAR-10, drawn at 64 and averaged down, so that the
clutter and the edges blur together. Every sample is a pure function of (seed, index), generated
offline in seconds; nothing is downloaded.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from ..arch.registry import SHAPES32_CLASSES
from ..demo.data import SIZE as DRAWN
from ..demo.data import _background, _distractors, _outline, _regular, paint_shape

CLASSES = SHAPES32_CLASSES  # the registry's: the shipped networks' outputs, in this order
SIZE = 32  # pixels of a sample, as CIFAR-10's
RADIUS = (0.2, 0.4)  # object circumradius as a fraction of the side
MIN_CONTRAST = 110.0  # RGB distance between the object and the background it covers
HELDOUT = 300  # images of the fixed held-out set that the lesion experiments measure


def _shape(label: str, r: float) -> list[tuple[float, float]] | None:
    if label == "pentagon":
        return _regular(5, r)
    if label == "diamond":
        return [(r, 0.0), (0.0, 0.45 * r), (-r, 0.0), (0.0, -0.45 * r)]
    return _outline(label, r)


def sample(seed: int, index: int) -> tuple[np.ndarray, int]:
    """Image (32, 32, 3) uint8 and label of sample `index` of data set `seed`."""
    rng = np.random.default_rng([seed, index, SIZE])
    label = int(rng.integers(len(CLASSES)))
    canvas = Image.fromarray(_background(rng))
    _distractors(ImageDraw.Draw(canvas), rng)
    img = np.array(canvas)
    paint_shape(img, rng, lambda r: _shape(CLASSES[label], r), RADIUS, MIN_CONTRAST)
    f = DRAWN // SIZE  # average f×f pixels: the object's edge becomes antialiased
    small = img.reshape(SIZE, f, SIZE, f, 3).astype(np.float32).mean((1, 3))
    return np.round(small).astype(np.uint8), label


def make_arrays(n: int, seed: int, start: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Samples start..start+n: images (N, 32, 32, 3) uint8 and labels (N,) int64."""
    out = [sample(seed, i) for i in range(start, start + n)]
    return np.stack([o[0] for o in out]), np.array([o[1] for o in out], dtype=np.int64)
