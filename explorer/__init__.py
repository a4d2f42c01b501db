"""ResNet Explorer: the exact block structure of residual networks, from the real modules.

Python API: `list_models()`, `load_model(name, weights=...)`, `model_info(model)`,
`analyze(name, input_size=224)`, `predict(image, model)`, `gradcam(image, model)`,
`explain(image, model)`, `shortcuts(image, model)`, `network_diagram(name)` and
`network_figure3(name)` (Figure 3 of the paper as SVG, with VGG-19 and the plain twin beside it;
`network_figure` wraps either for a notebook) and `degradation_curves()` (the paper's Figure 6 as
`python -m explorer.experiments degradation` measured it). Inside a block: `block_view(image,
model, block)` (S(x), F(x), their sum and the output of one channel), `effective_receptive_field
(image, model, layer)` (Luo et al. 2016) and `lesion_curve(model, k_max)` (Veit et al. 2016, on
the shipped networks; `predict_without(image, model, deleted)` for one image). Which
explanation to trust: `attribute(image, model, method)` (eight saliency methods),
`sanity_check(image, model)` (Adebayo et al. 2018), `faithfulness(images, model)` and
`layer_guidance(images, model, masks)`.
Each name is imported on first use, so
`import explorer` is instant and the web page (explorer/web) is served before torch has loaded.
Never imports gradio.
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING, Any

# Gradio reads this when it is imported (by explorer/web only): no analytics calls, ever.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

__version__ = "0.1.0"

# public name → the module that defines it; moving a module changes only this table
_API = {
    "ArchitectureSummary": "arch.analysis",
    "analyze": "arch.analysis",
    "warm_cache": "arch.analysis",
    "ModelEntry": "arch.registry",
    "custom_spec": "arch.registry",
    "get_entry": "arch.registry",
    "list_models": "arch.registry",
    "ExplorerError": "errors",
    "ModelInfo": "models.loading",
    "UntrainedWeightsWarning": "models.loading",
    "load_model": "models.loading",
    "model_info": "models.loading",
    "Explanation": "inspect.explain",
    "Prediction": "inspect.explain",
    "explain": "inspect.explain",
    "gradcam": "inspect.explain",
    "predict": "inspect.explain",
    "ShortcutRecord": "inspect.contributions",
    "ShortcutReport": "inspect.contributions",
    "shortcut_report": "inspect.contributions",
    "shortcuts": "inspect.contributions",
    "network_diagram": "render.network",
    "network_figure3": "render.network",
    "network_figure": "render.network",
    "NetworkFigure": "render.network",
    "CurvePoint": "experiments.degradation",
    "degradation_curves": "experiments.degradation",
    "BlockView": "inspect.blockview",
    "block_view": "inspect.blockview",
    "ReceptiveField": "inspect.erf",
    "StageField": "inspect.erf",
    "effective_receptive_field": "inspect.erf",
    "erf_by_stage": "inspect.erf",
    "Lesioned": "inspect.lesions",
    "predict_without": "inspect.lesions",
    "Attribution": "inspect.attribution",
    "attribute": "inspect.attribution",
    "SanityRecord": "inspect.sanity",
    "SanityReport": "inspect.sanity",
    "sanity_check": "inspect.sanity",
    "FaithRecord": "inspect.trust",
    "Guidance": "inspect.trust",
    "LayerScore": "inspect.trust",
    "faithfulness": "inspect.trust",
    "layer_guidance": "inspect.trust",
    "LesionPoint": "experiments.lesions",
    "heldout_error": "experiments.lesions",
    "lesion_curve": "experiments.lesions",
}

__all__ = [
    "ArchitectureSummary",
    "Attribution",
    "BlockView",
    "CurvePoint",
    "Explanation",
    "ExplorerError",
    "FaithRecord",
    "Guidance",
    "LayerScore",
    "LesionPoint",
    "Lesioned",
    "ModelEntry",
    "ModelInfo",
    "NetworkFigure",
    "Prediction",
    "ReceptiveField",
    "SanityRecord",
    "SanityReport",
    "ShortcutRecord",
    "ShortcutReport",
    "StageField",
    "UntrainedWeightsWarning",
    "analyze",
    "attribute",
    "block_view",
    "custom_spec",
    "degradation_curves",
    "effective_receptive_field",
    "erf_by_stage",
    "explain",
    "faithfulness",
    "get_entry",
    "gradcam",
    "heldout_error",
    "layer_guidance",
    "lesion_curve",
    "list_models",
    "load_model",
    "model_info",
    "network_diagram",
    "network_figure",
    "network_figure3",
    "predict",
    "predict_without",
    "sanity_check",
    "shortcut_report",
    "shortcuts",
    "warm_cache",
]


def __getattr__(name: str) -> Any:
    if name not in _API:
        raise AttributeError(f"module 'explorer' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_API[name]}", __name__), name)
    if _API[name] == "arch.analysis":
        _notebook_view()
    globals()[name] = value  # later lookups skip this function
    return value


def _notebook_view() -> None:
    """A summary shows its formula card and stage table in a notebook (`_repr_html_`). The
    renderer is attached here, at the top, because arch/ never imports the render folder."""
    from .arch.analysis import ArchitectureSummary
    from .render.cards import notebook_html

    ArchitectureSummary._repr_html_ = notebook_html  # type: ignore[attr-defined]


def __dir__() -> list[str]:
    return sorted({*globals(), *_API})


if TYPE_CHECKING:  # what type checkers and editors see
    from .arch.analysis import ArchitectureSummary, analyze, warm_cache
    from .arch.registry import ModelEntry, custom_spec, get_entry, list_models
    from .errors import ExplorerError
    from .experiments.degradation import CurvePoint, degradation_curves
    from .experiments.lesions import LesionPoint, heldout_error, lesion_curve
    from .inspect.attribution import Attribution, attribute
    from .inspect.blockview import BlockView, block_view
    from .inspect.contributions import ShortcutRecord, ShortcutReport, shortcut_report, shortcuts
    from .inspect.erf import ReceptiveField, StageField, effective_receptive_field, erf_by_stage
    from .inspect.explain import Explanation, Prediction, explain, gradcam, predict
    from .inspect.lesions import Lesioned, predict_without
    from .inspect.sanity import SanityRecord, SanityReport, sanity_check
    from .inspect.trust import FaithRecord, Guidance, LayerScore, faithfulness, layer_guidance
    from .models.loading import ModelInfo, UntrainedWeightsWarning, load_model, model_info
