"""The whole web page: header, language switch, projection mode, the five tabs and the footer,
with one queue for every event. Each tab is a module of its own (tab_*.py); this one only
assembles them.

Every text the page starts with reaches the browser in both languages (`shared.said`), so a
Chinese browser's first paint is Chinese; the load events render in the language of the link or
the browser (`initial_language`), and only the user's own switch re-renders (`lang.input`), so no
render in one language can land after one in the other.

Building the page imports no torch, so `serve()` answers before the models' libraries have loaded.
"""

from __future__ import annotations

import json
from typing import Any

import gradio as gr

from ..i18n import LANGS, t
from . import tab_architecture, tab_block, tab_compare, tab_predict, tab_shortcuts
from .limits import CONCURRENCY, DELETE_CACHE, QUEUE_SIZE
from .links import LINK_JS, view_from
from .shared import Labels, as_said, initial_language, said

# The page's texts are Gradio I18n keys, and they follow Gradio's locale: the language switch
# moves it (and with it Gradio's own words: upload boxes, the footer, its settings). Gradio
# keeps the switch in a module that the page has already loaded, so importing it again returns
# that very module. The tab buttons keep the words they were first drawn with (only the
# selected one follows, and Gradio draws the row again when the page's width changes), so a
# watcher on the row keeps them in the page's language, from TABS: {tab id: {language: label}}.
# Nothing here is an output of an event: Gradio's client re-reads every output's subtree at
# every status update of any event after that, and a tab's subtree is the whole tab.
LOCALE_JS = """(lang, tab) => {
  const code = lang === "zh" ? "zh-CN" : "en";
  const core = performance.getEntriesByType("resource").map((e) => e.name)
    .find((url) => /\\/core-[^/]*\\.js$/.test(url));
  if (core) import(core).then((m) => m.changeLocale && m.changeLocale(code)).catch(() => {});
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  window.rxLang = lang;
  if (!window.rxTabs) {
    const tabs = TABS;
    const words = new Map();  // any language's label → the tab's labels
    for (const said of Object.values(tabs)) for (const w of Object.values(said)) words.set(w, said);
    window.rxTabs = () => {
      for (const b of document.querySelectorAll("#page-tabs > .tab-wrapper button")) {
        const said = tabs[b.dataset.tabId] || words.get(b.textContent.trim());
        const want = said && said[window.rxLang];
        if (want && b.textContent !== want) b.textContent = want;
      }
    };
    const row = document.querySelector("#page-tabs > .tab-wrapper");
    if (row) new MutationObserver(window.rxTabs).observe(row, {childList: true, subtree: true,
                                                               characterData: true});
  }
  window.rxTabs();
  if (tab) document.getElementById(`tab-${tab}-button`)?.click();
  return lang;
}"""
PROJECTOR_JS = """(on) => {
  document.documentElement.classList.toggle("rx-projector", !!on);
  return on;
}"""


def _header(lang: str) -> str:
    return f"# {t(lang, 'title')}\n{t(lang, 'subtitle')}"


def opening(request: gr.Request) -> tuple[Any, ...]:
    """As the page opens: the language (of the link, else the browser's), the tab the link names
    (opened in the browser) and projection mode if it asks for it."""
    lang = initial_language(request)
    query = dict(request.query_params) if request else {}
    view = view_from(query)
    tab = view.tab if "tab" in query else ""  # never undo a click
    return lang, tab, view.projector if "projector" in query else gr.skip()


def quiet_background(demo: gr.Blocks) -> None:
    """Progress shows where the user acted, and nowhere else. Gradio's client re-reads every
    component that was ever a progress target (and every input of an event that ran) at each
    status update of any event, so the outputs of what runs on its own (the page's load events,
    the steps chained after a click, the language's redraw) would slow every later answer. Such
    an event gets no progress targets, unless it names its own; the first step of a user's
    action keeps its own."""
    for fn in demo.fns.values():
        if fn.show_progress_on is not None:
            continue
        triggers = {event for _, event in fn.targets}
        if fn.show_progress == "hidden" or not triggers or triggers & {"load", "then"}:
            fn.show_progress_on = []


def build() -> gr.Blocks:
    label = Labels()
    with gr.Blocks(title="ResNet Explorer", delete_cache=DELETE_CACHE) as demo:
        with gr.Row(equal_height=True, elem_id="page-top"):
            gr.Markdown(said(_header), elem_id="page-header")
            with gr.Column(scale=0, min_width=260):
                lang = gr.Radio([(name, code) for code, name in LANGS.items()], value="en",
                                label=said("language"), elem_id="page-language")  # fmt: skip
                projector = gr.Checkbox(False, label=said("projector"), elem_id="projector")
        with gr.Tabs(elem_id="page-tabs") as tabs:
            linked = [*tab_architecture.build_tab(label, lang, demo),
                      *tab_compare.build_tab(label, lang, demo),
                      *tab_predict.build_tab(label, lang, demo),
                      *tab_shortcuts.build_tab(label, lang, demo),
                      *tab_block.build_tab(label, lang, demo)]  # fmt: skip
        with gr.Row(elem_id="page-link"):
            link_btn = gr.Button(said("copy_link"), size="sm", scale=0, min_width=200)
            link = gr.Textbox(show_label=False, container=False, interactive=False, scale=3,
                              elem_id="view-link", buttons=["copy"])  # fmt: skip
        label.markdown("macs_note")
        gr.api(tab_architecture.summary, api_name="summary")
        gr.api(tab_architecture.custom_model, api_name="custom_model")
        gr.api(tab_architecture.network, api_name="network")
        link_btn.click(None, [*linked, lang, projector], link, js=LINK_JS)
        linked_tab = gr.Textbox(visible=False)
        names = {pane.id: {lg: as_said(pane.label, lg) for lg in LANGS}
                 for pane in tabs.children if isinstance(pane, gr.Tab)}  # fmt: skip
        locale = LOCALE_JS.replace("TABS", json.dumps(names, ensure_ascii=False))
        # The texts switch in the browser first; then one event draws the results again.
        lang.input(None, lang, None, js=locale)
        lang.input(label.now.draw, label.now.inputs, label.now.outputs, api_visibility="private",
                   concurrency_limit=CONCURRENCY, preprocess=False, show_progress_on=[]).then(
            label.then.draw, label.then.inputs, label.then.outputs, api_visibility="private",
            concurrency_limit=CONCURRENCY, preprocess=False)  # fmt: skip
        projector.change(None, projector, None, js=PROJECTOR_JS)
        # A link in another language than the browser's: its texts switch in the browser too.
        demo.load(opening, None, [lang, linked_tab, projector], api_visibility="private").then(
            None, [lang, linked_tab], None, js=locale
        )
    quiet_background(demo)
    # One queue for every event: a bounded number of waiting requests (a student beyond it is
    # told the server is full rather than left waiting), each told its place; no direct POSTs.
    demo.queue(api_open=False, max_size=QUEUE_SIZE, default_concurrency_limit=CONCURRENCY)
    return demo
