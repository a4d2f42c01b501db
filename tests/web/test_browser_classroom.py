"""A teacher projects the page and a class uses it in two languages: Chromium at 1024x768, at
1280x720 with 150% zoom and at 1400x1000, in en-US and zh-CN (issue 14).

Screenshots land in tests/artifacts/. Skipped without Chromium, like test_browser.py, unless
EXPLORER_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import re
import time

import pytest

from .test_browser import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    WAIT,
    _pick,
    _shot,
    expect,
    sync_api,
)

PROJECTOR = {"width": 1024, "height": 768}
ZOOMED = {"width": 853, "height": 480}  # 1280x720 at 150%: CSS pixels, device scale 1.5
DESK = {"width": 1400, "height": 1000}
# English the app writes on the first screen; none may show on a Chinese page, ever.
ENGLISH = ["ResNet Explorer", "The block structure of every", "Architecture", "Compare",
           "Predict & Explain", "Language", "Input size (pixels)",
           "Build a custom ResNet", "why 50 layers", "Stages", "Receptive field",
           "Copy a link to this view", "Projection mode"]  # fmt: skip


@pytest.fixture(scope="module")
def chromium():
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def opened(chromium, served):
    """open(query, locale, viewport, scale) → a page on the served app; every console error of
    the page is checked when the test ends."""
    url, _ = served
    pages, errors = [], []

    def open_page(query: str = "", locale: str = "en-US", viewport: dict | None = None,
                  scale: float = 1.0, wait: bool = True):  # fmt: skip
        context = chromium.new_context(viewport=viewport or DESK, locale=locale,
                                       device_scale_factor=scale)  # fmt: skip
        page = context.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(url + query)
        if wait:
            page.locator(".rx-formula:visible").first.wait_for(timeout=WAIT)
        pages.append(context)
        return page

    yield open_page
    for context in pages:
        context.close()
    # The app's own code logs nothing; a refused request logs Gradio's own "Error" line.
    assert [e for e in errors if "gradio_api" not in e and e != "Error"] == [], errors


SVG_TEXTS = "els => els.map(e => e.textContent)"  # an SVG text has no innerText


def _text(page) -> str:
    return page.locator("body").inner_text()


# ------------------------------------------------------------ 2. the language switch


def test_the_language_switch_redraws_every_result(opened):
    """After Predict, Shortcuts and plain-vs-residual ran, 中文 turns every note, summary, class
    name and chart title, axis and legend into Chinese; English turns them back."""
    page = opened()
    page.get_by_role("tab", name="Predict & Explain").click()
    page.locator(".gallery-item:visible").first.click()  # 1-arrow.png
    expect(page.get_by_text("Grad-CAM of “arrow”")).to_be_visible(timeout=WAIT)
    page.get_by_role("tab", name="Shortcuts").click()
    page.locator(".gallery-item:visible").nth(2).click()  # 3-triangle.png
    expect(page.get_by_text("Measured for “triangle”")).to_be_visible(timeout=WAIT)
    page.get_by_role("button", name="Compare", exact=True).click()
    expect(page.get_by_text("the shortcuts keep them in scale")).to_be_visible(timeout=WAIT)
    page.locator("#plain-vs-residual g.trace").nth(1).wait_for(timeout=WAIT)

    page.get_by_label("中文").check()
    expect(page.get_by_text("针对“三角形”测量")).to_be_visible(timeout=WAIT)
    for chart, words in (("#shortcut-bars", "残差分支"), ("#path-lengths", "路径长度"),
                         ("#plain-vs-residual", "去掉 shortcut")):  # fmt: skip
        expect(page.locator(chart)).to_contain_text(words, timeout=WAIT)
    expect(page.locator("#shortcut-bars")).to_contain_text("三角形")  # the class, in the title
    expect(page.get_by_text("第一层得到的梯度是最后一层的")).to_be_visible(timeout=WAIT)
    for chart in ("#shortcut-bars", "#path-lengths", "#plain-vs-residual"):
        assert not re.search(r"Measured|Gradient|paths|with shortcuts|layer index",
                             page.locator(chart).inner_text()), chart  # fmt: skip
    _shot(page, "shortcuts-zh.png")
    page.get_by_role("tab", name="预测与解释").click()
    expect(page.get_by_text("中“箭头”（概率")).to_be_visible(timeout=WAIT)
    expect(page.locator(".output-class, [data-testid='label-output-value']").first).to_contain_text(
        "箭头", timeout=WAIT)  # fmt: skip
    _shot(page, "predict-zh.png")

    page.get_by_label("English").check()
    expect(page.get_by_text("Grad-CAM of “arrow”")).to_be_visible(timeout=WAIT)
    page.get_by_role("tab", name="Shortcuts").click()
    expect(page.get_by_text("Measured for “triangle”")).to_be_visible(timeout=WAIT)


# ------------------------------------------------------------ 3. a Chinese browser


def test_a_chinese_browser_is_chinese_from_the_first_paint(opened):
    """Sampled every 50 ms from the first paint until the page is complete: never a word of the
    app's English; then the formula, the table, the examples, the footer and the shapes are
    Chinese, and an error's title too."""
    page = opened(locale="zh-CN", viewport=PROJECTOR, wait=False)
    start, seen = time.monotonic(), []
    while time.monotonic() - start < 30:
        text = _text(page)
        seen.append([word for word in ENGLISH if word in text])
        if "为什么是 50 层" in text and "感受野" in text:
            break
        time.sleep(0.05)
    complete = time.monotonic() - start
    assert "为什么是 50 层" in _text(page), "the page never completed"
    assert not any(seen), [s for s in seen if s][:3]
    print(f"zh-CN complete after {complete:.2f} s")
    page.locator("#stage-costs g.point").first.wait_for(timeout=WAIT)
    _shot(page, "first-load-zh-1024.png")
    assert "示例" not in _text(page)  # Gradio's own word for examples is replaced by ours
    page.get_by_role("tab", name="预测与解释").click()
    expect(page.get_by_text("为演示模型生成的形状")).to_be_visible(timeout=WAIT)
    expect(page.get_by_text("圆形，正方形，三角形").first).to_be_visible(timeout=WAIT)
    expect(page.locator("footer")).to_contain_text("设置")
    page.locator('input[aria-label="要解释的类别"]:visible').click()
    expect(page.get_by_role("option", name="六边形", exact=True)).to_be_visible(timeout=WAIT)
    page.keyboard.press("Escape")
    page.get_by_role("tab", name="对比").click()
    box = page.locator('input[aria-label="模型 A"]')
    box.fill("resnet9")
    box.press("Enter")
    toast = page.locator(".toast-body").first
    expect(toast).to_contain_text("未知模型 'resnet9'", timeout=WAIT)
    title = page.locator(".toast-title").first
    shown = "el => [getComputedStyle(el, '::before').content, getComputedStyle(el).fontSize]"
    assert title.evaluate(shown) == ['"出错了"', "0px"]  # Gradio's "Error" replaced by ours


