"""Starting the server: `serve()` behind `python -m explorer serve` and app.py.

It answers HTTP before torch is imported. Gradio and the page's layout need no model, so the
server starts about as fast as a minimal Gradio app; torch, torchvision and captum are imported,
and the registry's architecture pages rendered (what the tabs open on first), in a background
thread. A request that arrives before its page is warm simply computes it (`shared.engine()`).
"""

from __future__ import annotations

import contextlib
import os
import threading
import time

import gradio as gr

from ..errors import ExplorerError
from . import tab_architecture, tab_block, tab_compare
from .limits import MAX_UPLOAD
from .memory import limit_arenas
from .page import build
from .shared import engine, first_view_served, set_device, translations
from .theme import CSS, FONTS, MONO_FONTS

DEVICE_ENV = "EXPLORER_DEVICE"  # models/device.py reads both; they are repeated here so that
AUTOCAST_ENV = "EXPLORER_AUTOCAST"  # serving does not import torch before it answers
THREADS_ENV = "EXPLORER_THREADS"  # torch's threads, set when the engine is imported (pages.py)


WARM_AFTER_S = 20.0  # with no page opened by then, the warm-up starts anyway
WARM_DELAY_S = 3.0  # after the first view is served: the browser paints it meanwhile
WARM_NICE = 10  # the warm-up's thread yields the CPU to the server's requests


def warm() -> None:
    """Import the engine, then analyse every registry model and render its page in both
    languages, starting with the models the tabs open on.

    It waits for the first page's first view (read from the shipped pages, no torch) and a
    moment more, at a lower priority: on two cores the import (about 3.5 s of CPU) and the
    rendering would otherwise take them from the browser while it builds the page (the first
    view came 1.2 s later). A request that needs the engine before then imports it itself."""
    if first_view_served.wait(WARM_AFTER_S):
        time.sleep(WARM_DELAY_S)
    with contextlib.suppress(OSError, AttributeError):  # Linux: a thread has its own niceness
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), WARM_NICE)
    pages = engine()
    pages.warm_blocks(tab_block.OPENS_ON)  # the menus the fifth tab opens with
    pages.warm_pages(first=(tab_architecture.OPENS_ON, *tab_compare.OPENS_ON))


def _threads(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise ExplorerError(f"${THREADS_ENV} takes a whole number, got {value!r}.") from None


def _import_matplotlib() -> None:
    """Import matplotlib (captum's dependency) before any thread can: Gradio's gr.Plot imports it
    on every answer while the warm-up thread imports captum, and two threads importing it at once
    can hand one of them the half-initialised module (seen: "module 'matplotlib' has no
    attribute 'get_data_path'" on a fresh server under load). 0.16 s, once."""
    with contextlib.suppress(ImportError):
        import matplotlib  # noqa: F401


def serve(*, host: str = "127.0.0.1", port: int = 7860, auth: tuple[str, str] | None = None,
          device: str | None = None, autocast: str | None = None, share: bool = False,
          threads: int | None = None) -> None:  # fmt: skip
    """Serve the app until interrupted.

    `autocast` ("bf16", "fp16", "off") sets $EXPLORER_AUTOCAST for every model of this process.
    A device or precision asked for by name (argument or environment) is checked before serving,
    so a machine without it fails at once with a message; that costs the torch import up front.
    """
    limit_arenas()  # before the server's threads start allocating
    threads = threads if threads is not None else _threads(os.environ.get(THREADS_ENV))
    if threads is not None:
        if threads < 1:
            raise ExplorerError(f"--threads takes 1 or more, got {threads}.")
        # read by OpenMP when torch loads, and by pages.py after: one replica, `threads` cores
        for name in (THREADS_ENV, "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[name] = str(threads)
    if autocast:
        os.environ[AUTOCAST_ENV] = autocast
    if device or any(os.environ.get(name) for name in (DEVICE_ENV, AUTOCAST_ENV)):
        pages = engine()
        chosen = pages.select_device(device)
        pages.autocast_dtype(chosen)  # an unknown $EXPLORER_AUTOCAST stops here
        set_device(chosen)
    _import_matplotlib()
    demo = build()
    demo.launch(
        server_name=host,
        server_port=port,
        share=share,
        auth=auth,
        max_file_size=MAX_UPLOAD,
        theme=gr.themes.Default(font=FONTS, font_mono=MONO_FONTS),
        css=CSS,
        show_error=True,
        i18n=translations(),  # every text the page starts with, in both languages
        footer_links=["api", "gradio", "settings"],
        prevent_thread_lock=True,
    )
    threading.Thread(target=warm, name="warm-pages", daemon=True).start()
    demo.block_thread()
