"""One forward pass recorded as module calls: who ran, in what order, on what shapes. A module
that runs several times (a block's single ReLU) has several calls.

The recording itself is dataflow.py's (hooks through hooks.hooked, so none is left behind);
values are never kept, only shapes.
"""

from __future__ import annotations

import torch
from torch import nn

from .dataflow import Call, Shape, trace_flow

__all__ = ["Call", "Shape", "trace"]


def trace(model: nn.Module, x: torch.Tensor) -> dict[str, list[Call]]:
    """Run `model(x)` once and record every module call, keyed by module name."""
    return trace_flow(model, x).by_module()
