"""Trace: every call recorded in start order, shared modules once per call, no hook left."""

from __future__ import annotations

import torch
from torch import nn

from explorer.arch.hooks import hook_count
from explorer.arch.trace import trace


class Twice(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.act = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(self.conv(self.act(x)))


def test_calls_in_start_order_with_shapes():
    model = Twice()
    calls = trace(model, torch.zeros(2, 3, 8, 8))
    assert [c.order for c in calls[""]] == [0]  # the model itself starts first
    assert len(calls["act"]) == 2
    assert calls["act"][0].order < calls["conv"][0].order < calls["act"][1].order
    assert calls["conv"][0].input_shape == (2, 3, 8, 8)
    assert calls["conv"][0].output_shape == (2, 4, 8, 8)
    assert calls["act"][1].output_shape == (2, 4, 8, 8)
    assert hook_count(model) == 0


def test_meta_tensors_trace_without_arithmetic():
    with torch.device("meta"):
        model = Twice()
    calls = trace(model, torch.zeros(1, 3, 5, 7, device="meta"))
    assert calls[""][0].output_shape == (1, 4, 5, 7)
