"""Report: units and shapes as printed."""

from __future__ import annotations

from explorer import analyze
from explorer.render.report import fmt_macs, fmt_shape, layer_rows, summary_text


def test_units():
    assert fmt_macs(1_814_073_344) == "1.81 G"
    assert fmt_macs(118_013_952) == "118.0 M"
    assert fmt_macs(512_000) == "512.0 K"
    assert fmt_macs(12) == "12"
    assert fmt_shape((1, 64, 56, 56)) == "64×56×56"
    assert fmt_shape((1, 1000), "x") == "1000"
    assert fmt_shape(None) == "-"


def test_layer_rows_follow_the_tree_depth_first():
    rows = layer_rows(analyze("resnet18"))
    assert rows[0].name == "resnet18" and rows[0].level == 0
    assert [r.name for r in rows[1:5]] == ["conv1", "bn1", "relu", "maxpool"]
    assert rows[5].name == "layer1" and rows[6].name == "layer1.0" and rows[6].level == 2
    assert rows[0].total_params == sum(r.params for r in rows)


def test_summary_names_the_unit():
    text = summary_text(analyze("resnet50_v1", 256))
    assert "input 3×256×256" in text and "multiply-accumulates" in text
