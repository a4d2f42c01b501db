"""A time budget for one request, checked between blocks of the network.

The UI sets a deadline around each request; the long loops (the forward pass step by step, the
lesion study, the stage maps) call `check()` and stop with a clear message when it has passed,
so a slow request frees the server instead of holding it. Without a deadline `check()` is free.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from ..errors import ExplorerError

_deadline: ContextVar[tuple[float, float] | None] = ContextVar("explorer_deadline", default=None)


@contextmanager
def within(seconds: float) -> Iterator[None]:
    """Run the block under a budget of `seconds` (per thread, nested budgets keep the tighter)."""
    end = time.monotonic() + seconds
    outer = _deadline.get()
    token = _deadline.set((min(end, outer[0]), outer[1]) if outer else (end, seconds))
    try:
        yield
    finally:
        _deadline.reset(token)


def check() -> None:
    """Stop the current request if its time budget is spent."""
    budget = _deadline.get()
    if budget is not None and time.monotonic() > budget[0]:
        raise ExplorerError.text("err_timeout", seconds=budget[1])
