"""Shortcut contributions against closed forms: a zero residual branch, a silenced block, the
in-place addition, lesions equal to a network rebuilt without the block, no hooks left."""

from __future__ import annotations

import copy
import json
import math

import pytest
import torch
from torch import nn
from torchvision import models as tvm

from explorer import get_entry, load_model, model_info
from explorer.arch.hooks import hook_count
from explorer.arch.structure import network_parts
from explorer.demo import make_samples
from explorer.inspect import paths
from explorer.inspect.contributions import (
    _measures,
    path_counts,
    residual_branch,
    shortcut_path,
    shortcut_report,
    shortcuts,
)

from ..conftest import count_host_copies

IMAGES, LABELS, _ = make_samples(4, seed=23)
DEMOS = ["demo_basic", "demo_bottleneck"]


@pytest.mark.parametrize(
    "name", ["resnet18", "resnet50", "resnet50_v1", "resnext50_32x4d", "demo_basic",
             "demo_bottleneck"],
)  # fmt: skip
def test_relu_of_branch_plus_shortcut_is_the_block(name):
    model = get_entry(name).build().eval()
    torch.manual_seed(0)
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        for _, m in network_parts(model).stem:
            x = m(x)
        for _, block in network_parts(model).blocks:
            expected = block(x.clone())
            assert torch.equal(torch.relu(residual_branch(block, x) + shortcut_path(block, x)),
                               expected)  # fmt: skip
            x = expected


def _tensor(model: nn.Module, size: int = 64) -> torch.Tensor:
    torch.manual_seed(1)
    return torch.randn(1, 3, size, size)


def test_zero_init_residual_makes_every_branch_exactly_zero():
    model = tvm.resnet18(zero_init_residual=True).eval()  # the last BN of every branch is 0
    report = shortcut_report(_tensor(model), model)
    for r in report.records:
        assert r.residual_norm == 0.0 and r.ratio == 0.0 and r.cosine == 0.0
        assert r.lesion_delta == 0.0 and not r.lesion_top1_changed
        assert r.grad_share_shortcut == 1.0  # no gradient can go through a branch that is 0
        assert r.grad_share_residual == 0.0 and r.grad_norm_ratio == 1.0
    assert report.gradient_by_length[0] == 1.0 and sum(report.gradient_by_length[1:]) == 0.0


def test_silencing_one_block_removes_only_its_lesion_effect(torch_home):
    model = copy.deepcopy(load_model("resnet18"))  # random init: every BN bias is 0
    with torch.no_grad():
        model.layer3[1].bn2.weight.zero_()
    records = {r.block: r for r in shortcuts(_tensor(model), model)}
    assert records["layer3.1"].residual_norm == 0.0 and records["layer3.1"].lesion_delta == 0.0
    others = [r for name, r in records.items() if name != "layer3.1"]
    assert all(r.residual_norm > 0 for r in others)
    assert sum(abs(r.lesion_delta) > 0 for r in others) >= len(others) - 1


def test_the_inplace_addition_does_not_corrupt_the_branch():
    model = load_model("demo_basic", weights="DEFAULT")
    x = model_info(model).preprocess(IMAGES[0])[None]
    block = model.layer2[0]
    seen = {}

    def keep(_, __, out):  # what a careless hook would keep: the tensor itself
        seen["uncloned"], seen["cloned"] = out, out.clone()

    handle = block.bn2.register_forward_hook(keep)
    try:
        with torch.no_grad():
            model(x)
    finally:
        handle.remove()
    # torchvision's `out += identity` overwrote the uncloned tensor with F(x) + S(x) ...
    assert not torch.equal(seen["uncloned"], seen["cloned"])
    # ... while the report's ‖F(x)‖ is the branch itself.
    record = next(r for r in shortcuts(x, model) if r.block == "layer2.0")
    assert record.residual_norm == pytest.approx(float(seen["cloned"].norm()), rel=1e-5)


class _Lesioned(nn.Module):
    """A block without its residual branch: ReLU(S(x))."""

    def __init__(self, block: nn.Module) -> None:
        super().__init__()
        self.block = block

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(shortcut_path(self.block, x))


@pytest.mark.parametrize(("name", "block"), [("demo_bottleneck", "layer2.0"),
                                             ("demo_basic", "layer1.0"),
                                             ("resnet18", "layer3.1")])  # fmt: skip
