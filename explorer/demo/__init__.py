"""The offline demo models and the synthetic data they learn from.

`make_samples(n, seed)` and `CLASSES` are the dataset's API; the bundled weights live in assets/
as safetensors whose metadata carries the preprocessing. Training and evaluation are
`python -m explorer.demo train|evaluate` (train.py, evaluate.py); importing this package loads
neither.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

from safetensors import safe_open

from .data import CLASSES, SIZE, make_samples

NAMES = ("demo_basic", "demo_bottleneck")
ASSETS_ENV = "EXPLORER_ASSETS"  # where the bundled weights are, if not the checkout's assets/


def assets_dir() -> Path:
    return Path(os.environ.get(ASSETS_ENV) or Path(__file__).resolve().parents[2] / "assets")


def bundled_weights(name: str) -> Path:
    return assets_dir() / f"{name}.safetensors"


@cache
def _metadata(path: Path, mtime_ns: int) -> dict[str, str]:
    with safe_open(str(path), framework="pt") as f:
        return dict(f.metadata() or {})


def bundled_metadata(name: str) -> dict[str, str] | None:
    """The metadata the training script stored beside the weights, or None without a file."""
    path = bundled_weights(name)
    if not path.is_file():
        return None
    return _metadata(path, path.stat().st_mtime_ns)


def normalization(name: str) -> tuple[list[float], list[float]] | None:
    """Per-channel mean and std of the training images, as stored with the weights."""
    meta = bundled_metadata(name)
    if not meta or "mean" not in meta:
        return None
    return json.loads(meta["mean"]), json.loads(meta["std"])


__all__ = ["CLASSES", "NAMES", "SIZE", "bundled_metadata", "bundled_weights", "make_samples",
           "normalization"]  # fmt: skip
