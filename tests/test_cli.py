"""CLI: golden text output, JSON/CSV formats, and one-line errors without tracebacks."""

from __future__ import annotations

import csv
import functools
import io
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch
from PIL import Image
from torch import nn
from torchvision import models as tvm

from explorer import analyze, list_models
from explorer.cli import main
from explorer.demo.data import sample

from .conftest import backprop_fields, module_macs, see_every_path

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


# Every number in the golden files, read back from the text and checked against torchvision's own
# modules: parameters by counting tensors, MACs by PyTorch's FlopCounterMode, shapes, strides and
# calls by hooks on a real forward pass, receptive fields by backpropagation. None of it runs
# explorer code, and a golden line the audit cannot read fails it.


@dataclass
class _Oracle:
    model: nn.Module
    size: int
    shapes: dict[str, tuple[tuple[int, ...], tuple[int, ...]]]  # module → (input, output) shape
    calls: dict[str, int]
    macs: dict[str, int]  # FlopCounterMode's FLOPs / 2 (a conv or matmul FLOP pair is one MAC)
    fields: dict[str, int]  # receptive field rows reached by one output row's gradient
    head_covers_input: bool

    def params(self, *names: str) -> int:
        return sum(p.numel() for n in names for p in self.model.get_submodule(n).parameters())

    def stride(self, name: str) -> int:
        return self.size // self.shapes[name][1][-1]


