"""Request budgets: none by default, the tighter of two nested ones, private to a thread."""

from __future__ import annotations

import threading
import time

import pytest

from explorer.errors import ExplorerError
from explorer.inspect.deadline import check, within


def test_no_budget_never_stops():
    check()


def test_a_spent_budget_stops_with_its_length():
    with within(0.01):
        check()
        time.sleep(0.03)
        with pytest.raises(ExplorerError, match="longer than 0 s"):
            check()
    check()  # the budget ended with its block


def test_nested_budgets_keep_the_tighter():
    with within(60):
        with within(0.0):
            time.sleep(0.001)
            with pytest.raises(ExplorerError):
                check()
        check()  # back to the outer, generous budget
    with within(0.0), within(60):
        time.sleep(0.001)
        with pytest.raises(ExplorerError, match="longer than 0 s"):
            check()  # an inner budget cannot extend the outer one


def test_a_budget_belongs_to_its_thread():
    seen = []
    with within(0.0):
        time.sleep(0.001)
        worker = threading.Thread(target=lambda: seen.append(check()))
        worker.start()
        worker.join()
    assert seen == [None]  # the other request's thread was not stopped
