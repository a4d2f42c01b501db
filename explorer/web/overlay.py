"""Pictures made from explanations: the CAM over the model's input crop, the raw map as a
lossless 16-bit PNG, grids of a stage's strongest feature maps, and strips that put one picture
per stage side by side under a caption (one file for the page instead of four).

numpy and Pillow only (colours from figures.colormap_lut). Small crops, such as the demo models'
64 pixels, are enlarged without smoothing so that the page shows what the model really saw.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .figures import colormap_lut, diverging_lut

if TYPE_CHECKING:  # records only; renderers never touch a model, nor import torch
    from ..inspect.erf import ReceptiveField
    from ..inspect.explain import StageFeatures

DISPLAY = 320  # pixels: the side of the pictures on the page
CAPTION = 22  # pixels: the band under each panel of a strip (the page's label covers the top)
GAP = 6  # pixels between the panels of a strip


def _enlarge(img: Image.Image, size: int) -> Image.Image:
    resample = Image.Resampling.NEAREST if size >= 2 * img.width else Image.Resampling.LANCZOS
    return img.resize((size, size), resample)


def colorize(values: np.ndarray, colormap: str) -> Image.Image:
    """Values in [0, 1] (H, W) as an RGB picture."""
    index = np.clip(np.round(values * 255), 0, 255).astype(np.uint8)
    return Image.fromarray(colormap_lut(colormap)[index])


def overlay(crop: Image.Image, cam: np.ndarray, opacity: float = 0.5, colormap: str = "Jet",
            size: int = DISPLAY) -> Image.Image:  # fmt: skip
    """The CAM blended over the crop the model saw; opacity 0 shows the crop alone."""
    base = _enlarge(crop.convert("RGB"), size)
    heat = colorize(cam, colormap).resize((size, size), Image.Resampling.BILINEAR)
    return Image.blend(base, heat, float(np.clip(opacity, 0, 1)))


def map_image(cam: np.ndarray) -> Image.Image:
    """The raw map as a 16-bit grayscale image (PNG keeps it losslessly): 65535 is the maximum."""
    return Image.fromarray(np.round(np.clip(cam, 0, 1) * 65535).astype(np.uint16))


def feature_grid(f: StageFeatures, colormap: str = "Viridis", columns: int = 4,
                 cell: int = 72) -> Image.Image:  # fmt: skip
    """A stage's strongest channels side by side, each on its own scale."""
    rows = -(-len(f.maps) // columns)
    grid = Image.new("RGB", (columns * (cell + 2), rows * (cell + 2)), (255, 255, 255))
    for i, channel in enumerate(f.maps):
        tile = colorize(channel, colormap).resize((cell, cell), Image.Resampling.NEAREST)
        grid.paste(tile, ((i % columns) * (cell + 2) + 1, (i // columns) * (cell + 2) + 1))
    return grid


@cache
def _font() -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=14)  # Pillow's own font: nothing to install or download


def strip(panels: list[tuple[Image.Image, str]]) -> Image.Image:
    """Panels left to right on white, each above its caption. Captions are stage names and
    ASCII numbers, the same in every language (Pillow's font has no Chinese, nor "×")."""
    width = sum(img.width for img, _ in panels) + GAP * (len(panels) - 1)
    height = CAPTION + max(img.height for img, _ in panels)
    out = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(out)
    x = 0
    for img, caption in panels:
        out.paste(img.convert("RGB"), (x, 0))
        draw.text((x + 2, height - CAPTION + 3), caption, fill=(31, 41, 55), font=_font())
        x += img.width + GAP
    return out


BLOCK_PANEL = 224  # pixels: each of a block's four maps (four fit a 1024 px projector's row)


def signed_map(values: np.ndarray, scale: float, size: int = BLOCK_PANEL) -> Image.Image:
    """A map whose sign matters on a fixed scale: −scale blue, 0 white, +scale red; enlarged
    without smoothing, so that each position is one square (a click finds it)."""
    unit = np.clip(values / scale, -1, 1) if scale > 0 else np.zeros_like(values)
    index = np.round((unit + 1) / 2 * 255).astype(np.uint8)
    return Image.fromarray(diverging_lut()[index]).resize((size, size), Image.Resampling.NEAREST)


def no_map(size: int = BLOCK_PANEL) -> Image.Image:
    """The place of a map that does not exist (a plain block's shortcut): grey hatching."""
    out = Image.new("RGB", (size, size), (243, 244, 246))
    draw = ImageDraw.Draw(out)
    for x in range(-size, size, 14):
        draw.line([(x, size), (x + size, 0)], fill=(209, 213, 219), width=2)
    return out


def _dashed_square(draw: ImageDraw.ImageDraw, box: tuple[float, float, float, float],
                   color: tuple[int, int, int], dash: int = 6) -> None:  # fmt: skip
    left, top, right, bottom = box
    for (x0, y0), (x1, y1) in (
        ((left, top), (right, top)),
        ((right, top), (right, bottom)),
        ((right, bottom), (left, bottom)),
        ((left, bottom), (left, top)),
    ):
        length = max(abs(x1 - x0), abs(y1 - y0))
        steps = max(int(length // dash), 1)
        for i in range(0, steps, 2):
            a, b = i / steps, min((i + 1) / steps, 1.0)
            draw.line([(x0 + (x1 - x0) * a, y0 + (y1 - y0) * a),
                       (x0 + (x1 - x0) * b, y0 + (y1 - y0) * b)], fill=color, width=2)  # fmt: skip


def erf_picture(rf: ReceptiveField, size: int = DISPLAY) -> Image.Image:
    """The photo with the unit's effective field as a heat map (opaque where the gradient is
    strong), its theoretical field as a square (clipped to the picture) and the squares that hold
    50% and 90% of the gradient, dashed."""
    base = _enlarge(rf.image.convert("RGB"), size)
    peak = float(rf.map.max())
    weight = rf.map / peak if peak > 0 else np.zeros_like(rf.map)
    heat = colorize(weight, "Inferno").resize((size, size), Image.Resampling.NEAREST)
    alpha = Image.fromarray(np.round(np.sqrt(weight) * 200).astype(np.uint8))
    base.paste(heat, (0, 0), alpha.resize((size, size), Image.Resampling.NEAREST))
    draw = ImageDraw.Draw(base)
    s = size / rf.map.shape[0]
    top, left, bottom, right = rf.box
    square = (max(left, 0) * s, max(top, 0) * s, min(right + 1, rf.map.shape[1]) * s - 1,
              min(bottom + 1, rf.map.shape[0]) * s - 1)  # fmt: skip
    draw.rectangle(square, outline=(0, 0, 0), width=4)
    draw.rectangle(square, outline=(255, 255, 255), width=2)
    cy, cx = rf.centre
    for side, color in ((rf.side90, (56, 189, 248)), (rf.side50, (34, 197, 94))):
        if side > 0:
            half = side / 2
            _dashed_square(draw, ((cx + 0.5 - half) * s, (cy + 0.5 - half) * s,
                                  (cx + 0.5 + half) * s, (cy + 0.5 + half) * s), color)  # fmt: skip
    r = max(3, s / 2)
    draw.ellipse([((cx + 0.5) * s - r, (cy + 0.5) * s - r), ((cx + 0.5) * s + r,
                                                             (cy + 0.5) * s + r)],
                 outline=(255, 255, 255), width=2)  # fmt: skip
    return base
