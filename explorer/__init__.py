"""ResNet Explorer: the exact block structure of residual networks, from the real modules.

Python API: `list_models()`, `load_model(name, weights=...)`, `model_info(model)`,
`analyze(name, input_size=224)`, `predict(image, model)`, `gradcam(image, model)`,
`explain(image, model)` and `shortcuts(image, model)`. Importing this package loads torch and
torchvision, never gradio.
"""

import os

# Gradio reads this when it is imported (by the UI modules only): no analytics calls, ever.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from .analysis import ArchitectureSummary, analyze, warm_cache
from .contributions import ShortcutRecord, ShortcutReport, shortcut_report, shortcuts
from .errors import ExplorerError
from .explain import Explanation, Prediction, explain, gradcam, predict
from .models import ModelInfo, UntrainedWeightsWarning, load_model, model_info
from .registry import ModelEntry, custom_spec, get_entry, list_models

__version__ = "0.1.0"

__all__ = [
    "ArchitectureSummary",
    "Explanation",
    "ExplorerError",
    "ModelEntry",
    "ModelInfo",
    "Prediction",
    "ShortcutRecord",
    "ShortcutReport",
    "UntrainedWeightsWarning",
    "analyze",
    "custom_spec",
    "explain",
    "get_entry",
    "gradcam",
    "list_models",
    "load_model",
    "model_info",
    "predict",
    "shortcut_report",
    "shortcuts",
    "warm_cache",
]
