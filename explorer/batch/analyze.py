"""What a batch run computes for one image: `Analyzer` (one model, loaded once) turns images into
rows of the task's Parquet schema. The same object runs in this process, in a local worker
process and in a Ray actor, so every engine writes the same rows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from ..errors import ExplorerError

TASKS = ("predict", "shortcuts", "attribute", "lesions")

_COMMON = [
    ("image", pa.string()),  # the path under --images (or as the glob matched it)
    ("error", pa.string()),  # null, or why this image has no results
    ("model", pa.string()),
    ("target", pa.int64()),  # the class measured (top-1 unless --target)
    ("label", pa.string()),
    ("prob", pa.float64()),  # the intact network's probability of it
]
_F = pa.list_(pa.float64())
SCHEMAS = {
    "predict": pa.schema([*_COMMON, ("top5_index", pa.list_(pa.int64())),
                          ("top5_label", pa.list_(pa.string())), ("top5_prob", _F)]),
    "shortcuts": pa.schema([*_COMMON, ("blocks", pa.list_(pa.string())), ("ratio", _F),
                            ("cosine", _F), ("grad_share_shortcut", _F),
                            ("grad_share_residual", _F), ("lesion_delta", _F),
                            ("lesion_top1_changed", pa.list_(pa.bool_())),
                            ("gradient_by_length", _F), ("gradient_by_length_se", _F)]),
    "attribute": pa.schema([*_COMMON, ("method", pa.string()), ("layer", pa.string()),
                            ("map_shape", pa.list_(pa.int64())),
                            ("map", pa.list_(pa.float32())), ("peak_row", pa.int64()),
                            ("peak_col", pa.int64())]),
    "lesions": pa.schema([*_COMMON, ("blocks", pa.list_(pa.string())), ("lesion_prob", _F),
                          ("lesion_delta", _F), ("lesion_top1_changed", pa.list_(pa.bool_()))]),
}  # fmt: skip


@dataclass(frozen=True)
class Job:
    """What one run computes: the same for every worker, and recorded beside the parts so that a
    resumed run is the same run."""

    task: str
    model: str
    weights: str | None = "DEFAULT"
    target: int | str | None = None
    method: str = "gradcam"  # attribute
    layer: str | None = None  # attribute
    threads: int = 1  # torch threads per worker
    images: str = ""  # --images as given: the rows' keys depend on it
    device: str | None = None  # None: the CPU; "cuda" in a Ray actor that holds a GPU

    def record(self) -> dict[str, Any]:
        """What a resumed run must share with the interrupted one (not where it runs)."""
        return {k: v for k, v in self.__dict__.items() if k not in ("threads", "device")}


def _finite(values: Sequence[float]) -> list[float | None]:
    return [v if math.isfinite(v) else None for v in values]


class Analyzer:
    """One model, loaded once, analysing images into rows of the task's schema. The same object
    runs in this process, in a worker process and in a Ray actor."""

    def __init__(self, job: Job) -> None:
        import torch

        from ..models.loading import load_model

        torch.set_num_threads(job.threads)
        self.job = job
        self.module = load_model(job.model, job.weights, device=job.device)

    def check(self) -> None:
        """The run's options against the model, once, before any image: a wrong --target,
        --method or --layer would otherwise fill every row with the same error."""
        from ..inspect.attribution import METHODS, check_layer
        from ..inspect.explain import _target_index
        from ..models.loading import model_info

        categories = model_info(self.module).categories
        if self.job.target is not None:
            _target_index(self.job.target, categories, len(categories))
        if self.job.task == "attribute":
            if self.job.method not in METHODS:
                raise ExplorerError(f"unknown --method {self.job.method!r}: choose one of "
                                    f"{', '.join(METHODS)}.")  # fmt: skip
            check_layer(self.module, self.job.method, self.job.layer)

    def row(self, key: str, source: Any) -> dict[str, Any]:
        """The image's row; `source` is a path or the file's bytes."""
        row: dict[str, Any] = dict.fromkeys(SCHEMAS[self.job.task].names)
        row.update(image=key, model=self.job.model)
        try:
            row.update(getattr(self, f"_{self.job.task}")(source))
        except ExplorerError as err:
            row["error"] = str(err)
        except Exception as err:  # a data set is not lost to one odd image
            row["error"] = f"{type(err).__name__}: {err}"
        return row

    def table(self, items: Sequence[tuple[str, Any]]) -> pa.Table:
        return pa.Table.from_pylist([self.row(key, source) for key, source in items],
                                    schema=SCHEMAS[self.job.task])  # fmt: skip

    def _predict(self, source: Any) -> dict[str, Any]:
        from ..inspect.explain import predict

        top = predict(source, self.module, k=5)
        return {"target": top[0].index, "label": top[0].label, "prob": top[0].prob,
                "top5_index": [p.index for p in top], "top5_label": [p.label for p in top],
                "top5_prob": [p.prob for p in top]}  # fmt: skip

    def _shortcuts(self, source: Any) -> dict[str, Any]:
        from ..inspect.contributions import shortcut_report

        r = shortcut_report(source, self.module, self.job.target)
        rec = r.records
        return {"target": r.target, "label": r.target_label, "prob": r.prob,
                "blocks": [x.block for x in rec], "ratio": _finite([x.ratio for x in rec]),
                "cosine": [x.cosine for x in rec],
                "grad_share_shortcut": [x.grad_share_shortcut for x in rec],
                "grad_share_residual": [x.grad_share_residual for x in rec],
                "lesion_delta": [x.lesion_delta for x in rec],
                "lesion_top1_changed": [x.lesion_top1_changed for x in rec],
                "gradient_by_length": list(r.gradient_by_length),
                "gradient_by_length_se": list(r.gradient_by_length_se)}  # fmt: skip

    def _lesions(self, source: Any) -> dict[str, Any]:
        from ..inspect.contributions import lesions

        r = lesions(source, self.module, self.job.target)
        return {"target": r.target, "label": r.target_label, "prob": r.prob,
                "blocks": list(r.blocks), "lesion_prob": list(r.lesion_prob),
                "lesion_delta": list(r.lesion_delta),
                "lesion_top1_changed": list(r.top1_changed)}  # fmt: skip

    def _attribute(self, source: Any) -> dict[str, Any]:
        from ..inspect.attribution import attribute

        a = attribute(source, self.module, self.job.method, self.job.layer, self.job.target)
        peak = divmod(int(abs(a.map).argmax()), a.map.shape[1])
        return {"target": a.target, "label": a.target_label, "prob": a.target_prob,
                "method": a.method, "layer": a.layer, "map_shape": list(a.map.shape),
                "map": a.map.astype("float32").ravel().tolist(), "peak_row": peak[0],
                "peak_col": peak[1]}  # fmt: skip
