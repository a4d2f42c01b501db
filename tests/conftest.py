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
DEMO_NAMES = ["demo_basic", "demo_bottleneck", "demo_basic_shuffled"]
# The paper's own networks: Table 2's plain nets, Table 3's shortcut options A and C, Section
# 4.2's CIFAR-10 ResNets and their plain twins, He et al. 2016's pre-activation ResNets.
IMAGENET_PAPER_NAMES = ["plain18", "plain34", "resnet34_a", "resnet34_c"]
CIFAR_RESNETS = ["resnet20", "resnet32", "resnet44", "resnet56", "resnet110"]
CIFAR_PLAIN = ["plain20", "plain32", "plain44", "plain56", "plain110"]
PREACT_NAMES = ["preact_resnet110", "preact_resnet164"]
PAPER_NET_NAMES = IMAGENET_PAPER_NAMES + CIFAR_RESNETS + CIFAR_PLAIN + PREACT_NAMES


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


def module_macs(model: torch.nn.Module, size: int) -> dict[str, int]:
    """MACs of every module of `model` for one size×size image, by PyTorch's FlopCounterMode
    (FLOPs / 2: a conv or matmul counts a multiply and an add), keyed by module path ("" for the
    whole model)."""
    from torch.utils.flop_counter import FlopCounterMode

    with torch.no_grad(), FlopCounterMode(display=False) as flops:
        model(torch.zeros(1, 3, size, size))
    root = type(model).__name__
    macs = {}
    for key, ops in flops.get_flop_counts().items():
        total = sum(ops.values())
        assert total % 2 == 0
        if key != "Global":
            macs[key.removeprefix(root).removeprefix(".")] = total // 2
    return macs


def see_every_path(model: torch.nn.Module) -> torch.nn.Module:
    """`model` made for measuring receptive fields by backpropagation: positive conv weights
    (nothing cancels) and the max pool swapped for an average pool of its geometry (whose
    gradient reaches every input of its window, not only the largest)."""
    model.maxpool = torch.nn.AvgPool2d(3, 2, 1)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.Conv2d):
                m.weight.fill_(1.0 / m.weight[0].numel())
    return model.eval()


def backprop_fields(model: torch.nn.Module, names: list[str], size: int) -> dict[str, int]:
    """The receptive field of each named module's output, measured: the input rows of a tall,
    narrow input (size × 64) that one central output row's gradient reaches, in a model prepared
    by `see_every_path`."""
    outputs = {}
    handles = [model.get_submodule(n).register_forward_hook(
        lambda m, i, o, n=n: outputs.__setitem__(n, o)) for n in names]  # fmt: skip
    x = torch.ones(1, 3, size, 64, dtype=torch.float64, requires_grad=True)
    try:
        model.double()(x)
    finally:
        for h in handles:
            h.remove()
    fields = {}
    for n, y in outputs.items():
        (g,) = torch.autograd.grad(y[0, :, y.shape[2] // 2, 0].sum(), x, retain_graph=True)
        rows = torch.nonzero(g[0].abs().sum((0, 2))).flatten()
        assert rows.min() > 0 and rows.max() < size - 1, "field clipped by the border"
        fields[n] = int(rows.max() - rows.min() + 1)
    return fields


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
