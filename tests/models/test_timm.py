"""timm's models through the explorer's loading: timm's own pretrained weights when they can be
had, a random initialisation that says so when not (tests never use the network)."""

from __future__ import annotations

import importlib.util
import warnings

import pytest

from explorer import load_model, model_info

pytestmark = pytest.mark.skipif(importlib.util.find_spec("timm") is None,
                                reason="timm is not installed (pip install '.[timm]')")  # fmt: skip


def test_offline_timm_weights_are_random_and_say_so(monkeypatch):
    monkeypatch.setenv("EXPLORER_OFFLINE", "1")
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        model = load_model("timm/resnet18", "DEFAULT")
    info = model_info(model)
    assert not info.trained and "timm's pretrained weights cannot be had" in info.message
    assert info.name == "timm/resnet18" and len(info.categories) == 1000
    crop = info.preprocess.crop_size
    assert crop == [224]  # timm's own pretrained config for resnet18
