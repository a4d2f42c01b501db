"""The paper's experiments, run on this machine: `python -m explorer.experiments degradation`
trains plain and residual CIFAR-10 networks on generated shapes and ships their curves. It uses
arch/ and demo/'s shape drawing; only web/ reads it. Importing it loads no torch.
"""

from .degradation import CurvePoint, DegradationRun, Recipe, degradation_curves, load, run

__all__ = ["CurvePoint", "DegradationRun", "Recipe", "degradation_curves", "load", "run"]
