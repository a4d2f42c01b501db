"""The demo models' weights and model card, shipped inside the package (models/demo_weights/) and
found with importlib.resources, so an installed wheel has them wherever it was installed.

`EXPLORER_DEMO_WEIGHTS` names another folder (training writes there; a test points it at an empty
one). Reading a file's metadata loads no torch.
"""

from __future__ import annotations

import atexit
import json
import os
from contextlib import ExitStack
from functools import cache
from importlib.resources import as_file, files
from pathlib import Path

from safetensors import safe_open

from ..arch.registry import TRAINED_ON_SHAPES

FOLDER_ENV = "EXPLORER_DEMO_WEIGHTS"
FOLDER = "demo_weights"  # beside this module, inside the package
CARD = "DEMO_MODELS.md"
SALIENCY = "SALIENCY.json"  # the saliency methods scored on held-out shapes (demo/saliency.py)

_extracted = ExitStack()  # a zipped install extracts a file once, for the process's lifetime
atexit.register(_extracted.close)


def folder() -> Path:
    """Where the bundled weights live (and where training writes them)."""
    override = os.environ.get(FOLDER_ENV)
    return Path(override) if override else Path(str(files(__package__) / FOLDER))


@cache
def _packaged_at(folder: tuple[str, ...], filename: str) -> Path:
    """A file under the explorer package. In an unpacked install (the usual case) it is the
    file itself; in a zip, a copy of it."""
    root = files(__package__.rpartition(".")[0])
    return _extracted.enter_context(as_file(root.joinpath(*folder, filename)))


def _packaged(filename: str) -> Path:
    return _packaged_at(("models", FOLDER), filename)


def bundled_file(filename: str) -> Path:
    """A file of the bundled folder as a real path ("demo_basic.safetensors", the card)."""
    if os.environ.get(FOLDER_ENV):
        return folder() / filename
    return _packaged(filename)


# The degradation experiment's four trained networks live beside its curves (experiments/
# weights/); found here by their place in the package, without importing the experiment's code.
TRAINED_FOLDER = ("experiments", "weights")
TRAINED_CARD = "MODEL_CARD.md"


def trained_file(filename: str) -> Path:
    """A file of the experiment's weights folder as a real path."""
    return _packaged_at(TRAINED_FOLDER, filename)


def bundled_weights(name: str) -> Path:
    """The shipped weights of a demo model, or of one of the experiment's networks."""
    if name in TRAINED_ON_SHAPES:
        return trained_file(f"{name}.safetensors")
    return bundled_file(f"{name}.safetensors")


def model_card() -> Path:
    """DEMO_MODELS.md: how the demo models were trained and how well they do, every number
    measured by `python -m explorer.demo train`."""
    return bundled_file(CARD)


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
