"""`python -m explorer batch TASK --images DIR|GLOB --model M --out results.parquet`: one per-image
analysis over a data set, streamed into Parquet (one row per image), resumable, with the
aggregate at the end.

Tasks: predict (top-5), shortcuts (every block's measures and the gradient by path length, as
`shortcut_report`), attribute (one saliency method's map, as `attribute`) and lesions (every
block's residual branch removed in turn, Veit et al. 2016, as the shortcut report's lesions).

The run writes parts (OUT.parts/part-NNNNN.parquet, each renamed into place whole) as chunks of
images finish; run again after an interruption, it skips the images the parts hold and goes on.
At the end the parts become OUT, sorted by image, and the folder goes. A damaged image is a row
with its `error`, not the end of the run. The same function (`Analyzer`) runs in this process,
in local worker processes, or in Ray Data's actors (ray_data.py): the rows are the same.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import ExplorerError
from .analyze import SCHEMAS, TASKS, Analyzer, Job

EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff")
CHUNK = 16  # images per part: what an interruption can cost at most, per worker
MAX_WORKERS = 8
Progress = Callable[[int, int], None]  # (images done now, errors among them)


@dataclass(frozen=True)
class BatchRun:
    """What run_batch did."""

    out: Path
    task: str
    model: str
    engine: str  # "this process", "N processes" or "Ray (ADDRESS)"
    images: int  # found
    resumed: int  # already in the parts when this run started
    analysed: int  # by this run
    errors: int  # rows with an error, in the whole file
    seconds: float

    @property
    def rate(self) -> float:
        return self.analysed / self.seconds if self.seconds > 0 else 0.0


# ---------------------------------------------------------------- finding the images


def find_images(spec: str) -> list[tuple[str, Path]]:
    """(key, path) of every image under a folder (recursively) or matched by a glob, sorted by
    key; the key is the path under the folder, or as the glob matched it."""
    root = Path(spec)
    if root.is_dir():
        paths = sorted(p for p in root.rglob("*")
                       if p.is_file() and p.suffix.lower() in EXTENSIONS)  # fmt: skip
        found = [(p.relative_to(root).as_posix(), p) for p in paths]
    else:
        found = sorted((m, Path(m)) for m in glob.glob(spec, recursive=True)
                       if Path(m).is_file() and Path(m).suffix.lower() in EXTENSIONS)  # fmt: skip
    if not found:
        kinds = ", ".join(e.lstrip(".") for e in EXTENSIONS)
        raise ExplorerError(f"no images found at {spec!r}: give a folder or a glob such as "
                            f"'photos/**/*.jpg' ({kinds}).")  # fmt: skip
    return found


# ---------------------------------------------------------------- parts, resuming, the end


def parts_folder(out: Path) -> Path:
    return out.with_name(out.name + ".parts")


def _done(parts: Path, job: Job) -> set[str]:
    """The images the parts of an interrupted run hold; the run must be this one."""
    said = parts / "run.json"
    if not said.is_file():
        raise ExplorerError(f"{parts} is not a batch run's folder: delete it, or choose another "
                            "--out.")  # fmt: skip
    try:
        recorded = json.loads(said.read_text("utf-8"))
    except (ValueError, UnicodeDecodeError):
        recorded = None
    if recorded != job.record():
        raise ExplorerError(f"{parts} holds an interrupted run with other settings "
                            f"({said.read_text('utf-8').strip()}): run it with those, or delete "
                            "the folder to start anew.")  # fmt: skip
    done: set[str] = set()
    for part in sorted(parts.glob("part-*.parquet")):
        done.update(pq.read_table(part, columns=["image"]).column("image").to_pylist())
    return done


class Parts:
    """The parts folder of one run: each table written under a temporary name, then renamed."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        taken = [int(p.stem.split("-")[1]) for p in folder.glob("part-*.parquet")]
        self.next = max(taken, default=-1) + 1

    def write(self, table: pa.Table) -> None:
        if table.num_rows == 0:
            return
        path = self.folder / f"part-{self.next:05d}.parquet"
        self.next += 1
        temporary = path.with_suffix(".tmp")
        pq.write_table(table, temporary)
        os.replace(temporary, path)


def _finish(parts: Path, out: Path, schema: pa.Schema) -> int:
    """The parts as one file sorted by image (written whole, then renamed); their error count.

    The parts come in key order (the images are taken sorted, the engines keep their order, and
    an interrupted run leaves a prefix), so they are copied one at a time, never all in memory
    (a saliency map per image adds up); parts out of order are sorted in memory instead."""
    files = sorted(parts.glob("part-*.parquet"))
    keys = [pq.read_table(p, columns=["image"]).column("image").to_pylist() for p in files]
    flat = [k for part in keys for k in part]
    temporary = out.with_name(out.name + ".tmp")
    if flat == sorted(flat):
        with pq.ParquetWriter(temporary, schema) as writer:
            for path in files:
                writer.write_table(pq.read_table(path, schema=schema))
            if not files:
                writer.write_table(schema.empty_table())
    else:
        tables = [pq.read_table(p, schema=schema) for p in files]
        pq.write_table(pa.concat_tables(tables).sort_by("image"), temporary)
    os.replace(temporary, out)
    shutil.rmtree(parts)
    errors = pq.read_table(out, columns=["error"]).column("error")
    return len(errors) - errors.null_count