# ------------------------------------------------------------ 4. projectors


@pytest.mark.parametrize(("viewport", "scale"), [(PROJECTOR, 1.0), (ZOOMED, 1.5)],
                         ids=["1024x768", "1280x720-150pct"])  # fmt: skip
def test_every_column_can_be_reached_on_a_projector(opened, viewport, scale):
    """The widest tables (Compare's, the layer tree) scroll in their own box: the last column
    comes into view; the page itself never needs sideways scrolling."""
    page = opened("?tab=compare&a=resnet50&b=resnext101_64x4d", viewport=viewport, scale=scale)
    expect(page.get_by_text("101 = 1 + 3·(3+4+23+3) + 1").first).to_be_visible(timeout=WAIT)
    page.locator(".rx-table").nth(1).wait_for(timeout=WAIT)
    reach = """(table) => {
        let box = table.parentElement;
        while (box && getComputedStyle(box).overflowX !== "auto") box = box.parentElement;
        if (box) box.scrollLeft = box.scrollWidth;
        const last = table.querySelector("tr th:last-child").getBoundingClientRect();
        return [last.right, window.innerWidth, box ? box.getBoundingClientRect().right : null];
    }"""
    tables = page.locator(".rx-table:visible")
    assert tables.count() >= 2
    for i in range(tables.count()):
        right, width, box_right = tables.nth(i).evaluate(reach)
        assert right <= width + 1 and (box_right is None or right <= box_right + 1), i
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    _shot(page, f"compare-{viewport['width']}.png")


