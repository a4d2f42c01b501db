"""The Predict & Explain tab: upload or pick an image, see the top-5, the Grad-CAM overlay at
any layer, the same class at every stage, and the strongest feature maps.

/predict is batched: requests arriving together are answered by one forward pass per model,
and a bad image fails only its own request (Gradio does not preprocess the upload; our loader
does, so its message is ours). Weights load (with a download progress bar) as
soon as they are chosen. No maths here: explain.py computes, pages.py renders.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from ..arch.registry import get_entry, menu_models
from ..errors import ExplorerError
from ..i18n import page_language, t
from ..inspect.deadline import within
from ..models.bundled import model_card
from .checks import TOP1, check_request, image_input, text_input, weight_choices, weights_arg
from .compute import MAX_BATCH, compute
from .files import examples
from .limits import REQUEST_TIMEOUT_S
from .links import view_of
from .section_saliency import build_section
from .shared import (
    Labels,
    after_first_view,
    answering,
    device,
    engine,
    error,
    fail,
    initial_language,
    message,
    said,
)
from .theme import COLORMAPS
from .uploads import add_examples
from .views import error_note, note_line, shown_class

DEMO_MODEL = "demo_bottleneck"  # what the page opens on until it knows which weights are here


def check_picture(opacity: Any, colormap: Any) -> tuple[float, str]:
    """The overlay's opacity (a number from 0 to 1) and colour map (one of the menu's)."""
    if isinstance(opacity, bool) or not isinstance(opacity, (int, float)) \
            or not 0.0 <= opacity <= 1.0:  # fmt: skip
        raise ExplorerError.text("err_opacity", value=opacity)
    if not isinstance(colormap, str) or colormap not in COLORMAPS:
        raise ExplorerError.text("err_colormap", value=colormap, choices=", ".join(COLORMAPS))
    return float(opacity), colormap


def class_choices(model: str, lang: str) -> list[tuple[str, str]]:
    """The class menu: top-1 first, then every class of the model, named in the page's
    language where the page has names for them (the generated shapes)."""
    return [
        (t(lang, "top1"), TOP1),
        *((shown_class(model, c, lang), c) for c in get_entry(model).categories),
    ]


def last_stage(layers: list[str]) -> str:
    """The last stage among the CAM layers (stages, then blocks): "layer4", or "layer3" in a
    CIFAR-10 ResNet."""
    return [name for name in layers if "." not in name][-1]


def model_options(model: str, lang: str = "en") -> tuple[Any, Any, Any]:
    """The weights, classes and layers that fit the chosen model."""
    try:
        entry = get_entry(model)
        layers = engine().cam_layer_names(entry.name)
        weights = weight_choices(model, lang)
    except Exception as err:
        raise fail(err, lang) from None
    return (gr.Dropdown(choices=weights, value=weights[0][1]),
            gr.Dropdown(choices=class_choices(entry.name, lang), value=TOP1),
            gr.Dropdown(choices=layers, value=last_stage(layers)))  # fmt: skip


def load_weights(model: str, weights: str, lang: str = "en", checkpoint: Any = None,
                 progress: gr.Progress = gr.Progress()  # noqa: B008 (Gradio injects it)
                 ) -> tuple[str, Any]:  # fmt: skip
    """Load (downloading with a progress bar when online) and say what the weights are."""

    def report(done: int, total: int | None) -> None:
        progress(done / total if total else 0.0, desc=t(lang, "downloading", name=model))

    try:
        name = get_entry(text_input(model, "model")).name
        engine().check_cost(name)
        chosen = weights_arg(name, weights, checkpoint)
        status, trained = compute().call(engine().weights_view, name, chosen, device(), lang,
                                         report)  # fmt: skip
    except Exception as err:
        raise fail(err, lang) from None
    return status, gr.Button(visible=not trained)


def start(request: gr.Request) -> tuple[Any, ...]:
    """On page load, in the language of the link or the browser: the link's model, else resnet50
    when its ImageNet weights are on this machine, else the demo model; with the menus that fit
    it and what its weights are."""
    after_first_view(request, "predict")
    lang = initial_language(request)
    model = opening_model(request, "predict")
    first = weight_choices(model, lang)[0][1]  # a model of yours has random weights only
    return (model, *model_options(model, lang), *load_weights(model, first, lang))


def opening_model(request: gr.Request | None, tab: str) -> str:
    """The model `tab` opens on: the link's if it names a registry model for it, else the
    machine's choice (resnet50 with its weights here, else the demo model)."""
    view = view_of(request)
    named = view.model_for(tab)
    if named in menu_models():
        return named
    return engine().default_predict_model()


