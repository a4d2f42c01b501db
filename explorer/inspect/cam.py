"""Grad-CAM through captum from one forward pass: class scores, the map of the chosen class and
the stage activations, without changing the shared model.

The network runs up to the CAM layer without autograd. captum's LayerGradCam then runs the rest
(the "tail") from that activation, so the backward pass stops at the CAM layer. No hook is put on
the model itself: captum hooks a private Identity at the head of the tail, and private taps
record stage outputs, so concurrent requests on one model cannot see each other's state. Every
pass runs at the precision models/device.py chooses (autocast or float32), the stage maps too:
they continue from activations that autocast produced.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass

import torch
from captum.attr import LayerAttribution, LayerGradCam
from torch import nn

from ..arch.hooks import hooked
from ..arch.structure import network_parts, reading_of
from ..errors import ExplorerError
from ..models.device import precision
from .deadline import check


@dataclass(frozen=True)
class CamResult:
    logits: torch.Tensor  # (N, classes), from the same forward pass as the maps
    targets: torch.Tensor  # (N,) the class each map explains
    maps: torch.Tensor  # (N, H, W) in [0, 1], bilinear-upsampled to the input
    grid: torch.Tensor  # (N, h, w) in [0, 1], at the CAM layer's own resolution
    features: dict[str, torch.Tensor]  # stage name → its output (N, C, h, w), detached


class _Tap(nn.Module):
    """Records what passes through it into a per-call dict; changes nothing."""

    def __init__(self, name: str, store: dict[str, torch.Tensor]) -> None:
        super().__init__()
        self.name, self.store = name, store

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.store[self.name] = x.detach()
        return x


def cam_layers(model: nn.Module) -> list[str]:
    """Layers a CAM can be taken at: each stage, then each block, in forward order."""
    reading = reading_of(model)
    return [*reading.stage_names, *(b.name for b in reading.blocks)]


def last_stage(model: nn.Module) -> str:
    """The default CAM layer: the last stage ("layer4"; "layer3" in a CIFAR-10 ResNet)."""
    return reading_of(model).stage_names[-1]


def resolve_layer(model: nn.Module, layer: str) -> nn.Module:
    """The module whose output the CAM at `layer` reads: a block, or a stage's last block."""
    valid = cam_layers(model)
    if layer not in valid:
        raise ExplorerError.text("err_no_layer_here", layer=layer, example=valid[-1],
                                 count=len(valid))  # fmt: skip
    stage = next((s for s in reading_of(model).stages if s.name == layer), None)
    return model.get_submodule(stage.blocks[-1] if stage is not None else layer)


def forward_steps(model: nn.Module, store: dict[str, torch.Tensor]) -> list[tuple[str, nn.Module]]:
    """The forward pass as steps (structure.network_parts), with a tap after each stage."""
    parts = network_parts(model)
    steps = list(parts.stem)
    last = {s.blocks[-1]: s.name for s in parts.reading.stages}
    for name, block in parts.blocks:
        steps.append((name, block))
        if name in last:
            steps.append((last[name], _Tap(last[name], store)))
    return steps + list(parts.head)


def _scaled(maps: torch.Tensor) -> torch.Tensor:
    """Each map divided by its maximum; an all-zero map (no position raised the score) stays 0."""
    peak = maps.flatten(1).amax(1).clamp_min(torch.finfo(maps.dtype).tiny)
    return maps / peak[:, None, None]


def _tail_cam(steps: list[tuple[str, nn.Module]], cut: int, a: torch.Tensor,
              target: int | torch.Tensor | None, store: dict[str, torch.Tensor]
              ) -> torch.Tensor:  # fmt: skip
    """captum's LayerGradCam on the network after `cut`, from its input activation `a`.

    Returns the raw map (N, h, w); the logits of this pass land in store["logits"].
    """
    tail = nn.Sequential(nn.Identity(), *(module for _, module in steps[cut:]))

    def scores(activation: torch.Tensor) -> torch.Tensor:
        logits = tail(activation)
        store["logits"] = logits.detach()
        # captum needs one number per image when no class is given: the top-1 score.
        return logits if target is not None else logits.max(1).values

    with torch.enable_grad():
        raw = LayerGradCam(scores, tail[0]).attribute(
            a.detach().float().requires_grad_(), target=target, relu_attributions=True
        )
    return raw[:, 0].detach().float()  # autocast's bf16/fp16 is too coarse for upsampling


