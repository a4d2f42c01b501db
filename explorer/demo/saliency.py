"""The saliency methods scored on held-out shapes, for the demo models:
`python -m explorer.demo saliency` writes SALIENCY.json beside their weights, which the page
shows as a table.

Per model and method: deletion and insertion AUC, ROAD and the pointing game on held-out images
(seed 2, never trained on), and the cascading randomisation's end point over the same images:
the Spearman rank correlation of |map| between the model and the model with every layer
re-initialised (Adebayo et al. 2018), with, for demo_basic, its twin trained on shuffled labels.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..inspect.attribution import METHODS, saliency
from ..inspect.sanity import SEED, SHUFFLED, SURVIVES, randomisable_copy, randomise, units_of
from ..inspect.similarity import spearman_rows
from ..inspect.trust import faithfulness
from ..models.bundled import SALIENCY, bundled_file, folder
from ..models.loading import load_model, model_info
from . import NAMES
from .data import make_samples
from .evaluate import EVAL_SEED

IMAGES = 100  # held-out images per model


def _maps(model: torch.nn.Module, x: torch.Tensor, targets: torch.Tensor) -> dict[str, np.ndarray]:
    found = saliency(model, x, METHODS, None, targets)
    return {m: v.abs().flatten(1).cpu().numpy() for m, v in found.maps.items()}


def measure(samples: int = IMAGES, seed: int = EVAL_SEED,
            log: Callable[[str], None] = print) -> dict[str, Any]:  # fmt: skip
    """Every number of SALIENCY.json, measured now."""
    images, labels, masks = make_samples(samples, seed)
    rows = []
    for name in NAMES:
        start = time.perf_counter()
        model = load_model(name, "DEFAULT")
        targets = torch.tensor(labels)
        records = faithfulness(images, model, METHODS, masks=masks, targets=labels)
        x = torch.cat([model_info(model).preprocess(img)[None] for img in images])
        original = _maps(model, x, targets)
        twin = randomisable_copy(model)  # the cached model itself stays as it is
        for depth, (_, names) in enumerate(units_of(model), start=1):
            randomise(twin, names, SEED + depth)
        randomised = _maps(twin, x, targets)
        shuffled = None
        if name in SHUFFLED:
            shuffled = _maps(load_model(SHUFFLED[name], "DEFAULT"), x, targets)
        for r in records:
            rho = float(np.mean(spearman_rows(original[r.method], randomised[r.method])))
            row = {"model": name, "method": r.method, "images": r.images,
                   "deletion_auc": r.deletion_auc, "insertion_auc": r.insertion_auc,
                   "road": r.road, "pointing": r.pointing, "cascading": rho,
                   "survives": rho >= SURVIVES}  # fmt: skip
            if shuffled is not None:
                row["labels"] = float(np.mean(spearman_rows(original[r.method],
                                                            shuffled[r.method])))  # fmt: skip
            rows.append(row)
        log(f"  {name}: {time.perf_counter() - start:.0f} s")
    return {"images": samples, "seed": seed, "targets": "the true class", "rows": rows,
            "command": "python -m explorer.demo saliency"}  # fmt: skip


def save(table: dict[str, Any]) -> Path:
    path = folder() / SALIENCY
    path.write_text(json.dumps(table, indent=1) + "\n", encoding="utf-8")
    return path


def load() -> dict[str, Any] | None:
    """The shipped table, or None where the package has none."""
    path = bundled_file(SALIENCY)
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def report(table: dict[str, Any]) -> str:
    """The table as text, for the terminal and the model card."""
    lines = [f"saliency on {table['images']} held-out images (seed {table['seed']}), "
             "maps of the true class",
             "model            method                deletion↓ insertion↑   ROAD↑  pointing  "
             "ρ|map| randomised  ρ|map| shuffled labels"]  # fmt: skip
    for r in table["rows"]:
        labels = f"{r['labels']:.3f}" if "labels" in r else "-"
        lines.append(f"{r['model']:<16} {r['method']:<21} {r['deletion_auc']:9.3f} "
                     f"{r['insertion_auc']:10.3f} {r['road']:+7.3f} {r['pointing']:8.0%}  "
                     f"{r['cascading']:17.3f}  {labels:>22}")  # fmt: skip
    lines.append(f"ρ|map|: Spearman of |map| with the model's own; {SURVIVES} or more: the map "
                 "survives (it does not depend on what the model learned)")  # fmt: skip
    return "\n".join(lines)
