"""Veit et al.'s lesion curve on the shipped networks: each draw's error against the model rebuilt
without its blocks, the k = 0 point against the model card, the held-out set against the data's
own samples, and the shipped weights against the run's record."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
import torch
from safetensors import safe_open

import explorer
from explorer.errors import ExplorerError
from explorer.experiments import data
from explorer.experiments.degradation import MODELS, load
from explorer.experiments.lesions import (
    HELDOUT_START,
    draws,
    heldout,
    heldout_batch,
    heldout_error,
    lesion_curve,
)
from explorer.models.bundled import TRAINED_CARD, bundled_weights, trained_file

from ..arch.test_deletion import rebuilt


def _error(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    with torch.no_grad():
        return int((model(x).argmax(1) != y).sum()) / len(y)


def test_every_draw_equals_the_rebuilt_models_error():
    model = explorer.load_model("resnet20", None)
    torch.manual_seed(1)
    x, y = torch.randn(24, 3, 32, 32), torch.randint(0, 10, (24,))
    model.fc.bias.data[y[:12]] += 0.05  # some images right, so that errors differ
    curve = lesion_curve(model, 4, repeats=3, images=(x, y), seed=7)
    names = [f"layer{s}.{b}" for s in (1, 2, 3) for b in range(3)]
    plan = draws(names, 4, 3, seed=7)
    by_k: dict[int, list[float]] = {}
    for k, chosen in plan:
        by_k.setdefault(k, []).append(_error(rebuilt(model, [names[i] for i in chosen]), x, y))
    assert [p.k for p in curve] == [0, 1, 2, 3, 4]
    for p in curve:
        assert p.mean_error == pytest.approx(np.mean(by_k[p.k]), abs=1e-9)
        assert p.spread == pytest.approx(np.std(by_k[p.k]), abs=1e-9)
        assert (p.low, p.high) == (min(by_k[p.k]), max(by_k[p.k]))
        assert p.draws == (1 if p.k == 0 else 3)


def test_draws_are_distinct_sorted_and_reproducible():
    plan = draws(list("abcdefg"), 10, 4, seed=3)
    assert plan[0] == (0, ()) and plan == draws(list("abcdefg"), 10, 4, seed=3)
    assert max(k for k, _ in plan) == 7  # no more than there are blocks
    for k, chosen in plan[1:]:
        assert len(chosen) == k == len(set(chosen)) and list(chosen) == sorted(chosen)


def test_a_plain_network_draws_only_blocks_that_can_go():
    model = explorer.load_model("plain20", None)
    x, y = torch.randn(8, 3, 32, 32), torch.randint(0, 10, (8,))
    curve = lesion_curve(model, 10, repeats=2, images=(x, y))
    assert curve[-1].k == 7  # 9 blocks, 2 of which change the shape


@pytest.mark.parametrize(("k_max", "repeats"), [(-1, 5), (2, 0), (2.5, 5), (2, 101)])
def test_bad_arguments_are_refused(k_max, repeats):
    with pytest.raises(ExplorerError):
        images = (torch.zeros(2, 3, 32, 32), torch.zeros(2, dtype=torch.long))
        lesion_curve(explorer.load_model("resnet20", None), k_max, repeats, images=images)


def test_the_heldout_set_is_the_datas_own_images_after_the_training_set():
    pixels, labels = heldout(20)
    for i in (0, 7, 19):
        image, label = data.sample(load().recipe.data_seed, HELDOUT_START + i)
        assert np.array_equal(pixels[i], image) and labels[i] == label
    assert HELDOUT_START == load().recipe.train_samples  # never trained on


# ---------------------------------------------------------------- the shipped networks


def _card_errors() -> dict[str, float]:
    """The held-out error column of the model card, read as a person reads the table."""
    text = trained_file(TRAINED_CARD).read_text(encoding="utf-8")
    head = next(line for line in text.splitlines() if line.startswith("| network"))
    column = [c.strip() for c in head.strip("|").split("|")].index("held-out error")
    out = {}
    for line in text.splitlines():
        m = re.match(r"\| `(\w+)` \|", line)
        if m:
            cells = [c.strip() for c in line.strip("|").split("|")]
            out[m.group(1)] = float(cells[column].rstrip("%")) / 100
    return out


def test_the_weights_ship_as_fp16_with_their_statistics_and_the_runs_errors():
    run = load()
    for name in MODELS:
        path = bundled_weights(name)
        assert path.is_file() and path.stat().st_size < 2 * 2**20
        with safe_open(str(path), framework="pt") as f:
            meta = f.metadata()
            assert f.get_tensor("fc.weight").dtype == torch.float16
        assert meta["test_error"] == f"{run.final(name).test_error:.4f}"
        assert len(json.loads(meta["std"])) == 3 and len(json.loads(meta["classes"])) == 10
    model = explorer.load_model("resnet56", weights="DEFAULT")
    info = model.explorer_info
    assert info.trained and info.categories == data.CLASSES and info.source == "bundled"
    assert not explorer.model_info(explorer.load_model("resnet56", None)).trained


def test_k0_is_the_model_cards_heldout_error_and_the_models_own_forward():
    card = _card_errors()
    assert set(card) == set(MODELS)
    for name in ("resnet20", "plain20"):
        model = explorer.load_model(name, "DEFAULT")
        curve = lesion_curve(model, 1, repeats=2)
        assert curve[0].mean_error == pytest.approx(card[name], abs=0.0005)  # the card's 0.1%
        x, y = heldout_batch(model)
        assert curve[0].mean_error == pytest.approx(_error(model, x, y), abs=1e-9)
    # the trained networks learned the shapes; plain56 never did (the degradation)
    assert card["resnet20"] < 0.1 and card["resnet56"] < 0.1 and card["plain20"] < 0.1
    assert card["plain56"] > 0.5


def test_a_trained_plain_network_collapses_where_a_residual_one_does_not():
    """Veit et al.'s finding, measured on the shipped weights (a record of what they show: the
    page's sentence is computed from the points whatever they show)."""
    plain = heldout_error("plain20", ["layer2.1"])
    residual = heldout_error("resnet56", ["layer2.1"])
    assert plain > 0.5 > residual
