"""The shuffled-label demo model (Adebayo et al. 2018's data randomisation test): demo_basic's
network and recipe on a fixed random permutation of the training labels. On held-out images it
is at chance by the binomial law, where demo_basic, trained on the true labels, is far above."""

from __future__ import annotations

import math
from statistics import NormalDist

import pytest
import torch

from explorer import get_entry, list_models, load_model, model_info
from explorer.demo import CLASSES, SHUFFLED
from explorer.demo.data import make_arrays
from explorer.demo.evaluate import EVAL_SEED
from explorer.demo.train import LABEL_SEED, shuffled_labels
from explorer.models.bundled import bundled_metadata, model_card

HELD_OUT = 1000  # the card's held-out images, seed EVAL_SEED
CHANCE = 1 / len(CLASSES)


def chance_interval(n: int, level: float = 0.999, p: float = CHANCE) -> tuple[float, float]:
    """Where the accuracy of n independent guesses right with probability p falls, with
    probability `level`: the normal approximation of Binomial(n, p), p ± z·√(p(1−p)/n)."""
    z = NormalDist().inv_cdf((1 + level) / 2)  # 3.29 for 99.9%
    half = z * math.sqrt(p * (1 - p) / n)
    return p - half, p + half


def _binomial_mass(n: int, p: float, lo: int, hi: int) -> float:
    return sum(math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(lo, hi + 1))


@pytest.fixture(scope="module")
def held_out() -> tuple[torch.Tensor, torch.Tensor]:
    images, labels, _ = make_arrays(HELD_OUT, EVAL_SEED)
    return torch.from_numpy(images).permute(0, 3, 1, 2), torch.from_numpy(labels)


def _top1(name: str, x: torch.Tensor, y: torch.Tensor, batch: int = 250) -> float:
    model = load_model(name, weights="DEFAULT")
    x = model_info(model).preprocess(x)  # (N, 3, 64, 64): its own statistics, no crop
    with torch.inference_mode():
        hits = sum(int((model(x[i : i + batch]).argmax(1) == y[i : i + batch]).sum())
                   for i in range(0, len(x), batch))  # fmt: skip
    return hits / len(x)


def test_the_interval_holds_999_in_1000_of_the_exact_binomial():
    lo, hi = chance_interval(HELD_OUT)
    assert (round(lo, 4), round(hi, 4)) == (0.0906, 0.1594)
    mass = _binomial_mass(HELD_OUT, CHANCE, math.ceil(lo * HELD_OUT), math.floor(hi * HELD_OUT))
    assert 0.999 <= mass < 0.9995


def test_registered_as_demo_basic_with_other_weights():
    assert SHUFFLED == "demo_basic_shuffled" and SHUFFLED in list_models()
    entry, basic = get_entry(SHUFFLED), get_entry("demo_basic")
    assert entry.source == "demo" and entry.shipped and entry.weight_names == ("DEFAULT",)
    assert "permuted labels" in entry.note and "predicts nothing" in entry.note
    assert str(entry.build(device="meta")) == str(basic.build(device="meta"))
    assert entry.categories == basic.categories and entry.input_size == basic.input_size


def test_the_permutation_is_fixed_and_keeps_the_class_counts():
    y = torch.arange(20_000) % len(CLASSES)
    shuffled = shuffled_labels(y)
    assert torch.equal(shuffled, shuffled_labels(y))
    assert not torch.equal(shuffled, shuffled_labels(y, LABEL_SEED + 1))
    assert torch.equal(shuffled.bincount(), y.bincount())
    changed = float((shuffled != y).float().mean())  # a random label is another 7 times in 8
    lo, hi = chance_interval(len(y))
    assert 1 - hi <= changed <= 1 - lo


def test_metadata_says_the_labels_were_shuffled_and_the_rest_is_demo_basic():
    meta, basic = bundled_metadata(SHUFFLED), bundled_metadata("demo_basic")
    assert meta is not None and basic is not None
    assert meta["labels"] == f"shuffled, seed {LABEL_SEED}"
    for key in ("classes", "input_size", "mean", "std", "config", "seeds"):
        assert meta[key] == basic[key], key
    lo, hi = chance_interval(1000)  # 1,000 validation images, true labels
    assert lo <= float(meta["validation_accuracy"]) <= hi
    assert 0 <= float(meta["train_accuracy"]) <= 1


def test_at_chance_on_held_out_images_where_demo_basic_is_far_above(held_out):
    x, y = held_out
    lo, hi = chance_interval(HELD_OUT)
    shuffled, basic = _top1(SHUFFLED, x, y), _top1("demo_basic", x, y)
    assert lo <= shuffled <= hi
    assert basic > hi + 0.5  # 98.9% on the card
    row = f"| held-out (seed {EVAL_SEED}, {HELD_OUT:,}) | true | {shuffled:.1%} |"
    assert row in model_card().read_text("utf-8")  # the card quotes what was measured
