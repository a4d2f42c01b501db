"""Figure 1/6 of He et al. 2015, reproduced: deeper plain networks have a higher *training*
error, deeper residual ones do not.

plain20, plain56, resnet20 and resnet56 (the registry's CIFAR-10 networks, option A shortcuts)
train with one recipe (the paper's SGD with momentum 0.9 and weight decay 1e-4, its learning-rate
drops at 50% and 75% of training, its pad-and-crop and flip augmentation, a smaller learning rate:
see Recipe.lr), the same seed and the same mini-batches, on ten classes of generated 32×32 shapes
(data.py). The record keeps, every `record_every` steps, the error on the
training mini-batches since the previous record (as the paper's curves do) and on held-out images.
"""

from __future__ import annotations

import json
import math
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import ExplorerError

MODELS = ("plain20", "plain56", "resnet20", "resnet56")
SHIPPED = "degradation.json"  # the package's record, read by degradation_curves()
WEIGHTS = "weights"  # beside it: each model's trained weights (fp16 safetensors) and their card


@dataclass(frozen=True)
class Recipe:
    """Everything that decides a run, recorded with its results."""

    models: tuple[str, ...] = MODELS
    steps: int = 2000  # SGD steps per model
    batch: int = 128
    # The paper starts at 0.1 (ResNet-110: 0.01 first). On these images 0.1 and 0.05 sent
    # resnet56 to chance within 50 steps and kept it there, after a warm-up at 0.01 too
    # (measured); 0.02 trains all four.
    lr: float = 0.02
    momentum: float = 0.9
    weight_decay: float = 1e-4
    drops: tuple[float, ...] = (0.5, 0.75)  # learning rate ÷10 after these fractions of the steps
    train_samples: int = 25_000
    test_samples: int = 2_000
    record_every: int = 100
    seed: int = 0  # weights and mini-batch order, the same for every model
    data_seed: int = 2015

    def check(self) -> Recipe:
        counts = (self.steps, self.batch, self.train_samples, self.test_samples, self.record_every)
        if min(counts) < 1 or self.record_every > self.steps:
            raise ExplorerError(
                "steps, batch, samples and record_every must be at least 1, and record_every at "
                f"most steps (got steps={self.steps}, record_every={self.record_every})."
            )
        if not self.models:
            raise ExplorerError(f"Name at least one model, e.g. {', '.join(MODELS)}.")
        return self


@dataclass(frozen=True)
class CurvePoint:
    """One model's errors after `step` SGD steps."""

    model: str
    step: int
    train_error: float  # on the training mini-batches since the previous point (train mode)
    test_error: float  # on the held-out images (eval mode)


@dataclass(frozen=True)
class DegradationRun:
    recipe: Recipe
    points: tuple[CurvePoint, ...]
    device: str  # "cpu (2 threads)" or the GPU's name
    seconds: dict[str, float] = field(default_factory=dict)  # training time per model
    versions: dict[str, str] = field(default_factory=dict)

    def curve(self, model: str) -> tuple[CurvePoint, ...]:
        return tuple(p for p in self.points if p.model == model)

    def final(self, model: str) -> CurvePoint:
        curve = self.curve(model)
        if not curve:
            raise ExplorerError(f"The run has no curve for {model!r}; it has {self.models}.")
        return curve[-1]

    @property
    def models(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.model for p in self.points))

    def to_dict(self) -> dict[str, Any]:
        return {"recipe": asdict(self.recipe), "device": self.device, "seconds": self.seconds,
                "versions": self.versions, "points": [asdict(p) for p in self.points]}  # fmt: skip

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DegradationRun:
        names = {f.name for f in fields(Recipe)}
        recipe = {k: tuple(v) if isinstance(v, list) else v
                  for k, v in data["recipe"].items() if k in names}  # fmt: skip
        points = tuple(CurvePoint(str(p["model"]), int(p["step"]), float(p["train_error"]),
                                  float(p["test_error"])) for p in data["points"])  # fmt: skip
        return cls(Recipe(**recipe), points, str(data["device"]), dict(data.get("seconds", {})),
                   dict(data.get("versions", {})))  # fmt: skip


def load(path: str | Path | None = None) -> DegradationRun:
    """A saved run: `path`, or the one shipped with the package."""
    if path is None:
        text = resources.files(__package__).joinpath(SHIPPED).read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    return DegradationRun.from_dict(json.loads(text))


def degradation_curves(path: str | Path | None = None) -> tuple[CurvePoint, ...]:
    """The shipped curves (or those saved at `path`): records with model, step, train_error and
    test_error, model by model, steps increasing."""
    return load(path).points


# ---------------------------------------------------------------- training

Progress = Callable[[int, int, str], None]  # steps done, steps in all, what is running


