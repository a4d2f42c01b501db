"""Figures carry the records' numbers: bars per stage, a treemap whose areas add up, two models."""

from __future__ import annotations

import json

import pytest
from torchvision import models as tvm

from explorer import analyze
from explorer.web.figures import compare_costs, param_treemap, stage_costs


def test_stage_costs_bars_are_the_stage_rows():
    s = analyze("resnet50")
    fig = stage_costs(s, "en")
    params, macs = fig.data
    assert list(params.x) == [st.name for st in s.stages]
    assert list(params.y) == [st.params for st in s.stages]
    assert list(macs.y) == [st.macs for st in s.stages]
    assert "ResNet-50: params and MACs per stage" in fig.layout.title.text
    assert "各 stage" in stage_costs(s, "zh").layout.annotations[0].text
    json.loads(fig.to_json())


@pytest.mark.parametrize("name", ["resnet18", "resnet50", "resnext101_64x4d"])
def test_treemap_areas_add_up_to_the_parameter_count(name):
    s = analyze(name)
    tree = param_treemap(s, "en").data[0]
    values = dict(zip(tree.ids, tree.values, strict=True))
    parents = dict(zip(tree.ids, tree.parents, strict=True))
    roots = [i for i in tree.ids if parents[i] == ""]
    # torchvision's metadata is the independent total
    assert sum(values[r] for r in roots) == tvm.get_model_weights(name).DEFAULT.meta["num_params"]
    for node in tree.ids:  # branchvalues="total": children never exceed their parent
        children = [values[c] for c in tree.ids if parents[c] == node]
        assert sum(children) <= values[node]
    assert values["[layer4]"] == s.stage("layer4").params


def test_compare_costs_has_both_models():
    a, b = analyze("resnet34"), analyze("resnet50")
    fig = compare_costs(a, b, "zh")
    assert [tr.name for tr in fig.data[::2]] == ["A: ResNet-34", "B: ResNet-50"]
    assert list(fig.data[1].y) == [st.macs for st in a.stages]
    assert list(fig.data[3].y) == [st.macs for st in b.stages]
    assert "对比" in fig.layout.title.text


def test_treemap_opens_two_levels_deep_with_blocks_named_in_full():
    """Stages and their blocks first (a block's layers are unreadable below that), each block
    named as the model names it."""
    fig = param_treemap(analyze("resnet50"), "en")
    treemap = fig.data[0]
    assert treemap.maxdepth == 2
    stage_children = {label for label, parent in zip(treemap.labels, treemap.parents, strict=True)
                      if parent == "[layer3]"}  # fmt: skip
    assert stage_children == {f"layer3.{i}" for i in range(6)}  # torchvision: 6 blocks


def test_log_axis_ticks_only_at_powers_of_ten():
    from explorer.inspect.plain import gradient_profile
    from explorer.web.figures import plain_vs_residual

    fig = plain_vs_residual(gradient_profile("demo_basic", batch=2, input_size=32), "en")
    assert fig.layout.yaxis.type == "log" and fig.layout.yaxis.dtick == 1
    assert fig.layout.yaxis.exponentformat == "power"  # 10⁴, not 10k


@pytest.mark.parametrize("sampled", [False, True])
def test_path_lengths_draw_each_share_with_its_error_bar(sampled, monkeypatch):
    """The bars are the report's shares; a sampled walk draws its standard errors, an exact one
    none (they are all 0)."""
    import torch

    from explorer import load_model, shortcut_report
    from explorer.inspect import paths
    from explorer.web.figures import path_lengths

    if sampled:
        monkeypatch.setattr(paths, "MAX_ENUMERATED", 0)
    torch.manual_seed(0)
    report = shortcut_report(torch.rand(1, 3, 64, 64), load_model("demo_basic", "DEFAULT"))
    bars = path_lengths(report, "en").data[1]
    assert list(bars.y) == list(report.gradient_by_length)
    assert list(bars.error_y.array) == list(report.gradient_by_length_se)
    assert bars.error_y.visible is sampled and (max(bars.error_y.array) > 0) is sampled
