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

from .figures import colormap_lut

if TYPE_CHECKING:  # records only; renderers never touch a model, nor import torch
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
