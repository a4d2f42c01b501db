"""Pages: cached per canonical model, size and language; exports equal the records."""

from __future__ import annotations

import csv
import json

import pytest

from explorer import ExplorerError, analyze
from explorer.web.pages import architecture_page, compare_page, export_files


def test_pages_are_cached_per_canonical_name():
    page = architecture_page("resnet18", 224, "en")
    assert architecture_page(" ResNet18 ", 224, "en") is page
    assert architecture_page("resnet18", 224, "fr") is page  # unknown language: English
    assert architecture_page("resnet18", 224, "zh") is not page
    assert compare_page("resnet18", "resnet34", 224, "en") is compare_page(
        "RESNET18", "resnet34", 224, "en"
    )


def test_bad_requests_fail_before_any_work():
    with pytest.raises(ExplorerError, match="unknown model"):
        architecture_page("resnet19", 224, "en")
    with pytest.raises(ExplorerError, match="input size"):
        architecture_page("resnet18", 16, "en")
    with pytest.raises(ExplorerError, match="invalid custom model"):
        compare_page("resnet18", "bottleneck-0-0-0-0", 224, "en")


def test_exports_are_the_summary():
    json_path, csv_path = export_files("bottleneck-2-2-2-2", 160)
    assert json_path.name == "bottleneck-2-2-2-2-160.json"
    assert json.loads(json_path.read_text("utf-8")) == analyze("bottleneck-2-2-2-2", 160).to_dict()
    rows = list(csv.DictReader(csv_path.open(encoding="utf-8")))
    assert len(rows) == len(list(analyze("bottleneck-2-2-2-2", 160).layers.walk()))
    json_path.unlink()  # a file removed behind our back is written again
    assert export_files("bottleneck-2-2-2-2", 160)[0].exists()
