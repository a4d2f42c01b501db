"""Which device runs the models: CUDA when available, then Apple's MPS, else the CPU.

`EXPLORER_DEVICE` (or the app's --device) overrides: "auto", "cpu", "cuda", "cuda:1", "mps".
Asking for a device this machine lacks is an error that says what is available.
"""

from __future__ import annotations

import os

import torch

from ..errors import ExplorerError

DEVICE_ENV = "EXPLORER_DEVICE"


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
