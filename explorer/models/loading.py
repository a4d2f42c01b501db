"""Loading a model by name: the registry's architecture with weights.py's weights, kept in an LRU
cache bounded by memory so that switching back to a model is instant.

Every loaded model carries a ModelInfo (`model_info(model)`): whether its weights are trained,
its preprocessing and its class names. Nothing here draws or imports gradio.
"""

from __future__ import annotations

import os
import threading
import warnings
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn
from torchvision.models._api import WeightsEnum
from torchvision.transforms._presets import ImageClassification

from ..arch.registry import ModelEntry, get_entry
from ..errors import ExplorerError
from .bundled import bundled_weights, normalization
from .device import fast_path
from .weights import Progress, WeightsSource, check_fits, resolve_weights

INFO_ATTR = "explorer_info"
CACHE_ENV = "EXPLORER_MODEL_CACHE_MB"
DEFAULT_CACHE_MB = 4096  # ResNet-152 is 240 MB, Wide ResNet-101-2 510 MB in float32


@dataclass(frozen=True)
class ModelInfo:
    """What the explorer knows about a loaded model."""

    name: str  # registry name or canonical custom spec
    title: str
    weights: str  # where the weights came from, e.g. "IMAGENET1K_V2" or "random (seed 0)"
    trained: bool  # False: predictions mean nothing, and the UI says so
    message: str  # one sentence about the weights for the user
    source: WeightsSource  # random, torchvision, bundled, file, or unavailable (so random)
    categories: tuple[str, ...]  # class names in output order
    preprocess: ImageClassification  # image → normalised (3, H, W) crop, the weights' own


class UntrainedWeightsWarning(UserWarning):
    """Requested weights were unavailable; the model is randomly initialised."""


def model_info(model: nn.Module) -> ModelInfo:
    """The ModelInfo of a model returned by load_model."""
    info = getattr(model, INFO_ATTR, None)
    if not isinstance(info, ModelInfo):
        raise ExplorerError("this model was not loaded by explorer.load_model; use that first.")
    return info


def _nbytes(model: nn.Module) -> int:
    tensors = [*model.parameters(), *model.buffers()]
    return sum(t.numel() * t.element_size() for t in tensors)


class ModelCache:
    """Least-recently-used models, bounded by the bytes of their parameters and buffers."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._models: OrderedDict[Hashable, tuple[nn.Module, int]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def nbytes(self) -> int:
        with self._lock:
            return sum(size for _, size in self._models.values())

    def __len__(self) -> int:
        with self._lock:
            return len(self._models)

    def get(self, key: Hashable) -> nn.Module | None:
        with self._lock:
            hit = self._models.get(key)
            if hit is None:
                return None
            self._models.move_to_end(key)
            return hit[0]

    def put(self, key: Hashable, model: nn.Module) -> None:
        size = _nbytes(model)
        if size > self.max_bytes:
            return  # larger than the whole budget: hand it out without keeping it
        with self._lock:
            self._models[key] = (model, size)
            self._models.move_to_end(key)
            total = sum(s for _, s in self._models.values())
            while total > self.max_bytes:
                _, (_, evicted) = self._models.popitem(last=False)
                total -= evicted

    def clear(self) -> None:
        with self._lock:
            self._models.clear()


cache = ModelCache(int(os.environ.get(CACHE_ENV, DEFAULT_CACHE_MB)) * 2**20)
_load_locks: dict[Hashable, threading.Lock] = {}
_load_locks_guard = threading.Lock()


def _cache_key(entry: ModelEntry, weights: object, seed: int) -> Hashable:
    if weights is None:
        return (entry.name, "random", seed)
    if isinstance(weights, WeightsEnum):
        weights = weights.name
    if isinstance(weights, str) and weights.strip().upper() in entry.weight_names:
        if entry.shipped:
            return (entry.name, *_file_key(bundled_weights(entry.name)))
        if entry.source == "timm":
            return (entry.name, "timm pretrained")
        enum_member = entry.weights(weights.strip().upper())
        return (entry.name, enum_member.name)
    return (entry.name, *_file_key(Path(weights)))  # type: ignore[arg-type]


def _file_key(path: Path) -> tuple[str, tuple[int, int] | None]:
    """A rewritten checkpoint file gets a new key, so it is read again."""
    path = path.expanduser().resolve()
    stat = path.stat() if path.is_file() else None
    return str(path), stat and (stat.st_mtime_ns, stat.st_size)


def load_model(
    name: str,
    weights: object = None,
    *,
    seed: int = 0,
    progress: bool | Progress = False,
    device: str | torch.device | None = None,
) -> nn.Module:
    """A model from the registry, in eval mode, with its ModelInfo attached.

    name: a registry name (`list_models()`) or a custom spec such as "bottleneck-2-2-2-2".
    weights: None or "random" for a random initialisation (seeded by `seed`), "DEFAULT" or a
      torchvision weights name (read from the torch hub cache, downloaded when online; for the
      demo models and the degradation experiment's four networks, the weights shipped inside the
      package), or the path of a .safetensors/.pth checkpoint (strictly checked against the
      architecture).
    Offline without cached weights the model is random, `model_info(m).trained` is False and
    a warning says how to get the weights. `progress` shows a download: True prints to stderr,
    a callable gets (bytes so far, total). `device` defaults to the CPU (see device.py); on CUDA,
    or with autocast on, the model is also made channels-last. The returned module is shared
    through the cache: copy it (copy.deepcopy) before changing it.
    """
    entry = get_entry(name)
    if isinstance(weights, str) and weights.strip().lower() == "random":
        weights = None  # what the page's menu calls a fresh initialisation
    dev = torch.device(device) if device is not None else torch.device("cpu")
    fast = fast_path(dev)
    key = (*_cache_key(entry, weights, seed), str(dev), fast)
    model = cache.get(key)
    if model is not None:
        return model
    with _load_locks_guard:
        lock = _load_locks.setdefault(key, threading.Lock())
    with lock:  # concurrent requests for one model load it once
        model = cache.get(key)
        if model is None:
            model, keep = _load(entry, weights, seed, progress)
            model.to(dev)
            if fast:
                model.to(memory_format=torch.channels_last)
            if keep:
                cache.put(key, model)
    return model


def _load(
    entry: ModelEntry, weights: object, seed: int, progress: bool | Progress
) -> tuple[nn.Module, bool]:
    result = resolve_weights(entry, weights, seed=seed, progress=progress)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = entry.build()
    if result.state_dict is not None:
        check_fits(model, result.state_dict, entry.name, result.label)
        model.load_state_dict(result.state_dict, strict=False)  # checked above, BN counters aside
    model.eval()
    # A demo model's input statistics travel with its bundled weights, whatever weights it has;
    # so do the experiment's networks' when they carry those weights (else CIFAR-10's).
    shipped = entry.source == "demo" or result.source == "bundled"
    stats = normalization(entry.name) if shipped else None
    info = ModelInfo(
        name=entry.name,
        title=entry.title,
        weights=result.label,
        trained=result.trained,
        message=result.message,
        source=result.source,
        categories=entry.categories,
        preprocess=entry.preprocess(result.torchvision, stats),
    )
    setattr(model, INFO_ATTR, info)
    if weights is not None and not result.trained:
        warnings.warn(result.message, UntrainedWeightsWarning, stacklevel=3)
    # A fallback to random weights is not cached, so weights fetched later are picked up.
    return model, result.trained or weights is None
