"""Freed heap memory goes back to the operating system; without glibc both calls do nothing."""

from __future__ import annotations

import subprocess
import sys

import pytest

from explorer.web.memory import _libc, limit_arenas, trim

PROBE = """
import os
from explorer.tools.loadtest import rss_mb
from explorer.web.memory import trim
blocks = [bytearray(64 * 1024) for _ in range(3200)]  # 200 MB in blocks malloc keeps on its heap
blocks.append(bytearray(64 * 1024))  # a live block above them: free() alone cannot shrink it
del blocks[:-1]
freed = rss_mb(os.getpid())
trim()
print(freed - rss_mb(os.getpid()))
"""


@pytest.mark.skipif(_libc() is None, reason="not glibc: nothing to tune")
def test_trim_returns_freed_heap_pages():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    assert float(out.stdout) > 150  # MB of the 200 freed, measured in /proc/self/status


def test_calls_are_safe_anywhere():
    assert limit_arenas() is (_libc() is not None)
    assert trim() in (True, False)
