"""The files the page writes: lossless PNGs where they are downloads, JPEGs for pictures only
shown, named by content, and pruned after an hour like Gradio's own."""

from __future__ import annotations

import os
import time

import numpy as np
from PIL import Image

from explorer.demo import make_samples
from explorer.web import files, limits, page


def test_pictures_are_named_by_content_and_pngs_are_lossless():
    image = make_samples(1, seed=3)[0][0].resize((320, 320))
    png, again = files.save_picture(image, "a"), files.save_picture(image.copy(), "a")
    assert png == again and png.suffix == ".png"  # the same picture: one file
    assert np.array_equal(np.asarray(Image.open(png)), np.asarray(image))  # every pixel kept
    jpg = files.save_picture(image, "a", "jpg")
    assert jpg.suffix == ".jpg" and Image.open(jpg).format == "JPEG"
    error = np.abs(np.asarray(Image.open(jpg), float) - np.asarray(image, float)).mean()
    assert error < 4  # quality 90: a few levels of 255 on average
    other = files.save_picture(make_samples(1, seed=4)[0][0].resize((320, 320)), "a")
    assert other != png


def test_temporary_files_are_cleaned_up(monkeypatch):
    demo = page.build()
    assert demo.delete_cache == limits.DELETE_CACHE  # Gradio's own files: hourly
    monkeypatch.setattr(files, "PRUNE_EVERY_S", 0.0)
    fresh = files.save_picture(make_samples(1, seed=5)[0][0], "fresh")
    old = files.save_picture(make_samples(1, seed=6)[0][0], "old")
    old_jpg = files.save_picture(make_samples(1, seed=6)[0][0], "old", "jpg")
    past = time.time() - files.EXPORT_TTL_S - 60
    os.utime(old, (past, past))
    os.utime(old_jpg, (past, past))
    files.save_picture(make_samples(1, seed=7)[0][0], "trigger")  # a save prunes the folder
    assert fresh.exists() and not old.exists() and not old_jpg.exists()
    # ... at most once per PRUNE_EVERY_S: a busy class does not list the folder every time
    monkeypatch.setattr(files, "PRUNE_EVERY_S", 3600.0)
    os.utime(fresh, (past, past))
    files.save_picture(make_samples(1, seed=8)[0][0], "soon")
    assert fresh.exists()
