"""Models of yours, named on the command line: `FILE.py:CALLABLE` or `MODULE:CALLABLE`, a class or
function that builds the model without arguments.

This is the one place that imports a user's code, and only the CLI calls it, with the words of
whoever started the process. Nothing a browser or an API client sends ever reaches it.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
from pathlib import Path

import torch
from torch import nn

from ..arch.registry import DEFAULT_SIZE, ModelEntry, add_your_model
from ..errors import ExplorerError

TARGET = re.compile(r"^(?P<where>[^:]+):(?P<name>[A-Za-z_][A-Za-z0-9_]*)$")


def is_target(text: str) -> bool:
    """Whether `text` names code (FILE.py:CALLABLE, MODULE:CALLABLE) rather than a registry name."""
    return bool(TARGET.match(text.strip())) and not text.strip().lower().startswith("timm/")


def _import(where: str) -> object:
    if where.endswith(".py"):
        path = Path(where).expanduser().resolve()
        if not path.is_file():
            raise ExplorerError.text("err_target_file", file=where)
        name = f"explorer_yours_{abs(hash(str(path)))}"
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise ExplorerError.text("err_target_file", file=where)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses and pickling look their module up here
        sys.path.insert(0, str(path.parent))  # the file's own imports of its neighbours
        try:
            spec.loader.exec_module(module)
        finally:
            sys.path.remove(str(path.parent))
        return module
    try:
        return importlib.import_module(where)
    except ImportError as err:
        raise ExplorerError.text("err_target_module", module=where, why=str(err)) from err


def load_target(target: str) -> ModelEntry:
    """Import the callable `target` names, check that it builds a module, and register it under
    the callable's own name; its input size is 224 or, where 224 fails, the first size it takes."""
    match = TARGET.match(target.strip())
    if match is None:
        raise ExplorerError.text("err_target_syntax", target=target)
    where, name = match["where"], match["name"]
    builder = getattr(_import(where), name, None)
    if not callable(builder):
        raise ExplorerError.text("err_target_callable", name=name, where=where)
    with torch.device("meta"):
        try:
            model = builder()
        except TypeError as err:
            raise ExplorerError.text("err_target_args", name=name, why=str(err)) from err
    if not isinstance(model, nn.Module):
        raise ExplorerError.text("err_target_callable", name=name, where=where)
    size, classes = _size_and_classes(model.eval())
    return add_your_model(name, builder, Path(where).name, size, classes)


def _size_and_classes(model: nn.Module) -> tuple[int, int]:
    from ..arch.sizes import accepted_sizes

    for size in (DEFAULT_SIZE, *(a for a, _ in accepted_sizes(model))):
        try:
            with torch.no_grad():
                out = model(torch.zeros(1, 3, size, size, device="meta"))
        except (RuntimeError, ValueError, TypeError):
            continue
        return size, int(out.shape[-1]) if isinstance(out, torch.Tensor) and out.ndim == 2 else 0
    return DEFAULT_SIZE, 0
