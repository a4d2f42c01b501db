"""The page as a student sees it: `python -m explorer.tools.bench browser`. Chromium drives the app
and the minimal Gradio app (web/minimal_app.py: the same /predict computation with plain components)
in one run, taking turns; times run from the user's pointer-down to the frame after the content
is on screen, both read in the page, so Playwright's own round trips are not counted.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .launch import SERVE, Server, launched

CHROMIUM = "/usr/bin/chromium"
# Offline classroom networks: Chromium must not phone home (tests/web/test_browser.py and the
# other browser tests launch it with these too).
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
    "--disable-background-networking", "--disable-component-update",
]  # fmt: skip
VIEWPORT = {"width": 1400, "height": 1000}
WAIT_MS = 120_000  # a cold server on two cores takes a while
MINIMAL = (sys.executable, "-m", "explorer.web.minimal_app")
OFFLINE = {"EXPLORER_OFFLINE": "1"}
EXAMPLES = 2  # example images taken in turn, so that consecutive answers differ
# The page's tabs and what shows that each is painted (a visible element inside it).
TABS = (("Architecture", ".rx-formula"), ("Compare", "#compare-costs .main-svg"),
        ("Predict & Explain", "#cam-overlay"), ("Shortcuts", "#degradation .main-svg"),
        ("Inside a block", "#block-menu input"))  # fmt: skip
MODELS = ("resnet18", "resnet34", "resnet101", "resnet152", "resnet50")  # the model switch's turn

# In every page before its own scripts: the clock and the conditions the waits poll, once a frame.
# arm() starts the clock at the next pointer-down and watches the blocks' status trackers (an
# answer identical to the one on screen changes nothing else); painted(cond) is true from the
# frame after the one in which cond() first held, whose time is t1.
RX_JS = """
window.rx = {
  t0: null, t1: null, hit: false, busy: false, observer: null,
  arm(watch) {
    Object.assign(rx, {t0: null, t1: null, hit: false, busy: false});
    document.addEventListener("pointerdown", () => {
      if (rx.t0 === null) rx.t0 = performance.now();
    }, {capture: true, once: true});
    if (rx.observer) rx.observer.disconnect();
    const blocks = watch.map((s) => document.querySelector(s)).filter(Boolean);
    rx.observer = new MutationObserver(() => {
      if (blocks.some((b) => !rx.idle(b))) rx.busy = true;
    });
    for (const b of blocks) rx.observer.observe(b, {subtree: true, childList: true,
                                                    attributes: true, attributeFilter: ["class"]});
  },
  painted(cond) {
    if (rx.t1 !== null) return true;
    if (!rx.hit && cond()) {
      rx.hit = true;
      requestAnimationFrame(() => { rx.t1 = performance.now(); });
    }
    return false;
  },
  shown(selector) {
    return [...document.querySelectorAll(selector)].find((e) => e.checkVisibility()) || null;
  },
  idle(el) {
    const block = el && (el.closest(".block") || el);
    const tracker = block && block.querySelector('[data-testid="status-tracker"]');
    return !!block && (!tracker || tracker.classList.contains("hide"));
  },
  loaded(selector) {
    const img = rx.shown(selector);
    return !!img && img.complete && img.naturalWidth > 0;
  },
  cjk(el) { return !!el && /[\\u4e00-\\u9fff]/.test(el.textContent); },
};
"""
TOP5 = '[data-testid="label-output-value"]'
# The Explain button's answer: the overlay loaded, the top-5 written, both blocks done.
ANSWERED = f"""rx.busy && rx.loaded("#cam-overlay img") && !!rx.shown('{TOP5}')
    && rx.shown('{TOP5}').textContent.trim() !== "" && rx.idle(rx.shown("#cam-overlay img"))
    && rx.idle(rx.shown('{TOP5}'))"""
FIRST_VIEW = """!!rx.shown(".rx-formula")
    && rx.shown(".rx-formula").getAttribute("aria-label").startsWith("50 = ")
    && !!rx.shown(".rx-table tbody tr")"""
PICKED = "#minimal-image img"  # the minimal app's upload box, showing the example chosen
MINIMAL_VIEW = """!!rx.shown("#minimal-title h1")"""


@dataclass(frozen=True)
class Check:
    """One reported measurement: the app's median against the minimal app's or a fixed time."""

    key: str  # the returned dict's key for the app's median (seconds); key + "_minimal" beside it
    label: str
    ratio: float | None = None  # target: at most this many times the minimal app's median
    limit_s: float | None = None  # target: at most this many seconds


CHECKS = (
    Check("first_view", "start → first view (resnet50's formula, stages)", ratio=1.5),
    Check("explain", "Explain on an example → overlay + top-5", ratio=1.5),
    Check("predict_client", "/predict through gradio_client", ratio=1.3),
    Check("tab_switch", "switching tabs (warm) → content", limit_s=0.3),
    Check("language", "language switch, results on screen → redrawn", limit_s=1.0),
    Check("model_switch", "Architecture model (warm) → formula", limit_s=0.3),
)


class Watched:
    """A page and its requests to Gradio in flight (the heartbeat's long poll aside), so that each
    measurement starts on a page that has finished what the last one started."""

    def __init__(self, browser: Any) -> None:
        self.page = browser.new_context(viewport=VIEWPORT, locale="en-US").new_page()
        self.page.add_init_script(RX_JS)
        self.inflight, self.last = 0, time.monotonic()
        self.page.on("request", lambda r: self._count(r.url, 1))
        self.page.on("requestfinished", lambda r: self._count(r.url, -1))
        self.page.on("requestfailed", lambda r: self._count(r.url, -1))

    def _count(self, url: str, step: int) -> None:
        if "/gradio_api/" in url and "/heartbeat/" not in url:
            self.inflight, self.last = self.inflight + step, time.monotonic()

    def settle(self, quiet_s: float = 0.3, cap_s: float = 15.0) -> None:
        """Until no request has been in flight for `quiet_s` (at most `cap_s`)."""
        end = time.monotonic() + cap_s
        while time.monotonic() < end and (self.inflight > 0
                                          or time.monotonic() - self.last < quiet_s):  # fmt: skip
            self.page.wait_for_timeout(50)

    def painted(self, cond: str, act: Callable[[], object] | None = None, arm: bool = True
                ) -> float:  # fmt: skip
        """Seconds from the pointer-down of `act` (from the page's start when there is no act)
        to the frame after `cond` first held; `arm=False`: `act` arms the clock itself."""
        if act is not None and arm:
            self.arm()
        if act is not None:
            act()
        self.page.wait_for_function(f"() => window.rx.painted(() => {cond})", polling="raf",
                                    timeout=WAIT_MS)  # fmt: skip
        t0, t1 = self.page.evaluate("[window.rx.t0, window.rx.t1]")
        return (t1 - (t0 if act is not None else 0.0)) / 1e3

    def arm(self) -> None:
        self.page.evaluate("watch => window.rx.arm(watch)", ["#cam-overlay"])

    def close(self) -> None:
        self.page.context.close()


def first_paint(browser: Any, command: tuple[str, ...], view: str) -> float:
    """Seconds from starting the server's process to `view` painted in a fresh browser context
    (nothing cached), the page asked for as soon as the server answers HTTP."""
    watched = Watched(browser)
    began = time.time()  # launched() starts the process at once: a port, then Popen
    try:
        with launched(command=command, env=OFFLINE) as server:
            watched.page.goto(server.url, wait_until="commit")
            watched.painted(view)
            painted_ms = watched.page.evaluate("performance.timeOrigin + window.rx.t1")
    finally:
        watched.close()
    return painted_ms / 1e3 - began


def _explain(w: Watched, k: int, explains_on_change: bool) -> tuple[float, float | None]:
    """Choose example k and see its answer (the page explains on the image's change, the minimal
    app on its button), then Explain again: that click's time, and the example's on the page."""
    example = w.page.locator(".gallery-item:visible").nth(k)
    button = w.page.get_by_role("button", name="Explain", exact=True)
    if explains_on_change:
        shown = w.painted(ANSWERED, example.click)
    else:  # the example's copy reaches the upload box before Explain may send it
        before = w.page.evaluate(f"() => rx.shown('{PICKED}') && rx.shown('{PICKED}').src")
        picked = f"rx.loaded('{PICKED}') && rx.shown('{PICKED}').src !== {json.dumps(before)}"
        w.painted(picked, example.click)
        w.painted(ANSWERED, button.click)
        shown = None
    w.settle()
    return w.painted(ANSWERED, button.click), shown


def _tab(w: Watched, name: str, content: str) -> float:
    cond = f'!!rx.shown("{content}") && rx.shown("{content}").getBoundingClientRect().height > 0'
    return w.painted(cond, w.page.get_by_role("tab", name=name, exact=True).click)


def _language(w: Watched, to: str) -> float:
    """The switch on the Predict tab with an answer on screen: the selected tab's name and the
    top-5 in the new language, the overlay loaded and both blocks done."""
    zh = "" if to == "zh" else "!"
    tab = """rx.shown('[role="tab"][aria-selected="true"]')"""
    answered = ANSWERED.replace("rx.busy && ", "")  # the top-5's language says it is new
    cond = f"{zh}rx.cjk({tab}) && {zh}rx.cjk(rx.shown('{TOP5}')) && {answered}"
    return w.painted(cond, w.page.get_by_label("中文" if to == "zh" else "English").check)


def _model(w: Watched, name: str) -> float:
    """Architecture's model menu: from the click on `name` to its formula painted."""
    depth = "".join(c for c in name.removeprefix("resnet") if c.isdigit())
    cond = f'!!rx.shown(".rx-formula") && rx.shown(".rx-formula").getAttribute("aria-label")' \
           f'.startsWith("{depth} = ")'  # fmt: skip

    def pick() -> None:  # the menu opened, then the clock armed, then the option clicked
        w.page.locator('input[aria-label="Model"]:visible').first.click()
        w.arm()
        w.page.get_by_role("option", name=name, exact=True).click()

    return w.painted(cond, pick, arm=False)


def _clients(app: Server, minimal: Server, runs: int) -> dict[str, list[float]]:
    """/predict through gradio_client, taking turns, every answer checked: a top-5 and pictures."""
    from gradio_client import Client, handle_file

    from explorer.web.checks import weight_choices
    from explorer.web.files import examples
    from explorer.web.pages import default_predict_model

    from .timing import seconds

    model = default_predict_model()
    weights = weight_choices(model, "en")[0][1]
    images = examples()[:EXAMPLES]
    ours, theirs = Client(app.url, verbose=False), Client(minimal.url, verbose=False)
    calls = {
        "predict_client": lambda p: ours.predict(handle_file(p), model, "top-1", "layer4",
                                                 weights, api_name="/predict"),
        "predict_client_minimal": lambda p: theirs.predict(handle_file(p), api_name="/predict"),
    }  # fmt: skip
    times: dict[str, list[float]] = {key: [] for key in calls}
    for key, call in calls.items():  # warm: the model loaded, Gradio's caches filled
        answer = call(images[0])
        if len(answer[0]["confidences"]) != 5 or not all(os.path.isfile(p) for p in answer[1:4]):
            raise RuntimeError(f"{key}: not a top-5 and pictures: {answer!r}")
    for _ in range(runs):
        for path in images:
            for key, call in calls.items():
                times[key].append(seconds(lambda c=call, p=path: c(p)))
    return times


def browser(runs: int, *, models: Sequence[str] = MODELS,
            languages: Sequence[str] = ("zh", "en")) -> dict[str, float]:  # fmt: skip
    """Run every measurement `runs` times, print the table and return the medians (seconds).
    `models`: the Architecture menu's turn (each differs from the one before, resnet50 last);
    `languages`: the switches per run, each from the language on screen."""
    import torch
    from playwright.sync_api import sync_playwright

    times: dict[str, list[float]] = {}

    def add(key: str, value: float | None) -> None:
        if value is not None:
            times.setdefault(key, []).append(value)

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        version = chromium.version
        for _ in range(runs):  # taking turns, each in a fresh process and browser context
            add("first_view_minimal", first_paint(chromium, MINIMAL, MINIMAL_VIEW))
            add("first_view", first_paint(chromium, SERVE, FIRST_VIEW))
        with launched(env=OFFLINE) as app, launched(command=MINIMAL, env=OFFLINE) as minimal:
            page, bare = Watched(chromium), Watched(chromium)
            page.page.goto(app.url)
            page.painted(FIRST_VIEW)
            bare.page.goto(minimal.url)
            bare.painted(MINIMAL_VIEW)
            page.settle()
            for name in models:  # every model's page once: the caches the switch finds warm
                _model(page, name)
                page.settle()
            for name, content in (*TABS, TABS[2]):  # every tab once, then Predict's
                _tab(page, name, content)
                page.settle()
            for k in range(EXAMPLES):  # and Explain once
                _explain(page, k, explains_on_change=True)
                _explain(bare, k, explains_on_change=False)
            for run in range(runs):
                for k in range(EXAMPLES):
                    page.settle()
                    clicked, shown = _explain(page, k, explains_on_change=True)
                    add("explain", clicked)
                    add("example_shown", shown)
                    add("explain_minimal", _explain(bare, k, explains_on_change=False)[0])
                for name, content in (*TABS[1:], TABS[0]):
                    page.settle()
                    add("tab_switch", _tab(page, name, content))
                for name in models:
                    page.settle()
                    add("model_switch", _model(page, name))
                page.settle()
                _tab(page, *TABS[2])
                for to in languages:
                    page.settle()
                    add("language", _language(page, to))
                if run < runs - 1 and languages and languages[-1] != "en":  # back to English
                    page.settle()
                    _language(page, "en")
            times.update(_clients(app, minimal, runs))
        chromium.close()

    med = {key: statistics.median(values) for key, values in times.items()}
    _report(med, runs, version, torch.__version__)
    return med


def _report(med: dict[str, float], runs: int, chromium: str, torch_version: str) -> None:
    from importlib.metadata import version

    from explorer.web.pages import default_predict_model

    print(f"browser benchmark: Chromium drives the page and a minimal Gradio app (the same "
          f"/predict on {default_predict_model()}), {runs} runs, medians")  # fmt: skip
    for check in CHECKS:
        took = med[check.key]
        if check.ratio is not None:
            base = med[check.key + "_minimal"]
            ratio = took / base
            versus = f"{ratio:5.2f} × minimal {_time(base)} (target ≤ {check.ratio})"
            ok = ratio <= check.ratio
        else:
            assert check.limit_s is not None
            versus = f"target ≤ {_time(check.limit_s)}"
            ok = took <= check.limit_s
        print(f"  {check.label:<50} {_time(took):>9}  {versus:<42} {'PASS' if ok else 'over'}")
    if "example_shown" in med:
        print(f"  {'(page: an example clicked → its answer painted)':<50} "
              f"{_time(med['example_shown']):>9}")  # fmt: skip
    print(f"  machine: {os.cpu_count()} CPU cores, torch {torch_version}, gradio "
          f"{version('gradio')}, Chromium {chromium}")  # fmt: skip


def _time(s: float) -> str:
    return f"{s:.2f} s" if s >= 1 else f"{s * 1e3:.0f} ms"