def test_prefix_reuse_equals_a_network_rebuilt_without_the_block(name, block, torch_home):
    model = load_model(name, weights="DEFAULT" if name in DEMOS else None)
    x = model_info(model).preprocess(IMAGES[1].resize((224, 224)))[None]
    record = next(r for r in shortcuts(x, model) if r.block == block)
    rebuilt = copy.deepcopy(model)
    stage, index = block.split(".")
    getattr(rebuilt, stage)[int(index)] = _Lesioned(getattr(rebuilt, stage)[int(index)])
    with torch.no_grad():
        probs = rebuilt(x).softmax(1)[0]
        intact = model(x).softmax(1)[0]
    target = int(intact.argmax())
    assert record.lesion_prob == pytest.approx(float(probs[target]), abs=1e-5)
    assert record.lesion_delta == pytest.approx(float(probs[target] - intact[target]), abs=1e-5)
    assert record.lesion_top1_changed == (int(probs.argmax()) != target)
    assert hook_count(model) == 0 and not model.training


def test_records_in_forward_order_with_the_contract_fields():
    records = shortcuts(IMAGES[2], "demo_bottleneck")
    assert [r.block for r in records] == ["layer1.0", "layer2.0", "layer3.0", "layer4.0"]
    for field in ("block", "projection", "residual_norm", "shortcut_norm", "ratio", "cosine",
                  "grad_share_shortcut", "grad_share_residual", "grad_norm_ratio",
                  "lesion_delta", "lesion_top1_changed"):  # fmt: skip
        assert hasattr(records[0], field)
    report = shortcut_report(IMAGES[2], "demo_basic", target="star")
    assert report.target_label == "star" and math.isclose(sum(report.gradient_by_length), 1)
    assert [r.projection for r in report.records] == [False, True, True, True]  # 16 → 16 first
    json.dumps(report.to_dict(), allow_nan=False)


def test_path_counts_are_the_binomial_shares():
    assert path_counts(6) == tuple(math.comb(6, k) / 64 for k in range(7))
    assert math.isclose(sum(path_counts(16)), 1.0)


