"""The public API re-exported from `explorer`: every name there, each the object its module
defines, and none of it loaded before it is used (so the web page is served before torch)."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import explorer

# README's Python API, written out here rather than read from the package
PUBLIC = {
    "analyze": "explorer.arch.analysis",
    "list_models": "explorer.arch.registry",
    "get_entry": "explorer.arch.registry",
    "custom_spec": "explorer.arch.registry",
    "load_model": "explorer.models.loading",
    "model_info": "explorer.models.loading",
    "predict": "explorer.inspect.explain",
    "gradcam": "explorer.inspect.explain",
    "explain": "explorer.inspect.explain",
    "shortcuts": "explorer.inspect.contributions",
    "shortcut_report": "explorer.inspect.contributions",
    "ExplorerError": "explorer.errors",
}


@pytest.mark.parametrize(("name", "module"), sorted(PUBLIC.items()))
def test_each_name_is_its_modules_object(name, module):
    assert getattr(explorer, name) is getattr(importlib.import_module(module), name)
    assert name in explorer.__all__ and name in dir(explorer)


def test_all_names_resolve_and_unknown_ones_fail_cleanly():
    assert all(getattr(explorer, name) is not None for name in explorer.__all__)
    with pytest.raises(AttributeError, match="no attribute 'resnet'"):
        explorer.resnet  # noqa: B018
    namespace: dict[str, object] = {}
    exec("from explorer import *", namespace)
    assert set(explorer.__all__) <= set(namespace)


def _loaded_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys; print(' '.join(sorted(sys.modules)))"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return set(out.stdout.split())


def test_importing_the_package_loads_nothing_heavy():
    loaded = _loaded_after("import explorer, explorer.demo; explorer.list_models()")
    assert not loaded & {"torch", "torchvision", "gradio", "plotly", "captum"}


def test_the_first_use_of_a_name_loads_its_module():
    loaded = _loaded_after("import explorer; explorer.analyze('resnet18')")
    assert {"torch", "explorer.arch.analysis"} <= loaded and "gradio" not in loaded


def test_torch_floor_keeps_out_the_unpicklers_that_run_or_corrupt():
    """Uploaded .pth files go through torch.load(weights_only=True): torch before 2.6 could be
    made to run code by it (CVE-2025-32434), before 2.10 to corrupt memory (CVE-2026-24747)."""
    import tomllib
    from importlib.metadata import version

    project = tomllib.loads((Path(explorer.__file__).parents[1] / "pyproject.toml").read_text())
    torch_spec = next(d for d in project["project"]["dependencies"] if d.startswith("torch>"))
    floor = torch_spec.split(">=")[1].split(",")[0]
    assert tuple(int(p) for p in floor.split(".")) >= (2, 10)
    installed = tuple(int(p) for p in version("torch").split("+")[0].split(".")[:2])
    assert installed >= (2, 10)
