"""Keep a long-running server's memory flat: fewer malloc arenas, freed memory handed back.

glibc gives every thread that contends for the heap an arena of its own, up to eight per core,
and a freed block returns to the operating system only from the top of its arena. A web server
runs each request on some thread of a pool, and PyTorch allocates and frees megabytes per forward
pass, so the freed pages of many arenas stay resident and the process grows request after request
(measured by `python -m explorer.loadtest`). Two arenas, and a trim after each heavy request,
keep it flat. Elsewhere (macOS, Windows, musl) both calls do nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache

M_ARENA_MAX = -8  # glibc's mallopt parameter number
ARENAS = 2


@cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
        libc.mallopt, libc.malloc_trim  # noqa: B018 (both exist in glibc only)
    except (OSError, AttributeError):
        return None
    return libc


def limit_arenas(arenas: int = ARENAS) -> bool:
    """Let at most `arenas` malloc arenas exist from now on; True where glibc took it."""
    libc = _libc()
    return bool(libc and libc.mallopt(M_ARENA_MAX, arenas) == 1)


def trim() -> bool:
    """Hand freed heap memory back to the operating system; True if some was."""
    libc = _libc()
    return bool(libc and libc.malloc_trim(0) == 1)
