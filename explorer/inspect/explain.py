"""Predictions and saliency for images: `predict`, `gradcam` and `explain`.

An image (a path, bytes, a PIL image, or an already preprocessed (1, 3, H, W) tensor) goes through
the model's own transform and one forward pass (cam.py); the result is a record. Nothing here
draws; `explain_many` serves a batch of requests with as few passes as their models allow.
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
from ..errors import ExplorerError
from ..models.loading import INFO_ATTR, ModelInfo, load_model
from .cam import CamResult, explain_batch, resolve_layer, stage_maps
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
    stage: str  # "layer1".."layer4"
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


def _device_batch(model: nn.Module, x: torch.Tensor) -> tuple[torch.Tensor, torch.autocast | None]:
    param = next(model.parameters())
    x = x.to(param.device, param.dtype)
    if param.device.type == "cuda":  # channels_last and bf16/fp16 autocast for the forward pass
        dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        return x.contiguous(memory_format=torch.channels_last), torch.autocast("cuda", dtype)
    return x, None


def _run(model: nn.Module, x: torch.Tensor, layer: str, target: torch.Tensor | None
         ) -> CamResult:  # fmt: skip
    x, autocast = _device_batch(model, x)
    if autocast is None:
        return explain_batch(model, x, layer, target)
    with autocast:
        return explain_batch(model, x, layer, target)


def _features(result: CamResult, i: int) -> tuple[StageFeatures, ...]:
    out = []
    for stage, act in sorted(result.features.items()):
        a = act[i].float().cpu()  # (C, h, w)
        strength = a.mean((1, 2))
        top = strength.argsort(descending=True)[:TOP_CHANNELS]
        maps = a[top]
        maps = maps / maps.flatten(1).amax(1).clamp_min(1e-12)[:, None, None]
        out.append(StageFeatures(stage, tuple(a.shape), tuple(top.tolist()),
                                 tuple(strength[top].tolist()), maps.numpy()))  # fmt: skip
    return tuple(out)


def _explanation(model: nn.Module, result: CamResult, i: int, crop: Image.Image, layer: str,
                 k: int, stages: dict[str, torch.Tensor]) -> Explanation:  # fmt: skip
    info = _info(model)
    classes = result.logits.shape[1]
    categories = info.categories if info else tuple(str(c) for c in range(classes))
    probs = result.logits[i].float().softmax(0).cpu()
    top = probs.topk(min(k, classes))
    predictions = [Prediction(int(c), categories[int(c)], float(p))
                   for p, c in zip(top.values, top.indices, strict=True)]  # fmt: skip
    target = int(result.targets[i])
    return Explanation(
        model=info.name if info else type(model).__name__,
        title=info.title if info else type(model).__name__,
        weights=info.weights if info else "unknown",
        trained=info.trained if info else True,
        message=info.message if info else "",
        predictions=tuple(predictions),
        target=target,
        target_label=categories[target],
        layer=layer,
        cam=result.maps[i].float().cpu().numpy(),
        cam_grid=result.grid[i].float().cpu().numpy(),
        image=crop,
        features=_features(result, i),
        stage_cams=tuple((s, m[i].float().cpu().numpy()) for s, m in stages.items()),
    )


def explain(image: ImageInput | torch.Tensor, model: ModelLike, k: int = 5,
            layer: str = "layer4", target: Target = None) -> Explanation:  # fmt: skip
    """Top-k predictions, Grad-CAM of `target` (default: the top-1 class) at `layer`, and the
    strongest channels of each stage, all from one forward pass."""
    module = resolve_model(model)
    return explain_many([image], module, k, layer, [target])[0]


def explain_many(images: Sequence[ImageInput | torch.Tensor], model: ModelLike, k: int = 5,
                 layer: str = "layer4", targets: Sequence[Target] | None = None,
                 stage_cams: bool = False) -> list[Explanation]:  # fmt: skip
    """`explain` for several images of one model: one pass for those explaining their top-1
    class, one for those given a class. `stage_cams` adds the map at every stage (layer1 …
    layer4) for the same class, reusing the pass's stage outputs."""
    module = resolve_model(model)
    targets = list(targets) if targets is not None else [None] * len(images)
    info = _info(module)
    classes = module.fc.out_features
    categories = info.categories if info else ()
    # Cheap checks first: a bad layer or class is refused before any image is decoded.
    resolve_layer(module, layer)
    wanted = [_target_index(t, categories, classes) for t in targets]
    prepared = [prepare(img, module) for img in images]
    out: list[Explanation | None] = [None] * len(images)
    for given in (False, True):
        idx = [i for i, t in enumerate(wanted) if (t is not None) == given]
        if not idx:
            continue
        x = torch.cat([prepared[i][0] for i in idx])
        target = torch.tensor([wanted[i] for i in idx]) if given else None
        result = _run(module, x, layer, target)
        stages = stage_maps(module, result, tuple(x.shape[-2:])) if stage_cams else {}
        for j, i in enumerate(idx):
            out[i] = _explanation(module, result, j, prepared[i][1], layer, k, stages)
    return out  # type: ignore[return-value]


def predict(image: ImageInput | torch.Tensor, model: ModelLike, k: int = 5) -> list[Prediction]:
    """The k most probable classes (shares explain's single forward pass)."""
    return list(explain(image, model, k).predictions)


def gradcam(image: ImageInput | torch.Tensor, model: ModelLike, target: Target = None,
            layer: str = "layer4") -> np.ndarray:  # fmt: skip
    """The Grad-CAM map alone: (H, W) float32 in [0, 1], aligned with the model's input crop."""
    return explain(image, model, 1, layer, target).cam
