"""Compare explanations, as a Chinese classroom sees it on a 1024×768 projector: an example on the
demo model, eight maps side by side with their costs, the sanity check's verdicts, the
faithfulness scores and the layer guidance; projection mode keeps the maps readable; switching the
model clears what belonged to the old one.

Screenshots land in tests/artifacts/. Skipped without Chromium unless EXPLORER_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

from .test_browser import ARTIFACTS, WAIT, expect
from .test_browser_classroom import PROJECTOR
from .test_browser_classroom import chromium as chromium  # the fixtures this test uses
from .test_browser_classroom import opened as opened


def test_compare_explanations_in_chinese_at_1024(opened):
    page = opened("?tab=predict&model=demo_basic&lang=zh", locale="zh-CN", viewport=PROJECTOR,
                  wait=False)  # fmt: skip
    page.get_by_role("tab", name="预测与解释").wait_for(timeout=WAIT)
    page.locator(".gallery-item:visible").first.click()  # 1-arrow.png
    expect(page.locator("#cam-overlay img")).to_be_visible(timeout=WAIT)

    page.locator("#sal-compare-btn").click()
    gallery = page.locator("#sal-gallery")
    expect(gallery.locator("img")).to_have_count(8, timeout=WAIT)
    expect(gallery).to_contain_text("次传播")  # each map says what it cost
    expect(gallery).to_contain_text("次前向")  # Occlusion runs forward passes only
    what = page.locator("#sal-what")
    expect(what).to_contain_text("共用一次传播")
    expect(what).to_contain_text("积分梯度的总和")
    table = page.locator("#sal-table")
    expect(table).to_contain_text("未运行")

    page.locator("#sal-sanity-btn").click()
    verdict = page.locator("#sal-verdict")
    expect(verdict).to_contain_text("|map| 的 Spearman", timeout=WAIT)
    expect(verdict).to_contain_text("fc → layer4.0")
    expect(page.locator("#sal-sanity-chart .js-plotly-plot")).to_be_visible(timeout=WAIT)

    page.locator("#sal-faith-btn").click()
    pointing = table.locator("tr[data-method='occlusion'] td").nth(6)
    expect(pointing).to_contain_text("%", timeout=WAIT)  # an example: its mask is known
    expect(table).not_to_contain_text("未运行")

    page.locator("#sal-layers-btn").click()
    expect(page.locator("#sal-guidance")).to_contain_text("推荐的层", timeout=WAIT)
    page.locator("#sal-gallery").scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "saliency-zh-1024.png"), full_page=False)

    # Projection mode: the maps stay on screen, each big enough to read from the back.
    page.get_by_text("投影模式").click()
    page.wait_for_timeout(500)
    boxes = [b for b in (img.bounding_box() for img in gallery.locator("img").all()) if b]
    assert len(boxes) == 8 and all(b["x"] + b["width"] <= PROJECTOR["width"] for b in boxes)
    assert all(b["width"] >= 150 for b in boxes)
    assert page.evaluate("document.documentElement.scrollWidth") <= PROJECTOR["width"]
    page.locator("#sal-table").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "saliency-zh-1024-projector.png"))
    page.get_by_text("投影模式").click()

    # A student switches the model: every result of the old one goes.
    page.locator('input[aria-label="模型"]:visible').first.click()
    page.get_by_role("option", name="demo_bottleneck", exact=True).click()
    expect(gallery.locator("img")).to_have_count(0, timeout=WAIT)
    expect(page.locator("#sal-verdict")).to_have_count(0)
    expect(page.locator("#sal-guidance")).to_have_count(0)
