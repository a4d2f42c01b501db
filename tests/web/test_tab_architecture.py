"""The Architecture tab's event for models beyond the registry: timm's, and a network without
residual blocks, which gets one sentence and its modules instead of a traceback."""

from __future__ import annotations

import importlib.util

import pytest
from torchvision.models import VGG16_Weights

from explorer.web.tab_architecture import architecture

needs_timm = pytest.mark.skipif(importlib.util.find_spec("timm") is None,
                                reason="timm is not installed (pip install '.[timm]')")  # fmt: skip


@needs_timm
def test_a_timm_model_has_its_page_and_files():
    formula, *_, json_path, csv_path = architecture("timm/resnet50d", 224, "en")
    assert "52 = 3 + 3·(3+4+6+3) + 1" in formula
    assert json_path.endswith("timm_resnet50d-224.json") and csv_path.endswith(".csv")


@needs_timm
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_vision_transformer_is_said_not_to_be_a_resnet(lang):
    note, modules, *rest = architecture("timm/vit_small_patch16_224", 224, lang)
    assert ("token" in note) if lang == "en" else ("token 序列" in note)
    assert "blocks" in modules and "Traceback" not in note
    assert rest[-2:] == [None, None]  # no downloads of a summary that does not exist


def test_modules_of_a_plain_network_are_exact():
    """VGG-16 typed in the box (a torchvision builder the registry does not list) is refused
    as a name; the tree of modules is checked through the pages layer instead."""
    import torch
    from torchvision.models import vgg16

    from explorer.arch.analysis import module_tree
    from explorer.web.views import modules_html

    with torch.device("meta"):
        root = module_tree(vgg16())
    assert root.total_params == VGG16_Weights.DEFAULT.meta["num_params"]
    assert [c.name for c in root.children] == ["features", "avgpool", "classifier"]
    assert "138,357,544" in modules_html(root, "en")
