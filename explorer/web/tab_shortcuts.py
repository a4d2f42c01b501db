"""The Shortcuts tab: what each residual connection carries for an image, the plain vs residual
gradient demo, and "why shortcuts": the paper's Figure 6 as the degradation experiment measured it.
/shortcuts, /plain and /degradation are its API. Layout and wiring only: the maths is in
inspect/ (contributions.py, plain.py), reached through pages.py and `engine()`.
"""

from __future__ import annotations

from typing import Any, TypeVar

import gradio as gr

from ..arch.registry import get_entry
from ..i18n import page_language, t
from . import tab_predict
from .checks import TOP1, check_request, image_input, text_input, weight_choices, weights_arg
from .compute import MAX_BATCH, compute, timed
from .shared import (
    Labels,
    after_first_view,
    answering,
    device,
    engine,
    fail,
    initial_language,
    said,
)
from .tab_predict import DEMO_MODEL, checkpoint_input, class_choices, image_and_model, opening_model
from .views import error_note, note_line

T = TypeVar("T")

# Analyses in flight at once: as many as predictions, so that both wait in one first-come,
# first-served line on the compute thread (which runs one at a time) rather than in Gradio's
# queue, where fewer slots would put every analysis behind the predictions.
SHORTCUT_SLOTS = MAX_BATCH
PLAIN_MODELS = ("resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "resnet20",
                "resnet56", "resnet110", "preact_resnet110", "demo_basic")  # fmt: skip


def shortcuts(image: Any, model: str, target: str = TOP1, weights: str = "DEFAULT",
              lang: str = "en", checkpoint: Any = None,
              progress: gr.Progress = gr.Progress()  # noqa: B008 (Gradio injects it)
              ) -> tuple[Any, ...]:  # fmt: skip
    """Summary, per-block charts, path-length chart and the records, for one image; a progress
    bar while the gradient is followed path by path (seconds on a deep model)."""
    lang = page_language(lang)

    def walking(done: float, paths: int) -> None:
        progress(done, desc=t(lang, "walking_paths", paths=f"{paths:,}"))

    with answering(lang, free=True):  # the lesion batches are freed: give their pages back
        name = check_request(model, None, target)  # before any loading
        chosen = weights_arg(name, weights, checkpoint)
        source = image_input(image, lang)
        wanted = None if target in (None, "", TOP1) else target
        return compute().call(timed, engine().shortcuts_view, source, name, chosen, wanted,
                              device(), lang, walking)  # fmt: skip


def cleared(model: Any, lang: str = "en") -> tuple[Any, ...]:
    """The analysis on screen belonged to another model or weights: it goes, and a line says
    how to measure the one now chosen (an analysis takes seconds, so it is not re-run
    unasked)."""
    name = model if isinstance(model, str) else ""
    said = t(lang, "shortcuts_stale", model=name, button=t(lang, "analyse_btn"))
    return note_line(said), None, None, None


def plain(model: str, lang: str = "en") -> tuple[Any, str]:
    """The gradient per layer at initialisation, with and without shortcuts."""
    lang = page_language(lang)
    try:
        name = get_entry(text_input(model, "model")).name
        return compute().call(timed, engine().plain_view, name, lang)
    except Exception as err:
        raise fail(err, lang) from None


def degradation(lang: str = "en") -> tuple[Any, str]:
    """The degradation experiment's curves (shipped with the package) and what they show."""
    lang = page_language(lang)
    try:
        return engine().degradation_view(lang)
    except Exception as err:
        raise fail(err, lang) from None


def degradation_start(request: gr.Request) -> tuple[Any, str]:
    """On page load: the curves, once the first view is on screen (they need the engine)."""
    after_first_view(request, "shortcuts")
    return degradation(initial_language(request))


def model_options(model: str, lang: str = "en") -> tuple[Any, Any]:
    """The weights and classes that fit the chosen model: the Predict tab's menus, no layer."""
    weights, classes, _ = tab_predict.model_options(model, lang)
    return weights, classes


def start(request: gr.Request) -> tuple[Any, ...]:
    """On page load, in the language of the link or the browser: the link's model, else the one
    the Predict tab opens on, with its menus."""
    after_first_view(request, "shortcuts")
    model = opening_model(request, "shortcuts")
    return (model, *model_options(model, initial_language(request)))


