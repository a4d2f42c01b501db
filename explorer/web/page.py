"""The whole web page: header, language switch, the four tabs and the footer, with one queue for
every event. Each tab is a module of its own (tab_*.py); this one only assembles them.

Building the page imports no torch, so `serve()` answers before the models' libraries have loaded.
"""

from __future__ import annotations

import gradio as gr

from ..i18n import LANGS, t
from . import tab_architecture, tab_compare, tab_predict, tab_shortcuts
from .limits import CONCURRENCY, DELETE_CACHE, QUEUE_SIZE
from .shared import Labels, initial_language


def _header(lang: str) -> str:
    return f"# {t(lang, 'title')}\n{t(lang, 'subtitle')}"


def build() -> gr.Blocks:
    label = Labels()
    en = "en"
    with gr.Blocks(title="ResNet Explorer", delete_cache=DELETE_CACHE) as demo:
        with gr.Row(equal_height=True):
            label(gr.Markdown(_header(en), elem_id="page-header"), _header)
            lang = gr.Radio([(name, code) for code, name in LANGS.items()], value=en,
                            label=t(en, "language"), scale=0, min_width=220)  # fmt: skip
            label(lang, lambda lg: gr.Radio(label=t(lg, "language")))
        with gr.Tabs():
            tab_architecture.build_tab(label, lang, demo)
            tab_compare.build_tab(label, lang, demo)
            tab_predict.build_tab(label, lang, demo)
            tab_shortcuts.build_tab(label, lang, demo)
        label.markdown("macs_note")
        gr.api(tab_architecture.summary, api_name="summary")
        lang.change(label.relabel, lang, label.components, api_visibility="private")
        demo.load(initial_language, None, lang, api_visibility="private")
    # One queue for every event: a bounded number of waiting requests (a student beyond it is
    # told the server is full rather than left waiting), each told its place; no direct POSTs.
    demo.queue(api_open=False, max_size=QUEUE_SIZE, default_concurrency_limit=CONCURRENCY)
    return demo