def _first_block_gradient(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """∂(top-1 score)/∂(layer1.0's input), from torchvision's own forward and backward."""
    caught = []

    def hook(module, args):
        args[0].retain_grad()
        caught.append(args[0])

    handle = model.layer1[0].register_forward_pre_hook(hook)
    try:
        logits = model(x)
        logits[0, logits[0].argmax()].backward()
    finally:
        handle.remove()
    return caught[0].grad


@pytest.mark.parametrize(("name", "size"), [("demo_basic", 64), ("demo_bottleneck", 64),
                                            ("resnet18", 64)])  # fmt: skip
def test_every_paths_gradient_adds_up_to_the_gradient(name, size, torch_home):
    """Veit et al.'s unrolled view is exact with the ReLU masks fixed: the vector sum of the 2ⁿ
    path gradients is the gradient at the first block's input, as torchvision computes it."""
    model = load_model(name, "DEFAULT" if name in DEMOS else None)
    x = _tensor(model, size)
    with torch.inference_mode(False):
        *_, walk = _measures(network_parts(model), x.clone(), None)
    n = len(network_parts(model).blocks)
    assert walk.total is not None and int(walk.followed.sum()) == 2**n
    assert [int(c) for c in walk.followed] == [math.comb(n, k) for k in range(n + 1)]
    truth = _first_block_gradient(model, x.clone().requires_grad_())
    assert torch.allclose(walk.total, truth, rtol=1e-4, atol=1e-6 * float(truth.abs().max()))
    report = shortcut_report(x, model)
    assert report.paths_exact and report.paths_followed == 2**n
    assert math.isclose(sum(report.gradient_by_length), 1.0)


def test_a_deep_model_is_sampled_within_its_path_budget(monkeypatch):
    """Past MAX_ENUMERATED blocks, the lengths 0, 1 and n are followed exactly and `paths` more
    are drawn: those three lengths' magnitudes are the exact walk's, so their shares agree up to
    the common normalisation, which the sampled middle lengths set."""
    model = load_model("demo_basic", "DEFAULT")
    x = _tensor(model)
    exact = shortcut_report(x, model)
    assert exact.paths_exact and exact.gradient_by_length_se == (0.0,) * 5
    assert exact.paths_by_length == (1, 4, 6, 4, 1)
    monkeypatch.setattr(paths, "MAX_ENUMERATED", 0)
    sampled = shortcut_report(x, model, paths=6)
    assert not sampled.paths_exact and sampled.paths_followed == 1 + 4 + 1 + 6
    assert sampled.paths_by_length[0:2] == (1, 4) and sampled.paths_by_length[-1] == 1
    assert math.isclose(sum(sampled.gradient_by_length), 1.0)
    ratio = [s / e for s, e in zip(sampled.gradient_by_length, exact.gradient_by_length,
                                   strict=True)]  # fmt: skip
    assert ratio[0] == pytest.approx(ratio[1], rel=1e-6) == pytest.approx(ratio[4], rel=1e-6)
    assert all(0.5 < r < 2 for r in ratio)
    assert all(se > 0 for se in sampled.gradient_by_length_se[2:4])


def test_the_path_walk_reports_its_progress(monkeypatch):
    """Enumerated, the share is of the 2ⁿ paths; sampled, of the paths drawn. Either way it
    only grows, and the last word is 1.0 with every path followed."""
    model = load_model("demo_basic", "DEFAULT")
    x = _tensor(model)
    monkeypatch.setattr(paths, "PROGRESS_EVERY_S", 0.0)  # every path, to check them all
    heard = []
    report = shortcut_report(x, model, progress=lambda done, count: heard.append((done, count)))
    assert heard == [(k / 16, k) for k in range(1, 17)]  # four blocks: 16 paths, one by one
    assert report.paths_followed == 16
    monkeypatch.setattr(paths, "MAX_ENUMERATED", 0)
    monkeypatch.setattr(paths, "CHUNK", 2)
    heard.clear()
    sampled = shortcut_report(x, model, paths=6, progress=lambda *a: heard.append(a))
    shares, counts = zip(*heard, strict=True)
    assert list(shares) == sorted(shares) and list(counts) == sorted(counts)
    assert heard[-1] == (1.0, sampled.paths_followed) and max(shares[:-1]) < 1.0
    assert len(heard) == 1 + 2 + 1  # the exact lengths, two chunks of three, the end
    monkeypatch.setattr(paths, "PROGRESS_EVERY_S", 10.0)
    heard.clear()
    shortcut_report(x, model, paths=6, progress=lambda *a: heard.append(a))
    assert len(heard) == 1  # at most every PROGRESS_EVERY_S, and once at the end


@pytest.mark.slow
@pytest.mark.parametrize("name", DEMOS)
def test_lesion_study_on_the_demo_models(name):
    """In networks this shallow every block matters: removing one costs most of the target's
    probability."""
    images, _, _ = make_samples(20, seed=77)
    flips, deltas = [0] * 4, [0.0] * 4
    for img in images:
        for i, r in enumerate(shortcuts(img, name)):
            flips[i] += r.lesion_top1_changed
            deltas[i] += r.lesion_delta / len(images)
    # Measured on 100 images (README): every lesion costs 0.65-0.78 of the target's probability
    # on average, and removing layer1, layer2 or layer3 flips most predictions.
    assert all(d < -0.4 for d in deltas), deltas
    assert min(flips[:3]) >= 10, flips


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["bf16", "fp16"])
@pytest.mark.parametrize("name", DEMOS)
def test_mixed_precision_lesions_agree_with_float32(name, mode, monkeypatch):
    """The shortcut measures and the lesion study under EXPLORER_AUTOCAST, on the CPU as on a
    GPU: same target and top-1, every probability within 0.02 of float32's."""
    images, _, _ = make_samples(4, seed=79)
    monkeypatch.delenv("EXPLORER_AUTOCAST", raising=False)
    full = [shortcut_report(img, load_model(name, "DEFAULT")) for img in images]
    monkeypatch.setenv("EXPLORER_AUTOCAST", mode)
    mixed = [shortcut_report(img, load_model(name, "DEFAULT")) for img in images]
    for a, b in zip(full, mixed, strict=True):
        assert (a.target, a.top1) == (b.target, b.top1) and abs(a.prob - b.prob) <= 0.02
        for ra, rb in zip(a.records, b.records, strict=True):
            assert ra.block == rb.block and abs(ra.lesion_prob - rb.lesion_prob) <= 0.02
            assert rb.residual_norm == pytest.approx(ra.residual_norm, rel=0.02)
            assert rb.shortcut_norm == pytest.approx(ra.shortcut_norm, rel=0.02)


def test_a_report_waits_for_the_device_once(monkeypatch):
    from explorer.inspect import contributions as module

    copies = count_host_copies(monkeypatch, module)
    report = shortcut_report(IMAGES[0], "demo_basic")
    assert len(copies) == 1 and copies[0] == ["followed", "lesioned", "logits", "magnitude", "rows",
                                              "target", "variance"]  # fmt: skip
    assert len(report.records) == 4


def _oracle_shares(model: nn.Module, x: torch.Tensor) -> dict[str, float]:
    """⟨g_S, g⟩ / ‖g‖² per block from torchvision's own forward: the block's input and output
    caught by hooks, g = ∂score/∂input, the gradient at the sum g_z = ∂score/∂output where the
    output is positive (out = ReLU(z)), and g_S = g_z for an identity or J_Sᵀ g_z through the
    block's own downsample module."""
    caught: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}
    handles = []
    for stage in ("layer1", "layer2", "layer3", "layer4"):
        for i, block in enumerate(getattr(model, stage)):

            def hook(module, args, out, name=f"{stage}.{i}"):
                args[0].retain_grad()
                out.retain_grad()
                caught[name] = (args[0], out)

            handles.append(block.register_forward_hook(hook))
    try:
        x = x.clone().requires_grad_()
        logits = model(x)
        logits[0, logits[0].argmax()].backward()
    finally:
        for handle in handles:
            handle.remove()
    shares = {}
    for name, (block_in, block_out) in caught.items():
        g = block_in.grad
        g_z = block_out.grad * (block_out > 0)
        block = model.get_submodule(name)
        if block.downsample is None:
            g_s = g_z
        else:
            with torch.enable_grad():
                source = block_in.detach().requires_grad_()
                g_s = torch.autograd.grad(block.downsample(source), source, g_z)[0]
        shares[name] = float((g_s * g).sum() / (g * g).sum())
    return shares


