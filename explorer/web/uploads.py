"""The door every file payload passes: an upload this server received, an example, or nothing.

The file events use `preprocess=False` (so that a bad image fails only its own request, with our
translated message), which also skips Gradio's check that a path is one of its uploads. This
module puts the check back, stricter: a path is accepted only if Gradio's /upload route returned
it (the running page's `upload_file_set`) or it is one of the page's generated examples (or the
copy of one that gr.Examples keeps in Gradio's cache, which is what a click on it sends). Anything
else gets one message, the same whether the path exists or not, and the file system is never
asked about it. A pasted image (a data URL) is size-checked before it is decoded.

Outside a request (the handlers called from Python, as the tests and benchmarks do) there is no
page and no network peer, and a path is the caller's own: as Gradio does, the check applies only
while a launched page is serving a request.
"""

from __future__ import annotations

import base64
import binascii
import os
from typing import Any

from gradio.context import LocalContext
from PIL import Image

from ..errors import ExplorerError
from ..inspect.images import MAX_FILE_BYTES, ImageInput
from .files import examples

_example_copies: set[str] = set()  # Gradio's cached copies of the examples, which a click sends


def add_examples(samples: list[list[Any]]) -> None:
    """Accept the copies gr.Examples made of the example images (its dataset's samples)."""
    for row in samples:
        for value in row:
            path = value.get("path") if isinstance(value, dict) else value
            if isinstance(path, str):
                _example_copies.add(os.path.abspath(path))


def _served_uploads() -> set[str] | None:
    """The paths the serving page's /upload route handed out; None outside a request."""
    blocks = LocalContext.blocks.get(None)
    if blocks is None or not getattr(blocks, "has_launched", False):
        return None
    return blocks.upload_file_set


def _accepted(path: str) -> str:
    uploads = _served_uploads()
    if uploads is None:
        return path
    wanted = os.path.abspath(path)  # pure string work: no file is looked at
    if path in uploads or wanted in uploads or wanted in _example_copies:
        return path
    if wanted in {os.path.abspath(p) for p in examples()}:
        return path
    raise ExplorerError.text("err_not_upload")


def _data_url(url: str) -> bytes:
    head, comma, body = url.partition(",")
    if not comma or ";base64" not in head:
        raise ExplorerError.text("err_data_url")
    if len(body) * 3 // 4 > MAX_FILE_BYTES:  # before decoding, from the encoded length
        size = len(body) * 3 / 4
        raise ExplorerError.text("err_too_large", size=size / 2**20, limit=MAX_FILE_BYTES // 2**20)
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise ExplorerError.text("err_data_url") from None


def checked_file(payload: Any) -> ImageInput | None:
    """What a file input may hand to a loader: an accepted path, a pasted image's bytes, or None
    for no file. Raises ExplorerError for anything else, before any file is opened."""
    if payload is None or payload == "":
        return None
    if isinstance(payload, (bytes, Image.Image)):  # a Python caller's own; JSON carries neither
        return payload
    if isinstance(payload, str):
        if payload.startswith("data:"):
            return _data_url(payload)
        return _accepted(payload)
    if isinstance(payload, dict):
        path, url = payload.get("path"), payload.get("url")
        if isinstance(path, str) and path:
            return _accepted(path)
        if isinstance(url, str) and url.startswith("data:"):
            return _data_url(url)
        if path is None and url is None:
            return None
    raise ExplorerError.text("err_not_upload")
