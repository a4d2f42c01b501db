"""One thread runs every model computation of the server, batching the predictions it finds
waiting.

Gradio's own batching (`batch=True`) hands a function a list of requests and wants a list of
answers: one request's error fails the whole batch, or has to come back as a success with a
warning inside, which an API client cannot tell from an answer. Here each request keeps its own
handler, checks its own inputs and raises its own error; only the model work is shared. A handler
puts its request on this thread's queue and waits; the thread takes the first job and, if it is
a prediction, every prediction waiting (up to MAX_BATCH), one forward pass per (model, weights,
layer), and hands each handler its own result or exception; the other jobs it met on the way
run next, in their order, before any later prediction. Work that is not batched (shortcut
analyses, the plain-vs-residual demo, loading weights) runs on the same thread, one job at a time,
so the server never holds two models' activations at once.
"""

from __future__ import annotations

import contextvars
import queue
import threading
from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ..inspect.deadline import within
from .limits import REQUEST_TIMEOUT_S

MAX_BATCH = 16  # predictions answered by one pass at most

T = TypeVar("T")
Group = Callable[[Hashable, list[Any]], Sequence[Any]]  # key, items -> a result or error each


@dataclass(frozen=True)
class _Job:
    future: Future[Any] = field(default_factory=Future)
    run: Callable[[], Any] | None = None  # one call ...
    group: Group | None = None  # ... or one item of a batch, answered by group(key, items)
    key: Hashable = None
    item: Any = None


class ComputeThread:
    """A single worker thread with a queue; see the module's docstring."""

    def __init__(self, max_batch: int = MAX_BATCH, name: str = "explorer-compute") -> None:
        self.max_batch = max_batch
        self.name = name
        self.batches: list[int] = []  # sizes of the last batches run, for tests and benchmarks
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """fn(*args, **kwargs) on the compute thread, in the caller's context (Gradio's request,
        and so its progress bar; a deadline): its result, or its exception raised here."""
        if threading.current_thread() is self._thread:  # already there: no queue, no deadlock
            return fn(*args, **kwargs)
        context = contextvars.copy_context()
        return self._submit(_Job(run=lambda: context.run(fn, *args, **kwargs))).result()

    def batched(self, group: Group, key: Hashable, item: Any) -> Any:
        """`item`'s answer from group(key, items), run with whatever else waits for that key."""
        return self._submit(_Job(group=group, key=key, item=item)).result()

    def _submit(self, job: _Job) -> Future[Any]:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
                self._thread.start()
        self._jobs.put(job)
        return job.future

    def _loop(self) -> None:
        held: list[_Job] = []  # taken from the queue while gathering a batch, run next
        while True:
            job = held.pop(0) if held else self._jobs.get()
            if job.run is not None:
                _settle(job.future, job.run)
                continue
            batch = [job]
            while len(batch) < self.max_batch:
                try:
                    more = self._jobs.get_nowait()
                except queue.Empty:
                    break
                # A batch takes every prediction waiting; the other jobs met on the way run
                # next, in their order, before any prediction that comes later.
                (batch if more.group is job.group else held).append(more)
            self.batches = [*self.batches[-99:], len(batch)]
            by_key: dict[Hashable, list[_Job]] = defaultdict(list)
            for each in batch:
                by_key[each.key].append(each)
            for key, jobs in by_key.items():
                _answer(job.group, key, jobs)


def _settle(future: Future[Any], run: Callable[[], Any]) -> None:
    try:
        result = run()
    except BaseException as err:
        future.set_exception(err)
    else:
        future.set_result(result)


def _answer(group: Group, key: Hashable, jobs: list[_Job]) -> None:
    try:
        results = list(group(key, [j.item for j in jobs]))
        if len(results) != len(jobs):
            raise RuntimeError(f"{len(results)} answers for {len(jobs)} requests")
    except BaseException as err:
        for j in jobs:
            j.future.set_exception(err)
        return
    for j, result in zip(jobs, results, strict=True):
        if isinstance(result, BaseException):
            j.future.set_exception(result)
        else:
            j.future.set_result(result)


_shared: ComputeThread | None = None
_shared_lock = threading.Lock()


def compute() -> ComputeThread:
    """The server's one compute thread (started on first use)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = ComputeThread()
        return _shared


def timed(fn: Callable[..., T], *args: Any) -> T:
    """fn(*args) under the request's time budget, on the thread that runs it."""
    with within(REQUEST_TIMEOUT_S):
        return fn(*args)
