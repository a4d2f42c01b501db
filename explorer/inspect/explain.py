"""Predictions and saliency for images: `predict`, `gradcam` and `explain`.

An image (a path, bytes, a PIL image, or an already preprocessed (1, 3, H, W) tensor) goes through
the model's own transform and one forward pass (cam.py); the result is a record. Nothing here
draws; `explain_many` serves a batch of requests with as few passes as their models allow. A pass
stays on the model's device, at its precision, down to the few numbers and maps the records
hold, which then reach the host in one copy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torchvision.transforms.functional as TF
from PIL import Image
from torch import nn

from ..arch.registry import get_entry
from ..arch.structure import num_classes
from ..errors import ExplorerError
from ..models.device import to_host, to_model
from ..models.loading import INFO_ATTR, ModelInfo, load_model
from .cam import CamResult, explain_batch, last_stage, resolve_layer, stage_maps
from .images import ImageInput, load_image

TOP_CHANNELS = 8  # feature maps shown per stage
ModelLike = str | nn.Module
Target = int | str | None


@dataclass(frozen=True)
class Prediction:
    index: int  # class index in the model's output
    label: str  # its name
    prob: float  # softmax probability


@dataclass(frozen=True)
class StageFeatures:
    stage: str  # "layer1".."layer4" ("layer3" is a CIFAR-10 ResNet's last)
    shape: tuple[int, ...]  # (C, h, w) of the stage output
    channels: tuple[int, ...]  # the most active channels, strongest first
    strength: tuple[float, ...]  # their mean activation over the map
    maps: np.ndarray  # (k, h, w) float32, each channel divided by its own maximum


@dataclass(frozen=True)
class Explanation:
    model: str
    title: str
    weights: str  # where the weights came from
    trained: bool  # False: the predictions mean nothing
    message: str  # one sentence about the weights
    predictions: tuple[Prediction, ...]  # top-k, most probable first
    target: int  # the class the map explains
    target_label: str
    target_prob: float  # the explained class's softmax probability, in the top-k or not
    layer: str
    cam: np.ndarray  # (H, W) float32 in [0, 1], aligned with `image`
    cam_grid: np.ndarray  # (h, w): the same map at the layer's own resolution
    image: Image.Image  # the input crop the model saw (its resize and centre crop)
    features: tuple[StageFeatures, ...]
    stage_cams: tuple[tuple[str, np.ndarray], ...] = ()  # the map at every stage, if asked for


def resolve_model(model: ModelLike) -> nn.Module:
    """A loaded module; a registry name gets its default weights where it has any."""
    if isinstance(model, nn.Module):
        return model
    entry = get_entry(model)
    return load_model(entry.name, weights="DEFAULT" if entry.weight_names else None)


def _info(model: nn.Module) -> ModelInfo | None:
    return getattr(model, INFO_ATTR, None)


def _crop(img: Image.Image, info: ModelInfo) -> Image.Image:
    """The picture the model sees: its transform's resize and centre crop, before normalising."""
    p = info.preprocess
    resized = TF.resize(img, p.resize_size, interpolation=p.interpolation, antialias=True)
    return TF.center_crop(resized, p.crop_size)


def prepare(image: ImageInput | torch.Tensor, model: nn.Module) -> tuple[torch.Tensor, Image.Image]:
    """The model's input (1, 3, H, W) and the crop it shows, from any supported image."""
    info = _info(model)
    if isinstance(image, torch.Tensor):
        if image.ndim != 4 or image.shape[:2] != (1, 3) or not image.is_floating_point():
            raise ExplorerError(
                f"a tensor image must be a preprocessed float batch of shape (1, 3, H, W), got "
                f"{tuple(image.shape)} {image.dtype}."
            )
        if info is None:
            return image, TF.to_pil_image(image[0].clamp(0, 1).float().cpu())
        mean = torch.tensor(info.preprocess.mean)[:, None, None]
        std = torch.tensor(info.preprocess.std)[:, None, None]
        pixels = (image[0].detach().float().cpu() * std + mean).clamp(0, 1)
        return image, TF.to_pil_image(pixels)
    if info is None:
        raise ExplorerError(
            "this model carries no preprocessing: load it with explorer.load_model, or pass a "
            "preprocessed (1, 3, H, W) tensor."
        )
    img = load_image(image)
    return info.preprocess(img)[None], _crop(img, info)


def _target_index(target: Target, categories: Sequence[str], classes: int) -> int | None:
    if target is None:
        return None
    if isinstance(target, str):
        if target not in categories:
            raise ExplorerError.text("err_no_class", target=target)
        return list(categories).index(target)
    if isinstance(target, bool) or not isinstance(target, int) or not 0 <= target < classes:
        raise ExplorerError.text("err_target_range", last=classes - 1)
    return target


