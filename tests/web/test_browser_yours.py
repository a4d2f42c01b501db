"""A student's own model in a real browser: `serve --model tests/arch/handwritten.py:ResNet50`
puts the hand-written ResNet-50 of the source notes (random weights, 1000 ImageNet classes, 224
pixels) in every tab's Model menu as `ResNet50`, and each tab analyses that model, not
torchvision's `resnet50`. Chromium at a 1024×768 projector.

Screenshots land in tests/artifacts/yours-*.png. Skipped without Chromium, like test_browser.py,
unless EXPLORER_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from ..conftest import launched
from .test_browser import CHROMIUM, CHROMIUM_ARGS, WAIT, _pick, _shot, expect, sync_api

if not Path(CHROMIUM).exists() and os.environ.get("EXPLORER_REQUIRE_BROWSER") != "1":
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)

HANDWRITTEN = Path(__file__).parents[1] / "arch" / "handwritten.py"
PROJECTOR = {"width": 1024, "height": 768}
MODEL = "ResNet50"  # the menu's name: the callable's own, not torchvision's resnet50
TITLE = "ResNet50 from handwritten.py"  # how the cards and charts name it
BLOCKS = [f"layer{i + 1}.{j}" for i, n in enumerate((3, 4, 6, 3)) for j in range(n)]


@pytest.fixture(scope="module")
def yours():
    """A page on a server of its own that was given the hand-written ResNet-50, the server, and
    every error the page reported."""
    with launched("--model", f"{HANDWRITTEN}:{MODEL}") as server:
        errors: list[str] = []
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport=PROJECTOR, locale="en-US")
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            yield page, server, errors
            browser.close()


def _open(yours, tab: str | None = None):
    page, server, errors = yours
    # The previous test's page goes first: requests its load events still had in flight are
    # aborted as it unloads, and those belong to it, not to the page this test opens.
    page.goto("about:blank")
    errors.clear()
    page.goto(server.url)
    page.locator(".rx-formula:visible").first.wait_for(timeout=WAIT)  # the page is up
    if tab:
        page.get_by_role("tab", name=tab).click()
    return page


def _clean(yours) -> None:
    """Nothing went wrong behind the page: no browser error, no traceback in the server's log."""
    _, server, errors = yours
    assert errors == []
    log = "".join(server.lines)
    assert "Traceback" not in log, log


def test_the_menus_offer_the_handwritten_model_by_its_own_name(yours):
    page = _open(yours)
    page.locator('input[aria-label="Model"]:visible').first.click()
    options = [o.strip().lstrip("✓").strip() for o in page.get_by_role("option").all_inner_texts()]
    page.keyboard.press("Escape")
    assert MODEL in options and "resnet50" in options  # both, side by side
    assert options.count(MODEL) == 1


def test_the_architecture_tab_counts_the_handwritten_resnet50(yours):
    page = _open(yours, "Architecture")
    _pick(page, "Model", MODEL)
    # The default, torchvision's resnet50, has the same formula and parameter count: wait for the
    # card that names the hand-written model, then read its formula.
    card = page.locator(".rx-card:visible", has_text=f"{TITLE} · why 50 layers").first
    card.wait_for(timeout=WAIT)
    expect(card.locator(".rx-formula")).to_have_text("50 = 1 + 3·(3+4+6+3) + 1")
    # Its own modules: 3 ReLU modules per block + the stem's, where torchvision reuses one.
    expect(card).to_contain_text("49 ReLU modules")
    expect(page.get_by_text("25,557,032").first).to_be_visible(timeout=WAIT)
    expect(page.get_by_text(f"{TITLE}: params and MACs per stage")).to_be_visible(timeout=WAIT)
    expect(page.locator("#param-treemap")).to_contain_text("liner", timeout=WAIT)  # its fc's name
    assert page.locator('input[aria-label="Model"]:visible').first.input_value() == MODEL
    _shot(page, "yours-architecture.png")
    _clean(yours)


def test_predict_explains_the_handwritten_resnet50_with_a_warning(yours):
    page = _open(yours, "Predict & Explain")
    expect(page.get_by_text("trained by this project on generated shapes")).to_be_visible(
        timeout=WAIT
    )  # fmt: skip
    _pick(page, "Model", MODEL)
    expect(page.locator('input[aria-label="Weights"]:visible').first).to_have_value(
        "random (untrained)", timeout=WAIT
    )  # fmt: skip
    page.locator(".gallery-item:visible").first.click()  # the first example: 1-arrow.png
    caption = re.compile(r"Grad-CAM of “.+” \(.+ probability\) at layer4 \(7×7 grid\) of ResNet50")
    expect(page.get_by_text(caption)).to_be_visible(timeout=WAIT)
    expect(page.locator("#cam-overlay img")).to_be_visible(timeout=WAIT)
    assert page.locator("#cam-overlay img").evaluate("img => img.naturalWidth") > 0
    warning = page.get_by_text(f"{TITLE} has untrained (random) weights").first
    expect(warning).to_be_visible(timeout=WAIT)
    expect(page.get_by_text("of demo_bottleneck")).to_have_count(0)
    _shot(page, "yours-predict.png")
    _clean(yours)


def test_shortcuts_measures_every_block_of_the_handwritten_resnet50(yours):
    page = _open(yours, "Shortcuts")
    _pick(page, "Model", MODEL)
    page.locator(".gallery-item:visible").nth(2).click()  # 3-triangle.png
    expect(page.get_by_text(re.compile(r"Measured for “.+” \(probability"))).to_be_visible(
        timeout=WAIT
    )  # fmt: skip
    expect(page.get_by_text("16 blocks make 65,536 paths")).to_be_visible(timeout=WAIT)
    bars = page.locator("#shortcut-bars")
    expect(bars).to_contain_text(f"{TITLE}: what each shortcut carries for", timeout=WAIT)
    page.locator("#shortcut-bars g.point").nth(3 * 16 - 1).wait_for(timeout=WAIT)  # 3 charts
    assert page.locator("#shortcut-bars g.point").count() == 3 * 16
    # The block names under the bars (Plotly's x ticks: xtick, x2tick, x3tick: one per chart).
    ticks = bars.locator(".xaxislayer-above text").all_text_contents()
    assert [b for b in BLOCKS if b in ticks] == BLOCKS  # layer1.0 … layer4.2, every one
    assert "layer4.2" in ticks
    _shot(page, "yours-shortcuts.png")
    _clean(yours)
