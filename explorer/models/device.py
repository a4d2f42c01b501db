"""Where and how precisely the models run: the device (CUDA, then Apple's MPS, else the CPU), mixed
precision, the tensors' memory format, and the one copy of a request's results to the host.

`EXPLORER_DEVICE` (or serve's --device) picks the device: "auto", "cpu", "cuda", "cuda:1", "mps".
`EXPLORER_AUTOCAST` (or serve's --autocast) picks the precision independently of the device:
"bf16", "fp16" or "off"; by default bf16 on CUDA (fp16 where bf16 is missing) and off elsewhere.
With autocast on, the CPU runs the same code path as a GPU: autocast, channels-last, tensors on
the model's device. Asking for something this machine lacks is an error that says what exists.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import torch
from torch import nn

from ..errors import ExplorerError

DEVICE_ENV = "EXPLORER_DEVICE"
AUTOCAST_ENV = "EXPLORER_AUTOCAST"
AUTOCAST = {"bf16": torch.bfloat16, "fp16": torch.float16, "off": None}


def available() -> list[str]:
    found = ["cpu"]
    if torch.cuda.is_available():
        found += [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    if torch.backends.mps.is_available():
        found.append("mps")
    return found


def select_device(preference: str | None = None) -> torch.device:
    """The device to use: `preference`, else $EXPLORER_DEVICE, else the best one present."""
    choice = (preference or os.environ.get(DEVICE_ENV) or "auto").strip().lower()
    if choice == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        device = torch.device(choice)
    except RuntimeError as err:
        raise ExplorerError(f"unknown device {choice!r}; use auto, cpu, cuda or mps.") from err
    missing = (device.type == "cuda" and not torch.cuda.is_available()) or (
        device.type == "mps" and not torch.backends.mps.is_available()
    )
    if missing or (device.type == "cuda" and (device.index or 0) >= torch.cuda.device_count()):
        raise ExplorerError(
            f"device {choice!r} is not available here; available: {', '.join(available())}."
        )
    return device


def autocast_dtype(device: torch.device | str, choice: str | None = None) -> torch.dtype | None:
    """The mixed precision for `device`: `choice`, else $EXPLORER_AUTOCAST, else the default
    (bf16 on CUDA, fp16 on a GPU without bf16, off elsewhere). None: full float32."""
    choice = (choice or os.environ.get(AUTOCAST_ENV) or "auto").strip().lower()
    if choice == "auto":
        if torch.device(device).type != "cuda":
            return None
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    if choice not in AUTOCAST:
        raise ExplorerError(
            f"unknown autocast {choice!r}; use bf16, fp16 or off (or leave {AUTOCAST_ENV} unset)."
        )
    return AUTOCAST[choice]


def fast_path(device: torch.device | str) -> bool:
    """Whether to use channels-last tensors: what cuDNN's fastest convolutions want, and what
    runs under autocast."""
    return torch.device(device).type == "cuda" or autocast_dtype(device) is not None


@contextmanager
def precision(model: nn.Module) -> Iterator[torch.dtype | None]:
    """The model's forward and backward passes at the chosen precision, on its own device."""
    device = next(model.parameters()).device
    dtype = autocast_dtype(device)
    if dtype is None:
        yield None
        return
    with torch.autocast(device.type, dtype):
        yield dtype


def to_model(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """A batch (N, 3, H, W) on the model's device and dtype, in the model's memory format."""
    weight = next(model.parameters())  # the stem conv's: (C, 3, k, k)
    x = x.to(weight.device, weight.dtype)
    if weight.ndim == 4 and not weight.is_contiguous():  # the model is channels-last
        return x.contiguous(memory_format=torch.channels_last)
    return x


def to_host(tensors: Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """CPU copies of what a request needs, with one wait for the device: the copies are queued
    without blocking, then the device is synchronised once (on the CPU nothing is copied)."""
    out = {name: t.detach().to("cpu", non_blocking=True) for name, t in tensors.items()}
    kinds = {t.device.type for t in tensors.values()}
    if "cuda" in kinds:
        torch.cuda.synchronize()
    if "mps" in kinds:
        torch.mps.synchronize()
    return out