class ImageFailed(Exception):
    """One image of a shared pass could not be explained; the others were."""

    def __init__(self, cause: Exception) -> None:
        super().__init__(str(cause))
        self.cause = cause


def _explain_group(key: tuple[str, str | None, str], items: list[tuple[Any, ...]]) -> list[Any]:
    """On the compute thread: one pass for every waiting request of one (model, weights,
    layer), then each request's pictures; a bad image gets its own exception, a failure of the
    model everyone's. (Pictures here, not in the handlers: sixteen threads encoding at once
    would starve the model work of the two cores.)"""
    name, chosen, layer = key
    pages = engine()
    with within(REQUEST_TIMEOUT_S):
        results = pages.explanations(name, chosen, device(), [item[0] for item in items],
                                     [item[1] for item in items], layer)  # fmt: skip
    views: list[Any] = []
    for result, (_, _, opacity, colormap, lang) in zip(results, items, strict=True):
        if isinstance(result, Exception):
            views.append(ImageFailed(result))
        else:
            views.append(pages.predict_view(result, opacity, colormap, lang))
    return views


def predict(image: Any, model: str, target: str = TOP1, layer: str = "layer4",
            weights: str = "DEFAULT", opacity: float = 0.5, colormap: str = COLORMAPS[0],
            lang: str = "en", checkpoint: Any = None) -> tuple[Any, ...]:  # fmt: skip
    """Top-5, overlay, stage maps, feature maps, note and raw map for one image.

    Every input is checked here, before anything is loaded or decoded, and a bad one raises
    gr.Error with the page's translated message (an API client gets the same as an exception).
    Requests waiting together share one forward pass (compute.py); a bad image fails only its
    own request.
    """
    lang = page_language(lang)
    with answering(lang, free=True):  # the pass's activations are freed: give their pages back
        name = check_request(model, layer, target)
        opacity, colormap = check_picture(opacity, colormap)
        chosen = weights_arg(name, weights, checkpoint)
        source = image_input(image, lang)
        wanted = None if target in (None, "", TOP1) else target
        try:
            view = compute().batched(_explain_group, (name, chosen, layer),
                                     (source, wanted, opacity, colormap, lang))  # fmt: skip
        except ImageFailed as failed:
            raise error(message(failed.cause, lang, "error_image"), lang) from None
    # Pictures go to Gradio as files we wrote whole and named by content: identical answers
    # share a file, which no later request rewrites while it is downloaded.
    return (view.labels, str(view.overlay), str(view.stages), str(view.features), view.note,
            str(view.raw_map))  # fmt: skip


def refresh(
    image: Any,
    model: str,
    target: str,
    layer: str,
    weights: str,
    opacity: float,
    colormap: str,
    lang: str,
    checkpoint: Any = None,
) -> tuple[Any, ...]:
    """After the model, its weights or its menus changed: the answer on screen must belong to
    the inputs on screen. With an image it is explained again (a demo model answers in tens of
    milliseconds, ResNet-50 in about 0.2 s on two cores); without one there is nothing to keep.
    A refusal is shown in the note, the old pictures gone."""
    if image is None:  # nothing explained, nothing to keep
        return None, None, None, None, "", None
    try:
        return predict(image, model, target, layer, weights, opacity, colormap, lang, checkpoint)
    except gr.Error as err:
        return None, None, None, None, error_note(str(err.message)), None