def _upsampled(raw: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    return _scaled(LayerAttribution.interpolate(raw[:, None], size, "bilinear")[:, 0])


def explain_batch(model: nn.Module, x: torch.Tensor, layer: str | None = None,
                  target: int | torch.Tensor | None = None) -> CamResult:  # fmt: skip
    """Scores, Grad-CAM at `layer` for `target` (default: each image's top-1) and stage outputs.

    x: a preprocessed batch (N, 3, H, W) on the model's device; `target` a class index or one
    per image, on that device too. Works inside torch.inference_mode or no_grad; a model in train
    mode is evaluated in eval mode and put back. `layer` None: the last stage.
    """
    layer = layer or last_stage(model)
    resolve_layer(model, layer)
    store: dict[str, torch.Tensor] = {}
    steps = forward_steps(model, store)
    cut = [name for name, _ in steps].index(layer) + 1  # a stage's name is its tap
    mode = hooked(model) if model.training else nullcontext()  # BatchNorm needs eval mode
    with torch.inference_mode(False), mode, precision(model):
        a = x.clone() if x.is_inference() else x
        with torch.no_grad():  # the prefix: no autograd graph, nothing to backpropagate
            for _, module in steps[:cut]:
                check()
                a = module(a)
        raw = _tail_cam(steps, cut, a, target, store)
    logits = store.pop("logits")
    if target is None:
        targets = logits.argmax(1)
    else:
        targets = torch.as_tensor(target, device=logits.device).expand(len(x))
    size = tuple(x.shape[-2:])
    return CamResult(logits, targets, _upsampled(raw, size), _scaled(raw), store)


def stage_maps(model: nn.Module, result: CamResult, size: tuple[int, int]
               ) -> dict[str, torch.Tensor]:  # fmt: skip
    """Grad-CAM of the same classes at every stage, from one forward and one backward pass.

    The network runs again from the first stage's output that `result` recorded (the stem and
    that stage are not repeated), keeping each later stage's output; one backward pass of the
    target scores then gives the gradient at all of them. Per stage this is captum's
    LayerGradCam (spatial mean of the gradient, times the activation, summed over channels,
    ReLU), which tests check map by map.
    """
    stages = list(reading_of(model).stage_names)
    steps = forward_steps(model, {})
    names = [name for name, _ in steps]
    mode = hooked(model) if model.training else nullcontext()
    with torch.inference_mode(False), mode, precision(model), torch.enable_grad():
        # float32 leaves: the gradients and the channel sums below are then float32 as well
        a = result.features[stages[0]].detach().float().requires_grad_()
        kept = {stages[0]: a}
        for name, module in steps[names.index(stages[0]) + 1 :]:
            check()
            a = module(a)
            if name in stages:  # a stage's tap: its output, on the graph
                kept[name] = a
        score = a.gather(1, result.targets[:, None]).sum()  # images are independent (eval mode)
        grads = torch.autograd.grad(score, list(kept.values()))
    out = {}
    for (stage, act), grad in zip(kept.items(), grads, strict=True):
        weights = grad.float().mean((2, 3), keepdim=True)  # (N, C, 1, 1)
        raw = torch.relu((weights * act.detach().float()).sum(1))  # (N, h, w)
        out[stage] = _upsampled(raw, size)
    return out


def gradcam_maps(model: nn.Module, x: torch.Tensor, target: torch.Tensor,
                 layer: str | None = None) -> torch.Tensor:  # fmt: skip
    """Grad-CAM of class `target[i]` for image `x[i]` at `layer` (None: the last stage):
    (N, H, W) in [0, 1]."""
    return explain_batch(model, x, layer, target).maps
