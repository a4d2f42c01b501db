"""Training the demo models: `python -m explorer.demo train`.

Generates the data once from fixed seeds, trains demo_basic, demo_bottleneck and
demo_basic_shuffled (demo_basic on permuted labels) on the CPU, and writes each model's weights
into the package (models/demo_weights/) as safetensors whose metadata carries everything needed
to use them (mean, std, classes, input size, how they were made).
"""

from __future__ import annotations

import json
import platform
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
from safetensors.torch import save_file
from torch import nn

from ..arch.registry import get_entry
from ..models.bundled import bundled_weights
from . import NAMES, SHUFFLED
from .data import CLASSES, SIZE, make_arrays

SEEDS = {"train": 0, "val": 1, "test": 2}  # the held-out evaluation never sees train/val seeds
# The permutation of the training labels that SHUFFLED learns from. A generator of its own, so
# that the torch seed gives SHUFFLED demo_basic's initialisation, batch order and flips exactly.
LABEL_SEED = 2018


@dataclass(frozen=True)
class TrainConfig:
    seed: int = 0  # torch's seed for initialisation and batch order
    train_samples: int = 20_000  # generated once, seed SEEDS["train"]
    val_samples: int = 1_000  # checked after every epoch, seed SEEDS["val"]
    epochs: int = 5  # both models pass 99% validation accuracy by epoch 4 (measured)
    batch_size: int = 128
    lr: float = 3e-3  # AdamW, one-cycle schedule
    weight_decay: float = 5e-4
    label_smoothing: float = 0.05
    flip: float = 0.5  # horizontal flips: every class is mirror-symmetric as a class


@dataclass(frozen=True)
class TrainResult:
    name: str
    params: int
    seconds: float
    val_accuracy: tuple[float, ...]  # after each epoch, on the true labels
    losses: tuple[float, ...] = field(default=())  # mean training loss of each epoch
    train_accuracy: float = float("nan")  # after training, on the labels it was trained on
    labels: str = "true"  # or "shuffled, seed N": what it was trained on


