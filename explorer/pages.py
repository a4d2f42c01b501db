"""What each tab shows for one request: records rendered as HTML, figures and export files,
cached per (model, input size, language) so that switching back to a model is instant.

The glue between analysis and the UI; no gradio here, so it is testable without a server.
"""

from __future__ import annotations

import atexit
import hashlib
import io
import json
import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import plotly.graph_objects as go
from PIL import Image

from .analysis import ArchitectureSummary, analyze, check_input_size
from .cam import cam_layers
from .demo import data as demo_data
from .diagram import diagram_html
from .explain import Explanation
from .figures import compare_costs, param_treemap, stage_costs
from .i18n import LANGS, t
from .overlay import feature_grid, map_image, overlay
from .registry import get_entry, list_models
from .report import layers_csv
from .views import (
    compare_blocks_html,
    compare_insights_html,
    compare_stages_html,
    costs_story,
    formula_html,
    prediction_note,
    stage_table_html,
    tree_html,
)
from .weights import hub_file


@dataclass(frozen=True)
class ArchitecturePage:
    formula: str  # HTML: the depth formula, explained
    stages: str  # HTML: the stage table
    story: str  # one sentence: where the params and the MACs go
    costs: go.Figure  # params and MACs per stage
    treemap: go.Figure  # where the parameters live
    diagram: str  # HTML with inline SVG: the block at each stage
    tree: str  # HTML: the collapsible layer tree


@dataclass(frozen=True)
class ComparePage:
    formula_a: str
    formula_b: str
    insights: str  # HTML: computed sentences on what differs and why
    costs: go.Figure
    stages: str  # HTML: per-stage table with differences
    blocks: str  # HTML: one block of each model at each stage's width


def _lang(lang: str) -> str:
    return lang if lang in LANGS else "en"


def architecture_page(model: str, input_size: int, lang: str) -> ArchitecturePage:
    """The Architecture tab for a registry name or custom spec (validated here)."""
    return _architecture_page(get_entry(model).name, check_input_size(input_size), _lang(lang))


@lru_cache(maxsize=128)
def _architecture_page(name: str, size: int, lang: str) -> ArchitecturePage:
    s = analyze(name, size)
    return ArchitecturePage(
        formula=formula_html(s, lang),
        stages=stage_table_html(s, lang),
        story=costs_story(s, lang),
        costs=stage_costs(s, lang),
        treemap=param_treemap(s, lang),
        diagram=diagram_html(s, lang),
        tree=tree_html(s, lang),
    )


def compare_page(model_a: str, model_b: str, input_size: int, lang: str) -> ComparePage:
    a, b = get_entry(model_a).name, get_entry(model_b).name
    return _compare_page(a, b, check_input_size(input_size), _lang(lang))


@lru_cache(maxsize=64)
def _compare_page(name_a: str, name_b: str, size: int, lang: str) -> ComparePage:
    a, b = analyze(name_a, size), analyze(name_b, size)
    return ComparePage(
        formula_a=formula_html(a, lang, small=True),
        formula_b=formula_html(b, lang, small=True),
        insights=compare_insights_html(a, b, lang),
        costs=compare_costs(a, b, lang),
        stages=compare_stages_html(a, b, lang),
        blocks=compare_blocks_html(a, b, lang),
    )


_export_dir: Path | None = None
_export_lock = threading.Lock()


def _exports() -> Path:
    """This process's own folder for downloads, removed at exit."""
    global _export_dir
    with _export_lock:
        if _export_dir is None:
            _export_dir = Path(tempfile.mkdtemp(prefix="resnet-explorer-"))
            atexit.register(shutil.rmtree, _export_dir, ignore_errors=True)
        return _export_dir


def _write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary name, then rename: a reader (Gradio copying the file into its cache
    while another request writes the same name) sees the old file or the new one, never half."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def export_files(model: str, input_size: int) -> tuple[Path, Path]:
    """The summary as JSON and the layer table as CSV, written once per (model, input size)."""
    s: ArchitectureSummary = analyze(model, input_size)
    stem = f"{s.model}-{s.input_size}"  # registry names and specs are [a-z0-9_-] only
    json_path, csv_path = _exports() / f"{stem}.json", _exports() / f"{stem}.csv"
    if not json_path.exists():
        text = json.dumps(s.to_dict(), indent=1, ensure_ascii=False)
        _write_atomically(json_path, text.encode("utf-8"))
    if not csv_path.exists():
        _write_atomically(csv_path, layers_csv(s).encode("utf-8"))
    return json_path, csv_path


