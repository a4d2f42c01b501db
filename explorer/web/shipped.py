"""The registry's architecture pages shipped inside the package as data: for every registry model
at its own input size, what the Architecture tab shows in each language, and its JSON and CSV
downloads. Reading them needs neither torch nor plotly, so the first view is served before the
engine is imported. `python -m explorer.tools.ship_pages` writes them from the live engine; a
test checks that they still agree with it.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from ..arch.registry import get_entry
from ..errors import ExplorerError
from ..i18n import LANGS
from .files import exports, write_atomically

FOLDER = "shipped"  # explorer/web/shipped/NAME.json.gz
VERSION = 1  # of the files' layout: a file of another version is not read


@dataclass(frozen=True)
class ShippedPage:
    """The Architecture tab's answer, as pages.ArchitecturePage holds it, its charts as JSON."""

    formula: str
    stages: str
    story: str
    costs: str  # the Plotly figure as JSON (Figure.to_json())
    treemap: str
    diagram: str
    tree: str


FIELDS = tuple(ShippedPage.__dataclass_fields__)


def export_stem(model: str, input_size: int) -> str:
    """The downloads' file name: timm/NAME and a model of yours become one safe name."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", f"{model}-{input_size}")


def _resource(name: str) -> Any:
    return resources.files(__package__).joinpath(FOLDER, f"{name}.json.gz")


@lru_cache(maxsize=64)
def _read(name: str) -> dict[str, Any] | None:
    """One model's shipped record (both languages and the downloads), or None."""
    path = _resource(name)
    if not path.is_file():
        return None
    record = json.loads(gzip.decompress(path.read_bytes()))
    return record if record.get("version") == VERSION else None


def _record(model: str, input_size: Any) -> dict[str, Any] | None:
    """The record for a registry model at its own input size; None for anything else (another
    size, a custom build, timm/…, a file of yours, a name that is not a model)."""
    if not isinstance(model, str) or isinstance(input_size, bool):
        return None
    try:
        entry = get_entry(model)
    except ExplorerError:
        return None
    record = _read(entry.name) if re.fullmatch(r"[A-Za-z0-9_]+", entry.name) else None
    if record is None or input_size != record["input_size"]:
        return None
    return record


def page(model: str, input_size: Any, lang: str) -> ShippedPage | None:
    """The shipped page for `model` at `input_size` in `lang`, or None when none is shipped."""
    record = _record(model, input_size)
    if record is None or lang not in record["pages"]:
        return None
    return ShippedPage(**{key: record["pages"][lang][key] for key in FIELDS})


def export_files(model: str, input_size: Any) -> tuple[Path, Path] | None:
    """The shipped JSON and CSV downloads, written once into this process's folder; None when
    none is shipped."""
    record = _record(model, input_size)
    if record is None:
        return None
    stem = export_stem(record["model"], record["input_size"])
    paths = exports() / f"{stem}.json", exports() / f"{stem}.csv"
    for path, key in zip(paths, ("json", "csv"), strict=True):
        if not path.exists():
            write_atomically(path, record[key].encode("utf-8"))
    return paths


def record_of(name: str, input_size: int) -> dict[str, Any]:
    """What is shipped for one model, computed by the live engine (imports torch)."""
    from . import pages

    json_path, csv_path = pages.export_files(name, input_size)
    out: dict[str, Any] = {"version": VERSION, "model": name, "input_size": input_size,
                           "json": json_path.read_text("utf-8"),
                           "csv": csv_path.read_text("utf-8"), "pages": {}}  # fmt: skip
    for lang in LANGS:
        live = pages.architecture_page(name, input_size, lang)
        out["pages"][lang] = {key: getattr(live, key).to_json()
                              if key in ("costs", "treemap") else getattr(live, key)
                              for key in FIELDS}  # fmt: skip
    return out


def write(folder: Path, names: list[str]) -> list[Path]:
    """Write each model's record, at its own input size, into `folder` as NAME.json.gz."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in names:
        record = record_of(name, get_entry(name).input_size)
        data = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        path = folder / f"{name}.json.gz"
        path.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
        written.append(path)
    return written
