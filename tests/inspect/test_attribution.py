"""explorer.attribute against independent oracles: pytorch-grad-cam's Grad-CAM, Grad-CAM++ and
LayerCAM; the closed form of Integrated Gradients on a linear model and its completeness on a
demo model; Guided Backprop written by hand with a ReLU that passes only positive gradients;
captum's own GuidedGradCam; and Occlusion by a loop that pastes the patch by hand."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
from torch import nn

import explorer
from explorer.demo import make_samples
from explorer.errors import ExplorerError
from explorer.inspect.attribution import CAMS, METHODS, attribute, black, compare, saliency
from explorer.inspect.cam import resolve_layer
from explorer.models.loading import model_info

from ..arch.handwritten import FunctionalNet, ResNet50

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@pytest.fixture(scope="module")
def shapes() -> list:
    return make_samples(3, 2)[0]


def _x(model: nn.Module, image) -> torch.Tensor:
    return model_info(model).preprocess(image)[None]


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(np.ravel(a), np.ravel(b))[0, 1])


@pytest.mark.slow
@pytest.mark.parametrize("name", ["resnet18", "demo_basic", "demo_bottleneck"])
@pytest.mark.parametrize("layer", [None, "layer3"])
def test_the_cams_equal_pytorch_grad_cam(name, layer, shapes):
    gc = pytest.importorskip("pytorch_grad_cam")
    from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget

    model = explorer.load_model(name, "DEFAULT" if name.startswith("demo") else None)
    x = _x(model, shapes[0])
    target = 3
    found = compare(x, model, CAMS, layer, target)
    twin = copy.deepcopy(model)  # pytorch-grad-cam's backward() fills .grad: not the cache's model
    module = resolve_layer(twin, layer or "layer4")
    oracles = {"gradcam": gc.GradCAM, "gradcam++": gc.GradCAMPlusPlus, "layercam": gc.LayerCAM}
    for a in found:
        with oracles[a.method](model=twin, target_layers=[module]) as cam:
            expected = cam(input_tensor=x, targets=[ClassifierOutputTarget(target)])[0]
        assert a.target == target and a.layer == (layer or "layer4")
        assert _corr(a.map, expected) >= 0.99, a.method


@pytest.mark.parametrize("layer", ["layer4", "layer2.0"])
def test_the_trios_grad_cam_is_captums(layer, shapes):
    """The trio computes Grad-CAM itself so that the three share one pass; captum's
    LayerGradCam (the Predict tab's, explorer.gradcam) gives the same map."""
    model = explorer.load_model("demo_bottleneck", "DEFAULT")
    a = attribute(shapes[1], model, "gradcam", layer=layer, target=4)
    expected = explorer.gradcam(shapes[1], model, target=4, layer=layer)  # scaled to [0, 1]
    np.testing.assert_allclose(a.magnitude, expected, atol=1e-5)


def test_the_three_cams_cost_one_pass_together(shapes):
    found = compare(shapes[0], "demo_basic", CAMS)
    costs = {a.cost for a in found}
    assert len(costs) == 1
    (cost,) = costs
    assert (cost.forward, cost.backward, cost.shared) == (1, 1, CAMS)


def test_integrated_gradients_on_a_linear_model_is_input_times_weight():
    torch.manual_seed(0)
    linear = nn.Sequential(nn.Flatten(), nn.Linear(3 * 6 * 6, 4)).eval()
    x = torch.randn(2, 3, 6, 6)
    targets = torch.tensor([1, 3])
    found = saliency(linear, x, ["integrated_gradients"], targets=targets, steps=7)
    w = linear[1].weight.detach().view(4, 3, 6, 6)
    expected = (x * w[targets]).sum(1)  # (x − x′)·w with the black baseline x′ = 0
    torch.testing.assert_close(found.maps["integrated_gradients"], expected, rtol=1e-5,
                               atol=1e-6)  # fmt: skip
    assert found.costs["integrated_gradients"].backward == 2 * 7


@pytest.mark.slow
def test_integrated_gradients_are_complete_at_64_steps():
    """Σ IG = f(x) − f(x′) within 1% at 64 steps, on a held-out image that demo_basic
    classifies with a margin of 10 logits over the black image. On images with a small margin
    the quadrature error of a ReLU network's jumping gradient is a larger share: the record
    reports it, and it shrinks with more steps (the next test)."""
    model = explorer.load_model("demo_basic", "DEFAULT")
    x = _x(model, make_samples(2, 2)[0][1])
    a = attribute(x, model, "integrated_gradients", steps=64)
    with torch.no_grad():
        scores = model(torch.cat([x, black(model, x)]))[:, a.target]
    gap = float(scores[0] - scores[1])
    assert gap > 5
    assert abs(float(a.map.sum()) - gap) <= 0.01 * abs(gap)
    assert a.completeness == pytest.approx((float(a.map.astype(np.float64).sum()), gap),
                                           rel=1e-5)  # fmt: skip
    assert a.cost.forward == 64 + 2  # the steps, the image's own pass and the baseline's


@pytest.mark.slow
def test_integrated_gradients_come_closer_to_complete_with_more_steps(shapes):
    model = explorer.load_model("demo_bottleneck", "DEFAULT")
    errors = {n: np.mean([attribute(im, model, "integrated_gradients", steps=n)
                          .completeness_error for im in shapes]) for n in (8, 128)}  # fmt: skip
    assert errors[128] < errors[8] / 2


class _GuidedReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad.clamp(min=0) * (x > 0)


class _Guided(nn.Module):
    def forward(self, x):
        return _GuidedReLU.apply(x)


def _guided_by_hand(model: nn.Module, x: torch.Tensor, target: int) -> torch.Tensor:
    twin = copy.deepcopy(model)
    for parent in twin.modules():
        for name, child in parent.named_children():
            if isinstance(child, nn.ReLU):
                setattr(parent, name, _Guided())
    x = x.clone().requires_grad_()
    twin(x)[0, target].backward()
    return x.grad[0]


@pytest.mark.parametrize("name", ["demo_basic", "demo_bottleneck"])
def test_guided_backprop_equals_a_relu_that_passes_only_positive_gradients(name, shapes):
    model = explorer.load_model(name, "DEFAULT")
    x = _x(model, shapes[2])
    a = attribute(x, model, "guided_backprop", target=5)
    expected = _guided_by_hand(model, x, 5).sum(0)
    np.testing.assert_allclose(a.map, expected.numpy(), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("layer", ["layer4", "layer3", "layer2.0"])
def test_guided_gradcam_equals_captums_which_runs_two_passes(layer, shapes):
    from captum.attr import GuidedGradCam

    model = explorer.load_model("demo_basic", "DEFAULT")
    x = _x(model, shapes[0])
    a = attribute(x, model, "guided_gradcam", layer=layer, target=2)
    expected = GuidedGradCam(model, resolve_layer(model, layer)).attribute(x, target=2)
    np.testing.assert_allclose(a.map, expected[0].sum(0).detach().numpy(), rtol=1e-4, atol=1e-7)
    # layer4 is followed by no ReLU: its guided gradient is Grad-CAM's, so one pass serves both
    assert a.cost.forward == (1 if layer == "layer4" else 2)


def test_occlusion_equals_pasting_the_patch_by_hand():
    torch.manual_seed(1)
    net = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 3, 3, stride=2),
                        nn.AdaptiveAvgPool2d(1), nn.Flatten()).eval()  # fmt: skip
    x = torch.randn(1, 3, 12, 12)
    patch, stride, target = 4, 2, 1
    found = saliency(net, x, ["occlusion"], targets=torch.tensor([target]), patch=patch,
                     stride=stride).maps["occlusion"][0]  # fmt: skip
    total, count = torch.zeros(12, 12), torch.zeros(12, 12)
    with torch.no_grad():
        base = net(x)[0, target]
        for i in range(0, 12 - patch + 1, stride):
            for j in range(0, 12 - patch + 1, stride):
                hidden = x.clone()
                hidden[:, :, i : i + patch, j : j + patch] = 0  # black: no normalisation here
                total[i : i + patch, j : j + patch] += base - net(hidden)[0, target]
                count[i : i + patch, j : j + patch] += 1
    torch.testing.assert_close(found, total / count, rtol=1e-5, atol=1e-6)


