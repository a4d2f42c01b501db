"""Where a model's weights come from, and the strict check that they fit its architecture.

Sources: none (a seeded random initialisation), torchvision's published weights (the torch hub
cache, downloaded when online), or a local checkpoint. Files are read without running code:
safetensors, or `torch.load(weights_only=True)`. Offline, missing weights degrade to an
untrained model with a message that says how to get them; never silently.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import socket
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlparse

import torch
from safetensors.torch import load_file as load_safetensors
from torch import Tensor, nn
from torchvision.models._api import WeightsEnum

from ..arch.registry import ModelEntry
from ..errors import ExplorerError
from ..i18n import Phrase
from .bundled import FOLDER_ENV, bundled_weights

OFFLINE_ENV = "EXPLORER_OFFLINE"  # "1": never try to download
PROBE_TIMEOUT_S = 3.0  # an offline network may drop packets instead of refusing them
DOWNLOAD_TIMEOUT_S = 30.0  # per read: a stalled download fails instead of hanging a request
_PROBE_TTL_S = 60.0
_WRAPPER_KEYS = ("state_dict", "model_state_dict", "model", "module")  # training-script checkpoints
_PREFIXES = ("module.", "_orig_mod.")  # added by DataParallel/DDP and by torch.compile


# random: asked for; torchvision: its published weights; bundled: the demo models' own;
# file: a checkpoint; unavailable: torchvision weights asked for but not to be had, so random.
WeightsSource = Literal["random", "torchvision", "bundled", "file", "unavailable", "timm"]


@dataclass(frozen=True)
class WeightsResult:
    """Weights ready to load into a freshly built model."""

    state_dict: dict[str, Tensor] | None  # None: keep the random initialisation
    label: str  # "random (seed 0)", "IMAGENET1K_V2", "file resnet18.safetensors"
    trained: bool
    message: str  # one sentence for the user; says how to get weights that are missing
    source: WeightsSource = "random"
    torchvision: str | None = None  # enum name when these are torchvision's weights


def hub_file(weights: WeightsEnum) -> Path:
    """Where torch hub keeps (or would keep) the file of `weights`."""
    return Path(torch.hub.get_dir()) / "checkpoints" / os.path.basename(urlparse(weights.url).path)


_probes: dict[str, tuple[float, str | None]] = {}
_probe_lock = threading.Lock()


def offline_reason(url: str) -> str | None:
    """Why `url` cannot be downloaded now, or None when its host answers."""
    if os.environ.get(OFFLINE_ENV, "").lower() in ("1", "true", "yes"):
        return f"offline mode ({OFFLINE_ENV}=1)"
    host = urlparse(url).hostname or ""
    with _probe_lock:
        seen = _probes.get(host)
        if seen and time.monotonic() - seen[0] < _PROBE_TTL_S:
            return seen[1]
    try:
        socket.create_connection((host, 443), timeout=PROBE_TIMEOUT_S).close()
        reason = None
    except OSError as err:
        reason = f"{host} is unreachable ({err.strerror or err})"
    with _probe_lock:
        _probes[host] = (time.monotonic(), reason)
    return reason


Progress = Callable[[int, int | None], None]  # bytes so far, total bytes (None: unknown)


def _print_progress(done: int, total: int | None) -> None:
    share = f" ({done / total:.0%})" if total else ""
    print(f"\r  {done / 2**20:.1f} MB{share}", end="" if done != total else "\n", file=sys.stderr)


def download(url: str, dst: Path, hash_prefix: str | None, progress: Progress | None) -> None:
    """Stream `url` to `dst`, checking the sha256 prefix that torchvision puts in file names.

    The bytes land in a .part file first, so an interrupted download never looks complete.
    """
    part = dst.with_name(dst.name + ".part")
    sha = hashlib.sha256()
    try:
        with (
            urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as response,
            part.open("wb") as out,
        ):
            total = int(response.headers.get("Content-Length") or 0) or None
            done = 0
            while chunk := response.read(1 << 20):
                out.write(chunk)
                sha.update(chunk)
                done += len(chunk)
                if progress:
                    progress(done, total)
    except OSError as err:  # URLError, timeouts and disk errors are all OSErrors
        part.unlink(missing_ok=True)
        raise ExplorerError(f"downloading {url} failed: {err}. Try again.") from err
    if hash_prefix and not sha.hexdigest().startswith(hash_prefix):
        part.unlink(missing_ok=True)
        raise ExplorerError(f"the file from {url} is corrupt (hash mismatch). Try again.")
    part.replace(dst)


def fetch(weights: WeightsEnum, progress: bool | Progress = True) -> Path:
    """Download `weights` into the torch hub cache (hash-checked) unless already there."""
    path = hub_file(weights)
    if path.exists():
        return path
    reason = offline_reason(weights.url)
    if reason:
        raise ExplorerError(
            f"cannot download {weights.url}: {reason}. Copy the file to {path} instead."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    match = torch.hub.HASH_REGEX.search(path.name)
    report = _print_progress if progress is True else (progress or None)
    download(weights.url, path, match.group(1) if match else None, report)
    return path


def _format(path: Path) -> str:
    """ "safetensors", "torch" (a torch.save zip archive or a legacy pickle) or "unknown"."""
    with path.open("rb") as f:
        head = f.read(9)
    # safetensors: an 8-byte little-endian header length, then the JSON header.
    if len(head) == 9 and head[8:9] == b"{" and int.from_bytes(head[:8], "little") > 1:
        return "safetensors"
    if head[:4] == b"PK\x03\x04" or head[:1] == b"\x80":  # zip magic; pickle PROTO opcode
        return "torch"
    return "unknown"


def read_checkpoint(path: str | os.PathLike[str]) -> dict[str, Tensor]:
    """A state_dict from a safetensors or PyTorch file, refusing anything that could run code."""
    p = Path(path).expanduser()
    if not p.is_file():
        raise ExplorerError.text("err_ckpt_missing", path=p)
    kind = _format(p)
    if kind == "unknown":
        raise ExplorerError.text("err_ckpt_unreadable", name=p.name)
    try:
        if kind == "safetensors":
            obj: object = load_safetensors(str(p), device="cpu")
        else:
            obj = torch.load(p, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as err:
        raise ExplorerError.text("err_ckpt_pickle", name=p.name) from err
    except Exception as err:  # a damaged file can make either reader raise almost anything
        detail = f"{type(err).__name__}: {err}"
        raise ExplorerError.text("err_ckpt_unreadable_why", name=p.name, detail=detail) from err
    return _state_dict(obj, p.name)


def _state_dict(obj: object, filename: str) -> dict[str, Tensor]:
    if isinstance(obj, dict):
        for key in _WRAPPER_KEYS:
            if isinstance(obj.get(key), dict) and not isinstance(obj.get(key), Tensor):
                obj = obj[key]
                break
    if not (
        isinstance(obj, dict)
        and obj
        and all(isinstance(k, str) and isinstance(v, Tensor) for k, v in obj.items())
    ):
        raise ExplorerError.text("err_ckpt_no_state", name=filename)
    state: dict[str, Tensor] = obj  # type: ignore[assignment]
    for prefix in _PREFIXES:
        if all(k.startswith(prefix) for k in state):
            state = {k[len(prefix) :]: v for k, v in state.items()}
    return state


def _listing(items: list[str], limit: int = 6) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f", … (+{len(items) - limit})" if len(items) > limit else "")


def check_fits(model: nn.Module, state: dict[str, Tensor], model_name: str, source: str) -> None:
    """Raise with the missing, unexpected and mis-shaped keys unless `state` fits `model`."""
    expected = model.state_dict()
    # BatchNorm's num_batches_tracked only counts training steps; many checkpoints omit it.
    missing = [k for k in expected if k not in state and not k.endswith("num_batches_tracked")]
    unexpected = [k for k in state if k not in expected]
    wrong = [
        f"{k} {tuple(state[k].shape)} vs {tuple(expected[k].shape)}"
        for k in state
        if k in expected and state[k].shape != expected[k].shape
    ]
    if not (missing or unexpected or wrong):
        return
    parts = tuple(
        Phrase(key, {"n": len(items), "keys": _listing(items)})
        for key, items in [("fit_missing", missing), ("fit_unexpected", unexpected),
                           ("fit_shapes", wrong)]
        if items
    )  # fmt: skip
    hint = Phrase("fit_other_arch")
    fc = state.get("fc.weight")
    if fc is not None and fc.ndim == 2 and not missing and not unexpected and len(wrong) <= 2:
        hint = Phrase("fit_classes", {"n": fc.shape[0]})
    raise ExplorerError.text("err_ckpt_fit", source=source, model=model_name, details=parts,
                             hint=hint)  # fmt: skip


def _random(seed: int) -> WeightsResult:
    return WeightsResult(
        None,
        f"random (seed {seed})",
        False,
        f"random initialisation (seed {seed}): the architecture is exact, "
        "predictions mean nothing.",
    )


TIMM_HUB = "https://huggingface.co"  # where timm's own loading fetches pretrained weights


def _timm(entry: ModelEntry, seed: int) -> WeightsResult:
    """timm's pretrained weights, through timm's own loading (its hub cache, or a download);
    offline, a random initialisation that says so."""
    import timm

    name = entry.name.removeprefix("timm/")
    reason = offline_reason(TIMM_HUB)
    if reason is None:
        try:
            state = timm.create_model(name, pretrained=True).state_dict()
        except Exception as err:
            reason = f"{type(err).__name__}: {str(err).splitlines()[0][:200]}"
        else:
            said = f"timm's pretrained weights for {name}."
            return WeightsResult(state, "timm pretrained", True, said, source="timm")
    return WeightsResult(
        None,
        f"random (seed {seed}); timm's weights unavailable",
        False,
        f"{entry.name}: timm's pretrained weights cannot be had here ({reason}). Loaded a random "
        "initialisation instead; its predictions mean nothing. With internet access they are "
        "downloaded once into the Hugging Face cache.",
        source="unavailable",
    )


def _torchvision(
    entry: ModelEntry, weights: WeightsEnum, seed: int, progress: bool | Progress
) -> WeightsResult:
    path = hub_file(weights)
    if not path.exists():
        reason = offline_reason(weights.url)
        if reason is None:
            try:
                fetch(weights, progress)
            except ExplorerError as err:
                reason = str(err).rstrip(".")
        if reason is not None:
            return WeightsResult(
                None,
                f"random (seed {seed}); {weights.name} unavailable",
                False,
                f"{entry.name}: ImageNet weights {weights.name} are not in the torch hub cache and "
                f"cannot be downloaded: {reason}. Loaded a random initialisation instead; its "
                f"predictions mean nothing. To get the weights, run `python -m explorer fetch "
                f"{entry.name} --weights {weights.name}` with internet access, or copy "
                f"{weights.url} to {path}.",
                source="unavailable",
            )
    try:
        state = read_checkpoint(path)
    except ExplorerError as err:
        raise ExplorerError(
            f"the cached weights file {path} is damaged ({err}). Delete it and load again."
        ) from err
    return WeightsResult(
        state,
        weights.name,
        True,
        f"ImageNet weights {weights.name} ({path.name}).",
        source="torchvision",
        torchvision=weights.name,
    )


def _bundled(entry: ModelEntry) -> WeightsResult:
    path = bundled_weights(entry.name)
    command = ("python -m explorer.demo train" if entry.source == "demo"
               else "python -m explorer.experiments degradation")  # fmt: skip
    if not path.is_file():
        raise ExplorerError(
            f"the bundled weights of {entry.name} are missing ({path}). Reinstall the package, "
            f"unset {FOLDER_ENV}, or train them again with `{command}`."
        )
    # fp16 on disk (the experiment's networks): load_state_dict copies them into float32
    return WeightsResult(
        read_checkpoint(path), "bundled", True,
        f"{entry.title}: trained by this project on generated shapes ({path.name}).",
        source="bundled",
    )  # fmt: skip


def resolve_weights(
    entry: ModelEntry, weights: object, *, seed: int = 0, progress: bool | Progress = False
) -> WeightsResult:
    """Turn a `weights=` argument into loadable weights.

    `weights`: None (random init), "DEFAULT" or a torchvision enum name (or member), or the path
    of a .safetensors/.pth file.
    """
    if weights is None:
        return _random(seed)
    if entry.shipped and isinstance(weights, str) and weights.strip().upper() == "DEFAULT":
        return _bundled(entry)
    if entry.source == "timm" and isinstance(weights, str) and weights.strip().upper() == "DEFAULT":
        return _timm(entry, seed)
    if isinstance(weights, WeightsEnum):
        if entry.weights_enum is None or not isinstance(weights, entry.weights_enum):
            raise ExplorerError(f"{weights} are not weights for {entry.name}.")
        return _torchvision(entry, weights, seed, progress)
    if isinstance(weights, str) and weights.strip().upper() in ("DEFAULT", *entry.weight_names):
        # entry.weights says so when this architecture has no published weights
        return _torchvision(entry, entry.weights(weights.strip().upper()), seed, progress)
    if isinstance(weights, (str, os.PathLike)):
        path = Path(weights).expanduser()
        if path.is_file():
            state = read_checkpoint(path)
            return WeightsResult(
                state, f"file {path.name}", True, f"weights from {path}.", source="file"
            )
        names = ", ".join(("None", *entry.weight_names)) if entry.weight_names else "None"
        raise ExplorerError(
            f"weights {str(weights)!r} for {entry.name} are neither a known name ({names}) "
            "nor an existing checkpoint file."
        )
    raise ExplorerError(
        f"weights must be None, a weights name or a file path, not {type(weights).__name__}."
    )