def _augment(x: Any, generator: Any) -> Any:
    """The paper's augmentation: 4 pixels of zero padding, a random 32×32 crop, a random flip."""
    import torch

    n, _, h, w = x.shape
    padded = torch.nn.functional.pad(x, (4, 4, 4, 4))
    dy = torch.randint(0, 9, (n,), generator=generator).tolist()
    dx = torch.randint(0, 9, (n,), generator=generator).tolist()
    flip = torch.rand(n, generator=generator) < 0.5
    out = torch.stack(
        [padded[i, :, a : a + h, b : b + w] for i, (a, b) in enumerate(zip(dy, dx, strict=True))]
    )
    return torch.where(flip[:, None, None, None], out.flip(3), out)


def _errors(model: Any, x: Any, y: Any, batch: int = 500) -> float:
    import torch

    model.eval()
    wrong = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            wrong += int((model(x[i : i + batch]).argmax(1) != y[i : i + batch]).sum())
    model.train()
    return wrong / len(x)


def run(recipe: Recipe = Recipe(), device: str = "cpu", progress: Progress | None = None,
        weights: str | Path | None = None) -> DegradationRun:  # fmt: skip
    """Train every model of `recipe` and record its curves; with `weights` (a folder), save each
    trained model there as `<name>.safetensors` (fp16, with its input statistics)."""
    import numpy as np
    import torch
    import torchvision

    from ..arch.registry import get_entry
    from .data import make_arrays

    recipe.check()
    entries = [get_entry(m) for m in recipe.models]
    dev = torch.device(device)
    images, labels = make_arrays(recipe.train_samples + recipe.test_samples, recipe.data_seed)
    x_all = torch.from_numpy(images).permute(0, 3, 1, 2).float() / 255
    mean = x_all[: recipe.train_samples].mean((0, 2, 3), keepdim=True)
    std = x_all[: recipe.train_samples].std((0, 2, 3), keepdim=True)
    x_all = ((x_all - mean) / std).to(dev).contiguous(memory_format=torch.channels_last)
    y_all = torch.from_numpy(labels).to(dev)
    x_train, y_train = x_all[: recipe.train_samples], y_all[: recipe.train_samples]
    x_test, y_test = x_all[recipe.train_samples :], y_all[recipe.train_samples :]

    total = recipe.steps * len(entries)
    points: list[CurvePoint] = []
    seconds: dict[str, float] = {}
    milestones = [math.ceil(f * recipe.steps) for f in recipe.drops]
    for k, entry in enumerate(entries):
        torch.manual_seed(recipe.seed)
        model = entry.build(device=dev).train().to(memory_format=torch.channels_last)
        optimizer = torch.optim.SGD(model.parameters(), lr=recipe.lr, momentum=recipe.momentum,
                                    weight_decay=recipe.weight_decay)  # fmt: skip
        schedule = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones, 0.1)
        order = torch.Generator().manual_seed(recipe.seed)  # the same mini-batches for every model
        perm = torch.randperm(recipe.train_samples, generator=order)
        cursor, wrong, seen = 0, 0, 0
        start = time.perf_counter()
        for step in range(1, recipe.steps + 1):
            if cursor + recipe.batch > len(perm):
                perm, cursor = torch.randperm(recipe.train_samples, generator=order), 0
            idx = perm[cursor : cursor + recipe.batch].to(dev)
            cursor += recipe.batch
            x = _augment(x_train[idx], order).contiguous(memory_format=torch.channels_last)
            logits = model(x)
            loss = torch.nn.functional.cross_entropy(logits, y_train[idx])
            if not torch.isfinite(loss):
                raise ExplorerError(f"{entry.name} diverged at step {step} (loss {loss.item()}).")
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
            wrong += int((logits.argmax(1) != y_train[idx]).sum())
            seen += len(idx)
            if step % recipe.record_every == 0 or step == recipe.steps:
                points.append(CurvePoint(entry.name, step, wrong / seen,
                                         _errors(model, x_test, y_test)))  # fmt: skip
                wrong = seen = 0
            if progress is not None:
                progress(k * recipe.steps + step, total, entry.name)
        seconds[entry.name] = round(time.perf_counter() - start, 1)
        if weights is not None:
            save_weights(model, entry.name, recipe, mean.flatten().tolist(),
                         std.flatten().tolist(), points[-1], weights)  # fmt: skip
    if dev.type == "cuda":
        where = torch.cuda.get_device_name(dev)
    else:
        cpu = platform.processor() or platform.machine()
        where = f"cpu ({torch.get_num_threads()} threads, {cpu})"
    versions = {"python": platform.python_version(), "torch": torch.__version__,
                "torchvision": torchvision.__version__, "numpy": np.__version__}  # fmt: skip
    return DegradationRun(recipe, tuple(points), where, seconds, versions)


