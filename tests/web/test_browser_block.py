"""Inside a block, as a Chinese classroom sees it on a 1024×768 projector: a click on layer2.0 in
Figure 3 opens the block view through its link, a click on a map prints the arithmetic, a
student switches to resnet56 with the maps on screen, and ticking blocks changes the top-5.

Screenshots land in tests/artifacts/. Skipped without Chromium unless EXPLORER_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import re

from .test_browser import ARTIFACTS, WAIT, expect
from .test_browser_classroom import PROJECTOR
from .test_browser_classroom import chromium as chromium  # the fixtures this test uses
from .test_browser_classroom import opened as opened


def _pick(page, label: str, option: str) -> None:
    page.locator(f'input[aria-label="{label}"]:visible').first.click()
    page.get_by_role("option", name=option, exact=True).click()


def test_from_figure_3_into_a_block_and_deleting_blocks(opened):
    page = opened("?tab=architecture&model=resnet50&lang=zh", locale="zh-CN", viewport=PROJECTOR)
    figure = page.locator("#network-figure")
    expect(figure.locator("[data-layer]")).to_have_count(50, timeout=WAIT)
    figure.locator('[data-toggle="layer2.0"]').first.click()
    link = page.locator("#inside-link")
    expect(link).to_contain_text("在图像上查看 layer2.0 的内部", timeout=WAIT)
    link.click()

    # The link opens the tab at that block, with the first example image, and draws the maps.
    page.wait_for_url(re.compile(r"tab=block&model=resnet50&block=layer2\.0"), timeout=WAIT)
    stats = page.locator("#block-stats")
    expect(stats).to_contain_text("resnet50 的 layer2.0", timeout=WAIT)
    expect(stats).to_contain_text("1×1 卷积")  # a projection says what it does
    expect(page.locator("#block-map_s img")).to_be_visible(timeout=WAIT)
    labels = page.locator("#block-maps").inner_text()
    assert "S(x)：shortcut" in labels and "F(x)：残差分支" in labels
    boxes = [page.locator(f"#block-{k} img").bounding_box() for k in
             ("map_s", "map_f", "map_sum", "map_out")]  # fmt: skip
    assert all(b["x"] + b["width"] <= PROJECTOR["width"] for b in boxes)  # one row, on screen
    assert all(b["width"] >= 160 for b in boxes)  # readable from the back of the room
    assert len({round(b["y"]) for b in boxes}) == 1

    page.locator("#block-map_f img").click(position={"x": 50, "y": 120})
    arith = page.locator("#block-arith")
    expect(arith).to_contain_text("S = ", timeout=WAIT)
    expect(arith).to_contain_text("ReLU →")
    expect(arith).to_contain_text("第 ")
    page.locator("#block-maps").scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "block-zh-1024.png"))

    # Projection mode: larger type, and still one row of maps a class can read.
    page.get_by_text("投影模式").click()
    page.wait_for_timeout(500)
    boxes = [page.locator(f"#block-{k} img").bounding_box() for k in
             ("map_s", "map_f", "map_sum", "map_out")]  # fmt: skip
    assert len({round(b["y"]) for b in boxes}) == 1 and all(b["width"] >= 160 for b in boxes)
    assert page.evaluate("document.documentElement.scrollWidth") <= PROJECTOR["width"]
    page.get_by_text("投影模式").click()

    # A student switches to the trained resnet56 while the maps are on screen.
    _pick(page, "模型", "resnet56")
    expect(stats).to_contain_text("resnet56 的 layer2.0", timeout=WAIT)
    expect(stats).not_to_contain_text("随机权重")
    top5 = page.locator("#lesion-top5")
    expect(page.locator("#lesion-text")).to_contain_text("300 张保留形状图像", timeout=WAIT)
    before = top5.inner_text()
    for name in ("layer1.0", "layer1.1", "layer1.2", "layer2.0"):
        page.locator("#lesion-blocks").get_by_text(name, exact=True).click()
        expect(page.locator("#lesion-text")).to_contain_text(name, timeout=WAIT)
    expect(top5).not_to_have_text(before, timeout=WAIT)
    page.locator("#lesion-blocks").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "lesions-zh-1024.png"))
