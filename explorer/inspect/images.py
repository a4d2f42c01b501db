"""Turning whatever a user uploads into an 8-bit RGB picture the model's transform can take.

Honours EXIF orientation; flattens transparency onto white; converts grayscale, palette, CMYK
and 16-bit images; takes the first frame of an animation; keeps Pillow's decompression-bomb limit
and shrinks very large images before any work. Every failure is an ExplorerError that says what
to upload instead.
"""

from __future__ import annotations

import io
import os
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ..errors import ExplorerError

MAX_FILE_BYTES = 10 * 2**20  # an image file larger than this is refused, with a message
MAX_SIDE = 2048  # larger images are shrunk first: the models see 224 px (demo: 64) anyway
MAX_ASPECT = 4  # a 10000×20 strip is cut to 80×20 around its centre before any resizing
MAX_PIXELS = Image.MAX_IMAGE_PIXELS or 89_478_485  # Pillow's own bomb limit, kept explicit

ImageInput = str | os.PathLike[str] | bytes | Image.Image


def _too_large(size: int) -> ExplorerError:
    return ExplorerError.text("err_too_large", size=size / 2**20, limit=MAX_FILE_BYTES // 2**20)


def _open(source: ImageInput) -> Image.Image:
    if isinstance(source, Image.Image):
        return source
    try:
        if isinstance(source, bytes):
            if len(source) > MAX_FILE_BYTES:
                raise _too_large(len(source))
            return Image.open(io.BytesIO(source))
        path = Path(source)
        if not path.is_file():
            raise ExplorerError.text("err_image_missing", path=path)
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _too_large(size)
        return Image.open(path)
    except UnidentifiedImageError as err:
        raise ExplorerError.text("err_not_image") from err


def _to_8bit(img: Image.Image) -> Image.Image:
    """16-bit and float images (mode I;16, I, F) scaled into 0-255 by their own range."""
    a = np.asarray(img, dtype=np.float64)
    lo, hi = float(a.min()), float(a.max())
    scaled = np.zeros_like(a) if hi <= lo else (a - lo) / (hi - lo) * 255
    return Image.fromarray(scaled.round().astype(np.uint8), mode="L")


def _trim(img: Image.Image) -> Image.Image:
    """Cut an elongated image to at most MAX_ASPECT : 1 around its centre.

    The models' centre crop, and the reach of the resize filter around it, lie inside that
    part, so the model's input is unchanged, and neither resizing nor shrinking to MAX_SIDE
    turns a long strip into a sliver.
    """
    w, h = img.size
    keep = MAX_ASPECT * min(w, h)
    if w > keep:
        left = (w - keep) // 2
        return img.crop((left, 0, left + keep, h))
    if h > keep:
        top = (h - keep) // 2
        return img.crop((0, top, w, top + keep))
    return img


def load_image(source: ImageInput) -> Image.Image:
    """An RGB image, upright, at most MAX_ASPECT : 1 around its centre and MAX_SIDE pixels on
    its longer side."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            img = _open(source)
            if img.width * img.height > MAX_PIXELS:
                raise Image.DecompressionBombError("too many pixels")
            if getattr(img, "is_animated", False):
                img.seek(0)  # an animation is explained by its first frame
            img = ImageOps.exif_transpose(img)
            img.load()
        except ExplorerError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
            raise ExplorerError.text("err_bomb", limit=MAX_PIXELS) from err
        except (OSError, SyntaxError, ValueError) as err:  # truncated or corrupt data
            raise ExplorerError.text("err_damaged", detail=str(err)) from err
    if img.width < 1 or img.height < 1:
        raise ExplorerError.text("err_empty_image")
    if img.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        img = _to_8bit(img)
    if img.mode == "P":
        img = img.convert("RGBA" if "transparency" in img.info else "RGB")
    if img.mode in ("LA", "RGBA", "PA") or (img.mode == "L" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, rgba)
    img = _trim(img.convert("RGB"))  # L, CMYK, YCbCr, RGBA-on-white, ... → RGB
    if max(img.size) > MAX_SIDE:
        img.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    return img