def test_projection_mode_enlarges_the_type(opened):
    page = opened("?tab=architecture&model=resnet34", viewport=PROJECTOR)
    size = "el => parseFloat(getComputedStyle(el).fontSize)"
    before = page.locator(".rx-table td").first.evaluate(size)
    page.get_by_label("Projection mode").check()
    expect(page.locator("html")).to_have_class(re.compile("rx-projector"))
    assert page.locator(".rx-table td").first.evaluate(size) >= 1.25 * before
    expect(page.locator("footer")).to_be_hidden()
    page.screenshot(path=str(_artifact("projection-1024.png")))  # the screen, as projected
    # A link can ask for it: the teacher's slide opens in projection mode.
    linked = opened("?tab=architecture&model=resnet34&projector=1", viewport=PROJECTOR)
    expect(linked.locator("html")).to_have_class(re.compile("rx-projector"), timeout=WAIT)


def _artifact(name: str):
    from .test_browser import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / name


# ------------------------------------------------------------ 5. the class menu


def test_the_class_menu_lists_every_class_from_the_start(opened):
    page = opened(viewport=PROJECTOR)
    page.get_by_role("tab", name="Predict & Explain").click()
    page.locator('input[aria-label="Class to explain"]:visible').click()
    expect(page.get_by_role("option", name="hexagon", exact=True)).to_be_visible(timeout=WAIT)
    assert page.get_by_role("option").count() == 1 + 8  # top-1 and the eight shapes


# ------------------------------------------------------------ 6. the custom form


def test_a_failed_custom_build_says_which_field_to_change(opened):
    page = opened(viewport=PROJECTOR)
    page.get_by_text("Build a custom ResNet").click()
    page.get_by_label("Groups (3×3 conv)").fill("32")
    page.get_by_label("Channels per group").fill("32")
    page.get_by_role("button", name="Analyse this ResNet").click()
    note = page.locator("#custom-note")
    expect(note).to_contain_text("“Groups (3×3 conv)” × “Channels per group” is 32 × 32 = 1024",
                                 timeout=WAIT)  # fmt: skip
    assert "spec" not in note.inner_text()
    expect(page.locator(".toast-body")).to_have_count(0)
    model = page.locator('input[aria-label="Model"]:visible')
    expect(model).to_have_value("resnet50")  # still the menu, not a red "Error" badge
    _pick(page, "Model", "resnet18")  # … and it still works
    expect(page.get_by_text("18 = 1 + 2·(2+2+2+2) + 1").first).to_be_visible(timeout=WAIT)
    # Enter in a number box builds, as the button does.
    page.get_by_label("Channels per group").fill("4")
    page.get_by_label("layer3 blocks").fill("3")
    page.get_by_label("layer3 blocks").press("Enter")
    expect(page.get_by_text("29 = 1 + 3·(2+2+3+2) + 1").first).to_be_visible(timeout=WAIT)
    expect(model).to_have_value("bottleneck-2-2-3-2-g32-w4")


# ------------------------------------------------------------ 7. smaller things


def test_explain_without_an_image_answers_under_the_button(opened):
    page = opened(viewport=PROJECTOR)
    page.get_by_role("tab", name="Predict & Explain").click()
    button = page.get_by_role("button", name="Explain", exact=True)
    button.click()
    hint = page.locator("#explain-hint")
    expect(hint).to_contain_text("Upload an image", timeout=WAIT)
    below = hint.bounding_box()["y"] - (
        button.bounding_box()["y"] + button.bounding_box()["height"]
    )
    assert 0 <= below < 60  # right under the button, not at the top of the page


def test_the_stage_pictures_are_whole_and_uncovered(opened):
    page = opened(viewport=PROJECTOR)
    page.get_by_role("tab", name="Predict & Explain").click()
    page.locator(".gallery-item:visible").first.click()
    for picture in ("#stage-cams img", "#feature-maps img"):
        img = page.locator(picture)
        expect(img).to_be_visible(timeout=WAIT)
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=img.element_handle()
        )
        natural = img.evaluate("i => i.naturalWidth / i.naturalHeight")
        box = img.bounding_box()
        assert box["width"] / box["height"] == pytest.approx(natural, rel=0.03), picture
        label = page.locator(f"{picture.split()[0]} [data-testid='block-label']:visible")
        assert label.count() == 0  # nothing drawn over the first panel


