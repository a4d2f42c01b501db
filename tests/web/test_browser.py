"""A real browser (Playwright driving Debian's Chromium) uses the page as a student would.

Screenshots land in tests/artifacts/. Without /usr/bin/chromium the tests are skipped, unless
EXPLORER_REQUIRE_BROWSER=1 (set by .ci/run) turns the absence into a failure.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

import pytest

# Chromium as the browser benchmark launches it: on offline classroom networks it must not
# phone home at start-up.
from explorer.tools.bench_browser import CHROMIUM, CHROMIUM_ARGS

ARTIFACTS = Path(__file__).parents[1] / "artifacts"  # tests/artifacts/
WAIT = 60_000  # ms; the first analyses of a fresh server take a moment on 2 cores

if not Path(CHROMIUM).exists() and os.environ.get("EXPLORER_REQUIRE_BROWSER") != "1":
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect  # waits for the condition, up to a timeout


@pytest.fixture(scope="module")
def browser_page(served):
    """A page on the served app, and every URL it requested."""
    url, _ = served
    requests: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="en-US")
        page.on("request", lambda r: requests.append(r.url))
        page.goto(url)
        yield page, url, requests
        browser.close()


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def _pick(page, label: str, option: str) -> None:
    """Choose `option` in the menu called `label` on the tab in view (every tab has a Model)."""
    page.locator(f'input[aria-label="{label}"]:visible').first.click()
    page.get_by_role("option", name=option, exact=True).click()


def test_a_student_browses_resnet50_in_two_languages(browser_page):
    page, url, requests = browser_page
    page.get_by_text("50 = 1 + 3·(3+4+6+3) + 1").first.wait_for(timeout=WAIT)
    _pick(page, "Model", "resnet18")
    page.get_by_text("18 = 1 + 2·(2+2+2+2) + 1").first.wait_for(timeout=WAIT)
    _pick(page, "Model", "resnet50")
    page.get_by_text("50 = 1 + 3·(3+4+6+3) + 1").first.wait_for(timeout=WAIT)

    # Plotly drew the bars (6 stages × params and MACs) and the treemap.
    page.locator("#stage-costs g.point").nth(11).wait_for(timeout=WAIT)
    assert page.locator("#stage-costs g.point").count() == 12
    assert page.locator("#param-treemap g.slice").count() > 20
    expect(page.get_by_text("Parameters pile up late: layer4 alone holds 59%")).to_be_visible()
    _shot(page, "architecture-en.png")

    page.get_by_label("中文").check()
    page.get_by_text("为什么是 50 层").wait_for(timeout=WAIT)
    for label in ("网络结构", "对比"):
        expect(page.get_by_role("tab", name=label)).to_be_visible(timeout=WAIT)
    expect(page.get_by_text("感受野", exact=True).first).to_be_visible(timeout=WAIT)
    expect(page.get_by_label("模型", exact=True).first).to_be_visible(timeout=WAIT)
    page.get_by_role("button", name="逐层结构树").click()
    page.locator(".rx-tree > details > summary").nth(1).click()  # stage layer1 …
    page.locator(".rx-tree summary", has_text="layer1.0").first.click()  # … its first block
    expect(page.get_by_text("ReLU ×3").first).to_be_visible(timeout=WAIT)
    _shot(page, "architecture-zh.png")

    page.get_by_role("tab", name="对比").click()
    page.get_by_text("ResNet-50 的参数量是 ResNet-34 的 1.17×").wait_for(timeout=WAIT)
    page.get_by_role("button", name="ResNet-50：torchvision v1.5 对比论文原版 v1").click()
    page.get_by_text("整个网络为 4.09 G 对 3.86 G").wait_for(timeout=WAIT)
    page.locator("#compare-costs g.point").first.wait_for(timeout=WAIT)
    _shot(page, "compare-zh.png")

    page.get_by_label("English").check()
    page.get_by_text("and the whole network 4.09 G vs 3.86 G").wait_for(timeout=WAIT)
    _shot(page, "compare-en.png")

    # An offline classroom: the page asked nothing of any host but its own.
    own = urlparse(url).netloc
    assert {urlparse(u).netloc for u in requests if u.startswith("http")} == {own}


def test_a_custom_resnet26(browser_page):
    page, url, _ = browser_page
    page.goto(url)
    page.get_by_text("Build a custom ResNet").click()
    page.get_by_role("button", name="Analyse this ResNet").click()  # bottleneck, 2-2-2-2
    page.get_by_text("26 = 1 + 3·(2+2+2+2) + 1").first.wait_for(timeout=WAIT)
    expect(page.get_by_text("compact: 26 = 1 + 3·2·4 + 1")).to_be_visible()


def test_a_student_explains_a_generated_shape(browser_page):
    page, url, _ = browser_page
    page.goto(url)
    page.get_by_role("tab", name="Predict & Explain").click()
    expect(page.get_by_text("trained by this project on generated shapes")).to_be_visible(
        timeout=WAIT
    )  # fmt: skip
    page.locator(".gallery-item").first.click()  # the first example: 1-arrow.png
    expect(page.get_by_text("Grad-CAM of “arrow”")).to_be_visible(timeout=WAIT)
    expect(page.locator("#cam-overlay img")).to_be_visible(timeout=WAIT)
    for picture in ("#stage-cams img", "#feature-maps img"):  # four panels in one picture each
        expect(page.locator(picture)).to_be_visible(timeout=WAIT)
    width = page.locator("#stage-cams img").evaluate("img => img.naturalWidth")
    assert width == 4 * 200 + 3 * 6  # the four stage maps, side by side
    _shot(page, "predict-en.png")


def test_a_result_on_screen_always_belongs_to_the_model_on_screen(browser_page):
    """A student explains a shape, then picks another model: the answer is the new model's,
    never the old one under the new name. On Shortcuts the old analysis gives way to a line."""
    page, url, _ = browser_page
    page.goto(url)
    page.get_by_role("tab", name="Predict & Explain").click()
    page.locator(".gallery-item:visible").first.click()
    expect(page.get_by_text("at layer4 (8×8 grid) of demo_bottleneck")).to_be_visible(timeout=WAIT)
    _pick(page, "Model", "demo_basic")
    expect(page.get_by_text("at layer4 (8×8 grid) of demo_basic")).to_be_visible(timeout=WAIT)
    expect(page.get_by_text("of demo_bottleneck")).to_have_count(0)
    _pick(page, "Weights", "random (untrained)")
    expect(page.get_by_text("of demo_basic").first).to_be_visible(timeout=WAIT)
    page.get_by_role("tab", name="Shortcuts").click()
    page.locator(".gallery-item:visible").nth(2).click()
    expect(page.get_by_text("Measured for “triangle”")).to_be_visible(timeout=WAIT)
    _pick(page, "Model", "demo_basic")
    hint = page.get_by_text("press “Measure the shortcuts” for demo_basic")
    expect(hint).to_be_visible(timeout=WAIT)
    expect(page.get_by_text("Measured for “triangle”")).to_have_count(0)
    _shot(page, "stale-cleared-en.png")


def test_a_teacher_shows_what_the_shortcuts_carry(browser_page):
    page, url, _ = browser_page
    page.goto(url)
    page.get_by_role("tab", name="Shortcuts").click()
    page.locator(".gallery-item:visible").nth(2).click()  # 3-triangle.png
    expect(page.get_by_text("Measured for “triangle”")).to_be_visible(timeout=WAIT)
    page.locator("#shortcut-bars g.point").nth(11).wait_for(timeout=WAIT)  # 3 charts × 4 blocks
    page.get_by_role("button", name="Compare", exact=True).click()
    expect(page.get_by_text("the shortcuts keep them in scale")).to_be_visible(timeout=WAIT)
    page.locator("#plain-vs-residual g.trace").nth(1).wait_for(timeout=WAIT)
    _shot(page, "shortcuts-en.png")


def test_a_teacher_shows_why_shortcuts_and_the_cifar_networks(browser_page):
    """The paper's Figure 6 as shipped (thin test, bold train), its sentence in both languages,
    then the 6n+2 family on the Architecture tab at its own 32×32 input."""
    from explorer.experiments.degradation import finding, load

    page, url, _ = browser_page
    page.goto(url)
    page.get_by_role("tab", name="Shortcuts").click()
    page.locator("#degradation g.trace").nth(7).wait_for(timeout=WAIT)  # 4 models × train, test
    f = finding(load())
    deep = f"{100 * f.plain[1].train_error:.1f}%"
    expect(page.locator("#degradation-text")).to_contain_text(deep, timeout=WAIT)
    page.locator("#degradation").scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#degradation").screenshot(path=str(ARTIFACTS / "why-shortcuts-en.png"))
    page.get_by_label("中文").check()
    expect(page.locator("#degradation-text")).to_contain_text("训练误差", timeout=WAIT)
    expect(page.locator("#degradation")).to_contain_text("粗线为训练误差", timeout=WAIT)
    page.get_by_label("English").check()
    expect(page.locator("#degradation-text")).to_contain_text("resnet56", timeout=WAIT)

    page.get_by_role("tab", name="Architecture").click()
    _pick(page, "Model", "resnet56")
    page.get_by_text("56 = 1 + 2·(9+9+9) + 1").first.wait_for(timeout=WAIT)
    expect(page.get_by_text("853,018").first).to_be_visible(timeout=WAIT)
    expect(page.get_by_text("Option A of the paper's Table 3").first).to_be_visible(timeout=WAIT)
    _pick(page, "Model", "preact_resnet164")
    page.get_by_text("164 = 1 + 3·(18+18+18) + 1").first.wait_for(timeout=WAIT)
    expect(page.get_by_text("Pre-activation blocks").first).to_be_visible(timeout=WAIT)
    _shot(page, "architecture-preact164.png")