def split(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Images as a (N, 3, H, W) uint8 tensor in channels-last memory, and labels (N,)."""
    images, labels, _ = make_arrays(n, seed)
    return torch.from_numpy(images).permute(0, 3, 1, 2), torch.from_numpy(labels)


def shuffled_labels(y: torch.Tensor, seed: int = LABEL_SEED) -> torch.Tensor:
    """The labels randomly permuted among the images: the class counts stay, any relation to
    the images goes (Adebayo et al. 2018's data randomisation test)."""
    generator = torch.Generator().manual_seed(seed)
    return y[torch.randperm(len(y), generator=generator)]


def _normalise(x: torch.Tensor, mean: torch.Tensor, std: torch.Tensor) -> torch.Tensor:
    x = (x.float() / 255 - mean[:, None, None]) / std[:, None, None]
    return x.contiguous(memory_format=torch.channels_last)


def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor, mean: torch.Tensor,
             std: torch.Tensor, batch: int = 250) -> float:  # fmt: skip
    model.eval()
    with torch.inference_mode():
        hits = sum(
            (model(_normalise(x[i : i + batch], mean, std)).argmax(1) == y[i : i + batch]).sum()
            for i in range(0, len(x), batch)
        )
    return float(hits) / len(x)


def train_one(name: str, data: dict[str, torch.Tensor], cfg: TrainConfig,
              log: Callable[[str], None] = print, labels: str = "true"
              ) -> tuple[nn.Module, TrainResult]:  # fmt: skip
    """Train one registry demo model from scratch on the given tensors (`labels` says what
    data["y"] is; validation always uses the true labels)."""
    torch.manual_seed(cfg.seed)
    model = get_entry(name).build().to(memory_format=torch.channels_last)  # faster conv on CPU
    x, y, mean, std = data["x"], data["y"], data["mean"], data["std"]
    steps = cfg.epochs * (len(x) // cfg.batch_size)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg.lr, total_steps=steps,
                                                pct_start=0.15)  # fmt: skip
    start = time.perf_counter()
    accs, losses = [], []
    for epoch in range(cfg.epochs):
        model.train()
        order = torch.randperm(len(x))
        total = 0.0
        for i in range(len(x) // cfg.batch_size):
            idx = order[i * cfg.batch_size : (i + 1) * cfg.batch_size]
            batch = _normalise(x[idx], mean, std)
            if torch.rand(1).item() < cfg.flip:
                batch = batch.flip(3)
            loss = nn.functional.cross_entropy(model(batch), y[idx],
                                               label_smoothing=cfg.label_smoothing)  # fmt: skip
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item()
        losses.append(total / (len(x) // cfg.batch_size))
        accs.append(accuracy(model, data["xv"], data["yv"], mean, std))
        elapsed = time.perf_counter() - start
        log(f"  {name} epoch {epoch + 1}/{cfg.epochs}: loss {losses[-1]:.3f}, "
            f"validation accuracy {accs[-1]:.3f} ({elapsed:.0f} s)")  # fmt: skip
    seconds = time.perf_counter() - start
    fit = accuracy(model, x, y, mean, std)  # without flips: what it makes of its training set
    log(f"  {name} training accuracy on its ({labels}) training labels: {fit:.3f}")
    params = sum(p.numel() for p in model.parameters())
    return model, TrainResult(name, params, seconds, tuple(accs), tuple(losses), fit, labels)


def save(model: nn.Module, result: TrainResult, data: dict[str, torch.Tensor],
         cfg: TrainConfig) -> Path:  # fmt: skip
    """The weights as safetensors, with what is needed to use and to reproduce them."""
    path = bundled_weights(result.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.contiguous() for k, v in model.state_dict().items()}
    metadata = {
        "model": result.name,
        "classes": json.dumps(CLASSES),
        "input_size": str(SIZE),
        "mean": json.dumps([round(v, 6) for v in data["mean"].tolist()]),
        "std": json.dumps([round(v, 6) for v in data["std"].tolist()]),
        "config": json.dumps(asdict(cfg)),
        "seeds": json.dumps(SEEDS),
        "labels": result.labels,
        "train_accuracy": f"{result.train_accuracy:.4f}",
        "validation_accuracy": f"{result.val_accuracy[-1]:.4f}",
        "train_seconds": f"{result.seconds:.0f}",
        "trained_with": f"torch {torch.__version__}, {torch.get_num_threads()} CPU threads, "
        f"{platform.processor() or platform.machine()}",
        "command": "python -m explorer.demo train",
    }
    save_file(state, str(path), metadata=metadata)
    return path


def _channel_stats(x: torch.Tensor, chunk: int = 2000) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-channel mean and std of uint8 images in [0, 1] units, without a float copy of all."""
    total = torch.zeros(3, dtype=torch.float64)
    squares = torch.zeros(3, dtype=torch.float64)
    for i in range(0, len(x), chunk):
        c = x[i : i + chunk].double() / 255  # (n, 3, H, W)
        total += c.sum((0, 2, 3))
        squares += (c * c).sum((0, 2, 3))
    count = x.numel() // 3
    mean = total / count
    return mean.float(), (squares / count - mean**2).sqrt().float()


def load_data(cfg: TrainConfig, log: Callable[[str], None] = print) -> dict[str, torch.Tensor]:
    start = time.perf_counter()
    x, y = split(cfg.train_samples, SEEDS["train"])
    xv, yv = split(cfg.val_samples, SEEDS["val"])
    mean, std = _channel_stats(x)
    log(f"generated {len(x)} training and {len(xv)} validation images in "
        f"{time.perf_counter() - start:.0f} s")  # fmt: skip
    return {"x": x, "y": y, "xv": xv, "yv": yv, "mean": mean, "std": std}


def train_all(cfg: TrainConfig, log: Callable[[str], None] = print,
              names: tuple[str, ...] = (*NAMES, SHUFFLED)
              ) -> tuple[list[TrainResult], float]:  # fmt: skip
    """Train and save the demo models `names`; returns their results and the total wall time."""
    start = time.perf_counter()
    data = load_data(cfg, log)
    results = []
    for name in names:
        log(f"training {name} ({get_entry(name).title})")
        if name == SHUFFLED:
            own = {**data, "y": shuffled_labels(data["y"])}
            model, result = train_one(name, own, cfg, log, f"shuffled, seed {LABEL_SEED}")
        else:
            model, result = train_one(name, data, cfg, log)
        log(f"  saved {save(model, result, data, cfg)}")
        results.append(result)
    return results, time.perf_counter() - start