def test_the_architecture_details_read_well(opened):
    page = opened("?tab=architecture&model=resnext50_32x4d", viewport=PROJECTOR)
    expect(page.get_by_text("g32: a grouped convolution")).to_be_visible(timeout=WAIT)
    fits = """svg => [...svg.querySelectorAll("text")]
        .filter(t => /^[13]×[13],/.test(t.textContent))
        .every(t => { const r = t.previousElementSibling.getBBox(); const b = t.getBBox();
                      return b.x >= r.x && b.x + b.width <= r.x + r.width; })"""
    assert page.locator(".rx-diagram svg").evaluate(fits)
    # The treemap opens on stages and blocks; a block's layers wait for a click.
    page.locator("#param-treemap g.slice").first.wait_for(timeout=WAIT)
    labels = page.locator("#param-treemap g.slice text").evaluate_all(SVG_TEXTS)
    assert any("layer3.0" in label for label in labels)
    assert not any(label.startswith("conv2") for label in labels)
    # The tab's last step is Figure 3; leaving before it lands would abort its request.
    page.locator("#network-figure svg [data-layer]").first.wait_for(state="attached", timeout=WAIT)
    page.goto(page.url.split("?")[0] + "?tab=architecture&model=demo_basic")
    expect(page.get_by_text("layer1: 1 block").first).to_be_visible(timeout=WAIT)
    assert "1 blocks" not in _text(page)


def test_plain_vs_residual_reads_well(opened):
    page = opened(viewport=PROJECTOR)
    page.get_by_role("tab", name="Shortcuts").click()
    page.locator('input[aria-label="Model"]:visible').nth(1).click()
    page.get_by_role("option", name="resnet152", exact=True).click()
    page.get_by_role("button", name="Compare", exact=True).click()
    sentence = page.get_by_text("the first layer of the plain ResNet-152 gets")
    expect(sentence).to_be_visible(timeout=WAIT)
    assert "e+" not in sentence.inner_text()
    ticks = page.locator("#plain-vs-residual .ytick text").evaluate_all(SVG_TEXTS)
    # Powers of ten only (10⁴ is drawn as "10" and a raised "4"), never "5, 2, 100, 5, 2, 10".
    ticks = [tick.replace("\u200b", "") for tick in ticks]  # Plotly wraps the exponent in these
    assert ticks and all(re.fullmatch(r"1|10[−-]?\d*|0\.0*1", t) for t in ticks), ticks


def test_the_model_card_is_in_the_page(opened):
    page = opened(viewport=PROJECTOR)
    page.get_by_role("tab", name="Predict & Explain").click()
    assert "DEMO_MODELS.md" not in _text(page)
    page.get_by_text("Model card of the demo models").click()
    expect(page.get_by_text("pointing game").first).to_be_visible(timeout=WAIT)


def test_the_preset_on_screen_stands_out(opened):
    page = opened("?tab=compare", viewport=PROJECTOR)
    first = page.get_by_role("button", name="ResNet-34 vs ResNet-50: BasicBlock vs Bottleneck")
    second = page.get_by_role("button", name="ResNet-18 vs ResNet-34: more blocks")
    expect(first).to_have_class(re.compile("primary"), timeout=WAIT)
    second.click()
    expect(second).to_have_class(re.compile("primary"), timeout=WAIT)
    expect(first).not_to_have_class(re.compile("primary"))


# ------------------------------------------------------------ links


def test_a_link_opens_its_view_and_the_page_writes_links(opened):
    page = opened("?tab=architecture&model=resnet152&size=320&lang=zh", viewport=PROJECTOR)
    expect(page.get_by_text("为什么是 152 层").first).to_be_visible(timeout=WAIT)
    expect(page.get_by_role("tab", name="网络结构")).to_have_attribute("aria-selected", "true")
    expect(page.locator('input[type="number"]').first).to_have_value("320")
    page = opened("?tab=compare&a=resnet34&b=resnet101", viewport=PROJECTOR)
    expect(page.get_by_role("tab", name="Compare")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_text("101 = 1 + 3·(3+4+23+3) + 1").first).to_be_visible(timeout=WAIT)
    page.get_by_role("button", name="Copy a link to this view").click()
    link = page.locator("#view-link textarea, #view-link input").first
    expect(link).to_have_value(re.compile(r"tab=compare&a=resnet34&b=resnet101&size=224&lang=en"))
    again = opened("?" + link.input_value().split("?", 1)[1], viewport=PROJECTOR)
    expect(again.get_by_text("101 = 1 + 3·(3+4+23+3) + 1").first).to_be_visible(timeout=WAIT)


