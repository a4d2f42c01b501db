"""load_model: eval mode, seeded random weights, attached ModelInfo, the memory-bounded cache."""

from __future__ import annotations

import threading

import pytest
import torch
from torch import nn

from explorer import ExplorerError, load_model, model_info
from explorer.models import loading as models
from explorer.models.loading import ModelCache, _nbytes


def test_random_model_is_in_eval_mode_and_marked_untrained(torch_home):
    model = load_model("resnet18")
    assert isinstance(model, nn.Module) and not model.training
    assert all(not m.training for m in model.modules())
    info = model_info(model)
    assert (info.name, info.title, info.trained) == ("resnet18", "ResNet-18", False)
    assert info.weights == "random (seed 0)"
    assert len(info.categories) == 1000
    assert info.preprocess.crop_size == [224]


def test_random_weights_are_seeded_and_leave_the_global_rng_alone(torch_home):
    torch.manual_seed(123)
    expected_next = torch.rand(3)
    torch.manual_seed(123)
    a = load_model("basic-1-1-1-1", seed=7)
    assert torch.equal(torch.rand(3), expected_next)
    b = load_model("basic-1-1-1-1", seed=8)
    models.cache.clear()
    a_again = load_model("basic-1-1-1-1", seed=7)
    assert a_again is not a
    assert torch.equal(a.conv1.weight, a_again.conv1.weight)
    assert not torch.equal(a.conv1.weight, b.conv1.weight)


def test_loaded_models_are_cached(torch_home):
    assert load_model("resnet18") is load_model("resnet18")
    assert load_model("resnet18") is load_model(" ResNet18 ")
    assert load_model("resnet18", seed=1) is not load_model("resnet18")


def test_concurrent_first_loads_build_one_model(torch_home):
    got = []
    threads = [
        threading.Thread(target=lambda: got.append(load_model("resnet34"))) for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(m) for m in got}) == 1


def test_cache_is_an_lru_bounded_by_bytes():
    small = nn.Linear(10, 10)  # 110 floats = 440 bytes
    assert _nbytes(small) == 440
    cache = ModelCache(max_bytes=1000)
    a, b, c = nn.Linear(10, 10), nn.Linear(10, 10), nn.Linear(10, 10)
    cache.put("a", a)
    cache.put("b", b)
    assert cache.get("a") is a  # a is now the most recently used
    cache.put("c", c)  # 1320 bytes > 1000: evict the least recently used, b
    assert cache.get("b") is None and cache.get("a") is a and cache.get("c") is c
    assert cache.nbytes == 880
    cache.put("huge", nn.Linear(100, 100))  # bigger than the whole budget: not kept
    assert cache.get("huge") is None and len(cache) == 2


def test_unknown_model_is_a_clear_error(torch_home):
    with pytest.raises(ExplorerError, match=r"unknown model 'resnet19'\. Known models: resnet18"):
        load_model("resnet19")


def test_model_info_needs_a_loaded_model():
    with pytest.raises(ExplorerError, match="load_model"):
        model_info(nn.Linear(2, 2))
