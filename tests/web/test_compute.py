"""The compute thread: calls run there and raise here, waiting items of one key share one group
call, and an error reaches only the requests it belongs to."""

from __future__ import annotations

import contextvars
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from explorer.web.compute import ComputeThread


def test_calls_run_on_one_thread_and_raise_where_they_were_made():
    worker = ComputeThread()
    names = {worker.call(lambda: threading.current_thread().name) for _ in range(5)}
    assert names == {"explorer-compute"}
    with pytest.raises(ZeroDivisionError):
        worker.call(lambda: 1 / 0)
    assert worker.call(lambda: worker.call(lambda: 7)) == 7  # a call from the thread itself
    request = contextvars.ContextVar("request")
    request.set("student 7")  # what Gradio keeps per request (its progress bar reads it)
    assert worker.call(request.get) == "student 7"


def test_waiting_items_share_a_group_call_and_errors_stay_with_their_requests():
    worker = ComputeThread(max_batch=8)
    calls: list[tuple[str, list[int]]] = []

    def group(key: str, items: list[int]) -> list[object]:
        calls.append((key, items))
        if key == "broken":
            raise RuntimeError("the model failed")
        return [ValueError(f"bad {i}") if i < 0 else i * 10 for i in items]

    gate = threading.Event()
    jobs = [("a", 1), ("b", 2), ("a", -3), ("broken", 4), ("a", 5)]
    with ThreadPoolExecutor(8) as pool:
        busy = pool.submit(worker.call, gate.wait)
        futures = [pool.submit(worker.batched, group, key, item) for key, item in jobs]
        deadline = time.monotonic() + 10
        while worker._jobs.qsize() < len(jobs) and time.monotonic() < deadline:
            time.sleep(0.005)
        gate.set()
        busy.result()
        outcomes = [f.exception() or f.result() for f in futures]
    assert worker.batches[-1] == 5
    # One call per key with all of its items (in the order their threads queued them).
    assert sorted((key, sorted(items)) for key, items in calls) == [
        ("a", [-3, 1, 5]), ("b", [2]), ("broken", [4])]  # fmt: skip
    assert outcomes[0] == 10 and outcomes[1] == 20 and outcomes[4] == 50
    assert isinstance(outcomes[2], ValueError) and "bad -3" in str(outcomes[2])
    assert isinstance(outcomes[3], RuntimeError)


def test_a_batch_holds_at_most_max_batch_items():
    worker = ComputeThread(max_batch=2)

    def echo(key: str, items: list[int]) -> list[int]:
        return items

    gate = threading.Event()
    with ThreadPoolExecutor(6) as pool:
        busy = pool.submit(worker.call, gate.wait)
        futures = [pool.submit(worker.batched, echo, "k", i) for i in range(5)]
        deadline = time.monotonic() + 10
        while worker._jobs.qsize() < 5 and time.monotonic() < deadline:
            time.sleep(0.005)
        gate.set()
        busy.result()
        assert sorted(f.result() for f in futures) == [0, 1, 2, 3, 4]
    assert worker.batches == [2, 2, 1]