def test_smoothgrad_is_the_mean_gradient_over_its_noisy_copies():
    torch.manual_seed(2)
    linear = nn.Sequential(nn.Flatten(), nn.Linear(3 * 4 * 4, 2)).eval()
    x = torch.randn(1, 3, 4, 4)
    found = saliency(linear, x, ["smoothgrad"], targets=torch.tensor([0]), samples=5)
    # a linear model's gradient is its weight whatever the noise
    expected = linear[1].weight.detach()[0].view(3, 4, 4).sum(0)
    torch.testing.assert_close(found.maps["smoothgrad"][0], expected, rtol=1e-5, atol=1e-6)


def _every_model() -> list:
    timm = pytest.importorskip("timm")
    tm = timm.create_model("resnet18", pretrained=False, num_classes=5).eval()
    notes = ResNet50().eval()
    return [("timm resnet18", tm, 64), ("the notes' ResNet-50", notes, 224)]


@pytest.mark.slow
def test_every_method_runs_on_timm_and_handwritten_models():
    for label, model, side in _every_model():
        x = torch.randn(1, 3, side, side)
        options = {"steps": 4, "samples": 3, "patch": side // 2}
        found = compare(x, model, METHODS, "layer3" if label.startswith("timm") else None,
                        **options)  # fmt: skip
        for a in found:
            assert a.map.shape == (side, side) and np.isfinite(a.map).all(), (label, a.method)
            assert a.cost.ms > 0 and a.cost.forward >= 1


def test_guided_backprop_refuses_a_model_with_functional_relus():
    model = FunctionalNet().eval()
    with pytest.raises(ExplorerError, match=r"nn\.ReLU"):
        attribute(torch.randn(1, 3, 64, 64), model, "guided_backprop")


@pytest.mark.parametrize(
    ("method", "layer", "options", "message"),
    [
        ("ig", None, {}, "no saliency method 'ig'"),
        ("smoothgrad", "layer4", {}, "reads no layer"),
        ("gradcam", None, {"steps": 4}, "not an option of gradcam"),
        ("integrated_gradients", None, {"steps": 0}, "from 1 to 512"),
        ("smoothgrad", None, {"noise": 2.0}, "from 0.0 to 1.0"),
        ("occlusion", None, {"patch": 65}, "does not fit"),
        ("gradcam", "layer9", {}, "no layer 'layer9'"),
    ],
)
def test_bad_requests_get_a_sentence(method, layer, options, message, shapes):
    with pytest.raises(ExplorerError, match=message):
        attribute(shapes[0], "demo_basic", method, layer, **options)


@pytest.mark.slow
def test_bf16_autocast_on_the_cpu_gives_the_same_maps(monkeypatch, shapes):
    model = explorer.load_model("demo_basic", "DEFAULT")
    options = {"steps": 8, "samples": 4}
    monkeypatch.delenv("EXPLORER_AUTOCAST", raising=False)
    full = {a.method: a for a in compare(shapes[1], model, METHODS, **options)}
    monkeypatch.setenv("EXPLORER_AUTOCAST", "bf16")
    half = {a.method: a for a in compare(shapes[1], model, METHODS, **options)}
    for m in METHODS:
        assert half[m].map.dtype == np.float32 and np.isfinite(half[m].map).all()
        assert half[m].target == full[m].target
        assert _corr(half[m].map, full[m].map) > 0.9, m


def test_the_record_is_frozen_and_the_model_is_left_as_it_was(shapes):
    model = copy.deepcopy(explorer.load_model("demo_basic", "DEFAULT")).train()  # not the cache's
    before = {k: v.clone() for k, v in model.state_dict().items()}
    a = attribute(shapes[0], model, "guided_gradcam")
    assert model.training and all(m.training for m in model.modules())
    for k, v in model.state_dict().items():
        assert torch.equal(v, before[k]), k  # eval mode ran: BatchNorm's statistics unchanged
    assert not any(m._backward_hooks or m._forward_hooks for m in model.modules())
    with pytest.raises(AttributeError):
        a.method = "x"  # type: ignore[misc]
    assert a.magnitude.max() == pytest.approx(1.0)
