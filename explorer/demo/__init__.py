"""The offline demo: the generated shapes the demo models learn from, their training and their
evaluation (`python -m explorer.demo train|evaluate`). It depends on the registry, whose demo spec
is the architecture, and on models/; only the page's examples, experiments/ (its shapes) and the
tools import it. Importing this package loads the data generator only (numpy and Pillow, no torch).
"""

from __future__ import annotations

from .data import CLASSES, SIZE, make_samples

NAMES = ("demo_basic", "demo_bottleneck")  # the models that learn the shapes
# demo_basic's architecture and recipe trained on randomly permuted labels: Adebayo et al.'s
# data randomisation test, a model that has nothing to explain
SHUFFLED = "demo_basic_shuffled"

__all__ = ["CLASSES", "NAMES", "SHUFFLED", "SIZE", "make_samples"]