def save_weights(model: Any, name: str, recipe: Recipe, mean: list[float], std: list[float],
                 last: CurvePoint, folder: str | Path) -> Path:  # fmt: skip
    """One trained model as fp16 safetensors: half the bytes, and the held-out error moves by
    at most a few images (the model card gives both). The metadata carries the input statistics,
    the classes and the recipe, so the file is usable on its own."""
    import torch
    from safetensors.torch import save_file

    from .data import CLASSES, SIZE

    state = {k: (v.half() if v.is_floating_point() else v).contiguous()
             for k, v in model.state_dict().items()}  # fmt: skip
    path = Path(folder) / f"{name}.safetensors"
    path.parent.mkdir(parents=True, exist_ok=True)
    metadata = {
        "model": name,
        "classes": json.dumps(CLASSES),
        "input_size": str(SIZE),
        "mean": json.dumps([round(v, 6) for v in mean]),
        "std": json.dumps([round(v, 6) for v in std]),
        "recipe": json.dumps(asdict(recipe)),
        "steps": str(last.step),
        "train_error": f"{last.train_error:.4f}",
        "test_error": f"{last.test_error:.4f}",
        "trained_with": f"torch {torch.__version__}, {torch.get_num_threads()} CPU threads",
        "command": "python -m explorer.experiments degradation",
    }
    save_file(state, str(path), metadata=metadata)
    return path


def save(result: DegradationRun, path: str | Path) -> Path:
    out = Path(path)
    out.write_text(json.dumps(result.to_dict(), indent=1) + "\n", encoding="utf-8")
    return out


def shipped_path() -> Path:
    """Where the package's record lives in a source checkout (to rewrite it)."""
    return Path(__file__).with_name(SHIPPED)


def shipped_weights() -> Path:
    """Where the package's trained models live in a source checkout (to rewrite them)."""
    return Path(__file__).with_name(WEIGHTS)


def progress_bar(stream: Any = sys.stderr, width: int = 30) -> Progress:
    """A one-line text progress bar with the elapsed time and an estimate of what is left."""
    start = time.perf_counter()

    def show(done: int, total: int, what: str) -> None:
        elapsed = time.perf_counter() - start
        left = elapsed / done * (total - done) if done else 0.0
        filled = int(width * done / total)
        bar = "█" * filled + "·" * (width - filled)
        stream.write(f"\r{bar} {done}/{total} steps · {what:<8} · {elapsed / 60:4.1f} min, "
                     f"~{left / 60:4.1f} min left ")  # fmt: skip
        if done == total:
            stream.write("\n")
        stream.flush()

    return show


def summary_lines(result: DegradationRun, models: Sequence[str] | None = None) -> list[str]:
    """The final errors, one model per line."""
    lines = []
    for m in models or result.models:
        p = result.final(m)
        minutes = result.seconds.get(m, 0) / 60
        lines.append(f"{m:<9} step {p.step:>5}: train error {p.train_error:6.1%}, "
                     f"test error {p.test_error:6.1%}, {minutes:.1f} min")  # fmt: skip
    return lines


@dataclass(frozen=True)
class Finding:
    """What a run says about the paper's claim, from each model's last record."""

    steps: int
    plain: tuple[CurvePoint, CurvePoint]  # the shallow and the deep plain network
    residual: tuple[CurvePoint, CurvePoint]  # the shallow and the deep ResNet

    @property
    def plain_degrades(self) -> bool:
        """The deeper plain network ends with the higher training error (the paper's Figure 6)."""
        return self.plain[1].train_error > self.plain[0].train_error

    @property
    def residual_holds(self) -> bool:
        """The deeper ResNet ends with a lower or equal training error."""
        return self.residual[1].train_error <= self.residual[0].train_error

    @property
    def plain_gap(self) -> float:
        """How far the deep plain network ends above the shallow one (training error)."""
        return self.plain[1].train_error - self.plain[0].train_error

    @property
    def residual_gap(self) -> float:
        return self.residual[1].train_error - self.residual[0].train_error

    @property
    def residual_close(self) -> bool:
        """Not lower, but the shortcuts closed the gap: the deep ResNet ends behind the shallow
        one by less than a tenth of what the deep plain network is behind its twin."""
        return self.plain_gap > 0 and 0 < self.residual_gap < self.plain_gap / 10

    lead: int = 0  # records at which the deep ResNet's training error was at most the shallow's
    records: int = 0  # records of the ResNets, at the same steps


def finding(result: DegradationRun, plain: tuple[str, str] = ("plain20", "plain56"),
            residual: tuple[str, str] = ("resnet20", "resnet56")) -> Finding:  # fmt: skip
    pairs = tuple(tuple(result.final(m) for m in names) for names in (plain, residual))
    shallow, deep = (result.curve(m) for m in residual)
    lead = sum(d.train_error <= s.train_error for s, d in zip(shallow, deep, strict=False))
    return Finding(max(p.step for p in result.points), *pairs, lead=lead,  # type: ignore[arg-type]
                   records=min(len(shallow), len(deep)))  # fmt: skip
