"""The aggregate of a batch run's Parquet file: per block, the mean and spread over the images of
the lesion effect, the gradient share through the shortcut and ‖F‖/‖S‖; per path length, the
gradient's share; the classes predicted; where the saliency maps peak. Images with an error are
left out and counted.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq


@dataclass(frozen=True)
class Stat:
    """Mean and standard deviation over the images (ddof 1; 0 for one image)."""

    name: str  # a block, a path length "k=3", a class
    n: int
    mean: float
    std: float


@dataclass(frozen=True)
class BatchSummary:
    task: str
    model: str
    images: int
    errors: int
    # block → statistic name → Stat: lesion_delta, grad_share_shortcut, ratio (shortcuts),
    # lesion_delta, lesion_top1_changed (lesions)
    blocks: tuple[tuple[str, tuple[Stat, ...]], ...] = ()
    path_lengths: tuple[Stat, ...] = ()  # shortcuts: the gradient's share by path length
    classes: tuple[tuple[str, int], ...] = ()  # predict: label → images, most first
    prob: Stat | None = None  # the target's probability
    peak: tuple[Stat, Stat] | None = None  # attribute: the map's peak (row, col)
    mean_map: np.ndarray | None = None  # attribute: the mean |map|, when all maps share a shape


def _stat(name: str, values: list[float]) -> Stat:
    v = np.asarray([x for x in values if x is not None and np.isfinite(x)], dtype=np.float64)
    if v.size == 0:
        return Stat(name, 0, float("nan"), float("nan"))
    return Stat(name, int(v.size), float(v.mean()), float(v.std(ddof=1)) if v.size > 1 else 0.0)


BLOCK_STATS = {
    "shortcuts": ("lesion_delta", "grad_share_shortcut", "ratio"),
    "lesions": ("lesion_delta", "lesion_top1_changed"),
}


def summarize(path: str | Path) -> BatchSummary:
    """The aggregate, reading only the columns it needs (an attribute run's maps batch by
    batch)."""
    file = pq.ParquetFile(path)
    task = _task(file.schema_arrow.names)
    head = ["image", "error", "model", "prob"]
    wanted = {"shortcuts": ["blocks", *BLOCK_STATS["shortcuts"], "gradient_by_length"],
              "lesions": ["blocks", *BLOCK_STATS["lesions"]], "predict": ["label"],
              "attribute": ["peak_row", "peak_col", "map_shape"]}[task]  # fmt: skip
    rows = file.read(columns=head + wanted).to_pylist()
    ok = [r for r in rows if r["error"] is None]
    model = rows[0]["model"] if rows else ""
    out: dict = {"task": task, "model": model, "images": len(rows),
                 "errors": len(rows) - len(ok),
                 "prob": _stat("prob", [r["prob"] for r in ok])}  # fmt: skip
    if task in BLOCK_STATS and ok:
        names = ok[0]["blocks"]
        out["blocks"] = tuple(
            (block, tuple(_stat(key, [float(r[key][i]) if r[key][i] is not None else None
                                      for r in ok if r["blocks"] == names])
                          for key in BLOCK_STATS[task]))
            for i, block in enumerate(names)
        )  # fmt: skip
    if task == "shortcuts" and ok:
        n = len(ok[0]["gradient_by_length"])
        out["path_lengths"] = tuple(_stat(f"k={k}", [r["gradient_by_length"][k] for r in ok])
                                    for k in range(n))  # fmt: skip
    if task == "predict":
        out["classes"] = tuple(Counter(r["label"] for r in ok).most_common())
    if task == "attribute" and ok:
        out["peak"] = (_stat("row", [r["peak_row"] for r in ok]),
                       _stat("col", [r["peak_col"] for r in ok]))  # fmt: skip
        shapes = {tuple(r["map_shape"]) for r in ok}
        if len(shapes) == 1:
            out["mean_map"] = _mean_map(file, shapes.pop())
    return BatchSummary(**out)


def _mean_map(file: pq.ParquetFile, shape: tuple[int, ...]) -> np.ndarray:
    """The mean of the maps' |map| / max |map|, one batch of rows at a time."""
    total, count = np.zeros(shape, np.float64), 0
    for batch in file.iter_batches(columns=["error", "map"], batch_size=64):
        for error, values in zip(batch.column("error").to_pylist(),
                                 batch.column("map").to_pylist(), strict=True):  # fmt: skip
            if error is None:
                m = np.abs(np.asarray(values, np.float64)).reshape(shape)
                total += m / m.max() if m.max() > 0 else m
                count += 1
    return (total / max(count, 1)).astype(np.float32)


def _task(columns: list[str]) -> str:
    if "top5_label" in columns:
        return "predict"
    if "gradient_by_length" in columns:
        return "shortcuts"
    if "map" in columns:
        return "attribute"
    return "lesions"
