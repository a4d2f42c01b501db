"""ResNet Explorer: the exact block structure of residual networks, from the real modules.

Python API: `list_models()`, `load_model(name, weights=...)`, `model_info(model)`,
`analyze(name, input_size=224)`. Importing this package loads torch and torchvision, never gradio.
"""

from .analysis import ArchitectureSummary, analyze, warm_cache
from .errors import ExplorerError
from .models import ModelInfo, UntrainedWeightsWarning, load_model, model_info
from .registry import ModelEntry, custom_spec, get_entry, list_models

__version__ = "0.1.0"

__all__ = [
    "ArchitectureSummary",
    "ExplorerError",
    "ModelEntry",
    "ModelInfo",
    "UntrainedWeightsWarning",
    "analyze",
    "custom_spec",
    "get_entry",
    "list_models",
    "load_model",
    "model_info",
    "warm_cache",
]
