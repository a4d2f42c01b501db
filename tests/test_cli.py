"""CLI: golden text output, JSON/CSV formats, and one-line errors without tracebacks."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from explorer import analyze, list_models
from explorer.cli import main
from explorer.demo.data import sample

GOLDEN = Path(__file__).parent / "golden"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("argv", "golden"),
    [(["summary", "resnet18"], "summary_resnet18.txt"),
     (["summary", "resnet50", "--blocks"], "summary_resnet50_blocks.txt")],
)  # fmt: skip
def test_summary_text_matches_the_golden_file(capsys, argv, golden):
    code, out, _ = run(capsys, *argv)
    assert code == 0
    assert out == (GOLDEN / golden).read_text(encoding="utf-8")


def test_models_lists_the_registry(capsys):
    code, out, _ = run(capsys, "models")
    assert code == 0
    lines = out.splitlines()
    for name in list_models():
        assert any(line.startswith(name + " ") for line in lines)
    assert "11,689,512" in out and "BottleneckV1" in out and "bottleneck-2-2-2-2" in out
    code, out, _ = run(capsys, "models", "--format", "json")
    records = {r["name"]: r for r in json.loads(out)}
    assert records["resnet50"]["depth"] == 50 and records["resnet50"]["params"] == 25557032
    assert records["resnet50_v1"]["weights"] == "none published"


def test_summary_json_is_to_dict(capsys):
    code, out, _ = run(capsys, "summary", "resnet50", "--format", "json", "--input-size", "256")
    assert code == 0
    assert json.loads(out) == analyze("resnet50", 256).to_dict()


def test_summary_csv_is_the_layer_table(capsys):
    code, out, _ = run(capsys, "summary", "bottleneck-2-2-2-2", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0
    assert len(rows) == 1 + len(list(analyze("bottleneck-2-2-2-2").layers.walk())) - 1
    conv1 = next(r for r in rows if r["name"] == "conv1")
    assert conv1["output_shape"] == "64x112x112" and conv1["params"] == "9408"
    assert conv1["macs"] == "118013952"
    relu = next(r for r in rows if r["name"] == "layer1.0.relu")
    assert relu["calls"] == "3"


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["summary", "resnet19"], "unknown model 'resnet19'"),
        (["summary", "resnet18", "--input-size", "16"], "input size must be from 32"),
        (["summary", "bottleneck-0-1-1-1"], "invalid custom model"),
        (["fetch", "resnet50_v1"], "no published pretrained weights"),
        (["fetch", "resnet18"], "offline mode"),
    ],
)
def test_user_errors_are_one_line(capsys, argv, says):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith("error: ") and says in err and err.count("\n") == 1


def _python_m(*argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "EXPLORER_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", "explorer", *argv], capture_output=True,
                          text=True, env=env, timeout=120)  # fmt: skip


@pytest.mark.parametrize(
    "argv",
    [
        ["summary", "resnet18", "--input-size", "abc"],
        ["summary"],
        ["frobnicate"],
        ["summary", "resnet18", "--format", "xml"],
        ["summary", "not-a-model"],
    ],
)
def test_bad_arguments_exit_nonzero_without_traceback(argv):
    proc = _python_m(*argv)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("error: ") and proc.stderr.count("\n") == 1


def test_python_m_explorer_summary():
    proc = _python_m("summary", "resnet50")
    assert proc.returncode == 0, proc.stderr
    assert "Depth  50 = 1 + 3·(3+4+6+3) + 1" in proc.stdout
    assert "layer4  conv5_x  2048×7×7" in proc.stdout


def test_shortcuts_command(capsys, tmp_path):
    img, label, _ = sample(7, 2)
    path = tmp_path / "shape.png"
    Image.fromarray(img).save(path)
    code, out, _ = run(capsys, "shortcuts", str(path), "--model", "demo_basic", "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["target"] == label
    assert [r["block"] for r in report["records"]] == ["layer1.0", "layer2.0", "layer3.0",
                                                       "layer4.0"]  # fmt: skip
    code, out, _ = run(capsys, "shortcuts", str(path))
    assert code == 0 and "lesion Δp" in out and "layer4.0  projection" in out
    code, out, err = run(capsys, "shortcuts", str(tmp_path / "none.png"))
    assert code == 2 and err.startswith("error: image file not found")
