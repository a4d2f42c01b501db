"""Helpers that every tab of the web app shares: turning errors into messages, UI numbers
into ints, and the registry of labels that the language switch rewrites."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import gradio as gr

from .errors import ExplorerError
from .i18n import t

log = logging.getLogger("explorer.ui")


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
