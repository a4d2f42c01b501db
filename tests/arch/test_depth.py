"""Depth formula: the source notes' arithmetic, and closed-form counts of what is not counted."""

from __future__ import annotations

import pytest

from explorer import analyze, get_entry, list_models

from ..conftest import IMAGENET_NAMES, depth_in_name


def test_the_formulas_of_the_source_notes():
    r18 = analyze("resnet18").depth_breakdown
    assert r18.formula == "18 = 1 + 2·(2+2+2+2) + 1"
    assert r18.compact == "18 = 1 + 2·2·4 + 1"
    # The notes write 18 = 1+(2*2 + 2*2 +2*2 +2*2) +1
    assert r18.expanded == "18 = 1 + (2·2 + 2·2 + 2·2 + 2·2) + 1"
    r50 = analyze("resnet50").depth_breakdown
    assert r50.formula == "50 = 1 + 3·(3+4+6+3) + 1"
    assert r50.compact is None  # stages differ: no compact form
    assert analyze("resnet152").depth_formula == "152 = 1 + 3·(3+8+36+3) + 1"
    assert analyze("resnet34").depth_formula == "34 = 1 + 2·(3+4+6+3) + 1"


def test_custom_resnet26():
    d = analyze("bottleneck-2-2-2-2").depth_breakdown
    assert d.formula == "26 = 1 + 3·(2+2+2+2) + 1"
    assert d.compact == "26 = 1 + 3·2·4 + 1"
    assert analyze("basic-1-1-1-1").depth_formula == "10 = 1 + 2·(1+1+1+1) + 1"


@pytest.mark.parametrize("name", [*(n for n in list_models() if not get_entry(n).staged),
                                  "bottleneck-2-5-1-7-g4-w16", "basic-4-1-1-2"])  # fmt: skip
def test_depth_and_what_is_not_counted(name):
    """torchvision's shapes of ResNet (the paper's other networks: test_paper_nets.py)."""
    entry = get_entry(name)
    d = analyze(name).depth_breakdown
    blocks = sum(entry.layers)
    k = 2 if entry.block == "basic" else 3  # convs on a BasicBlock / Bottleneck residual branch
    assert d.depth == 1 + k * blocks + 1
    if name in IMAGENET_NAMES:
        assert d.depth == depth_in_name(name)
    assert d.stage_blocks == entry.layers and d.convs_per_block == k
    uncounted = {u.key: (u.modules, u.calls) for u in d.not_counted}
    # Stages 2-4 always downsample; stage 1 projects too when a Bottleneck widens 64 → 256.
    projections = 3 if entry.block == "basic" else 4
    assert uncounted["projection_conv"] == (projections, projections)
    bn = 1 + k * blocks + projections  # stem, one per branch conv, one per projection
    assert uncounted["batchnorm"] == (bn, bn)
    # One ReLU module in the stem and one per block; a block applies its own k times.
    assert uncounted["relu"] == (1 + blocks, 1 + k * blocks)
    assert uncounted["pooling"] == (2, 2)
    assert "other" not in uncounted
