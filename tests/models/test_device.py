"""Device, precision and memory format: the switches, and what a model and a batch look like under
them. That mixed precision gives the same answers is tested where it is used (inspect/)."""

from __future__ import annotations

import pytest
import torch

from explorer import ExplorerError, load_model
from explorer.models.device import (
    autocast_dtype,
    fast_path,
    precision,
    select_device,
    to_host,
    to_model,
)


def test_device_selection(monkeypatch):
    assert select_device("cpu") == torch.device("cpu")
    monkeypatch.delenv("EXPLORER_DEVICE", raising=False)
    if not torch.cuda.is_available() and not torch.backends.mps.is_available():
        assert select_device() == torch.device("cpu")
        with pytest.raises(ExplorerError, match="not available here; available: cpu"):
            select_device("cuda")
    monkeypatch.setenv("EXPLORER_DEVICE", "cpu")
    assert select_device() == torch.device("cpu")
    with pytest.raises(ExplorerError, match="unknown device 'tpu'"):
        select_device("tpu")


def test_one_switch_for_precision_whatever_the_device(monkeypatch):
    monkeypatch.delenv("EXPLORER_AUTOCAST", raising=False)
    assert autocast_dtype("cpu") is None and not fast_path("cpu")  # default: float32 off CUDA
    assert autocast_dtype("cpu", "bf16") is torch.bfloat16
    assert autocast_dtype("cpu", "FP16 ") is torch.float16
    monkeypatch.setenv("EXPLORER_AUTOCAST", "bf16")
    assert autocast_dtype("cpu") is torch.bfloat16 and fast_path("cpu")
    assert autocast_dtype("cpu", "off") is None  # an explicit choice beats the environment
    monkeypatch.setenv("EXPLORER_AUTOCAST", "int8")
    with pytest.raises(ExplorerError, match="unknown autocast 'int8'; use bf16, fp16 or off"):
        autocast_dtype("cpu")


def test_precision_and_memory_format_follow_the_switch(monkeypatch, torch_home):
    monkeypatch.setenv("EXPLORER_AUTOCAST", "off")
    plain = load_model("resnet18")
    x = torch.randn(2, 3, 64, 64)
    assert to_model(plain, x).is_contiguous()
    with precision(plain) as dtype:
        assert dtype is None and plain.conv1(to_model(plain, x)).dtype == torch.float32

    monkeypatch.setenv("EXPLORER_AUTOCAST", "bf16")
    fast = load_model("resnet18")
    assert fast is not plain  # a cache entry per memory format
    assert fast.conv1.weight.is_contiguous(memory_format=torch.channels_last)
    batch = to_model(fast, x)
    assert batch.is_contiguous(memory_format=torch.channels_last) and torch.equal(batch, x)
    with precision(fast) as dtype:
        assert dtype is torch.bfloat16 and fast.conv1(batch).dtype == torch.bfloat16
    pairs = zip(plain.state_dict().values(), fast.state_dict().values(), strict=True)
    assert all(torch.equal(a, b) for a, b in pairs)  # the same weights, only laid out otherwise


def test_to_host_copies_everything_asked_for():
    tensors = {"a": torch.arange(6).reshape(2, 3), "b": torch.rand(4, dtype=torch.bfloat16)}
    host = to_host(tensors)
    assert host.keys() == tensors.keys()
    assert all(h.device.type == "cpu" and torch.equal(h, t) for h, t in
               zip(host.values(), tensors.values(), strict=True))  # fmt: skip
