"""The synthetic dataset of the demo models: one shape per image, with its exact mask.

Eight classes of solid shapes (random colour, size, rotation, position) on textured, cluttered
backgrounds with distractors drawn behind them. Every sample is a pure function of (seed, index),
so any subset can be regenerated exactly. Images are generated at the models' input size.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from PIL import Image, ImageDraw

from ..arch.registry import DEMO_CLASSES, DEMO_SIZE

SIZE = DEMO_SIZE  # pixels: the demo models' input size, so preprocessing never crops
CLASSES = DEMO_CLASSES  # the registry's demo spec: demo/ depends on the registry, not the reverse
RADIUS = (0.18, 0.32)  # object circumradius as a fraction of the side: 35-64% of the image
MIN_CONTRAST = 110.0  # RGB distance between the object and the background it covers


def _rotate(points: list[tuple[float, float]], angle: float, cx: float, cy: float
            ) -> list[tuple[float, float]]:  # fmt: skip
    c, s = math.cos(angle), math.sin(angle)
    return [(cx + x * c - y * s, cy + x * s + y * c) for x, y in points]


def _regular(n: int, r: float) -> list[tuple[float, float]]:
    angles = [2 * math.pi * k / n for k in range(n)]
    return [(r * math.cos(a), r * math.sin(a)) for a in angles]


def _outline(label: str, r: float) -> list[tuple[float, float]] | None:
    """The polygon of a class in local coordinates (None for the circle)."""
    if label == "square":
        return _regular(4, r)
    if label == "triangle":
        return _regular(3, r)
    if label == "hexagon":
        return _regular(6, r)
    if label == "star":
        radii = [r if k % 2 == 0 else 0.45 * r for k in range(10)]  # tips and notches
        return [(q * math.cos(math.pi * k / 5), q * math.sin(math.pi * k / 5))
                for k, q in enumerate(radii)]  # fmt: skip
    if label == "cross":
        w = 0.3 * r
        return [(w, r), (w, w), (r, w), (r, -w), (w, -w), (w, -r), (-w, -r), (-w, -w), (-r, -w),
                (-r, w), (-w, w), (-w, r)]  # fmt: skip
    if label == "heart":  # the classic parametric heart, scaled to the circumradius, point down
        ts = [2 * math.pi * k / 40 for k in range(40)]
        return [(r * 16 * math.sin(t) ** 3 / 17,
                 -r * (13 * math.cos(t) - 5 * math.cos(2 * t) - 2 * math.cos(3 * t)
                       - math.cos(4 * t)) / 17) for t in ts]  # fmt: skip
    if label == "arrow":
        return [(-r, -0.22 * r), (0.1 * r, -0.22 * r), (0.1 * r, -0.6 * r), (r, 0.0),
                (0.1 * r, 0.6 * r), (0.1 * r, 0.22 * r), (-r, 0.22 * r)]  # fmt: skip
    return None


def _background(rng: np.random.Generator) -> np.ndarray:
    """A textured background: gradient, blotchy noise, stripes or checks, plus pixel noise."""
    yy, xx = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32) / SIZE
    a, b = rng.uniform(0, 255, 3), rng.uniform(0, 255, 3)
    kind = rng.integers(4)
    if kind == 0:  # linear gradient in a random direction
        angle = rng.uniform(0, 2 * math.pi)
        t = (xx * math.cos(angle) + yy * math.sin(angle) + 1.5) / 3
    elif kind == 1:  # low-frequency blotches: a coarse random grid, upsampled
        coarse = rng.uniform(0, 1, (6, 6)).astype(np.float32)
        t = np.asarray(Image.fromarray((coarse * 255).astype(np.uint8)).resize(
            (SIZE, SIZE), Image.BICUBIC), np.float32) / 255  # fmt: skip
    elif kind == 2:  # stripes at a random angle and period
        angle, period = rng.uniform(0, math.pi), rng.uniform(0.05, 0.2)
        t = 0.5 + 0.5 * np.sin(2 * math.pi * (xx * math.cos(angle) + yy * math.sin(angle)) / period)
    else:  # checks
        n = rng.integers(3, 9)
        t = ((np.floor(xx * n) + np.floor(yy * n)) % 2).astype(np.float32)
    img = a * (1 - t[..., None]) + b * t[..., None]
    img += rng.normal(0, 8, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


def _distractors(draw: ImageDraw.ImageDraw, rng: np.random.Generator) -> None:
    """Lines, scribbles and irregular blobs: clutter that is none of the classes."""
    for _ in range(rng.integers(3, 9)):
        color = tuple(int(v) for v in rng.integers(0, 256, 3))
        kind = rng.integers(3)
        if kind == 0:
            x0, y0, x1, y1 = rng.uniform(0, SIZE, 4)
            draw.line([(x0, y0), (x1, y1)], fill=color, width=int(rng.integers(1, 5)))
        elif kind == 1:
            points = [tuple(rng.uniform(0, SIZE, 2)) for _ in range(rng.integers(3, 6))]
            draw.line(points, fill=color, width=int(rng.integers(1, 3)))
        else:  # a lumpy blob: strong radial jitter keeps it unlike any class
            cx, cy = rng.uniform(0, SIZE, 2)
            r = rng.uniform(0.04, 0.12) * SIZE
            n = int(rng.integers(7, 12))
            radii = r * rng.uniform(0.35, 1.0, n)
            angles = [2 * math.pi * k / n for k in range(n)]
            draw.polygon([(cx + q * math.cos(a), cy + q * math.sin(a))
                          for a, q in zip(angles, radii, strict=True)], fill=color)  # fmt: skip


def paint_shape(img: np.ndarray, rng: np.random.Generator,
                outline: Callable[[float], list[tuple[float, float]] | None],
                radius: tuple[float, float] = RADIUS,
                min_contrast: float = MIN_CONTRAST) -> np.ndarray:  # fmt: skip
    """Paint one solid shape onto `img` (H, W, 3, in place), at a random size (`radius`: its
    circumradius as a fraction of the side), place and rotation, in a colour that stands out from
    what it covers; returns its exact mask. `outline(r)` is the polygon, or None for a circle."""
    side = img.shape[0]
    r = rng.uniform(*radius) * side
    cx, cy = rng.uniform(r + 2, side - r - 2, 2)
    mask_img = Image.new("L", (side, side), 0)
    draw = ImageDraw.Draw(mask_img)
    polygon = outline(r)
    if polygon is None:
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=255)
    else:
        draw.polygon(_rotate(polygon, rng.uniform(0, 2 * math.pi), cx, cy), fill=255)
    mask = np.array(mask_img) > 0

    behind = img[mask].astype(np.float32).mean(0)
    for _ in range(20):  # a colour that stands out from what it covers
        color = rng.integers(0, 256, 3)
        if np.linalg.norm(color - behind) >= min_contrast:
            break
    else:
        color = 255 - behind.astype(np.int64)
    img[mask] = color.astype(np.uint8)
    return mask


def sample(seed: int, index: int) -> tuple[np.ndarray, int, np.ndarray]:
    """Image (H, W, 3) uint8, label, and mask (H, W) bool of sample `index` of dataset `seed`."""
    rng = np.random.default_rng([seed, index])
    label = int(rng.integers(len(CLASSES)))
    canvas = Image.fromarray(_background(rng))
    _distractors(ImageDraw.Draw(canvas), rng)
    img = np.array(canvas)
    mask = paint_shape(img, rng, lambda r: _outline(CLASSES[label], r))
    return img, label, mask


def make_samples(n: int, seed: int) -> tuple[list[Image.Image], list[int], list[np.ndarray]]:
    """`n` images (PIL, RGB, SIZE×SIZE), their labels (indices into CLASSES) and exact masks."""
    images, labels, masks = [], [], []
    for i in range(n):
        img, label, mask = sample(seed, i)
        images.append(Image.fromarray(img))
        labels.append(label)
        masks.append(mask)
    return images, labels, masks


def make_arrays(n: int, seed: int, start: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Samples start..start+n as arrays: images (N, H, W, 3) uint8, labels (N,), masks (N, H, W)."""
    out = [sample(seed, i) for i in range(start, start + n)]
    return (np.stack([o[0] for o in out]), np.array([o[1] for o in out]),
            np.stack([o[2] for o in out]))  # fmt: skip
