"""Saliency maps by eight methods, one call each: `attribute(image, model, method, layer, target)`.

The three CAMs (Grad-CAM, Grad-CAM++, LayerCAM) come together from one forward pass and one
backward pass as far as the layer: written here so that they share it (pytorch-grad-cam is their
test oracle, and captum's LayerGradCam, which explorer.gradcam uses, Grad-CAM's). The
pixel methods are captum's: IntegratedGradients, NoiseTunnel over Saliency, GuidedBackprop and
Occlusion, with their steps, samples and patches batched. Guided Grad-CAM is captum's
GuidedBackprop times the Grad-CAM of that same pass (captum's GuidedGradCam, the tests' oracle,
runs two). Every map carries its cost, in passes and milliseconds. Nothing here draws.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from captum.attr import (
    GuidedBackprop,
    IntegratedGradients,
    LayerAttribution,
    NoiseTunnel,
    Occlusion,
    Saliency,
)
from PIL import Image
from torch import nn
from torch.nn import functional as F
from torch.overrides import TorchFunctionMode

from ..arch.hooks import hooked
from ..arch.structure import num_classes
from ..errors import ExplorerError
from ..models.device import precision, to_host, to_model
from ..models.loading import INFO_ATTR
from .cam import forward_steps, last_stage, resolve_layer
from .deadline import check
from .explain import ModelLike, Target, _target_index, prepare, resolve_model
from .images import ImageInput

CAMS = ("gradcam", "gradcam++", "layercam")
METHODS = (*CAMS, "integrated_gradients", "smoothgrad", "guided_backprop", "guided_gradcam",
           "occlusion")  # fmt: skip
LAYERED = (*CAMS, "guided_gradcam")  # the methods that read a layer
# A gradient's sign says which way a pixel's change moves the score, not whether the pixel is
# evidence: these maps rank pixels by magnitude, as their authors draw them. The CAMs are never
# negative; IG's and Occlusion's sign is evidence for (+) or against (−) the class.
BY_MAGNITUDE = ("smoothgrad", "guided_backprop", "guided_gradcam")

# each method's options and their defaults (None: worked out from the input's side)
OPTIONS: dict[str, dict[str, Any]] = {
    "integrated_gradients": {"steps": 32},
    "smoothgrad": {"samples": 16, "noise": 0.15, "seed": 0},  # noise: σ / (max − min of x)
    "occlusion": {"patch": None, "stride": None},  # side // 8, and the patch (no overlap)
}
LIMITS = {"steps": (1, 512), "samples": (1, 256), "noise": (0.0, 1.0), "seed": (0, 2**31 - 1),
          "patch": (1, 4096), "stride": (1, 4096)}  # fmt: skip
BATCH_PIXELS = 16 * 224 * 224  # images per forward pass: 16 at 224 px, 196 at 64 px


@dataclass(frozen=True)
class Cost:
    """What a map cost: passes of one image each (IG's 32 steps are 32), and wall time."""

    forward: int
    backward: int
    ms: float
    shared: tuple[str, ...] = ()  # the methods whose maps came from the same passes

    @property
    def passes(self) -> int:
        return max(self.forward, self.backward)


@dataclass(frozen=True)
class Attribution:
    model: str
    title: str
    trained: bool
    method: str  # one of METHODS
    layer: str | None  # the CAM layer; None for the pixel methods
    target: int  # the class explained
    target_label: str
    target_prob: float
    map: np.ndarray  # (H, W) float32, signed, at the input's resolution, over the crop `image`
    image: Image.Image  # the crop the model saw
    cost: Cost
    options: tuple[tuple[str, Any], ...] = ()  # the options the method ran with
    completeness: tuple[float, float] | None = None  # IG: (the map's sum, f(x) − f(black))

    @property
    def completeness_error(self) -> float | None:
        """IG's |sum − (f(x) − f(x′))| / |f(x) − f(x′)|: how far its steps are from the
        integral (a ReLU network's gradient jumps along the path; more steps bring it down)."""
        if self.completeness is None:
            return None
        total, gap = self.completeness
        return abs(total - gap) / max(abs(gap), 1e-12)

    @property
    def magnitude(self) -> np.ndarray:
        """|map| divided by its maximum (0 everywhere for an empty map)."""
        return _unit(np.abs(self.map))

    @property
    def drawn(self) -> np.ndarray:
        """What a picture of the map shows, in [0, 1]: the evidence for the class where the sign
        says so (IG, Occlusion: the positive part), else the magnitude."""
        return self.magnitude if self.method in BY_MAGNITUDE else _unit(np.maximum(self.map, 0))


def _unit(a: np.ndarray) -> np.ndarray:
    peak = float(a.max())
    return a / peak if peak > 0 else a


def method_options(method: str, options: dict[str, Any], side: int) -> dict[str, Any]:
    """The options `method` runs with: its defaults, overridden by `options` (checked)."""
    if method not in METHODS:
        raise ExplorerError.text("err_method", method=method, known=", ".join(METHODS))
    known = OPTIONS.get(method, {})
    out = dict(known)
    for name, value in options.items():
        if name not in known:
            raise ExplorerError.text("err_option", option=name, method=method,
                                     known=", ".join(known) or "—")  # fmt: skip
        low, high = LIMITS[name]
        kind = float if isinstance(low, float) else int
        if isinstance(value, bool) or not isinstance(value, int | float) or (
            kind is int and value != int(value)) or not low <= value <= high:  # fmt: skip
            raise ExplorerError.text("err_option_value", option=name, low=low, high=high,
                                     value=value)  # fmt: skip
        out[name] = kind(value)
    if method == "occlusion":
        out["patch"] = out["patch"] or max(1, side // 8)
        out["stride"] = out["stride"] or out["patch"]
        if out["patch"] > side or out["stride"] > out["patch"]:
            raise ExplorerError.text("err_patch", patch=out["patch"], stride=out["stride"],
                                     side=side)  # fmt: skip
    return out


def check_layer(model: nn.Module, method: str, layer: str | None) -> str | None:
    """The layer `method` reads: `layer` checked, the last stage by default; None for a pixel
    method, which refuses a layer."""
    if method not in LAYERED:
        if layer is not None:
            raise ExplorerError.text("err_method_layer", method=method, layer=layer)
        return None
    layer = layer or last_stage(model)
    resolve_layer(model, layer)
    return layer


# ---------------------------------------------------------------- the passes


def _sync(x: torch.Tensor) -> None:
    if x.device.type == "cuda":
        torch.cuda.synchronize(x.device)


@contextmanager
def autograd_pass(model: nn.Module, x: torch.Tensor) -> Iterator[torch.Tensor]:
    """Autograd on, eval mode, the model's precision, and an input outside inference mode (a
    page's request may arrive inside torch.inference_mode)."""
    mode = hooked(model) if model.training else nullcontext()  # BatchNorm needs eval mode
    with torch.inference_mode(False), mode, precision(model), torch.enable_grad():
        yield (x.clone() if x.is_inference() else x).detach()


def score(logits: torch.Tensor, targets: torch.Tensor | None) -> torch.Tensor:
    """One number per image: its target's logit, or its top logit (whose gradient is the top-1
    class's)."""
    if targets is None:
        return logits.max(1).values
    return logits.gather(1, targets[:, None])[:, 0]


def cam_weights(a: torch.Tensor, g: torch.Tensor) -> dict[str, torch.Tensor]:
    """Grad-CAM, Grad-CAM++ and LayerCAM from one activation a and its gradient g (N, C, h, w):
    each a ReLU of a weighted channel sum (N, h, w)."""
    a, g = a.float(), g.float()
    gradcam = (g.mean((2, 3), keepdim=True) * a).sum(1)
    # Chattopadhyay et al.'s closed form for an exponential output, as pytorch-grad-cam has it
    g2 = g * g
    alpha = g2 / (2 * g2 + a.sum((2, 3), keepdim=True) * g2 * g + 1e-6)
    alpha = torch.where(g != 0, alpha, torch.zeros_like(alpha))
    plus = ((torch.relu(g) * alpha).sum((2, 3), keepdim=True) * a).sum(1)
    layercam = (torch.relu(g) * a).sum(1)  # Jiang et al.: each position its own weight
    return {"gradcam": torch.relu(gradcam), "gradcam++": torch.relu(plus),
            "layercam": torch.relu(layercam)}  # fmt: skip


def upsample(raw: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    return LayerAttribution.interpolate(raw[:, None], size, "bilinear")[:, 0]


def cam_maps(model: nn.Module, x: torch.Tensor, layer: str, targets: torch.Tensor | None
             ) -> tuple[dict[str, torch.Tensor], torch.Tensor]:  # fmt: skip
    """The three CAMs at `layer`, (N, H, W) each, and the logits: the network runs to the layer
    without autograd, then the rest with it, and one backward pass goes back to the layer."""
    steps = forward_steps(model, {})
    cut = [name for name, _ in steps].index(layer) + 1  # a stage's name is its tap
    with autograd_pass(model, x) as a, torch.no_grad():
        for _, module in steps[:cut]:
            check()
            a = module(a)
    raw, logits = cams_from(model, a, layer, targets)
    size = tuple(x.shape[-2:])
    return {name: upsample(m, size) for name, m in raw.items()}, logits


def cams_from(model: nn.Module, a: torch.Tensor, layer: str, targets: torch.Tensor | None
              ) -> tuple[dict[str, torch.Tensor], torch.Tensor]:  # fmt: skip
    """The CAMs at the layer's own grid (N, h, w), from its activation `a`: the network after
    the layer runs with autograd and one backward pass goes back to `a`. And the logits."""
    steps = forward_steps(model, {})
    cut = [name for name, _ in steps].index(layer) + 1
    with autograd_pass(model, a) as a:
        a = a.float().requires_grad_()  # (N, C, h, w)
        logits = a
        for _, module in steps[cut:]:
            logits = module(logits)
        (g,) = torch.autograd.grad(score(logits, targets).sum(), a)
    return cam_weights(a.detach(), g), logits.detach().float()


class _Scores(nn.Module):
    """The model as captum's forward function: its logits, or with `top` each image's top
    logit; `layer` keeps that module's output and, once backward has run, its gradient."""

    def __init__(self, model: nn.Module, top: bool = False, layer: str | None = None) -> None:
        super().__init__()
        self.model, self.top, self.layer = model, top, layer
        self.kept: dict[str, torch.Tensor] = {}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check()
        if self.layer is None:
            logits = self.model(x)
        else:
            with hooked(self.model) as hooks:
                hooks.forward(self.model.get_submodule(self.layer), self._keep)
                logits = self.model(x)
        self.kept["logits"] = logits.detach().float()
        return logits.max(1).values if self.top else logits

    def _keep(self, _m: nn.Module, _args: tuple[Any, ...], out: torch.Tensor) -> None:
        self.kept["a"] = out.detach().clone()  # a later in-place op must not change it
        out.register_hook(lambda g: self.kept.__setitem__("g", g.detach()))


class _LooseRelus(TorchFunctionMode):
    """Counts ReLUs applied as functions, outside any nn.ReLU module: captum's Guided Backprop
    cannot reach those, and its map would silently be the plain gradient there."""

    RELUS = frozenset({F.relu, F.relu_, torch.relu, torch.relu_, torch.Tensor.relu,
                       torch.Tensor.relu_})  # fmt: skip

    def __init__(self) -> None:
        super().__init__()
        self.depth = self.loose = 0

    def enter(self, *_: Any) -> None:
        self.depth += 1

    def leave(self, *_: Any) -> None:
        self.depth -= 1

    def __torch_function__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        if func in self.RELUS and not self.depth:
            self.loose += 1
        return func(*args, **(kwargs or {}))


def _relus(model: nn.Module) -> list[nn.ReLU]:
    return [m for m in model.modules() if isinstance(m, nn.ReLU)]


def _captum(fn: Any, *args: Any, **kwargs: Any) -> torch.Tensor:
    """A captum call without its notes to the developer (inputs set to require grad, hooks
    on ReLUs): both are what this module asks for."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", module=r"captum\.")
        return fn(*args, **kwargs)


def _guided(model: nn.Module, x: torch.Tensor, layer: str | None, targets: torch.Tensor | None
            ) -> dict[str, torch.Tensor]:  # fmt: skip
    """captum's Guided Backprop of each image's target (N, 3, H, W); with `layer`, also the
    Grad-CAM at that layer from the same forward pass."""
    relus = _relus(model)
    end = None if layer is None else _end_module(model, layer)
    scores = _Scores(model, top=targets is None, layer=end)
    watch = _LooseRelus()
    with autograd_pass(model, x) as xin, hooked(model) as hooks:
        for relu in relus:  # a ReLU that runs inside one of these is one captum guides
            hooks.forward_pre(relu, watch.enter)
            hooks.forward(relu, watch.leave)
        with watch:
            grads = _captum(GuidedBackprop(scores).attribute, xin.requires_grad_(),
                            target=targets)  # fmt: skip
    if watch.loose or not relus:
        raise ExplorerError.text("err_no_relu", model=type(model).__name__)
    out = {"guided": grads.detach().float(), "logits": scores.kept["logits"], "again": 0}
    if layer is not None:
        steps = forward_steps(model, {})
        tail = steps[[name for name, _ in steps].index(layer) + 1 :]
        if any(_relus(m) for _, m in tail):
            # a ReLU after the layer: guided gradients there are not Grad-CAM's, so the tail runs
            # once more, plainly, from the activation it kept
            wanted = out["logits"].argmax(1) if targets is None else targets
            cams, _ = cams_from(model, scores.kept["a"], layer, wanted)
            out["cam"], out["again"] = cams["gradcam"], len(x)
        else:
            raw = cam_weights(scores.kept["a"], scores.kept["g"])["gradcam"]
            out["cam"] = raw  # at the layer's grid; captum upsamples it to nearest below
    return out


def _end_module(model: nn.Module, layer: str) -> str:
    """The module whose output is `layer` (a stage is its last block)."""
    module = resolve_layer(model, layer)
    return next(name for name, m in model.named_modules() if m is module)


def _batch(x: torch.Tensor) -> int:
    """How many images one forward pass holds at this input size."""
    return max(1, BATCH_PIXELS // (x.shape[-2] * x.shape[-1]))


def windows(side: int, patch: int, stride: int) -> int:
    """Occlusion's patch positions along one side, as captum places them (the last one may
    overhang the edge)."""
    return math.ceil((side - patch) / stride) + 1


def span(model: nn.Module, x: torch.Tensor) -> float:
    """The range of the model's input space, black to white (the widest channel): SmoothGrad's
    noise is a share of it, the same whatever the batch; else the range of x."""
    info = getattr(model, INFO_ATTR, None)
    if info is None:
        return float(x.max() - x.min())
    return max(1 / s for s in info.preprocess.std)


def black(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """A black image in the model's input space: 0 in [0, 1] pixels, normalised like x."""
    info = getattr(model, INFO_ATTR, None)
    if info is None:
        return torch.zeros_like(x)
    mean = torch.tensor(info.preprocess.mean, device=x.device, dtype=x.dtype)
    std = torch.tensor(info.preprocess.std, device=x.device, dtype=x.dtype)
    return ((0 - mean) / std)[None, :, None, None].expand_as(x).contiguous()


def _pixel(model: nn.Module, x: torch.Tensor, method: str, targets: torch.Tensor,
           opts: dict[str, Any]) -> tuple[torch.Tensor, int, int]:  # fmt: skip
    """IG, SmoothGrad or Occlusion through captum: the (N, H, W) map and the forward and
    backward passes it ran."""
    scores = _Scores(model)
    n = len(x)
    with autograd_pass(model, x) as xin:
        if method == "integrated_gradients":
            attr = _captum(IntegratedGradients(scores).attribute, xin.requires_grad_(),
                           baselines=black(model, xin), target=targets, n_steps=opts["steps"],
                           internal_batch_size=min(_batch(x), n * opts["steps"]))  # fmt: skip
            return attr.float().sum(1), n * opts["steps"], n * opts["steps"]
        if method == "smoothgrad":
            sigma = opts["noise"] * span(model, xin)
            devices = [x.device] if x.device.type == "cuda" else []
            with torch.random.fork_rng(devices=devices):
                torch.manual_seed(opts["seed"])
                attr = _captum(NoiseTunnel(Saliency(scores)).attribute, xin.requires_grad_(),
                               nt_type="smoothgrad", nt_samples=opts["samples"], stdevs=sigma,
                               nt_samples_batch_size=max(1, min(_batch(x) // n, opts["samples"])),
                               target=targets, abs=False)  # fmt: skip
            return attr.float().sum(1), n * opts["samples"], n * opts["samples"]
        patch, stride = opts["patch"], opts["stride"]
        window = {"sliding_window_shapes": (3, patch, patch), "strides": (3, stride, stride)}
        with torch.no_grad():
            attr = _captum(Occlusion(scores).attribute, xin, baselines=black(model, xin),
                           target=targets, perturbations_per_eval=max(1, _batch(x) // n),
                           **window)  # fmt: skip
        count = windows(x.shape[-2], patch, stride) * windows(x.shape[-1], patch, stride)
        return attr.float().mean(1), n * (count + 1), 0  # the window is 3 colours


def forward(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """The logits of x in eval mode at the model's precision, without autograd."""
    mode = hooked(model) if model.training else nullcontext()
    with torch.inference_mode(), precision(model), mode:
        logits = model(x).float()
    return logits.clone()  # a normal tensor: the targets taken from it index autograd graphs


def ranking(method: str, maps: torch.Tensor) -> torch.Tensor:
    """What orders the pixels of `method`'s maps, most important first (the pointing game,
    deletion, insertion and ROAD): the map, or its magnitude for the gradient methods."""
    return maps.abs() if method in BY_MAGNITUDE else maps


@dataclass(frozen=True)
class Maps:
    """Maps of several methods for a batch: what `saliency` returns."""

    maps: dict[str, torch.Tensor]  # method → (N, H, W) float32, on the model's device
    costs: dict[str, Cost]
    logits: torch.Tensor  # (N, classes) of the unperturbed images
    targets: torch.Tensor  # (N,) the class each map explains
    gaps: dict[str, torch.Tensor]  # IG: f(x) − f(black) of the target, what its map sums to


def saliency(model: nn.Module, x: torch.Tensor, methods: Sequence[str], layer: str | None = None,
             targets: torch.Tensor | None = None, **options: Any) -> Maps:  # fmt: skip
    """The maps of `methods` for a preprocessed batch x on the model's device; the CAMs asked
    for share one pass. `targets`: a class per image (None: each image's top-1). `options`
    go to the methods that take them."""
    side = int(x.shape[-1])
    opts = {m: method_options(m, {k: v for k, v in options.items() if k in OPTIONS.get(m, {})},
                              side) for m in methods}  # fmt: skip
    everything = sorted({k for o in OPTIONS.values() for k in o})
    unknown = sorted(set(options) - set(everything))
    if unknown:
        raise ExplorerError.text("err_option", option=unknown[0], method=", ".join(methods),
                                 known=", ".join(everything))  # fmt: skip
    layers = {m: check_layer(model, m, layer if m in LAYERED else None) for m in methods}
    maps: dict[str, torch.Tensor] = {}
    costs: dict[str, Cost] = {}
    logits: torch.Tensor | None = None
    gaps: dict[str, torch.Tensor] = {}
    n = len(x)
    cams = [m for m in methods if m in CAMS]
    if cams:
        start = time.perf_counter()
        found, logits = cam_maps(model, x, layers[cams[0]], targets)
        _sync(logits)
        ms = (time.perf_counter() - start) * 1000
        for m in cams:
            maps[m] = found[m]
            costs[m] = Cost(n, n, ms, tuple(cams) if len(cams) > 1 else ())
        targets = logits.argmax(1) if targets is None else targets
    for m in methods:
        if m in maps:
            continue
        start = time.perf_counter()
        if m in ("guided_backprop", "guided_gradcam"):
            got = _guided(model, x, layers[m], targets)
            logits = got["logits"] if logits is None else logits
            targets = logits.argmax(1) if targets is None else targets
            g = got["guided"]
            if m == "guided_gradcam":
                cam = LayerAttribution.interpolate(got["cam"][:, None], tuple(x.shape[-2:]))
                g = g * cam  # captum's GuidedGradCam: nearest-upsampled, no normalising
            maps[m], forwards, backwards = g.sum(1), n + got["again"], n + got["again"]
        else:
            first = 0
            if targets is None or logits is None:
                logits, first = forward(model, x), n
                targets = logits.argmax(1) if targets is None else targets
            maps[m], forwards, backwards = _pixel(model, x, m, targets, opts[m])
            forwards += first
            if m == "integrated_gradients":  # what the map's sum should be (completeness)
                base = forward(model, black(model, x))
                gaps[m] = (logits - base).gather(1, targets[:, None])[:, 0]
                forwards += n
        maps[m] = maps[m].detach()  # captum multiplies by (x − x′), which requires grad
        _sync(maps[m])
        costs[m] = Cost(forwards, backwards, (time.perf_counter() - start) * 1000)
    assert logits is not None and targets is not None
    return Maps(maps, costs, logits, targets, gaps)


def attribute(image: ImageInput | torch.Tensor, model: ModelLike, method: str = "gradcam",
              layer: str | None = None, target: Target = None, **options: Any
              ) -> Attribution:  # fmt: skip
    """One method's saliency map of `image` for class `target` (an index or a label; default
    the top-1), at `layer` for the CAMs and Guided Grad-CAM (default the last stage).

    Options: integrated_gradients steps=32 (a black baseline, and Occlusion's patch is black
    too: for a model that carries no preprocessing, 0 of its input); smoothgrad samples=16,
    noise=0.15 (σ as a share of the input space's range, black to white), seed=0; occlusion
    patch= and stride= in pixels (default an eighth of the side, without overlap).
    """
    if not isinstance(method, str):
        raise ExplorerError.text("err_method", method=method, known=", ".join(METHODS))
    method_options(method, options, 1 << 12)  # an option this method does not take is refused
    check_layer(resolve_model(model), method, layer or None)  # and a layer it does not read
    return compare(image, model, (method,), layer, target, **options)[0]


def compare(image: ImageInput | torch.Tensor, model: ModelLike,
            methods: Sequence[str] = METHODS, layer: str | None = None, target: Target = None,
            **options: Any) -> tuple[Attribution, ...]:  # fmt: skip
    """The maps of several methods for one image, side by side: the CAMs share one pass, and
    `layer` applies to the methods that read one."""
    if isinstance(methods, str) or not methods:
        raise ExplorerError.text("err_method", method=methods, known=", ".join(METHODS))
    module = resolve_model(model)
    x, crop = prepare(image, module)
    x = to_model(module, x)
    info = getattr(module, INFO_ATTR, None)
    categories = info.categories if info else ()
    index = _target_index(target, categories, num_classes(module))
    targets = None if index is None else torch.tensor([index], device=x.device)
    methods = tuple(dict.fromkeys(methods))  # each method once, in the order asked
    found = saliency(module, x, methods, layer or None, targets, **options)
    host = to_host({m: found.maps[m][0] for m in found.maps} | {"logits": found.logits[0]}
                   | {f"gap/{m}": g[0] for m, g in found.gaps.items()})  # fmt: skip
    probs = host.pop("logits").softmax(0)
    cls = int(found.targets[0])
    side = int(x.shape[-1])
    out = []
    for m in methods:
        opts = method_options(m, {k: v for k, v in options.items() if k in OPTIONS.get(m, {})},
                              side)  # fmt: skip
        out.append(Attribution(
            model=info.name if info else type(module).__name__,
            title=info.title if info else type(module).__name__,
            trained=info.trained if info else True,
            method=m, layer=check_layer(module, m, layer if m in LAYERED else None), target=cls,
            target_label=categories[cls] if cls < len(categories) else str(cls),
            target_prob=float(probs[cls]), map=host[m].numpy().astype(np.float32),
            image=crop, cost=found.costs[m], options=tuple(sorted(opts.items())),
            completeness=(float(host[m].double().sum()), float(host[f"gap/{m}"]))
            if f"gap/{m}" in host else None,
        ))  # fmt: skip
    return tuple(out)
