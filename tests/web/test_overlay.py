"""Overlays and downloads: blending at its two ends, colours from plotly's scales, a lossless
16-bit map."""

from __future__ import annotations

import io

import numpy as np
import plotly.colors
from PIL import Image

from explorer.demo import make_samples
from explorer.inspect.explain import explain
from explorer.web.figures import COLORMAPS, colormap_lut
from explorer.web.overlay import colorize, feature_grid, map_image, overlay


def test_lut_is_plotlys_scale():
    for name in COLORMAPS:
        lut = colormap_lut(name)
        assert lut.shape == (256, 3) and lut.dtype == np.uint8
        first, last = plotly.colors.sample_colorscale(name, [0.0, 1.0])
        assert f"rgb({lut[0][0]}, {lut[0][1]}, {lut[0][2]})" == first.replace(".0", "")
        assert f"rgb({lut[-1][0]}, {lut[-1][1]}, {lut[-1][2]})" == last.replace(".0", "")


def test_opacity_ends():
    crop = Image.new("RGB", (64, 64), (10, 200, 30))
    cam = np.tile(np.linspace(0, 1, 64, dtype=np.float32), (64, 1))
    enlarged = crop.resize((128, 128), Image.Resampling.NEAREST)
    assert np.array_equal(np.asarray(overlay(crop, cam, 0.0, size=128)), np.asarray(enlarged))
    heat = colorize(cam, "Jet").resize((128, 128), Image.Resampling.BILINEAR)
    assert np.array_equal(np.asarray(overlay(crop, cam, 1.0, size=128)), np.asarray(heat))


def test_raw_map_png_is_lossless_to_one_in_65535():
    ex = explain(make_samples(1, seed=3)[0][0], "demo_basic")
    buffer = io.BytesIO()
    map_image(ex.cam).save(buffer, format="PNG")
    back = np.asarray(Image.open(io.BytesIO(buffer.getvalue()))).astype(np.float64) / 65535
    assert back.shape == ex.cam.shape and np.abs(back - ex.cam).max() <= 1 / 65535
    grid = feature_grid(ex.features[0], columns=4, cell=30)
    assert grid.size == (4 * 32, 2 * 32)  # 8 channels, a 1-pixel frame around each cell
