""" "Compare explanations", a section of Predict & Explain: eight saliency methods side by side on
the tab's image, model, class and layer; Adebayo et al.'s sanity check; the faithfulness scores;
and which layer to pick. /attribute, /sanity, /faithfulness and /layer_guidance are its API.
Layout and wiring only: saliency_pages.py renders, through `engine()`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import gradio as gr

from ..errors import ExplorerError
from ..i18n import page_language, t
from ..models.bundled import SALIENCY, bundled_file
from .checks import TOP1, check_request, image_input, weights_arg
from .compute import compute, timed
from .saliency_views import shipped_html
from .shared import Labels, answering, device, engine, initial_language, said
from .views import error_note, note_line

# the methods in the page's order, with their names (technical terms: the same in both languages)
METHODS = ("gradcam", "gradcam++", "layercam", "integrated_gradients", "smoothgrad",
           "guided_backprop", "guided_gradcam", "occlusion")  # fmt: skip
NAMES = ("Grad-CAM", "Grad-CAM++", "LayerCAM", "Integrated Gradients", "SmoothGrad",
         "Guided Backprop", "Guided Grad-CAM", "Occlusion")  # fmt: skip
MODES = ("cascading", "independent", "labels")
SLOT: dict[str, Any] = {"concurrency_id": "saliency", "concurrency_limit": 1}
PRIVATE: dict[str, Any] = {"api_visibility": "private"}


def _methods(methods: Any) -> list[str]:
    if isinstance(methods, str):
        methods = [methods]
    if not isinstance(methods, (list, tuple)) or len(methods) > len(METHODS) or not all(
            isinstance(m, str) for m in methods):  # fmt: skip
        raise ExplorerError.text("err_method", method=methods, known=", ".join(METHODS))
    if not methods:
        raise ExplorerError.text("err_no_method")
    return list(methods)


def _request(image: Any, model: Any, methods: Any, layer: Any, target: Any, weights: Any,
             lang: str, checkpoint: Any) -> tuple[Any, ...]:  # fmt: skip
    """Everything checked before anything loads: the model, layer, class, weights (or this
    request's checkpoint upload), methods and the image; the class as the engine takes it
    (None: the top-1)."""
    name = check_request(model, layer or None, target)
    chosen = weights_arg(name, weights, checkpoint)
    wanted = _methods(methods)
    source = image_input(image, lang)
    wanted_class = None if target in (None, "", TOP1) else target
    return source, name, chosen, wanted, layer or None, wanted_class


def _answered(lang: str, work: Callable[[], Any]) -> Any:
    """work() for an API request, its refusals as gr.Error in `lang`, its memory handed back."""
    with answering(lang, free=True):
        return work()


def attribute(image: Any, model: str, methods: Any = METHODS, layer: str | None = None,
              target: str = TOP1, weights: str = "DEFAULT", lang: str = "en",
              checkpoint: Any = None) -> tuple[Any, str, str]:  # fmt: skip
    """/attribute: the maps of `methods` (any of gradcam, gradcam++, layercam,
    integrated_gradients, smoothgrad, guided_backprop, guided_gradcam, occlusion) side by side,
    each captioned with its cost; what they show; and the table of methods."""
    lang = page_language(lang)

    def work() -> Any:
        args = _request(image, model, methods, layer, target, weights, lang, checkpoint)
        return compute().call(timed, engine().attribute_page, *args, device(), lang)

    return _answered(lang, work)


def sanity(image: Any, model: str, methods: Any = METHODS, layer: str | None = None,
           target: str = TOP1, weights: str = "DEFAULT", mode: str = "cascading",
           lang: str = "en", checkpoint: Any = None,
           progress: gr.Progress = gr.Progress()  # noqa: B008 (Gradio injects it)
           ) -> tuple[Any, Any, str, str]:  # fmt: skip
    """/sanity: Adebayo et al.'s check, `mode` cascading (the head, then down to the stem),
    independent (one layer at a time) or labels (the twin trained on shuffled labels): the maps
    captioned with their verdicts, the chart, one sentence per method, and the table."""
    lang = page_language(lang)

    def told(done: int, total: int) -> None:
        progress(done / total, desc=t(lang, "sal_progress_sanity", done=done, total=total))

    def work() -> Any:
        args = _request(image, model, methods, layer, target, weights, lang, checkpoint)
        if mode not in MODES:
            raise ExplorerError.text("err_sanity_mode", mode=mode, known=", ".join(MODES))
        return compute().call(timed, engine().sanity_page, *args, mode, device(), lang, told)

    return _answered(lang, work)


def faithfulness(image: Any, model: str, methods: Any = METHODS, layer: str | None = None,
                 target: str = TOP1, weights: str = "DEFAULT", lang: str = "en",
                 checkpoint: Any = None,
                 progress: gr.Progress = gr.Progress()  # noqa: B008 (Gradio injects it)
                 ) -> tuple[Any, str]:  # fmt: skip
    """/faithfulness: each method's deletion and insertion AUC, ROAD and (for a generated
    example, whose object mask is known) the pointing game on this image: the maps captioned
    with their deletion AUC, and the table."""
    lang = page_language(lang)

    def work() -> Any:
        args = _request(image, model, methods, layer, target, weights, lang, checkpoint)
        order = [m for m in METHODS if m in args[3]]  # the order the methods are scored in

        def told(done: int, total: int) -> None:
            method = t(lang, f"m_{order[min(done, total - 1)]}")
            progress(done / total, desc=t(lang, "sal_progress_faith", method=method))

        return compute().call(timed, engine().faithfulness_page, *args, device(), lang, told)

    return _answered(lang, work)


def layer_guidance(model: str, weights: str = "DEFAULT", lang: str = "en",
                   checkpoint: Any = None) -> tuple[Any, str]:  # fmt: skip
    """/layer_guidance: Grad-CAM at every stage and block of `model` on the generated examples,
    scored by the pointing game and deletion AUC, and the layer to pick with its reason."""
    lang = page_language(lang)

    def work() -> Any:
        name = check_request(model, None, None)
        chosen = weights_arg(name, weights, checkpoint)
        return compute().call(timed, engine().guidance_page, name, chosen, device(), lang)

    return _answered(lang, work)


def _note(run: Any, image: Any, lang: Any, outputs: int) -> tuple[Any, ...]:
    """For the page's own events: the answer with an empty note; a refusal in the section's
    note (not a toast) with its results gone; with no image, a line that says what to do."""
    lang = page_language(lang)
    if image is None:
        return (None,) * (outputs - 1) + (note_line(t(lang, "no_image")),)
    try:
        out = run()
    except gr.Error as err:
        return (None,) * (outputs - 1) + (error_note(str(err.message)),)
    return (*out, "") if isinstance(out, tuple) else (out, "")


def attribute_shown(image: Any, model: str, methods: Any, layer: Any, target: Any,
                    weights: Any, lang: str, checkpoint: Any) -> tuple[Any, ...]:  # fmt: skip
    args = (image, model, methods, layer, target, weights, lang, checkpoint)
    return _note(lambda: attribute(*args), image, lang, 4)


def sanity_shown(image: Any, model: str, methods: Any, layer: Any, target: Any, weights: Any,
                 mode: str, lang: str, checkpoint: Any,
                 progress: gr.Progress = gr.Progress()  # noqa: B008 (Gradio injects it)
                 ) -> tuple[Any, ...]:  # fmt: skip
    args = (image, model, methods, layer, target, weights, mode, lang, checkpoint)
    return _note(lambda: sanity(*args, progress=progress), image, lang, 5)


def faithfulness_shown(image: Any, model: str, methods: Any, layer: Any, target: Any,
                       weights: Any, lang: str, checkpoint: Any,
                       progress: gr.Progress = gr.Progress()  # noqa: B008 (Gradio injects it)
                       ) -> tuple[Any, ...]:  # fmt: skip
    args = (image, model, methods, layer, target, weights, lang, checkpoint)
    return _note(lambda: faithfulness(*args, progress=progress), image, lang, 3)


def attribute_again(shown: Any, *args: Any) -> tuple[Any, ...]:
    """After the language switch: the maps on screen again in the new language (from the kept
    measurement), or nothing where nothing is shown."""
    return attribute_shown(*args) if shown else (gr.skip(),) * 4


def sanity_again(shown: Any, *args: Any) -> tuple[Any, ...]:
    return sanity_shown(*args) if shown else (gr.skip(),) * 5


def shipped(lang: str) -> str:
    """The scores measured on held-out shapes and shipped with the demo models (no torch)."""
    path = bundled_file(SALIENCY)
    if not path.is_file():
        return ""
    return shipped_html(json.loads(path.read_text(encoding="utf-8"))["rows"], page_language(lang))


def _modes(lang: str) -> list[tuple[str, str]]:
    return [(t(lang, f"sal_mode_{m}"), m) for m in MODES]


def opening_modes(request: gr.Request) -> Any:
    """The randomisation menu in the page's first language (a menu's choices are plain text)."""
    return gr.Dropdown(choices=_modes(initial_language(request)))


def build_section(label: Labels, lang: gr.Radio, demo: gr.Blocks, image: Any, model: Any,
                  target: Any, layer: Any, weights: Any, checkpoint: Any) -> None:  # fmt: skip
    """The section's components and events, inside the Predict & Explain tab: it reads the
    tab's image, model, class, layer and weights, and clears its results when they change."""
    label.markdown("sal_title", "### {}")
    label.markdown("sal_guide")
    with gr.Row():
        with gr.Column(scale=3):
            methods = gr.CheckboxGroup(list(zip(NAMES, METHODS, strict=True)),
                                       value=list(METHODS), label=said("sal_methods"),
                                       elem_id="sal-methods")  # fmt: skip
        with gr.Column(scale=2, min_width=260):
            mode = gr.Dropdown(_modes("en"), value=MODES[0], label=said("sal_mode"),
                               elem_id="sal-mode")  # fmt: skip
    with gr.Row():
        buttons = {}
        for key, variant in (
            ("sal_compare_btn", "primary"),
            ("sal_sanity_btn", "secondary"),
            ("sal_faith_btn", "secondary"),
            ("sal_layers_btn", "secondary"),
        ):
            buttons[key] = gr.Button(said(key), variant=variant, elem_id=key.replace("_", "-"))
    note = gr.HTML(elem_id="sal-note")
    gallery = gr.Gallery(columns=4, height="auto", object_fit="contain", format="png",
                         show_label=False, allow_preview=True, elem_id="sal-gallery",
                         buttons=["download"])  # fmt: skip
    what = gr.HTML(elem_id="sal-what-box")
    table = gr.HTML(elem_id="sal-table-box")
    sanity_plot = gr.Plot(show_label=False, elem_id="sal-sanity-chart")
    verdict = gr.HTML(elem_id="sal-verdict-box")
    layers_plot = gr.Plot(show_label=False, elem_id="sal-layers-chart")
    guidance = gr.HTML(elem_id="sal-guidance-box")
    with gr.Accordion(said("sal_shipped"), open=False, elem_id="sal-shipped"):
        gr.HTML(said(shipped), elem_id="sal-shipped-table")
    api = gr.Button(visible=False)  # the API's own doors, with their documented signatures

    demo.load(opening_modes, None, mode, **PRIVATE)
    asked = [image, model, methods, layer, target, weights, lang, checkpoint]
    sanity_asked = [image, model, methods, layer, target, weights, mode, lang, checkpoint]
    per_image = [gallery, what, table, sanity_plot, verdict]

    def cleared() -> tuple[Any, ...]:
        return (None, "", "", None, "", "")

    def cleared_all() -> tuple[Any, ...]:
        return (*cleared(), None, "")

    # another image, class, layer or set of methods: the maps on screen belong to the old one
    gr.on([image.change, target.input, layer.input, methods.input], cleared, None,
          [*per_image, note], **PRIVATE)  # fmt: skip
    # another model or weights: the layer guidance goes too
    gr.on([model.change, weights.input, checkpoint.change], cleared_all, None,
          [*per_image, note, layers_plot, guidance], **PRIVATE)  # fmt: skip
    buttons["sal_compare_btn"].click(attribute_shown, asked, [gallery, what, table, note],
                                     **PRIVATE, **SLOT, preprocess=False)  # fmt: skip
    buttons["sal_sanity_btn"].click(sanity_shown, sanity_asked,
                                    [gallery, sanity_plot, verdict, table, note], **PRIVATE,
                                    **SLOT, preprocess=False)  # fmt: skip
    buttons["sal_faith_btn"].click(faithfulness_shown, asked, [gallery, table, note], **PRIVATE,
                                   **SLOT, preprocess=False)  # fmt: skip
    guide_asked = [model, weights, lang, checkpoint]
    buttons["sal_layers_btn"].click(_guided_shown, guide_asked, [layers_plot, guidance, note],
                                    **PRIVATE, **SLOT, preprocess=False)  # fmt: skip
    mode.input(lambda: (None, ""), None, [sanity_plot, verdict], **PRIVATE)
    label.again(attribute_again, [gallery, *asked], [gallery, what, table, note])
    label.again(sanity_again, [sanity_plot, *sanity_asked],
                [gallery, sanity_plot, verdict, table, note])  # fmt: skip
    label.again(_guided_again, [layers_plot, *guide_asked], [layers_plot, guidance])
    api.click(attribute, asked, [gallery, what, table], api_name="attribute", **SLOT,
              preprocess=False)  # fmt: skip
    api.click(sanity, sanity_asked, [gallery, sanity_plot, verdict, table],
              api_name="sanity", **SLOT, preprocess=False)  # fmt: skip
    api.click(faithfulness, asked, [gallery, table], api_name="faithfulness", **SLOT,
              preprocess=False)  # fmt: skip
    api.click(layer_guidance, guide_asked, [layers_plot, guidance], api_name="layer_guidance",
              **SLOT, preprocess=False)  # fmt: skip


def _guided_shown(model: str, weights: str, lang: str, checkpoint: Any
                  ) -> tuple[Any, str, str]:  # fmt: skip
    try:
        return (*layer_guidance(model, weights, lang, checkpoint), "")
    except gr.Error as err:
        return None, "", error_note(str(err.message))


def _guided_again(shown: Any, model: str, weights: str, lang: str, checkpoint: Any
                  ) -> Sequence[Any]:  # fmt: skip
    if not shown:
        return gr.skip(), gr.skip()
    return _guided_shown(model, weights, lang, checkpoint)[:2]
