"""Adebayo et al.'s (2018) sanity checks for saliency maps: does a method's map change when what
the model learned is taken away?

Cascading randomisation re-initialises the weights from the head down to the stem, one unit (a
block, or a stage in deep networks) at a time, and recomputes every method's map after each step;
independent randomisation re-initialises one unit alone; the label test compares the model with
its twin trained on shuffled labels. One copy of the model is randomised in place (no reloading,
no re-tracing). Each step's maps are compared with the original's (similarity.py).
"""

from __future__ import annotations

import copy
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import torch
from torch import nn

from ..arch.structure import num_classes, reading_of, remember
from ..errors import ExplorerError
from ..models.device import to_host, to_model
from ..models.loading import INFO_ATTR, load_model
from .attribution import LAYERED, METHODS, check_layer, saliency
from .explain import ModelLike, Target, _target_index, prepare, resolve_model
from .images import ImageInput
from .similarity import spearman, ssim, unit_scaled

Mode = Literal["cascading", "independent", "labels"]
MODES = ("cascading", "independent", "labels")
SURVIVES = 0.5  # Spearman of |map| with every unit randomised at or above this: the map survives
MAX_BLOCKS = 12  # deeper networks are randomised a stage at a time
SEED = 2018
SHUFFLED = {"demo_basic": "demo_basic_shuffled"}  # a model → its twin trained on shuffled labels


@dataclass(frozen=True)
class SanityRecord:
    method: str
    randomised: str  # the unit randomised (independent) or randomised up to (cascading)
    depth: int  # units randomised so far, from the head (1) to the stem
    spearman_abs: float  # Spearman's rho of |map| with the original's
    spearman: float  # of the signed map
    ssim: float  # of |map| scaled to [0, 1]


@dataclass(frozen=True)
class SanityReport:
    """The records of one check, with what it ran on; iterating gives the records."""

    model: str
    mode: str
    layer: str | None  # the CAM layer
    target: int
    target_label: str
    units: tuple[str, ...]  # in the order randomised
    records: tuple[SanityRecord, ...]
    ms: float  # the whole check
    # method → (the original map, the map the check ends on: every unit randomised (cascading),
    # the head alone (independent), the shuffled-label twin's (labels))
    maps: dict[str, tuple[np.ndarray, np.ndarray]]

    def __iter__(self) -> Iterator[SanityRecord]:
        return iter(self.records)

    def __len__(self) -> int:
        return len(self.records)

    def last(self, method: str) -> SanityRecord:
        """The record with the most randomised (cascading: the whole model); independent: the
        unit whose randomisation moved the map least."""
        rows = [r for r in self.records if r.method == method]
        if self.mode == "cascading":
            return max(rows, key=lambda r: r.depth)
        return max(rows, key=lambda r: r.spearman_abs)

    def survivors(self) -> tuple[str, ...]:
        """Methods whose map still ranks pixels like the original (Spearman of |map| ≥
        SURVIVES) with every unit randomised (cascading), with whichever one unit is randomised
        (independent), or with the labels shuffled: their picture does not depend on what the
        model learned there."""
        methods = dict.fromkeys(r.method for r in self.records)
        if self.mode == "independent":
            least = {m: min(r.spearman_abs for r in self.records if r.method == m) for m in methods}
            return tuple(m for m in methods if least[m] >= SURVIVES)
        return tuple(m for m in methods if self.last(m).spearman_abs >= SURVIVES)


def units_of(model: nn.Module) -> list[tuple[str, list[str]]]:
    """What one step randomises, from the head down: (label, module names). Blocks one at a
    time, or stages where the network has more than MAX_BLOCKS blocks; then the stem."""
    reading = reading_of(model)
    head = [n for n in reading.head if _weighted(model.get_submodule(n))]
    units: list[tuple[str, list[str]]] = [("+".join(head) or "head", head)]
    if len(reading.blocks) > MAX_BLOCKS:
        units += [(st.name, list(st.blocks)) for st in reversed(reading.stages)]
    else:
        units += [(b.name, [b.name]) for b in reversed(reading.blocks)]
    return [*units, ("stem", list(reading.stem))]


def _weighted(module: nn.Module) -> bool:
    return any(True for _ in module.parameters())