# ------------------------------------------------------------ every tab, four ways


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
@pytest.mark.parametrize(("viewport", "tag"), [(PROJECTOR, "1024x768"), (DESK, "1400x1000")])
def test_every_tab_in_both_languages_at_both_sizes(opened, locale, viewport, tag):
    """Each tab fits the width (nothing needs the page to scroll sideways) and speaks the
    browser's language; a screenshot of each."""
    page = opened(locale=locale, viewport=viewport)
    english = ["Architecture", "Compare", "Predict & Explain", "Shortcuts", "Inside a block"]
    chinese = ["网络结构", "对比", "预测与解释", "Shortcut 分析", "块的内部"]
    names = english if locale == "en-US" else chinese
    for name in names:
        page.get_by_role("tab", name=name).click()
        page.wait_for_timeout(500)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], name
        text = _text(page)
        if locale == "zh-CN":
            assert not any(word in text for word in ENGLISH), name
        else:
            assert not re.search(r"[\u4e00-\u9fff]", text.replace("中文", "")), name
        _shot(page, f"tab-{names.index(name) + 1}-{locale}-{tag}.png")


def test_the_whole_network_folds_opens_and_downloads(opened):
    """Issue 16: Figure 3 for resnet50 in the Architecture tab; a stage folds and opens again on
    a click, a block's click says its row, and the SVG download is the figure."""
    import xml.etree.ElementTree as ET

    page = opened("?tab=architecture&model=resnet50")
    figure = page.locator("#network-figure")
    expect(figure.locator("[data-layer]")).to_have_count(50, timeout=WAIT)
    hidden = figure.locator('[data-layer][display="none"]')
    expect(hidden).to_have_count(0)  # 50 layers: opened fully
    figure.locator('[data-toggle="layer3"]').first.click()
    expect(hidden).to_have_count(18, timeout=WAIT)  # layer3's 6 blocks × 3 convs, kept hidden
    expect(figure.locator("[data-layer]")).to_have_count(50)
    figure.locator('[data-toggle="layer3"]').first.click()
    expect(hidden).to_have_count(0, timeout=WAIT)
    figure.locator('[data-toggle="layer2.1"]').first.click()
    expect(page.locator("#network-row")).to_contain_text("280,064 parameters", timeout=WAIT)
    figure.scroll_into_view_if_needed()
    _shot(page, "network-en.png")
    with page.expect_download() as download:
        page.get_by_text("Download the figure (SVG)").click()
    root = ET.parse(download.value.path()).getroot()
    assert len([e for e in root.iter() if e.get("data-layer")]) == 50
    kinds = [e.get("data-shortcut") for e in root.iter() if e.get("data-shortcut")]
    assert len(kinds) == 16 and kinds.count("projection") == 4


def test_figure_3_sets_vgg19_and_the_plain_twin_beside_resnet34(opened):
    """The Compare preset draws the paper's three networks; so does the Architecture figure."""
    page = opened("?tab=compare", viewport=PROJECTOR)
    preset = page.get_by_role("button", name="Figure 3: VGG-19 · 34-layer plain · ResNet-34")
    preset.click()
    expect(preset).to_have_class(re.compile("primary"), timeout=WAIT)
    panels = page.locator("#compare-networks svg[data-model]")
    expect(panels).to_have_count(3, timeout=WAIT)
    expect(panels.nth(1)).to_have_attribute("data-plain", "true")
    counts = [[panels.nth(i).locator(f"[{kind}]").count() for i in range(3)]
              for kind in ("data-layer", "data-shortcut")]  # fmt: skip
    assert counts == [[19, 34, 34], [0, 0, 16]]
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#compare-networks").screenshot(path=str(ARTIFACTS / "figure3-compare-en.png"))
    page.get_by_role("button", name="ResNet-18 vs ResNet-34: more blocks").click()
    expect(panels).to_have_count(2, timeout=WAIT)  # A above B again
    expect(preset).not_to_have_class(re.compile("primary"))

    page = opened("?tab=architecture&model=resnet18&lang=zh", viewport=PROJECTOR)
    page.get_by_text("论文图 3：VGG-19 · plain 网络 · 该网络").click()
    panels = page.locator("#network-figure svg[data-model]")
    expect(panels).to_have_count(3, timeout=WAIT)
    assert [panels.nth(i).get_attribute("data-model") for i in range(3)] == [
        "vgg19", "resnet18", "resnet18"]  # fmt: skip