# ---------------------------------------------------------------- running it


def _chunks(items: list[tuple[str, Path]], size: int) -> Iterator[list[tuple[str, Path]]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


_worker: Analyzer | None = None


def _start_worker(job: Job) -> None:
    global _worker
    _worker = Analyzer(job)


def _in_worker(items: list[tuple[str, Path]]) -> pa.Table:
    assert _worker is not None
    return _worker.table(items)


def _local(analyzer: Analyzer, pending: list[tuple[str, Path]], workers: int, chunk: int,
           write: Callable[[pa.Table], None]) -> None:  # fmt: skip
    if workers == 1:
        for items in _chunks(pending, chunk):
            write(analyzer.table(items))
        return
    # spawn: a fresh interpreter per worker (forking a process that holds torch's threads is not
    # safe); each loads the model once
    try:
        with ProcessPoolExecutor(workers, mp_context=get_context("spawn"),
                                 initializer=_start_worker,
                                 initargs=(analyzer.job,)) as pool:  # fmt: skip
            for table in pool.map(_in_worker, _chunks(pending, chunk)):
                write(table)
    except BrokenProcessPool:
        raise ExplorerError(
            "a worker process stopped (out of memory?): the images written so "
            "far are kept; run again with fewer --workers."
        ) from None


@dataclass
class _Counter:
    analysed: int = 0
    errors: int = 0


def run_batch(task: str, images: str, model: str, out: str | os.PathLike[str], *,
              weights: str | None = "DEFAULT", target: int | str | None = None,
              method: str = "gradcam", layer: str | None = None, workers: int | None = None,
              threads: int = 1, chunk: int = CHUNK, ray: str | None = None,
              progress: Callable[[int, int, int], None] | None = None) -> BatchRun:  # fmt: skip
    """Run `task` over the images `images` names (a folder or a glob) with `model`, into the
    Parquet file `out`, one row per image. `workers` local processes (default: the cores over
    `threads`, up to 8; 1: this process), each with `threads` torch threads, or Ray Data's actors
    with `ray`
    ("local": a Ray started on this machine; "auto": the cluster `ray start` runs; or its
    address). `progress(done, total, errors)` hears where the run starts (a resumed one: the
    images already written), then of every chunk written."""
    start = time.perf_counter()
    if task not in TASKS:
        raise ExplorerError(f"unknown task {task!r}: choose one of {', '.join(TASKS)}.")
    target_path = Path(out)
    if target_path.suffix != ".parquet":
        raise ExplorerError(f"--out names a Parquet file such as results.parquet, got {out!r}.")
    if target_path.exists():
        raise ExplorerError(f"{target_path} already exists: choose another --out, or delete it "
                            "first.")  # fmt: skip
    if not target_path.parent.is_dir():
        raise ExplorerError(f"{target_path.parent} is not a folder: create it first.")
    if threads < 1 or chunk < 1 or (workers is not None and workers < 1):
        raise ExplorerError("--workers, --threads and --chunk take 1 or more.")
    from ..arch.registry import get_entry

    model = get_entry(model).name  # an unknown model says so here, before anything starts
    job = Job(task, model, weights, target, method, layer, threads, images)
    found = find_images(images)
    parts = parts_folder(target_path)
    if parts.is_dir() and not any(parts.iterdir()):
        parts.rmdir()  # made, then stopped before anything was written
    done = _done(parts, job) if parts.exists() else set()
    # the model and the options, checked once here: a wrong --weights, --target, --method or
    # --layer is one sentence, not a row per image (this process also analyses, when alone)
    analyzer = Analyzer(job)
    analyzer.check()
    if not parts.exists():
        parts.mkdir()
        record = parts / "run.json.tmp"
        record.write_text(json.dumps(job.record()), encoding="utf-8")
        os.replace(record, parts / "run.json")
    pending = [(key, path) for key, path in found if key not in done]
    writer = Parts(parts)
    count = _Counter()
    total = len(found)

    if progress:
        progress(len(done), total, 0)

    def write(table: pa.Table) -> None:
        writer.write(table)
        count.analysed += table.num_rows
        count.errors += table.num_rows - table.column("error").null_count
        if progress:
            progress(len(done) + count.analysed, total, count.errors)

    if ray is not None:
        from .ray_data import run_on_ray

        engine = run_on_ray(job, pending, chunk, write, ray, workers)
    else:
        cores = max(1, len(os.sched_getaffinity(0)) // threads)
        n = min(workers or min(cores, MAX_WORKERS), max(1, len(pending)))
        _local(analyzer, pending, n, chunk, write)
        engine = "this process" if n == 1 else f"{n} processes"
    errors = _finish(parts, target_path, SCHEMAS[task])
    return BatchRun(out=target_path, task=task, model=model, engine=engine, images=total,
                    resumed=len(done), analysed=count.analysed, errors=errors,
                    seconds=time.perf_counter() - start)  # fmt: skip