def randomise(model: nn.Module, names: Sequence[str], seed: int) -> None:
    """Re-initialise every layer inside `names` as its constructor does (BatchNorm: weight 1,
    bias 0, running mean 0, variance 1), from `seed`."""
    devices = list({p.device for p in model.parameters() if p.device.type == "cuda"})
    with torch.random.fork_rng(devices=devices), torch.no_grad():
        torch.manual_seed(seed)
        for name in names:
            for m in model.get_submodule(name).modules():
                if hasattr(m, "reset_parameters"):
                    m.reset_parameters()
                if hasattr(m, "reset_running_stats"):
                    m.reset_running_stats()


def _restore(model: nn.Module, original: nn.Module, names: Sequence[str]) -> None:
    for name in names:
        model.get_submodule(name).load_state_dict(original.get_submodule(name).state_dict())


def randomisable_copy(model: nn.Module) -> nn.Module:
    """A copy to randomise, read through the original's reading (no second trace)."""
    twin = copy.deepcopy(model)
    remember(twin, reading_of(model))
    return twin


def _compare(method: str, unit: str, depth: int, before: np.ndarray, after: np.ndarray
             ) -> SanityRecord:  # fmt: skip
    similar = ssim(unit_scaled(before), unit_scaled(after))
    return SanityRecord(method, unit, depth, spearman(np.abs(before), np.abs(after)),
                        spearman(before, after), similar)  # fmt: skip


def sanity_check(image: ImageInput | torch.Tensor, model: ModelLike,
                 methods: Sequence[str] = METHODS, mode: Mode = "cascading",
                 layer: str | None = None, target: Target = None, seed: int = SEED,
                 progress: Any = None, **options: Any) -> SanityReport:  # fmt: skip
    """Each method's map of `image` after randomising the model (cascading: from the head down,
    step by step; independent: one unit at a time; labels: the twin trained on shuffled labels),
    compared with the map of the model as it is, for the same class (default its top-1).
    `progress(done, total)` is called after each step."""
    if mode not in MODES:
        raise ExplorerError.text("err_sanity_mode", mode=mode, known=", ".join(MODES))
    if isinstance(methods, str) or not methods:
        raise ExplorerError.text("err_method", method=methods, known=", ".join(METHODS))
    methods = tuple(dict.fromkeys(methods))
    start = time.perf_counter()
    module = resolve_model(model)
    info = getattr(module, INFO_ATTR, None)
    name = info.name if info else type(module).__name__
    x, _ = prepare(image, module)
    x = to_model(module, x)
    categories = info.categories if info else ()
    index = _target_index(target, categories, num_classes(module))
    targets = None if index is None else torch.tensor([index], device=x.device)
    layers = {check_layer(module, m, layer if m in LAYERED else None) for m in methods} - {None}
    layer = layers.pop() if layers else None
    first = saliency(module, x, methods, layer, targets, **options)
    targets = first.targets
    original = {m: v.numpy() for m, v in to_host({m: t[0] for m, t in first.maps.items()}).items()}

    def maps_of(net: nn.Module) -> dict[str, np.ndarray]:
        got = saliency(net, x, methods, layer, targets, **options)
        return {m: v.numpy() for m, v in to_host({m: t[0] for m, t in got.maps.items()}).items()}

    records: list[SanityRecord] = []
    last: dict[str, np.ndarray] = {}
    if mode == "labels":
        if name not in SHUFFLED:
            raise ExplorerError.text("err_no_shuffled", model=name, known=", ".join(SHUFFLED))
        twin = load_model(SHUFFLED[name], "DEFAULT", device=x.device)
        last = maps_of(twin)
        units = [SHUFFLED[name]]
        records = [_compare(m, units[0], 1, original[m], last[m]) for m in methods]
        if progress is not None:
            progress(1, 1)
    else:
        twin = randomisable_copy(module)
        plan = units_of(module)
        units = [label for label, _ in plan]
        shown: dict[str, np.ndarray] = {}  # the maps the report keeps: all randomised, or the head
        for depth, (label, names) in enumerate(plan, start=1):
            randomise(twin, names, seed + depth)
            last = maps_of(twin)
            records += [_compare(m, label, depth, original[m], last[m]) for m in methods]
            if mode == "independent":
                _restore(twin, module, names)
            if mode == "cascading" or depth == 1:
                shown = last
            if progress is not None:
                progress(depth, len(plan))
        last = shown
    cls = int(targets[0])
    return SanityReport(
        model=name, mode=mode, layer=layer, target=cls,
        target_label=categories[cls] if cls < len(categories) else str(cls),
        units=tuple(units), records=tuple(records), ms=(time.perf_counter() - start) * 1000,
        maps={m: (original[m], last[m]) for m in methods},
    )  # fmt: skip