def warm_pages(input_size: int = 224) -> None:
    """Render every registry model's page in both languages (after the analysis warm-up)."""
    for name in list_models():
        for lang in LANGS:
            architecture_page(name, input_size, lang)


# ---------------------------------------------------------------- Predict & Explain

EXAMPLE_SEED = 7  # the generated images offered as examples (no model saw this seed)
EXPORT_TTL_S = 3600  # PNG downloads older than an hour are removed, as Gradio does with its own


@dataclass(frozen=True)
class PredictView:
    labels: dict[str, float]  # top-5, for gr.Label
    overlay: Image.Image  # the CAM over the crop, enlarged for the page
    stage_cams: list[tuple[Image.Image, str]]  # layer1..layer4, same class
    features: list[tuple[Image.Image, str]]  # one grid of strongest channels per stage
    note: str  # HTML: what the overlay shows, and a warning when untrained
    overlay_png: Path
    map_png: Path  # the raw map, 16-bit grayscale


PRUNE_EVERY_S = 60.0  # how often save_png looks for expired files (a busy class writes many)
_pruned_at = 0.0


def _prune(folder: Path) -> None:
    """Remove PNGs older than EXPORT_TTL_S, at most once per PRUNE_EVERY_S."""
    global _pruned_at
    now = time.time()
    with _export_lock:
        if now - _pruned_at < PRUNE_EVERY_S:
            return
        _pruned_at = now
    for old in folder.glob("*.png"):
        try:
            if now - old.stat().st_mtime > EXPORT_TTL_S:
                old.unlink(missing_ok=True)
        except FileNotFoundError:  # another request removed it first
            pass


def save_png(image: Image.Image, stem: str) -> Path:
    """A PNG in this process's export folder, named by its content and written atomically, so
    that identical pictures for two students share one file that is never seen half-written.
    Files older than EXPORT_TTL_S are removed."""
    folder = _exports() / "png"
    folder.mkdir(exist_ok=True)
    _prune(folder)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    digest = hashlib.sha1(buffer.getvalue()).hexdigest()[:12]  # same picture, same file
    path = folder / f"{stem}-{digest}.png"
    if not path.exists():  # the same picture is already there, whole
        _write_atomically(path, buffer.getvalue())
    return path


def predict_view(ex: Explanation, opacity: float, colormap: str, lang: str) -> PredictView:
    labels: dict[str, float] = {}
    for p in ex.predictions:  # ImageNet repeats a few names ("crane"): keep both entries
        labels[p.label if p.label not in labels else f"{p.label} #{p.index}"] = p.prob
    stem = f"{ex.model}-{ex.layer}-{ex.target}"
    shown = overlay(ex.image, ex.cam, opacity, colormap)
    stages = [(overlay(ex.image, m, opacity, colormap, size=200), s) for s, m in ex.stage_cams]
    features = []
    for f in ex.features:
        channels = ", ".join(map(str, f.channels[:4])) + " …"
        caption = t(lang, "feature_caption", stage=f.stage, channels=channels)
        features.append((feature_grid(f), caption))
    return PredictView(
        labels=labels,
        overlay=shown,
        stage_cams=stages,
        features=features,
        note=prediction_note(ex, lang),
        overlay_png=save_png(shown, f"overlay-{stem}"),
        map_png=save_png(map_image(ex.cam), f"map-{stem}"),
    )


def examples() -> list[str]:
    """One generated image per class, written once, for the page's clickable examples."""
    folder = _exports() / "examples"
    if not folder.exists():
        folder.mkdir()
        seen: set[int] = set()
        for i in range(200):
            img, label, _ = demo_data.sample(EXAMPLE_SEED, i)
            if label not in seen:
                seen.add(label)
                Image.fromarray(img).save(folder / f"{len(seen)}-{demo_data.CLASSES[label]}.png")
            if len(seen) == len(demo_data.CLASSES):
                break
    return sorted(str(p) for p in folder.glob("*.png"))


def default_predict_model() -> str:
    """resnet50 when its ImageNet weights are on this machine, else the demo model."""
    entry = get_entry("resnet50")
    cached = hub_file(entry.weights("DEFAULT")).exists()
    return "resnet50" if cached else "demo_bottleneck"


@lru_cache(maxsize=64)
def cam_layer_names(name: str) -> list[str]:
    """The layers a CAM can be taken at, read from the architecture (built on the meta device)."""
    return cam_layers(get_entry(name).build(device="meta"))
