"""`batch --ray local|auto|ADDRESS`: the same Analyzer in Ray Data's actors, one model per actor
(`map_batches` with an actor pool), a GPU per actor where the cluster has them.

Each actor opens the images itself, by path: on a cluster of several machines they must be in a
folder every node mounts at the same place. The rows stream back to this process, which writes
the parts as a local run does; so a run resumes the same way.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pyarrow as pa

from ..errors import ExplorerError
from .analyze import SCHEMAS, Analyzer, Job

RAY_MISSING = ("--ray needs Ray, which is not installed: pip install 'resnet-explorer[ray]' "
               "(or run without --ray: local processes do the same work).")  # fmt: skip


def _ray() -> Any:
    try:
        import ray
        import ray.data
    except ImportError:
        raise ExplorerError(RAY_MISSING) from None
    return ray


class _Actor:
    """One model per actor; a batch of (key, path) rows in, the task's rows out."""

    def __init__(self, job: Job) -> None:
        self.analyzer = Analyzer(job)

    def __call__(self, batch: dict[str, Any]) -> pa.Table:
        return self.analyzer.table(list(zip(batch["key"], batch["path"], strict=True)))


def run_on_ray(job: Job, pending: list[tuple[str, Path]], chunk: int,
               write: Callable[[pa.Table], None], address: str,
               workers: int | None = None) -> str:  # fmt: skip
    """Analyse `pending` on Ray; returns where it ran, in words."""
    ray = _ray()
    if not pending:
        return f"Ray ({address})"
    started = not ray.is_initialized()
    if started:
        options: dict[str, Any] = {"logging_level": "ERROR", "include_dashboard": False,
                                   "log_to_driver": False}  # fmt: skip
        try:
            if address == "local":
                ray.init(num_cpus=os.cpu_count(), **options)
            else:
                ray.init(address=address, **options)
        except (ConnectionError, RuntimeError, ValueError) as err:
            raise ExplorerError(
                f"cannot reach the Ray cluster at {address!r} ({err}): start "
                "one with `ray start --head`, or use --ray local."
            ) from None
    for name in ("ray", "ray.data"):  # its own INFO lines would break the progress bar
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False  # the command draws its own
        context.execution_options.preserve_order = True
        resources = ray.cluster_resources()
        gpus, cpus = int(resources.get("GPU", 0)), int(resources.get("CPU", 1))
        size = workers or (gpus or max(1, cpus // job.threads))
        # An actor pool the cluster cannot hold would wait for ever, and say nothing
        if gpus and size > gpus:
            raise ExplorerError(f"--workers {size} needs {size} GPUs, one per actor; the cluster "
                                f"has {gpus}.")  # fmt: skip
        if size * job.threads > cpus:
            raise ExplorerError(f"{size} actors × {job.threads} threads need "
                                f"{size * job.threads} CPUs; the cluster has {cpus}: lower "
                                "--workers or --threads.")  # fmt: skip
        if gpus:
            job = replace(job, device="cuda")  # each actor holds one GPU: its model goes there
        # The rows are made here and the actors open the files: no read tasks, which would wait
        # for the CPUs the actors hold (the pipeline would never start on a small machine).
        blocks = max(size, -(-len(pending) // chunk))  # at least one per actor
        rows_in = [{"key": key, "path": str(path.absolute())} for key, path in pending]
        items = ray.data.from_items(rows_in, override_num_blocks=blocks)
        rows = items.map_batches(
            _Actor, fn_constructor_args=(job,), batch_size=chunk, batch_format="numpy",
            compute=ray.data.ActorPoolStrategy(size=size), num_cpus=job.threads,
            num_gpus=1 if gpus else 0,
        )  # fmt: skip
        for batch in rows.iter_batches(batch_size=chunk, batch_format="pyarrow"):
            write(batch.cast(SCHEMAS[job.task]))
    finally:
        if started:
            ray.shutdown()
    where = "a Ray started here" if address == "local" else f"Ray at {address}"
    return f"{where}, {size} actor{'s' if size > 1 else ''}"