def said_again(image: Any, model: str, target: str, layer: str, weights: str, opacity: float,
               colormap: str, lang: str, checkpoint: Any = None) -> tuple[Any, ...]:  # fmt: skip
    """After the language switch: the menus' words, the weights' status and the answer on
    screen in the new language; what is chosen in the menus stays chosen."""
    try:
        name = get_entry(text_input(model, "model")).name
        menus: tuple[Any, ...] = (gr.Dropdown(choices=weight_choices(name, lang)),
                                  gr.Dropdown(choices=class_choices(name, lang)))  # fmt: skip
        status = load_weights(model, weights, lang, checkpoint)
    except (gr.Error, ExplorerError):  # a bad model or weights: their own events said so
        menus, status = (gr.skip(),) * 2, (gr.skip(),) * 2
    answer = refresh(image, model, target, layer, weights, opacity, colormap, lang, checkpoint)
    return (*menus, *status, *answer)


def checkpoint_input() -> gr.File:
    """An optional upload of the user's own weights, read without unpickling (weights.py)."""
    return gr.File(label=said("checkpoint"), type="filepath", height=120,
                   file_types=[".safetensors", ".pth", ".pt", ".bin"])  # fmt: skip


def image_and_model(height: int) -> tuple[gr.Image, gr.Dropdown]:
    """An image upload (file, paste or webcam) with the generated examples under it, and the
    model menu, opening on the demo model: what every tab that runs a model starts with."""
    image = gr.Image(type="filepath", image_mode=None, height=height,
                     sources=["upload", "clipboard", "webcam"], label=said("image"))  # fmt: skip
    shown = gr.Examples(examples=examples(), inputs=image, label=said("examples"),
                        examples_per_page=8)  # fmt: skip
    add_examples(shown.dataset.samples)  # a click sends Gradio's copy: accepted like an upload
    model = gr.Dropdown(menu_models(), value=DEMO_MODEL, label=said("model"),
                        allow_custom_value=True)  # fmt: skip
    return image, model


def explain(image: Any, model: str, target: str, layer: str, weights: str, opacity: float,
            colormap: str, lang: str, checkpoint: Any = None) -> tuple[Any, ...]:  # fmt: skip
    """What the page's own events run: the answer, or a refusal in the note; with no image, no
    answer and a line under the Explain button saying what to do (a message at the top of the
    page would be far from where the student looks)."""
    lang = page_language(lang)
    if image is None:
        return None, None, None, None, "", None, note_line(t(lang, "no_image"))
    return (*refresh(image, model, target, layer, weights, opacity, colormap, lang, checkpoint),
            "")  # fmt: skip


def demo_line(lang: str) -> str:
    names = (shown_class(DEMO_MODEL, c, lang) for c in get_entry(DEMO_MODEL).categories)
    return t(lang, "demo_line", classes=t(lang, "list_sep").join(names))


