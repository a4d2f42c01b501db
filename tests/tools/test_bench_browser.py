"""The browser benchmark end to end, once and with fewer switches. No timing thresholds: the
targets are the benchmark's to print.

Skipped without /usr/bin/chromium or Playwright.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from explorer.tools.bench_browser import CHECKS, CHROMIUM, browser

if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")


def test_every_measurement_is_a_positive_number(capsys):
    medians = browser(1, models=("resnet18", "resnet50"), languages=("zh",))
    wanted = {c.key for c in CHECKS} | {c.key + "_minimal" for c in CHECKS if c.ratio}
    assert wanted <= set(medians)
    assert all(math.isfinite(v) and v > 0 for v in medians.values()), medians
    printed = capsys.readouterr().out
    assert all(check.label in printed for check in CHECKS)
    assert "CPU cores" in printed
