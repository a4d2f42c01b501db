"""Helpers that every tab of the web app shares: the door to the engine and the device, turning
errors into messages, UI numbers into ints, and the labels that the language switch rewrites.

Tab modules import nothing that loads torch: their handlers reach the models through `engine()`,
so the page is served first and torch, torchvision and captum load behind it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any

import gradio as gr

from ..errors import ExplorerError
from ..i18n import t

if TYPE_CHECKING:
    import torch

log = logging.getLogger("explorer.ui")
_import_lock = threading.Lock()
_device: torch.device | None = None  # the server's --device; else chosen at first use


def engine() -> ModuleType:
    """pages.py, and behind it everything that computes (torch, torchvision, captum, plotly).

    Imported by the first request or by the server's warm-up thread, whichever comes first. One
    lock for that import: two threads importing the same modules in different orders would make
    Python report an import deadlock, and a request would fail.
    """
    with _import_lock:
        from . import pages
    return pages


def initial_language(request: gr.Request) -> str:
    """中文 for browsers that prefer Chinese, English otherwise.

    What the page shows on load is rendered in this language directly, rather than in English and
    again when the language switch follows: two renders in flight would race, and a late English
    one would stay on a Chinese page.
    """
    accepted = request.headers.get("accept-language", "") if request else ""
    return "zh" if accepted.lower().startswith("zh") else "en"


def set_device(device: torch.device) -> None:
    global _device
    _device = device


def device() -> torch.device:
    """Where the models run: --device or $EXPLORER_DEVICE, else CUDA, MPS or the CPU."""
    global _device
    if _device is None:
        _device = engine().select_device()
    return _device


def message(err: Exception, lang: str, key: str = "error") -> str:
    """The message a user sees: ours when they caused it, a generic one (and a log) otherwise.

    `key` is the translated frame: "error" for a model, "error_image" for an image.
    """
    if isinstance(err, ExplorerError):
        return t(lang, key, message=err.in_language(lang))
    log.exception("request failed", exc_info=err)
    return t(lang, key, message="internal error; the server log has details")


def fail(err: Exception, lang: str) -> gr.Error:
    return gr.Error(message(err, lang))


def whole(value: Any) -> Any:
    """UI numbers arrive as floats; whole ones become ints, the rest is left for validation."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


class Labels:
    """Components and how to label them in a language; the language switch calls them all."""

    def __init__(self) -> None:
        self.entries: list[tuple[Any, Callable[[str], Any]]] = []

    def __call__(self, component: Any, update: Callable[[str], Any]) -> Any:
        self.entries.append((component, update))
        return component

    def markdown(self, key: str, frame: str = "{}", **values: Any) -> gr.Markdown:
        """A Markdown text of i18n `key` (inside `frame`, e.g. "### {}"), relabelled too."""
        md = gr.Markdown(frame.format(t("en", key, **values)))
        return self(md, lambda lang: frame.format(t(lang, key, **values)))

    @property
    def components(self) -> list[Any]:
        return [component for component, _ in self.entries]

    def relabel(self, lang: str) -> list[Any]:
        return [update(lang) for _, update in self.entries]