def said_again(records: Any, summary: Any, image: Any, model: str, target: str, weights: str,
               lang: str, checkpoint: Any = None) -> tuple[Any, ...]:  # fmt: skip
    """After the language switch: the analysis on screen in the new language (kept measurements
    are only drawn again), the hint in it, or nothing where nothing is shown."""
    if records:
        try:
            return shortcuts(image, model, target, weights, lang, checkpoint)
        except gr.Error as err:
            return error_note(str(err.message)), None, None, None
    if summary:
        return cleared(model, lang)
    return gr.skip(), gr.skip(), gr.skip(), gr.skip()


def plain_again(shown: Any, model: str, lang: str) -> tuple[Any, Any]:
    """After the language switch: the plain-vs-residual chart in the new language (the profile
    is cached), if one is on screen."""
    if not shown:
        return gr.skip(), gr.skip()
    return plain(model, lang)


def build_tab(label: Labels, lang: gr.Radio, demo: gr.Blocks) -> list[Any]:
    """The tab's components and events, inside the caller's gr.Tabs; returns what a link to the
    tab says (the model). Like the Predict tab, it opens on the demo model and the page's load
    event fills in the link's or the machine's choice."""
    en = "en"
    with gr.Tab(said("tab_shortcuts"), id="shortcuts", elem_id="tab-shortcuts"):
        label.markdown("shortcuts_guide")
        with gr.Row():
            with gr.Column(scale=1):
                image, model = image_and_model(260)
                choices = weight_choices(DEMO_MODEL, en)
                weights = gr.Dropdown(choices, value=choices[0][1], label=said("weights"))
                checkpoint = checkpoint_input()
                target = gr.Dropdown(class_choices(DEMO_MODEL, en), value=TOP1,
                                     label=said("target"), allow_custom_value=True)  # fmt: skip
                run = gr.Button(said("analyse_btn"), variant="primary")
            with gr.Column(scale=2):
                summary = gr.HTML()
                bars = gr.Plot(show_label=False, elem_id="shortcut-bars")
        paths = gr.Plot(show_label=False, elem_id="path-lengths")
        with gr.Accordion(said("records"), open=False):
            records = gr.JSON()
        label.markdown("plain_title", "### {}")
        with gr.Row():
            plain_model = gr.Dropdown(list(PLAIN_MODELS), value="resnet34", scale=3,
                                      label=said("model"))  # fmt: skip
            plain_btn = gr.Button(said("plain_btn"), scale=1)
        plain_plot = gr.Plot(show_label=False, elem_id="plain-vs-residual")
        plain_text = gr.HTML()
        label.markdown("deg_title", "### {}")
        deg_plot = gr.Plot(show_label=False, elem_id="degradation")
        deg_text = gr.HTML(elem_id="degradation-text")
        api = gr.Button(visible=False)  # /degradation's own door (the page draws it on load)

    demo.load(start, None, [model, weights, target], api_visibility="private")
    # The curves are a record, not a computation: drawn when the page opens, in its language.
    demo.load(degradation_start, None, [deg_plot, deg_text], api_visibility="private")
    label.again(degradation, [lang], [deg_plot, deg_text])
    api.click(degradation, [lang], [deg_plot, deg_text], api_name="degradation")
    label.again(model_options, [model, lang], [weights, target])
    gr.on([model.input], model_options, [model, lang], [weights, target],
          api_visibility="private")  # fmt: skip
    label.again(said_again, [records, summary, image, model, target, weights, lang, checkpoint],
                [summary, bars, paths, records])  # fmt: skip
    label.again(plain_again, [plain_text, plain_model, lang], [plain_plot, plain_text])
    gr.on([model.input, weights.input, target.input, checkpoint.change], cleared, [model, lang],
          [summary, bars, paths, records], api_visibility="private")  # fmt: skip
    gr.on([run.click, image.change], shortcuts,
          [image, model, target, weights, lang, checkpoint],
          [summary, bars, paths, records], api_name="shortcuts", concurrency_id="shortcuts",
          concurrency_limit=SHORTCUT_SLOTS, preprocess=False)  # fmt: skip
    plain_btn.click(plain, [plain_model, lang], [plain_plot, plain_text], api_name="plain",
                    concurrency_id="model", concurrency_limit=1)  # fmt: skip
    return [model]
