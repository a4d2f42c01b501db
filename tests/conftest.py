"""Shared fixtures. The suite never touches the network: downloads are off for the whole session,
and tests that exercise the download path replace the downloader."""

from __future__ import annotations

import os
import queue
import re
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import torch

os.environ["EXPLORER_OFFLINE"] = "1"  # before any explorer module reads it

from explorer import models

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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def served(served_process):
    """The app's URL and its output lines so far."""
    url, seen, _ = served_process
    return url, seen


@contextmanager
def launched(*args: str):
    """`python app.py --port P *args` on a free port: its URL, its output lines, its process."""
    port = _free_port()
    env = {**os.environ, "EXPLORER_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"}
    proc = subprocess.Popen(
        [sys.executable, "app.py", "--port", str(port), *args], cwd=ROOT, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + 120
    try:
        while not any("Running on local URL" in line for line in seen):
            assert proc.poll() is None, "app.py exited:\n" + "".join(seen)
            assert time.monotonic() < deadline, "app.py did not start:\n" + "".join(seen)
            try:
                seen.append(lines.get(timeout=1))
            except queue.Empty:
                pass
        yield f"http://127.0.0.1:{port}", seen, proc
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="session")
def served_process():
    """The app as `python app.py` serves it, for the whole session."""
    with launched() as running:
        yield running
