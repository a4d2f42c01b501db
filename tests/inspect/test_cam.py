"""Grad-CAM: equal to the class activation map of the fc weights at the last block, and the
model is left as it was found."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from explorer import ExplorerError, load_model, model_info
from explorer.arch.hooks import hook_count
from explorer.demo import make_samples
from explorer.inspect.cam import cam_layers, gradcam_maps


def _class_activation_map(model, x: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Zhou et al.'s CAM: the fc weights of the class over layer4's features, no gradients."""
    with torch.no_grad():
        h = model.maxpool(model.relu(model.bn1(model.conv1(x))))
        a = model.layer4(model.layer3(model.layer2(model.layer1(h))))  # (N, C, h, w)
        cam = torch.einsum("nc,nchw->nhw", model.fc.weight[target], a).clamp_min(0)
        cam = F.interpolate(cam[:, None], x.shape[-2:], mode="bilinear")[:, 0]
    return cam / cam.flatten(1).amax(1)[:, None, None]


def _batch(name: str, n: int = 8) -> tuple[torch.nn.Module, torch.Tensor, torch.Tensor]:
    model = load_model(name, weights="DEFAULT")
    images, labels, _ = make_samples(n, seed=31)
    x = torch.stack([model_info(model).preprocess(img) for img in images])
    return model, x, torch.tensor(labels)


@pytest.mark.parametrize("name", ["demo_basic", "demo_bottleneck"])
def test_gradcam_at_the_last_block_is_the_fc_weights_cam(name):
    model, x, y = _batch(name)
    ours, reference = gradcam_maps(model, x, y, "layer4"), _class_activation_map(model, x, y)
    for a, b in zip(ours, reference, strict=True):
        assert torch.corrcoef(torch.stack([a.flatten(), b.flatten()]))[0, 1] > 0.999
    assert ours.shape == (8, 64, 64) and ours.min() >= 0 and ours.amax((1, 2)).eq(1).all()


def test_the_model_is_left_as_found():
    model, x, y = _batch("demo_basic", 4)
    model.train()
    flags = [p.requires_grad for p in model.parameters()]
    inplace = [m.inplace for m in model.modules() if isinstance(m, torch.nn.ReLU)]
    try:
        gradcam_maps(model, x, y, "layer3.0")
        assert model.training and all(m.training for m in model.modules())
        assert [p.requires_grad for p in model.parameters()] == flags
        assert [m.inplace for m in model.modules() if isinstance(m, torch.nn.ReLU)] == inplace
        assert all(inplace)  # torchvision's in-place ReLUs stay in place: no copy is needed
        assert hook_count(model) == 0
        assert all(p.grad is None for p in model.parameters())
    finally:
        model.eval()


def test_works_inside_inference_mode():
    model, x, y = _batch("demo_bottleneck", 4)
    expected = gradcam_maps(model, x, y)
    with torch.inference_mode():
        inside = gradcam_maps(model, x.clone(), y)
    assert torch.equal(inside, expected)


def test_layers_are_named_like_the_stage_table():
    model = load_model("resnet18")
    layers = cam_layers(model)
    assert layers[:4] == ["layer1", "layer2", "layer3", "layer4"]
    assert layers[4:] == [f"layer{s}.{b}" for s in range(1, 5) for b in range(2)]
    with pytest.raises(ExplorerError, match=r"no layer 'layer5'.*layer4\.1"):
        gradcam_maps(model, torch.zeros(1, 3, 64, 64), torch.tensor([0]), "layer5")


@pytest.mark.parametrize("name", ["resnet18", "resnet50"])  # a Basic and a Bottleneck model
def test_every_stage_and_an_inner_block_agree_with_pytorch_grad_cam(name, torch_home):
    """A second library (jacobgil's pytorch-grad-cam, its own hooks and its own resize) on the
    same model and image: the maps correlate at 0.999 or more at every stage and at an inner
    block. Random weights: the same arithmetic as trained ones."""
    from pytorch_grad_cam import GradCAM

    from explorer.inspect.explain import gradcam

    model = load_model(name, None)
    image = make_samples(1, seed=8)[0][0].resize((224, 224))
    x = model_info(model).preprocess(image)[None]
    for layer in ("layer1", "layer2", "layer3", "layer4", "layer3.0"):
        ours = torch.as_tensor(gradcam(x, model, layer=layer)).flatten().double()
        stage = getattr(model, layer.split(".")[0])
        module = model.get_submodule(layer) if "." in layer else stage[-1]  # a stage: its output
        with GradCAM(model=model, target_layers=[module]) as library:
            theirs = torch.as_tensor(library(input_tensor=x, targets=None)[0]).flatten().double()
        r = torch.corrcoef(torch.stack([ours, theirs]))[0, 1]
        assert r >= 0.999, (layer, float(r))
