"""The static site in a real browser (Playwright driving Debian's Chromium), served by
`python -m http.server` and opened from `file://`: every page draws its charts, asks nothing of
any other host, logs no error and fits a 1024×768 projector and a 1400 px screen, in both
languages; the live app's deep links land on the static page of the same view.

Screenshots land in tests/artifacts/. Without /usr/bin/chromium the tests are skipped, unless
EXPLORER_REQUIRE_BROWSER=1 (set by .ci/run) turns the absence into a failure.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from explorer.tools.bench_browser import CHROMIUM, CHROMIUM_ARGS
from explorer.web.site import export_site

ARTIFACTS = Path(__file__).parents[1] / "artifacts"

if not Path(CHROMIUM).exists() and os.environ.get("EXPLORER_REQUIRE_BROWSER") != "1":
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")

MODELS = ["resnet18", "resnet34", "resnet50", "resnet152", "plain34", "resnet56"]
PAGES = ["index.html", "architecture/resnet50.html", "architecture/resnet152.html",
         "architecture/resnet56.html", "compare/resnet34-vs-resnet50.html", "figure3.html",
         "why-shortcuts.html"]  # fmt: skip
SIZES = [(1024, 768), (1400, 900)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


LIVE = "http://127.0.0.1:9"  # the live app's address in the site (nothing listens there)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser-site") / "site"
    export_site(folder, MODELS, live_url=LIVE)
    return folder


@pytest.fixture(scope="module")
def http_site(site):
    """The site as `python -m http.server` serves it, on loopback."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "-d", str(site)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.terminate()
        server.wait(10)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _listen(page, root: str) -> tuple[list[str], list[str]]:
    """What the page logs as an error, and every request that leaves `root`."""
    problems: list[str] = []
    outside: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("requestfailed", lambda r: problems.append(f"failed {r.url}"))
    page.on("request", lambda r: r.url.startswith(root) or outside.append(r.url))
    return problems, outside


def _walk(browser, root: str, how: str) -> None:
    for width, height in SIZES:
        for lang in ("en", "zh"):
            page = browser.new_page(viewport={"width": width, "height": height},
                                    locale="zh-CN" if lang == "zh" else "en-US")  # fmt: skip
            problems, outside = _listen(page, root)
            for path in PAGES:
                page.goto(f"{root}{lang}/{path}")
                page.wait_for_load_state("load")
                plots = page.locator(".rx-plot")
                for i in range(plots.count()):  # every chart drawn by plotly.js
                    sync_api.expect(plots.nth(i).locator(".main-svg").first).to_be_visible()
                assert page.evaluate("document.documentElement.lang") == \
                    ("zh-CN" if lang == "zh" else "en")  # fmt: skip
                wide = page.evaluate("document.documentElement.scrollWidth")
                assert wide <= width, (how, lang, path, width, wide)  # wide figures scroll inside
                if path in ("architecture/resnet152.html", "compare/resnet34-vs-resnet50.html"):
                    ARTIFACTS.mkdir(exist_ok=True)
                    name = path.replace("/", "-").removesuffix(".html")
                    page.screenshot(path=str(ARTIFACTS / f"site-{how}-{lang}-{name}-{width}.png"))
            assert problems == [], (how, lang, width, problems)
            assert outside == [], (how, lang, width, outside)
            page.close()


def test_the_site_from_a_static_web_server(browser, http_site):
    _walk(browser, http_site, "http")


def test_the_site_from_disk(browser, site):
    _walk(browser, site.as_uri() + "/", "file")


@pytest.mark.parametrize("how", ["http", "file"])
def test_the_live_apps_deep_links_land_on_the_same_view(browser, http_site, site, how):
    root = http_site if how == "http" else site.as_uri() + "/"
    page = browser.new_page(locale="zh-CN")
    cases = {
        "?tab=architecture&model=resnet152&lang=zh": "zh/architecture/resnet152.html",
        "?tab=architecture&model=resnet56&size=32": "zh/architecture/resnet56.html",
        "?tab=compare&a=resnet34&b=resnet50&lang=en": "en/compare/resnet34-vs-resnet50.html",
        "?tab=compare&a=resnet34&b=plain34": "zh/figure3.html",
        "?tab=architecture&model=ResNet50&lang=en": "en/architecture/resnet50.html",
        "?tab=architecture&model=nope": "zh/index.html",
        "?tab=architecture&model=constructor": "zh/index.html",
        "?tab=compare&a=toString&b=": "zh/index.html",
        "": "zh/index.html",  # the browser's language
    }
    for query, lands in cases.items():
        page.goto(f"{root}index.html{query}")
        page.wait_for_url(f"{root}{lands}")
    page.close()


def test_what_only_the_live_app_computes_goes_there(browser, site):
    """Another tab, or another input size, opens the same link on the live app."""
    page = browser.new_page()
    page.route(f"{LIVE}/**", lambda route: route.fulfill(body="the live app", status=200))
    for query in ("?tab=predict&model=demo_basic&lang=en",
                  "?tab=architecture&model=resnet50&size=320",
                  "?tab=compare&a=resnet34&b=resnet50&size=160"):  # fmt: skip
        page.goto(f"{site.as_uri()}/index.html{query}")
        page.wait_for_url(f"{LIVE}/{query}")
    page.close()