@pytest.mark.parametrize("name", [*DEMOS, "resnet18", "resnet50", "resnext50_32x4d"])
def test_gradient_shares_decompose_the_gradient_as_torchvision_computes_it(name, torch_home):
    """The shortcut's and the branch's parts sum to the whole gradient (shares sum to 1), and the
    shortcut's share equals the one read from torchvision's own forward and backward."""
    model = load_model(name, "DEFAULT" if name in DEMOS else None)
    size = 64 if name in DEMOS else 96
    x = _tensor(model, size)
    report = shortcut_report(x, model)
    oracle = _oracle_shares(model, x)
    for r in report.records:
        assert r.grad_share_shortcut + r.grad_share_residual == pytest.approx(1.0, abs=1e-6)
        assert r.grad_share_shortcut == pytest.approx(oracle[r.block], rel=1e-3, abs=1e-4)
        assert 0.0 <= r.grad_norm_ratio <= 1.0


@pytest.mark.parametrize(("name", "strides"), [
    ("demo_basic", [1, 2, 2, 1]),  # layer4.0: a projection of stride 1 (width 64 → 128 only)
    ("resnet18", [1, 1, 2, 1, 2, 1, 2, 1]),
    ("resnet50_v1", [1, 1, 1, 2, 1, 1, 1, 2, 1, 1, 1, 1, 1, 2, 1, 1]),
])  # fmt: skip
def test_each_record_has_its_blocks_stride_as_torchvision_built_it(name, strides, torch_home):
    model = load_model(name, "DEFAULT" if name in DEMOS else None)
    records = shortcut_report(_tensor(model), model).records
    assert [r.stride for r in records] == strides
    own = [block.stride for stage in (model.layer1, model.layer2, model.layer3, model.layer4)
           for block in stage]  # torchvision's own attribute  # fmt: skip
    assert [r.stride for r in records] == own


def _torchvision_branches(model: nn.Module, x: torch.Tensor) -> dict[str, tuple]:
    """F(x) and S(x) of every block from torchvision's own forward: the last BN's output,
    cloned before `out += identity` overwrites it, and the downsample's output or the block's
    input (the identity)."""
    seen: dict[str, dict[str, torch.Tensor]] = {}
    handles = []
    for stage in ("layer1", "layer2", "layer3", "layer4"):
        for i, block in enumerate(getattr(model, stage)):
            name = f"{stage}.{i}"
            seen[name] = {}
            last_bn = block.bn3 if hasattr(block, "bn3") else block.bn2

            def keep(store, key):
                def hook(_, args, out):
                    store[key] = out.detach().clone()

                return hook

            def keep_input(store):
                def hook(_, args):
                    store["x"] = args[0].detach().clone()

                return hook

            handles.append(last_bn.register_forward_hook(keep(seen[name], "f")))
            handles.append(block.register_forward_pre_hook(keep_input(seen[name])))
            if block.downsample is not None:
                handles.append(block.downsample.register_forward_hook(keep(seen[name], "s")))
    try:
        with torch.no_grad():
            model(x)
    finally:
        for handle in handles:
            handle.remove()
    return {name: (d["f"], d.get("s", d["x"])) for name, d in seen.items()}


@pytest.mark.parametrize("name", [*DEMOS, "resnet18", "resnet50", "resnet50_v1",
                                  "resnext50_32x4d", "wide_resnet50_2"])  # fmt: skip
def test_branch_and_shortcut_sizes_are_torchvisions_own(name, torch_home):
    """‖F(x)‖, ‖S(x)‖, their ratio and cosine for every block of every block family, against
    tensors caught inside torchvision's own block forward."""
    model = load_model(name, "DEFAULT" if name in DEMOS else None)
    x = _tensor(model, 64)
    truth = _torchvision_branches(model, x)
    for r in shortcut_report(x, model).records:
        f, s = truth[r.block]
        assert r.residual_norm == pytest.approx(float(f.norm()), rel=1e-4)
        assert r.shortcut_norm == pytest.approx(float(s.norm()), rel=1e-4)
        cosine = float((f * s).sum() / (f.norm() * s.norm()))
        assert r.cosine == pytest.approx(cosine, abs=1e-4)
        assert r.projection == (model.get_submodule(r.block).downsample is not None)
