"""Shared fixtures. The suite never touches the network: downloads are off for the whole session,
and tests that exercise the download path replace the downloader."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
import torch

os.environ["EXPLORER_OFFLINE"] = "1"  # before any explorer module reads it

from explorer.models import loading as models
from explorer.models.device import to_host
from explorer.tools import launch
from explorer.tools.launch import Server

ROOT = Path(__file__).resolve().parents[1]

TORCHVISION_NAMES = [
    "resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "wide_resnet50_2",
    "wide_resnet101_2", "resnext50_32x4d", "resnext101_32x8d", "resnext101_64x4d",
]  # fmt: skip
PAPER_V1_NAMES = ["resnet50_v1", "resnet101_v1", "resnet152_v1"]
IMAGENET_NAMES = TORCHVISION_NAMES + PAPER_V1_NAMES  # 224-pixel ImageNet geometry
DEMO_NAMES = ["demo_basic", "demo_bottleneck"]


def depth_in_name(name: str) -> int:
    """The depth a registry name promises: resnet50_v1 → 50, wide_resnet101_2 → 101."""
    return int(re.search(r"(?:resnet|resnext)(\d+)", name).group(1))  # type: ignore[union-attr]


class PicklePayload:
    """Pickled, it runs code on unpickling: it creates the file `target` (a test's canary)."""

    def __init__(self, target: Path) -> None:
        self.target = target

    def __reduce__(self):
        return (Path.touch, (self.target,))


@pytest.fixture(autouse=True)
def _seeded() -> None:
    torch.manual_seed(0)


@pytest.fixture
def torch_home(tmp_path, monkeypatch):
    """An empty torch hub cache, and an empty model cache, for one test."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    models.cache.clear()
    yield tmp_path / "torch"
    models.cache.clear()


def launched(*args: str) -> AbstractContextManager[Server]:
    """`python app.py --port P *args` from the checkout, offline, once it answers HTTP."""
    return launch.launched(*args, command=(sys.executable, "app.py"), cwd=ROOT,
                           env={"EXPLORER_OFFLINE": "1"})  # fmt: skip


@pytest.fixture(scope="session")
def served_process() -> Iterator[Server]:
    """The app as `python app.py` serves it, for the whole session."""
    with launched() as server:
        yield server


@pytest.fixture(scope="session")
def served(served_process: Server) -> tuple[str, list[str]]:
    """The app's URL and its output lines so far."""
    return served_process.url, served_process.lines


def count_host_copies(monkeypatch, module) -> list[list[str]]:
    """Spy on `module.to_host`: the keys of every copy to the host, in order, as it happens."""
    copies: list[list[str]] = []

    def counting(tensors):
        copies.append(sorted(tensors))
        return to_host(tensors)

    monkeypatch.setattr(module, "to_host", counting)
    return copies


def raw_call(url: str, api: str, data: list, timeout: float = 120) -> tuple[str, object]:
    """One request as an attacker sends it: plain JSON to /gradio_api/call/<api>, then its event
    stream. Returns (last event, its data): ("complete", outputs) or ("error", message)."""
    import json

    import httpx

    posted = httpx.post(f"{url}/gradio_api/call/{api}", json={"data": data}, timeout=timeout)
    if posted.status_code != 200:
        return f"http {posted.status_code}", posted.text
    event_id = posted.json()["event_id"]
    event, payload = "", None
    with httpx.stream("GET", f"{url}/gradio_api/call/{api}/{event_id}", timeout=timeout) as r:
        for line in r.iter_lines():
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:") and event in ("complete", "error"):
                text = line[5:].strip()
                payload = json.loads(text) if text and text != "null" else None
    if event == "error" and isinstance(payload, dict):
        payload = payload.get("error")  # Gradio's envelope: {"error": message, "visible": ...}
    return event, payload
