"""Models of yours from the command line: FILE.py:CALLABLE and MODULE:CALLABLE, registered under
their own names, with clear refusals; nothing is imported unless a command line names it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from torchvision.models import ResNet50_Weights

from explorer import ExplorerError, analyze, get_entry
from explorer.models.yours import is_target, load_target

HANDWRITTEN = Path(__file__).parents[1] / "arch" / "handwritten.py"


def test_a_file_target_is_registered_under_its_own_name():
    entry = load_target(f"{HANDWRITTEN}:ResNet50")
    assert entry.name == "ResNet50" and entry.source == "yours" and entry.input_size == 224
    assert get_entry("ResNet50") is entry  # exact name: yours
    assert get_entry("resnet50").source == "torchvision"  # lower case: torchvision's
    s = analyze("ResNet50")
    assert s.total_params == ResNet50_Weights.DEFAULT.meta["num_params"]
    assert len(entry.categories) == 1000


def test_a_model_that_refuses_224_opens_at_a_size_it_takes(tmp_path):
    code = HANDWRITTEN.read_text().replace("nn.AvgPool2d(7, stride=1)", "nn.AvgPool2d(4, stride=1)")
    (tmp_path / "small.py").write_text(code)
    entry = load_target(f"{tmp_path / 'small.py'}:ResNet50")
    assert entry.input_size == 97  # layer4 4×4: the smallest input that gives it
    assert analyze(entry.name).stage("layer4").output_shape[-1] == 4


@pytest.mark.parametrize(("target", "words"), [
    ("nothing.py:Net", "no Python file"),
    (f"{HANDWRITTEN}:Missing", "no class or function"),
    (f"{HANDWRITTEN}:Net34_typo", "no class or function"),
    ("no_such_package.models:resnet", "cannot import"),
    (f"{HANDWRITTEN}:Pair", "needs arguments"),
])  # fmt: skip
def test_bad_targets_say_what_to_do(target, words):
    with pytest.raises(ExplorerError, match=words):
        load_target(target)


def test_what_counts_as_code():
    assert is_target("my.py:ResNet50") and is_target("pkg.models:resnet")
    assert not is_target("resnet50") and not is_target("bottleneck-2-2-2-2")
    assert not is_target("timm/resnet50")


def test_registry_lookups_never_import(tmp_path):
    """get_entry (what the web page calls) treats a target as an unknown name."""
    marker = tmp_path / "ran"
    (tmp_path / "evil.py").write_text(f"open({str(marker)!r}, 'w').close()\nNet = None\n")
    with pytest.raises(ExplorerError):
        get_entry(f"{tmp_path / 'evil.py'}:Net")
    assert not marker.exists()


def test_cli_summary_of_the_notes_model(tmp_path):
    command = [sys.executable, "-m", "explorer", "summary", f"{HANDWRITTEN}:ResNet50"]
    out = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, check=True).stdout
    assert "50 = 1 + 3·(3+4+6+3) + 1" in out and "25,557,032" in out
    bad = subprocess.run([*command, "--input-size", "256"], capture_output=True, text=True,
                         cwd=tmp_path)  # fmt: skip
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert "8192" in bad.stderr and "193–224 px" in bad.stderr


def test_weights_of_yours_load_strictly(tmp_path):
    """A checkpoint for a model of yours goes through the same strict, unpickling-free loading
    as any other: its own tensors come back, and another model's are refused by key."""
    import torch
    from safetensors.torch import save_file

    from explorer import load_model, model_info

    entry = load_target(f"{HANDWRITTEN}:FunctionalNet")
    torch.manual_seed(3)
    source = entry.builder()  # type: ignore[misc]
    path = tmp_path / "mine.safetensors"
    save_file({k: v.contiguous() for k, v in source.state_dict().items()}, str(path))
    model = load_model(entry.name, weights=str(path))
    assert model_info(model).trained
    for (k, a), b in zip(model.state_dict().items(), source.state_dict().values(), strict=True):
        assert torch.equal(a, b), k
    other = tmp_path / "other.safetensors"
    save_file({"conv1.weight": torch.zeros(64, 3, 7, 7)}, str(other))
    with pytest.raises(ExplorerError, match="missing"):
        load_model(entry.name, weights=str(other))
