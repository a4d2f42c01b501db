"""The offline demo: the generated shapes the demo models learn from, their training and their
evaluation (`python -m explorer.demo train|evaluate`). It depends on the registry, whose demo spec
is the architecture, and on models/; only the page's examples, experiments/ (its shapes) and the
tools import it. Importing this package loads the data generator only (numpy and Pillow, no torch).
"""

from __future__ import annotations

from .data import CLASSES, SIZE, make_samples

NAMES = ("demo_basic", "demo_bottleneck")

__all__ = ["CLASSES", "NAMES", "SIZE", "make_samples"]