def _fields(name: str, blocks: list[str], size: int) -> tuple[dict[str, int], bool]:
    """Every block's and the stem's receptive field by backpropagation, and whether the logits'
    gradient reaches every row of a 224-pixel input (the head sees it whole)."""
    model = see_every_path(tvm.get_model(name))
    fields = backprop_fields(model, ["relu", *blocks], size)
    small = torch.ones(1, 3, 224, 64, dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(model(small)[0].sum(), small)
    return fields, bool((g[0].abs().sum((0, 2)) > 0).all())


def _oracle(name: str, size: int = 224) -> _Oracle:
    model = tvm.get_model(name).eval()
    shapes, calls = {}, {}

    def seen(n, m, i, o):
        shapes[n] = (tuple(i[0].shape), tuple(o.shape))
        calls[n] = calls.get(n, 0) + 1

    handles = [m.register_forward_hook(functools.partial(seen, n))
               for n, m in model.named_modules() if n]  # fmt: skip
    try:
        macs = module_macs(model, size)
    finally:
        for h in handles:
            h.remove()
    blocks = [n for n, _ in model.named_modules() if re.fullmatch(r"layer\d\.\d+", n)]
    fields, covers = _fields(name, blocks, 512)
    return _Oracle(model, size, shapes, calls, macs, fields, covers)


def _shown(text: str) -> tuple[float, float]:
    """A rounded figure as printed ("9,536", "1.03 G") → (value, half its last printed digit)."""
    number, _, unit = text.replace(",", "").partition(" ")
    scale = {"": 1, "K": 1e3, "M": 1e6, "G": 1e9}[unit]
    decimals = len(number.partition(".")[2])
    return float(number) * scale, 0.5 * 10**-decimals * scale


def _agrees(text: str, exact: int) -> bool:
    value, half = _shown(text)
    return abs(value - exact) <= half


_BLOCK_CLASSES = (tvm.resnet.BasicBlock, tvm.resnet.Bottleneck)
_FIGURE = r"[\d,.]+(?: [KMG])?"


def _audit(lines: list[str], o: _Oracle, name: str) -> set[int]:
    """Checks every line it can read; returns the indices of the lines it read."""
    model, read = o.model, set()
    modules = dict(model.named_modules())
    blocks = {n: m for n, m in modules.items() if isinstance(m, _BLOCK_CLASSES)}
    in_shortcut = {n for n in modules if ".downsample" in n}
    convs = [n for n, m in modules.items() if isinstance(m, nn.Conv2d)]
    main_convs = [n for n in convs if n not in in_shortcut]
    depth = len(main_convs) + sum(isinstance(m, nn.Linear) for m in modules.values())
    stages = {f"layer{i}": len(getattr(model, f"layer{i}")) for i in range(1, 5)}
    per_block = {n: sum(c.startswith(n + ".") for c in main_convs) for n in blocks}
    (k,) = set(per_block.values())
    rows = {"stem": ("conv1", "bn1", "relu"), **{s: (s,) for s in stages}, "head": ("fc",)}
    last = {"stem": "relu", **{s: f"{s}.{stages[s] - 1}" for s in stages}, "head": "fc"}
    for i, line in enumerate(lines):
        if not re.search(r"\d", line):
            read.add(i)
        elif m := re.fullmatch(r"ResNet-(\d+) \((\w+)\), input 3×(\d+)×(\d+)", line):
            assert (int(m[1]), m[2], int(m[3]), int(m[4])) == (depth, name, o.size, o.size)
        elif m := re.fullmatch(r"Depth  (\d+) = (\d+) \+ (\d+)·\(([\d+]+)\) \+ (\d+)", line):
            assert int(m[1]) == depth and int(m[3]) == k
            assert [int(b) for b in m[4].split("+")] == list(stages.values())
            assert int(m[2]) == len(main_convs) - k * len(blocks) == 1 and int(m[5]) == 1
        elif m := re.fullmatch(
            r" +(\d+) stem conv \+ (\d+) convs in each of (\d+) blocks \(([\d+]+) per stage\)"
            r" \+ (\d+) fc", line):  # fmt: skip
            assert (int(m[1]), int(m[2]), int(m[3]), int(m[5])) == (1, k, len(blocks), 1)
            assert [int(b) for b in m[4].split("+")] == list(stages.values())
        elif m := re.fullmatch(r" +(?:compact|expanded): (\d+) = ([\d·+() ]+)", line):
            assert int(m[1]) == depth == eval(m[2].replace("·", "*"))  # arithmetic the text shows
        elif m := re.fullmatch(
            r" +not counted: (\d+) projection shortcut 1×1 convs, (\d+) BatchNorm, (\d+) ReLU "
            r"modules \((\d+) calls\), (\d+) pooling", line):  # fmt: skip
            relus = [n for n, mod in modules.items() if isinstance(mod, nn.ReLU)]
            pools = [mod for mod in modules.values() if type(mod).__name__.endswith("Pool2d")]
            assert int(m[1]) == len(convs) - len(main_convs)
            assert int(m[2]) == sum(isinstance(mod, nn.BatchNorm2d) for mod in modules.values())
            assert (int(m[3]), int(m[4])) == (len(relus), sum(o.calls[n] for n in relus))
            assert int(m[5]) == len(pools)
        elif m := re.fullmatch(
            rf"(stem|layer\d|head) +\S+ +([\d×]+) +(\d+|global) +(\d+|global) +(\d+|-) "
            rf"+({_FIGURE}) +({_FIGURE})", line):  # fmt: skip
            stage, out = m[1], o.shapes[last[m[1]]][1][1:]
            assert tuple(int(v) for v in m[2].split("×")) == out
            if stage == "head":
                assert m[3] == m[4] == "global" and o.head_covers_input
            else:
                assert int(m[3]) == o.stride(last[stage])
                assert int(m[4]) == o.fields[last[stage]]
            assert m[5] == (str(stages[stage]) if stage in stages else "-")
            assert int(m[6].replace(",", "")) == o.params(*rows[stage])
            assert _agrees(m[7], sum(o.macs.get(r, 0) for r in rows[stage]))
        elif m := re.fullmatch(rf"total +(\d+) +({_FIGURE}) +({_FIGURE})", line):
            assert int(m[1]) == len(blocks)
            meta = tvm.get_model_weights(name).DEFAULT.meta
            assert int(m[2].replace(",", "")) == meta["num_params"] == o.params("")
            assert _agrees(m[3], o.macs[""]) and m[3] == f"{meta['_ops']:.2f} G"
        elif m := re.fullmatch(r"(Projection|Identity) shortcuts.*: (\d+) blocks", line):
            projected = sum(b.downsample is not None for b in blocks.values())
            assert int(m[2]) == (projected if m[1] == "Projection" else len(blocks) - projected)
        elif m := re.fullmatch(r"  (layer\d\.\d+) +(?:stride (\d+), )?channels (\d+)→(\d+)", line):
            assert blocks[m[1]].downsample is not None
            (before, after) = o.shapes[m[1]]
            assert int(m[2] or 1) == before[-1] // after[-1]
            assert (int(m[3]), int(m[4])) == (before[1], after[1])
        elif m := re.fullmatch(
            rf"(layer\d\.\d+) +(\w+) +(\d+)→(\d+)→(\d+) +(\d+) +(\S+) +(\w+) +(\d+) "
            rf"+({_FIGURE}) +({_FIGURE})", line):  # fmt: skip
            block, (before, after) = blocks[m[1]], o.shapes[m[1]]
            assert m[2] == type(block).__name__
            assert (int(m[3]), int(m[4]), int(m[5])) == (before[1], block.conv2.out_channels,
                                                         after[1])  # fmt: skip
            assert int(m[6]) == before[-1] // after[-1]
            strided = [c for c in ("conv1", "conv2", "conv3")
                       if hasattr(block, c) and getattr(block, c).stride[0] > 1]  # fmt: skip
            assert m[7] == (strided[0] if strided else "-") and len(strided) <= 1
            assert m[8] == ("projection" if block.downsample is not None else "identity")
            assert int(m[9]) == o.fields[m[1]]
            assert int(m[10].replace(",", "")) == o.params(m[1])
            assert _agrees(m[11], o.macs[m[1]])
        else:
            continue
        read.add(i)
    return read


@pytest.mark.parametrize(
    ("name", "golden"),
    [("resnet18", "summary_resnet18.txt"), ("resnet50", "summary_resnet50_blocks.txt")],
)  # fmt: skip
def test_every_number_in_the_golden_files_has_an_independent_oracle(name, golden):
    lines = (GOLDEN / golden).read_text(encoding="utf-8").splitlines()
    read = _audit(lines, _oracle(name), name)
    assert [line for i, line in enumerate(lines) if i not in read] == []


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
    for line in out.splitlines()[3:7]:  # the shortcut's and the branch's parts sum to 100%
        via_s, via_f = (float(v) for v in re.findall(r"(-?[\d.]+)%", line))
        assert abs(via_s + via_f - 100) <= 0.1, line
    code, out, err = run(capsys, "shortcuts", str(tmp_path / "none.png"))
    assert code == 2 and err.startswith("error: image file not found")


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_attribute_command(capsys, tmp_path):
    img, label, _ = sample(7, 2)
    path = tmp_path / "shape.png"
    Image.fromarray(img).save(path)
    out_png = tmp_path / "ig.png"
    argv = ["attribute", str(path), "--model", "demo_basic", "--method", "integrated_gradients",
            "--option", "steps=8", "-o", str(out_png)]  # fmt: skip
    code, out, _ = run(capsys, *argv)
    from explorer import attribute

    a = attribute(str(path), "demo_basic", "integrated_gradients", steps=8)
    assert code == 0 and "integrated_gradients (steps=8)" in out and a.target == label
    assert f"(index {a.target}, p = {a.target_prob:.3f})" in out
    assert "10 forward and 8 backward passes" in out  # the image's, 8 steps, the baseline's
    peak = divmod(int(abs(a.map).argmax()), a.map.shape[1])
    assert f"peak |map| at (row, col) {peak}" in out
    assert Image.open(out_png).size == (320, 320) and out.endswith(f"wrote {out_png}\n")
    code, _, err = run(capsys, "attribute", str(path), "--method", "gradcam", "--option", "steps")
    assert code == 2 and err.startswith("error: --option takes NAME=VALUE")
    code, _, err = run(capsys, "attribute", str(path), "--method", "smoothgrad", "--layer",
                       "layer3")  # fmt: skip
    assert code == 2 and "reads no layer" in err and "Traceback" not in err


def test_diagram_command(capsys, tmp_path, monkeypatch):
    code, out, _ = run(capsys, "diagram", "resnet18")
    assert code == 0 and out.startswith("<svg") and out.count("data-layer=") == 18
    assert out.count('data-shortcut="projection"') == 3
    code, out, _ = run(capsys, "diagram", "resnet18", "--plain", "-o", str(tmp_path / "p.svg"))
    assert code == 0 and "data-shortcut" not in (tmp_path / "p.svg").read_text(encoding="utf-8")
    code, out, _ = run(capsys, "diagram", "resnet34", "--figure3", "--orientation", "horizontal")
    models = re.findall(r'data-model="(\w+)" data-plain="(\w+)"', out)
    assert code == 0 and models == [("vgg19", "false"), ("resnet34", "true"), ("resnet34", "false")]
    assert out.count("data-layer=") == 19 + 34 + 34  # VGG-19, plain-34, ResNet-34
    code, out, _ = run(capsys, "diagram", "vgg19")
    assert code == 0 and out.count("data-layer=") == 19
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "diagram", "resnet50", "--format", "png", "--lang", "zh")
    picture = Image.open(tmp_path / "resnet50.png")
    assert code == 0 and out == "wrote resnet50.png\n" and picture.format == "PNG"
    assert picture.width > 400 and picture.height > 1000  # drawn at twice the SVG's size
    code, _, err = run(capsys, "diagram", "resnet18", "--format", "png", "-o",
                       str(tmp_path / "none" / "x.png"))  # fmt: skip
    assert code == 2 and err.startswith("error: cannot write")


def test_serve_refuses_a_thread_count_below_one(capsys, monkeypatch):
    monkeypatch.delenv("EXPLORER_THREADS", raising=False)
    assert main(["serve", "--threads", "0"]) == 2
    assert capsys.readouterr().err == "error: --threads takes 1 or more, got 0.\n"
    monkeypatch.setenv("EXPLORER_THREADS", "two")
    assert main(["serve"]) == 2
    assert "$EXPLORER_THREADS takes a whole number, got 'two'." in capsys.readouterr().err
