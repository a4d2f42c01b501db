"""A real browser (Playwright driving Debian's Chromium) opens the page and reads the formula.

Screenshots land in tests/artifacts/. Without /usr/bin/chromium the tests are skipped, unless
EXPLORER_REQUIRE_BROWSER=1 (set by .ci/run) turns the absence into a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"
# Offline classroom networks: Chromium must not phone home at start-up.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
    "--disable-background-networking", "--disable-component-update",
]  # fmt: skip

if not Path(CHROMIUM).exists() and os.environ.get("EXPLORER_REQUIRE_BROWSER") != "1":
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def page(served):
    url, _ = served
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url)
        yield page
        browser.close()


def test_page_shows_the_depth_formula(page):
    page.get_by_text("50 = 1 + 3·(3+4+6+3) + 1").first.wait_for(timeout=60_000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "summary-resnet50.png"), full_page=True)