def build_tab(label: Labels, lang: gr.Radio, demo: gr.Blocks) -> list[Any]:
    """The tab's components and events, inside the caller's gr.Tabs; returns what a link to the
    tab says (the model). It opens on the demo model, whose menus need no torch; the page's load
    event (`start`) fills in the link's or the machine's choice."""
    en = "en"
    with gr.Tab(said("tab_predict"), id="predict", elem_id="tab-predict"):
        with gr.Row():
            with gr.Column(scale=1):
                image, p_model = image_and_model(300)
                choices = weight_choices(DEMO_MODEL, en)
                p_weights = gr.Dropdown(choices, value=choices[0][1],
                                        label=said("weights"))  # fmt: skip
                checkpoint = checkpoint_input()
                with gr.Row():
                    p_target = gr.Dropdown(class_choices(DEMO_MODEL, en), value=TOP1,
                                           label=said("target"),
                                           allow_custom_value=True)  # fmt: skip
                    p_layer = gr.Dropdown(["layer4"], value="layer4",
                                          label=said("layer"),
                                          allow_custom_value=True)  # fmt: skip
                with gr.Row():
                    opacity = gr.Slider(0, 1, value=0.5, step=0.05, label=said("opacity"))
                    colormap = gr.Radio(list(COLORMAPS), value=COLORMAPS[0],
                                        label=said("colormap"))  # fmt: skip
                explain_btn = gr.Button(said("explain_btn"), variant="primary")
                hint = gr.HTML(elem_id="explain-hint")
                api_btn = gr.Button(visible=False)  # /predict's trigger: the API's own door
            with gr.Column(scale=1):
                status = gr.HTML()
                use_demo = gr.Button(said("use_demo"), visible=False, variant="primary")
                note = gr.HTML()
                top5 = gr.Label(num_top_classes=5, label=said("predictions"))
                # Its download button gives the overlay as a lossless PNG.
                shown = gr.Image(type="filepath", interactive=False, label=said("overlay"),
                                 elem_id="cam-overlay")  # fmt: skip
                map_file = gr.DownloadButton(said("download_map"), size="sm")
        label.markdown("stage_cams", "#### {}")
        stage_maps = gr.Image(type="filepath", interactive=False, show_label=False,
                              elem_id="stage-cams", elem_classes="rx-strip")  # fmt: skip
        label.markdown("features", "#### {}")
        feature_maps = gr.Image(type="filepath", interactive=False, show_label=False,
                                elem_id="feature-maps", elem_classes="rx-strip")  # fmt: skip
        build_section(label, lang, demo, image, p_model, p_target, p_layer, p_weights, checkpoint)
        with gr.Accordion(said("model_card"), open=False, elem_id="model-card"):
            gr.Markdown(model_card().read_text(encoding="utf-8"))
    answer = [top5, shown, stage_maps, feature_maps, note, map_file]
    asked = [image, p_model, p_target, p_layer, p_weights, opacity, colormap, lang, checkpoint]

    def menus_then_answer(event: Any) -> None:
        """After the model changed: its menus, its weights, then the answer on screen again
        (user events only: the load event renders in its own language, and a render triggered
        by its change could land in the other)."""
        event.then(model_options, [p_model, lang], [p_weights, p_target, p_layer],
                   api_visibility="private").then(
            load_weights, [p_model, p_weights, lang, checkpoint], [status, use_demo],
            api_visibility="private").then(
            refresh, asked, answer, api_visibility="private", concurrency_id="predict",
            concurrency_limit=MAX_BATCH, preprocess=False)  # fmt: skip

    menus_then_answer(p_model.input(None, api_visibility="private"))
    label.again(said_again, asked, [p_weights, p_target, status, use_demo, *answer])
    menus_then_answer(use_demo.click(lambda: DEMO_MODEL, None, p_model,
                                     api_visibility="private"))  # fmt: skip
    demo.load(start, None, [p_model, p_weights, p_target, p_layer, status, use_demo],
              api_visibility="private")  # fmt: skip
    gr.on([p_weights.input, checkpoint.change], load_weights,
          [p_model, p_weights, lang, checkpoint], [status, use_demo],
          api_visibility="private").then(
        refresh, asked, answer, api_visibility="private", concurrency_id="predict",
        concurrency_limit=MAX_BATCH, preprocess=False)  # fmt: skip
    gr.on([explain_btn.click, image.change, p_target.input, p_layer.input, opacity.release,
           colormap.input], explain, asked, [*answer, hint], api_visibility="private",
          concurrency_id="predict", concurrency_limit=MAX_BATCH, preprocess=False)  # fmt: skip
    api_btn.click(predict, asked, answer, api_name="predict", concurrency_id="predict",
                  concurrency_limit=MAX_BATCH, preprocess=False)  # fmt: skip
    return [p_model]