def _on_device(result: CamResult, stages: dict[str, torch.Tensor], k: int
               ) -> dict[str, torch.Tensor]:  # fmt: skip
    """What the records of a pass need, reduced where the pass ran: the top-k, the maps, and
    each stage's strongest channels (not its whole activation)."""
    probs = result.logits.float().softmax(1)  # (N, classes)
    top = probs.topk(min(k, probs.shape[1]))
    target_p = probs.gather(1, result.targets.view(-1, 1).to(probs.device))[:, 0]
    out = {"top_p": top.values, "top_i": top.indices, "target": result.targets,
           "target_p": target_p,
           "cam": result.maps, "grid": result.grid}  # fmt: skip
    for stage, act in result.features.items():
        strength = act.float().mean((2, 3))  # (N, C)
        chosen = strength.topk(min(TOP_CHANNELS, strength.shape[1]))
        h, w = act.shape[-2:]
        maps = act.gather(1, chosen.indices[:, :, None, None].expand(-1, -1, h, w)).float()
        peak = maps.flatten(2).amax(2).clamp_min(1e-12)[:, :, None, None]
        out |= {f"{stage}/channels": chosen.indices, f"{stage}/strength": chosen.values,
                f"{stage}/maps": maps / peak}  # fmt: skip
    for stage, cam in stages.items():
        out[f"{stage}/cam"] = cam
    return out


def _explanation(model: nn.Module, result: CamResult, host: dict[str, torch.Tensor], i: int,
                 crop: Image.Image, layer: str, stages: list[str]) -> Explanation:  # fmt: skip
    """Image i's record, from host copies (`result` only for the stage outputs' shapes)."""
    info = _info(model)
    classes = num_classes(model)
    categories = info.categories if info else tuple(str(c) for c in range(classes))
    predictions = [Prediction(c, categories[c], p)
                   for p, c in zip(host["top_p"][i].tolist(), host["top_i"][i].tolist(),
                                   strict=True)]  # fmt: skip
    target = int(host["target"][i])
    features = tuple(
        StageFeatures(stage, tuple(act.shape[1:]), tuple(host[f"{stage}/channels"][i].tolist()),
                      tuple(host[f"{stage}/strength"][i].tolist()),
                      host[f"{stage}/maps"][i].numpy())
        for stage, act in sorted(result.features.items())
    )  # fmt: skip
    return Explanation(
        model=info.name if info else type(model).__name__,
        title=info.title if info else type(model).__name__,
        weights=info.weights if info else "unknown",
        trained=info.trained if info else True,
        message=info.message if info else "",
        predictions=tuple(predictions),
        target=target,
        target_label=categories[target],
        target_prob=float(host["target_p"][i]),
        layer=layer,
        cam=host["cam"][i].numpy(),
        cam_grid=host["grid"][i].numpy(),
        image=crop,
        features=features,
        stage_cams=tuple((s, host[f"{s}/cam"][i].numpy()) for s in stages),
    )


def explain(image: ImageInput | torch.Tensor, model: ModelLike, k: int = 5,
            layer: str | None = None, target: Target = None) -> Explanation:  # fmt: skip
    """Top-k predictions, Grad-CAM of `target` (default: the top-1 class) at `layer` (default:
    the last stage, "layer4" or a CIFAR-10 ResNet's "layer3"), and the strongest channels of each
    stage, all from one forward pass."""
    module = resolve_model(model)
    return explain_many([image], module, k, layer, [target])[0]


def explain_many(images: Sequence[ImageInput | torch.Tensor], model: ModelLike, k: int = 5,
                 layer: str | None = None, targets: Sequence[Target] | None = None,
                 stage_cams: bool = False) -> list[Explanation]:  # fmt: skip
    """`explain` for several images of one model: one pass for those explaining their top-1
    class, one for those given a class. `stage_cams` adds the map at every stage (layer1 …
    layer4) for the same class, reusing the pass's stage outputs."""
    module = resolve_model(model)
    targets = list(targets) if targets is not None else [None] * len(images)
    info = _info(module)
    classes = num_classes(module)
    categories = info.categories if info else ()
    # Cheap checks first: a bad layer or class is refused before any image is decoded.
    layer = layer or last_stage(module)
    resolve_layer(module, layer)
    wanted = [_target_index(t, categories, classes) for t in targets]
    prepared = [prepare(img, module) for img in images]
    out: list[Explanation | None] = [None] * len(images)
    for given in (False, True):
        idx = [i for i, t in enumerate(wanted) if (t is not None) == given]
        if not idx:
            continue
        x = to_model(module, torch.cat([prepared[i][0] for i in idx]))
        target = torch.tensor([wanted[i] for i in idx], device=x.device) if given else None
        result = explain_batch(module, x, layer, target)
        stages = stage_maps(module, result, tuple(x.shape[-2:])) if stage_cams else {}
        host = to_host(_on_device(result, stages, k))  # the pass's one wait for the device
        for j, i in enumerate(idx):
            out[i] = _explanation(module, result, host, j, prepared[i][1], layer, list(stages))
    return out  # type: ignore[return-value]


def predict(image: ImageInput | torch.Tensor, model: ModelLike, k: int = 5) -> list[Prediction]:
    """The k most probable classes (shares explain's single forward pass)."""
    return list(explain(image, model, k).predictions)


def gradcam(image: ImageInput | torch.Tensor, model: ModelLike, target: Target = None,
            layer: str | None = None) -> np.ndarray:  # fmt: skip
    """The Grad-CAM map alone: (H, W) float32 in [0, 1], aligned with the model's input crop."""
    return explain(image, model, 1, layer, target).cam
