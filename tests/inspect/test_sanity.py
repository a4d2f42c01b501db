"""The sanity checks against the experiment done by hand: a copy of the model whose layers are
re-initialised one by one with the same seeds, its maps from the public `attribute`, compared
with scipy's Spearman and scikit-image's SSIM."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

import explorer
from explorer.demo import make_samples
from explorer.errors import ExplorerError
from explorer.inspect.attribution import attribute
from explorer.inspect.sanity import (
    SEED,
    SURVIVES,
    SanityRecord,
    SanityReport,
    sanity_check,
    units_of,
)
from explorer.inspect.similarity import unit_scaled

pytestmark = [
    pytest.mark.filterwarnings("ignore::UserWarning"),
    pytest.mark.filterwarnings("ignore:An input array is constant"),
]
METHODS = ("gradcam", "guided_backprop", "smoothgrad")


@pytest.fixture(scope="module")
def image():
    return make_samples(1, 2)[0][0]


def _reset(model, names, seed):
    """Re-initialise by hand: every layer with parameters or statistics, as constructed."""
    torch.manual_seed(seed)
    for name in names:
        for m in model.get_submodule(name).modules():
            if isinstance(m, torch.nn.Conv2d | torch.nn.Linear):
                m.reset_parameters()
            elif isinstance(m, torch.nn.BatchNorm2d):
                m.reset_running_stats()
                m.reset_parameters()


def test_units_run_from_the_head_down_to_the_stem():
    names = [label for label, _ in units_of(explorer.load_model("demo_basic", "DEFAULT"))]
    assert names == ["fc", "layer4.0", "layer3.0", "layer2.0", "layer1.0", "stem"]
    deep = [label for label, _ in units_of(explorer.load_model("resnet50", None))]
    assert deep == ["fc", "layer4", "layer3", "layer2", "layer1", "stem"]  # 16 blocks: stages


@pytest.mark.slow
def test_cascading_records_equal_the_experiment_done_by_hand(image):
    stats = pytest.importorskip("scipy.stats")
    metrics = pytest.importorskip("skimage.metrics")
    model = explorer.load_model("demo_basic", "DEFAULT")
    before = copy.deepcopy(model.state_dict())
    report = sanity_check(image, model, METHODS, "cascading", samples=4)
    assert len(report) == len(METHODS) * len(report.units)
    for k, v in model.state_dict().items():  # the model itself is untouched
        assert torch.equal(v, before[k]), k
    original = {m: attribute(image, model, m, target=report.target,
                             **({"samples": 4} if m == "smoothgrad" else {})).map
                for m in METHODS}  # fmt: skip
    twin = copy.deepcopy(model)
    for depth, (label, names) in enumerate(units_of(model), start=1):
        _reset(twin, names, SEED + depth)
        if depth not in (1, 3, len(report.units)):
            continue
        for m in METHODS:
            opts = {"samples": 4} if m == "smoothgrad" else {}
            after = attribute(image, twin, m, target=report.target, **opts).map
            rec = next(r for r in report if r.method == m and r.depth == depth)
            assert rec.randomised == label
            a, b = original[m], after
            assert rec.spearman == pytest.approx(
                np.nan_to_num(stats.spearmanr(a.ravel(), b.ravel()).statistic), abs=1e-9
            )
            assert rec.spearman_abs == pytest.approx(
                np.nan_to_num(stats.spearmanr(abs(a).ravel(), abs(b).ravel()).statistic),
                abs=1e-9)  # fmt: skip
            expected = metrics.structural_similarity(unit_scaled(a), unit_scaled(b),
                                                     data_range=1.0)  # fmt: skip
            assert rec.ssim == pytest.approx(expected, abs=1e-9)


@pytest.mark.slow
def test_independent_randomisation_puts_each_unit_back(image):
    model = explorer.load_model("demo_basic", "DEFAULT")
    report = sanity_check(image, model, ("gradcam",), "independent")
    twin = copy.deepcopy(model)
    label, names = units_of(model)[2]  # layer3.0 alone
    _reset(twin, names, SEED + 3)
    after = attribute(image, twin, "gradcam", target=report.target).map
    original = attribute(image, model, "gradcam", target=report.target).map
    rec = next(r for r in report if r.depth == 3)
    assert rec.randomised == label
    from scipy.stats import spearmanr

    assert rec.spearman == pytest.approx(spearmanr(original.ravel(), after.ravel()).statistic,
                                         abs=1e-9)  # fmt: skip


def test_the_verdict_comes_from_the_numbers():
    def rec(method, depth, rho):
        return SanityRecord(method, f"u{depth}", depth, rho, rho, rho)

    records = (rec("a", 1, 0.9), rec("a", 2, SURVIVES + 0.01), rec("b", 1, 0.9), rec("b", 2, 0.1))
    cascading = SanityReport("m", "cascading", None, 0, "x", ("u1", "u2"), records, 1.0, {})
    assert cascading.survivors() == ("a",)
    independent = SanityReport("m", "independent", None, 0, "x", ("u1", "u2"), records, 1.0, {})
    assert independent.survivors() == ("a",)
    assert cascading.last("b").depth == 2


def test_bad_requests_get_a_sentence(image):
    with pytest.raises(ExplorerError, match="no sanity check 'shuffle'"):
        sanity_check(image, "demo_basic", ("gradcam",), "shuffle")  # type: ignore[arg-type]
    with pytest.raises(ExplorerError, match="no saliency method"):
        sanity_check(image, "demo_basic", ("cam",))
    with pytest.raises(ExplorerError, match="no twin trained on shuffled labels"):
        sanity_check(image, "demo_bottleneck", ("gradcam",), "labels")


def test_the_label_test_compares_with_the_twin_trained_on_shuffled_labels(image):
    stats = pytest.importorskip("scipy.stats")
    report = sanity_check(image, "demo_basic", ("gradcam", "guided_backprop"), "labels")
    assert report.units == ("demo_basic_shuffled",) and len(report) == 2
    twin = explorer.load_model("demo_basic_shuffled", "DEFAULT")
    for rec in report:
        before = attribute(image, "demo_basic", rec.method, target=report.target).map
        after = attribute(image, twin, rec.method, target=report.target).map
        expected = stats.spearmanr(abs(before).ravel(), abs(after).ravel()).statistic
        assert rec.spearman_abs == pytest.approx(np.nan_to_num(expected), abs=1e-9)
