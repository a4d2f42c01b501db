"""The Shortcuts tab: what each residual connection carries for an image, and the plain vs
residual gradient demo. /shortcuts and /plain are its API; no maths here (shortcuts.py, plain.py
compute; figures.py and views.py render).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import gradio as gr

from . import ui_predict
from .contributions import shortcut_report
from .deadline import within
from .figures import path_lengths, plain_vs_residual, shortcut_bars
from .i18n import t
from .memory import trim
from .models import load_model
from .pages import default_predict_model, examples
from .plain import gradient_profile
from .registry import get_entry, list_models
from .ui_predict import (
    REQUEST_TIMEOUT_S,
    TOP1,
    check_request,
    checkpoint_input,
    image_source,
    weight_choices,
    weights_arg,
)
from .ui_shared import Labels, fail
from .views import plain_summary, shortcut_summary

PLAIN_MODELS = ("resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "demo_basic")


def shortcuts(image: Any, model: str, target: str = TOP1, weights: str = "DEFAULT",
              lang: str = "en", checkpoint: Any = None) -> tuple[Any, ...]:  # fmt: skip
    """Summary, per-block charts, path-length chart and the records, for one image."""
    try:
        check_request(model, None, target)  # before any loading
        source = image_source(image)
        if source is None:
            raise gr.Error(t(lang, "no_image"))
        with within(REQUEST_TIMEOUT_S):
            module = load_model(model, weights_arg(weights, checkpoint), device=ui_predict.DEVICE)
            wanted = None if target in (None, "", TOP1) else target
            report = shortcut_report(source, module, wanted)
    except gr.Error:
        raise
    except Exception as err:
        raise fail(err, lang) from None
    finally:
        trim()  # the lesion batches are freed: give their pages back
    records = [asdict(r) for r in report.records]
    return (shortcut_summary(report, lang), shortcut_bars(report, lang),
            path_lengths(report, lang), records)  # fmt: skip


def plain(model: str, lang: str = "en") -> tuple[Any, str]:
    """The gradient per layer at initialisation, with and without shortcuts."""
    try:
        profile = gradient_profile(get_entry(model).name)
    except Exception as err:
        raise fail(err, lang) from None
    return plain_vs_residual(profile, lang), plain_summary(profile, lang)


def build_tab(label: Labels, lang: gr.Radio, en: str = "en") -> None:
    """The tab's components and events, inside the caller's gr.Tabs."""
    with gr.Tab(t(en, "tab_shortcuts"), id="shortcuts") as tab:
        label(tab, lambda lg: gr.Tab(label=t(lg, "tab_shortcuts")))
        label.markdown("shortcuts_guide")
        start = default_predict_model()
        with gr.Row():
            with gr.Column(scale=1):
                image = gr.Image(type="filepath", image_mode=None, height=260,
                                 sources=["upload", "clipboard", "webcam"],
                                 label=t(en, "image"))  # fmt: skip
                label(image, lambda lg: gr.Image(label=t(lg, "image")))
                gr.Examples(examples=examples(), inputs=image, label=None, examples_per_page=8)
                model = gr.Dropdown(list_models(), value=start, label=t(en, "model"),
                                    allow_custom_value=True)  # fmt: skip
                label(model, lambda lg: gr.Dropdown(label=t(lg, "model")))
                choices = weight_choices(start, en)
                weights = gr.Dropdown(choices, value=choices[0][1], label=t(en, "weights"))
                label(weights, lambda lg: gr.Dropdown(label=t(lg, "weights")))
                checkpoint = checkpoint_input(label, en)
                target = gr.Dropdown([(t(en, "top1"), TOP1)], value=TOP1, label=t(en, "target"),
                                     allow_custom_value=True)  # fmt: skip
                label(target, lambda lg: gr.Dropdown(label=t(lg, "target")))
                run = gr.Button(t(en, "analyse_btn"), variant="primary")
                label(run, lambda lg: gr.Button(t(lg, "analyse_btn")))
            with gr.Column(scale=2):
                summary = gr.HTML()
                bars = gr.Plot(show_label=False, elem_id="shortcut-bars")
        paths = gr.Plot(show_label=False, elem_id="path-lengths")
        with gr.Accordion(t(en, "records"), open=False) as box:
            label(box, lambda lg: gr.Accordion(label=t(lg, "records")))
            records = gr.JSON()
        label.markdown("plain_title", "### {}")
        with gr.Row():
            plain_model = gr.Dropdown(list(PLAIN_MODELS), value="resnet34", scale=3,
                                      label=t(en, "model"))  # fmt: skip
            label(plain_model, lambda lg: gr.Dropdown(label=t(lg, "model")))
            plain_btn = gr.Button(t(en, "plain_btn"), scale=1)
            label(plain_btn, lambda lg: gr.Button(t(lg, "plain_btn")))
        plain_plot = gr.Plot(show_label=False, elem_id="plain-vs-residual")
        plain_text = gr.HTML()

    def options(name: str, lg: str) -> tuple[Any, Any]:
        try:
            entry = get_entry(name)
            menu = weight_choices(name, lg)
        except Exception as err:
            raise fail(err, lg) from None
        classes = [(t(lg, "top1"), TOP1), *entry.categories]
        return gr.Dropdown(choices=menu, value=menu[0][1]), gr.Dropdown(choices=classes, value=TOP1)

    gr.on([model.change, lang.change], options, [model, lang], [weights, target],
          api_visibility="private")  # fmt: skip
    gr.on([run.click, image.change], shortcuts,
          [image, model, target, weights, lang, checkpoint],
          [summary, bars, paths, records], api_name="shortcuts", concurrency_id="model",
          concurrency_limit=1, preprocess=False)  # fmt: skip
    plain_btn.click(plain, [plain_model, lang], [plain_plot, plain_text], api_name="plain",
                    concurrency_id="model", concurrency_limit=1)  # fmt: skip
