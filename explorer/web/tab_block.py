"""The "Inside a block" tab: a block's F(x) + S(x) on an image, channel by channel, with the
arithmetic at a clicked position; a unit's theoretical and effective receptive fields on the
photo; and deleting blocks live (Veit et al. 2016). /block, /erf, /erf_stages, /lesions and
/lesion_curve are its API. Layout and wiring only: block_pages.py renders, through `engine()`.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from ..arch.registry import get_entry
from ..errors import ExplorerError
from ..experiments.data import HELDOUT
from ..i18n import page_language, t
from ..models.bundled import TRAINED_CARD, trained_file
from .checks import check_request, image_input, weight_choices, weights_arg
from .compute import compute, timed
from .files import examples
from .links import view_of
from .shared import (
    Labels,
    after_first_view,
    answering,
    device,
    engine,
    fail,
    initial_language,
    said,
    whole,
)
from .tab_predict import image_and_model
from .views import error_note, note_line

OPENS_ON = "resnet20"  # trained here, on 32×32 shapes: every part of the tab works offline
OPENS_AT = "layer2.0"  # the first block of stage 2: a shortcut that is not the identity
MAPS = ("map_s", "map_f", "map_sum", "map_out")


def _block(model: str, block: Any) -> str:
    names = engine().block_names(model)
    if not isinstance(block, str) or block not in names:
        raise ExplorerError.text("err_no_block", block=block, example=names[len(names) // 2])
    return block


def _channel(channel: Any) -> int | None:
    """An optional channel: empty, or a whole number (the block says which are there)."""
    channel = whole(channel)
    if channel in (None, ""):
        return None
    if isinstance(channel, bool) or not isinstance(channel, int):
        raise ExplorerError.text("err_bad_channel", value=channel)
    return channel


def _request(image: Any, model: Any, weights: Any, lang: str) -> tuple[Any, str, str | None]:
    name = check_request(model, None, None)
    return image_input(image, lang), name, weights_arg(name, weights)


def block(image: Any, model: str, block_name: str = OPENS_AT, channel: Any = None,
          weights: str = "DEFAULT", lang: str = "en") -> tuple[Any, ...]:  # fmt: skip
    """/block: S(x), F(x), F(x) + S(x) and the output of one channel of a block on one colour
    scale (four pictures), the plain twin's F(x) on the same scale (a fifth, where the model has
    a plain twin with weights like its own; else None), and what they show."""
    return _block_page(image, model, block_name, channel, weights, lang)[0]


def _block_page(image: Any, model: Any, block_name: Any, channel: Any, weights: Any, lang: str
                ) -> tuple[tuple[Any, ...], int]:  # fmt: skip
    """/block's outputs, and the channel they show."""
    lang = page_language(lang)
    with answering(lang, free=True):
        source, name, chosen = _request(image, model, weights, lang)
        wanted = _block(name, block_name)
        page = compute().call(timed, engine().block_page, source, name, chosen, wanted,
                              _channel(channel), device(), lang)  # fmt: skip
    pictures = [gr.Image(value=str(p), label=text) for p, text in zip(page.panels, page.labels,
                                                                     strict=True)]  # fmt: skip
    twin = (gr.Image(value=str(page.twin), label=page.twin_label, visible=True) if page.twin
            else _no_twin())  # fmt: skip
    return (*pictures, twin, page.stats), page.channel


def _no_twin() -> Any:
    """The twin's place, empty and hidden (a plain model has no twin)."""
    return gr.Image(value=None, visible=False)


def shown(image: Any, model: str, block_name: str, channel: Any, weights: str, lang: str,
          before: Any = None) -> tuple[Any, ...]:  # fmt: skip
    """The page's own event: the maps, or a refusal where they were; the arithmetic goes, and
    what is shown (and its channel) is kept for the clicks that follow. The same request again
    changes nothing: an image set by the page fires its change event more than once, and a
    repeat must not wipe the arithmetic a student has just clicked."""
    lang = page_language(lang)
    source = image.get("path") if isinstance(image, dict) else image
    key = repr((source, model, block_name, whole(channel), weights, lang))
    if isinstance(before, dict) and before.get("key") == key:
        return (gr.skip(),) * 8
    if image is None:
        return None, None, None, None, _no_twin(), note_line(t(lang, "no_image")), "", None
    try:
        outputs, at = _block_page(image, model, block_name, channel, weights, lang)
        return (*outputs, note_line(t(lang, "arith_hint")), {"key": key, "channel": at})
    except gr.Error as err:
        return None, None, None, None, _no_twin(), error_note(str(err.message)), "", None


def _pixel(evt: Any) -> tuple[int, int] | None:
    """Where a click on a picture landed (x, y), if the event says so."""
    index = getattr(evt, "index", None)
    if not isinstance(index, (list, tuple)) or len(index) != 2:
        return None
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in index):
        return None
    return int(index[0]), int(index[1])


def arithmetic(image: Any, model: str, block_name: str, at: Any, weights: str, lang: str,
               evt: gr.SelectData) -> Any:  # fmt: skip
    """A click on a map: S, F, their sum and the output at that position, for the channel on
    screen (`at`, kept by `shown`)."""
    lang = page_language(lang)
    pixel = _pixel(evt)
    channel = at.get("channel") if isinstance(at, dict) else None
    if pixel is None or channel is None:
        return gr.skip()
    try:
        source, name, chosen = _request(image, model, weights, lang)
        return compute().call(timed, engine().block_arithmetic, source, name, chosen,
                              _block(name, block_name), _channel(channel), device(), pixel,
                              lang)  # fmt: skip
    except gr.Error as err:
        return error_note(str(err.message))
    except Exception as err:
        return error_note(str(fail(err, lang).message))


def erf(image: Any, model: str, layer: str = "layer2", row: Any = None, col: Any = None,
        weights: str = "DEFAULT", lang: str = "en") -> tuple[Any, str]:  # fmt: skip
    """/erf: the theoretical and effective receptive fields of the unit at (row, col) of `layer`
    (a stage or block; empty row and col: the centre), drawn on the photo, and their sizes."""
    lang = page_language(lang)
    with answering(lang):
        source, name, chosen = _request(image, model, weights, lang)
        position = _position(row, col)
        return _erf(source, name, chosen, layer, position, None, lang)


def _position(row: Any, col: Any) -> tuple[int, int] | None:
    row, col = whole(row), whole(col)
    if row in (None, "") and col in (None, ""):
        return None
    for value in (row, col):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ExplorerError.text("err_bad_position", value=(row, col))
    return row, col


def _erf(source: Any, name: str, chosen: str | None, layer: Any, position: Any, pixel: Any,
         lang: str) -> tuple[str, str]:  # fmt: skip
    """The picture and the sentence; the layer is checked before the model loads."""
    if not isinstance(layer, str) or layer not in engine().layer_names(name):
        raise ExplorerError.text("err_no_layer", layer=layer, model=name,
                                 example=engine().layer_names(name)[0])  # fmt: skip
    path, html, _ = compute().call(timed, engine().erf_page, source, name, chosen, layer,
                                   position, pixel, device(), lang)  # fmt: skip
    return str(path), html


def erf_shown(image: Any, model: str, layer: str, weights: str, lang: str,
              pixel: tuple[int, int] | None = None) -> tuple[Any, str]:  # fmt: skip
    """The page's event: the centre unit, or the one nearest `pixel` on the picture."""
    lang = page_language(lang)
    if image is None:
        return None, note_line(t(lang, "no_image"))
    try:
        source, name, chosen = _request(image, model, weights, lang)
        return _erf(source, name, chosen, layer, None, pixel, lang)
    except gr.Error as err:
        return None, error_note(str(err.message))
    except Exception as err:
        return None, error_note(str(fail(err, lang).message))


def erf_clicked(image: Any, model: str, layer: str, weights: str, lang: str,
                evt: gr.SelectData) -> tuple[Any, str]:  # fmt: skip
    """A click on the photo: the unit nearest to it."""
    pixel = _pixel(evt)
    if pixel is None:
        return gr.skip(), gr.skip()
    return erf_shown(image, model, layer, weights, lang, pixel)


def erf_stages(model: str, weights: str = "DEFAULT", lang: str = "en",
               progress: gr.Progress = gr.Progress()  # noqa: B008 (Gradio injects it)
               ) -> tuple[Any, str]:  # fmt: skip
    """/erf_stages: per stage, the theoretical field beside the effective one (50% and 90%),
    averaged over the example images, for the trained and for random weights."""
    lang = page_language(lang)
    with answering(lang):
        name = check_request(model, None, None)
        chosen = weights_arg(name, weights)

        def told(done: float) -> None:
            progress(done, desc=t(lang, "erf_stages_btn"))

        return compute().call(timed, engine().erf_stages_page, name, chosen, device(),
                              examples(), lang, told)  # fmt: skip


def lesions(image: Any, model: str, deleted: Any = (), weights: str = "DEFAULT",
            lang: str = "en") -> tuple[Any, str]:  # fmt: skip
    """/lesions: the image's top-5 with the `deleted` blocks removed (a residual block keeps its
    shortcut, a plain block becomes the identity), and the held-out accuracy."""
    lang = page_language(lang)
    with answering(lang, free=True):
        source, name, chosen = _request(image, model, weights, lang)
        if deleted is None:
            deleted = []
        if not isinstance(deleted, (list, tuple)) or len(deleted) > 1000:
            raise ExplorerError.text("err_bad_deleted", value=deleted)
        names = engine().block_names(name)
        for b in deleted:
            _block(name, b)
        ordered = [b for b in names if b in deleted]
        return compute().call(timed, engine().lesion_page, source, name, chosen, ordered,
                              device(), lang)  # fmt: skip


def lesions_shown(image: Any, model: str, deleted: Any, weights: str, lang: str
                  ) -> tuple[Any, str]:  # fmt: skip
    lang = page_language(lang)
    if image is None:
        return None, note_line(t(lang, "no_image"))
    try:
        return lesions(image, model, deleted, weights, lang)
    except gr.Error as err:
        return None, error_note(str(err.message))


def lesion_curve(lang: str = "en",
                 progress: gr.Progress = gr.Progress()  # noqa: B008 (Gradio injects it)
                 ) -> tuple[Any, str]:  # fmt: skip
    """/lesion_curve: Veit et al.'s curve for the shipped resnet20, resnet56 and plain20: the
    held-out error with k = 0 … 10 blocks deleted at random, 5 draws per k."""
    lang = page_language(lang)

    def told(done: float, model: str) -> None:
        progress(done, desc=t(lang, "les_progress", model=model))

    with answering(lang):
        return compute().call(timed, engine().lesion_curves_page, device(), lang, told)


def _options(model: str, lang: str) -> tuple[str, list[Any], list[str], str, list[str], str,
                                              list[str]]:  # fmt: skip
    """The model's registry name, weights menu, blocks (and the one to open at), layers (and the
    stage of that block), and the blocks that can be deleted."""
    name = get_entry(model).name
    blocks = list(engine().block_names(name))
    layers = list(engine().layer_names(name))
    can = list(engine().deletable_blocks(name)[0])
    at = OPENS_AT if OPENS_AT in blocks else blocks[len(blocks) // 2]
    stage = at.rsplit(".", 1)[0] if at.rsplit(".", 1)[0] in layers else layers[0]
    return name, weight_choices(name, lang), blocks, at, layers, stage, can


def model_options(model: str, lang: str = "en") -> tuple[Any, ...]:
    """The weights, blocks, channel, layers and deletable blocks that fit the chosen model."""
    lang = page_language(lang)
    try:
        _, weights, blocks, at, layers, stage, can = _options(model, lang)
    except Exception as err:
        raise fail(err, lang) from None
    return (gr.Dropdown(choices=weights, value=weights[0][1]),
            gr.Dropdown(choices=blocks, value=at), None, gr.Dropdown(choices=layers, value=stage),
            gr.CheckboxGroup(choices=can, value=[]))  # fmt: skip


def start(request: gr.Request) -> tuple[Any, ...]:
    """On page load: the link's model, block and channel (and the first example image, so that
    the maps show at once), else resnet20, trained here."""
    after_first_view(request, "block")
    lang = initial_language(request)
    view = view_of(request)
    model = view.model_for("block") or OPENS_ON
    try:
        name, weights, blocks, at, layers, stage, can = _options(model, lang)
    except Exception:  # a model of yours that no longer reads: the tab's first model instead
        name, weights, blocks, at, layers, stage, can = _options(OPENS_ON, lang)
    image: Any = gr.skip()
    channel: Any = None
    if view.tab == "block" and view.block in blocks:
        at, channel, image = view.block, view.channel, examples()[0]
    return (name, gr.Dropdown(choices=weights, value=weights[0][1]),
            gr.Dropdown(choices=blocks, value=at), channel,
            gr.Dropdown(choices=layers, value=stage), gr.CheckboxGroup(choices=can, value=[]),
            image)  # fmt: skip


def erf_again(picture: Any, image: Any, model: str, layer: str, weights: str, lang: str
              ) -> tuple[Any, str]:  # fmt: skip
    """After the language switch: the field on screen, said again (the centre unit)."""
    if not picture:
        return gr.skip(), gr.skip()
    return erf_shown(image, model, layer, weights, lang)


def curve_again(shown_plot: Any, lang: str) -> tuple[Any, Any]:
    """After the language switch: the curve on screen in the new language (it is measured once
    per process, then only drawn)."""
    return lesion_curve(lang) if shown_plot else (gr.skip(), gr.skip())


def stages_again(shown_plot: Any, model: str, weights: str, lang: str) -> tuple[Any, Any]:
    return erf_stages(model, weights, lang) if shown_plot else (gr.skip(), gr.skip())


def _card() -> str:
    """The shipped networks' model card (how they were trained, how well they do)."""
    path = trained_file(TRAINED_CARD)
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def build_tab(label: Labels, lang: gr.Radio, demo: gr.Blocks) -> list[Any]:
    """The tab's components and events, inside the caller's gr.Tabs; returns what a link to the
    tab says (model, block, channel)."""
    en = "en"
    with gr.Tab(said("tab_block"), id="block", elem_id="tab-block"):
        label.markdown("block_guide")
        with gr.Row():
            with gr.Column(scale=1, min_width=240):
                image, model = image_and_model(200)
            with gr.Column(scale=2):
                with gr.Row():
                    choices = weight_choices(OPENS_ON, en)
                    weights = gr.Dropdown(choices, value=choices[0][1], label=said("weights"))
                    block_menu = gr.Dropdown([OPENS_AT], value=OPENS_AT, label=said("block"),
                                             elem_id="block-menu")  # fmt: skip
                    channel = gr.Number(None, precision=0, minimum=0, label=said("channel"),
                                        elem_id="block-channel")  # fmt: skip
                show = gr.Button(said("show_block"), variant="primary")
                stats = gr.HTML(elem_id="block-stats-box")
        # The four maps in one row across the page: readable on a 1024 px projector.
        with gr.Row(elem_id="block-maps", equal_height=True):
            maps = []
            for key in MAPS:  # then the plain twin's F(x), shown where the model has one
                # until a block is shown, the output's caption names torchvision's ReLU
                picture = gr.Image(type="filepath", interactive=False,
                                   label=said(key, act="ReLU"), elem_id=f"block-{key}",
                                   min_width=120, buttons=[])  # fmt: skip
                maps.append(picture)
            twin = gr.Image(type="filepath", interactive=False, visible=False, min_width=120,
                            elem_id="block-map_twin", buttons=[])  # fmt: skip
        arith = gr.HTML(elem_id="block-arith-box")
        label.markdown("erf_title", "### {}")
        label.markdown("erf_guide")
        with gr.Row():
            with gr.Column(scale=1, min_width=220):
                layer = gr.Dropdown(["layer2"], value="layer2", label=said("erf_layer"),
                                    elem_id="erf-layer")  # fmt: skip
                erf_btn = gr.Button(said("erf_btn"), variant="primary")
                stages_btn = gr.Button(said("erf_stages_btn"))
            with gr.Column(scale=1, min_width=260):
                erf_picture = gr.Image(type="filepath", interactive=False, show_label=False,
                                       elem_id="erf-picture", buttons=["download"])  # fmt: skip
            with gr.Column(scale=1, min_width=260):
                erf_text = gr.HTML(elem_id="erf-text-box")
        erf_plot = gr.Plot(show_label=False, elem_id="erf-chart")
        erf_growth = gr.HTML(elem_id="erf-growth-box")
        label.markdown("les_title", "### {}")
        label.markdown("les_guide", n=HELDOUT)
        with gr.Row():
            with gr.Column(scale=2):
                deleted = gr.CheckboxGroup([], label=said("les_blocks"), elem_id="lesion-blocks")
                les_text = gr.HTML(elem_id="lesion-text")
            with gr.Column(scale=1, min_width=240):
                top5 = gr.Label(num_top_classes=5, label=said("les_top5"), elem_id="lesion-top5")
        curve_btn = gr.Button(said("les_curve_btn"))
        curve_plot = gr.Plot(show_label=False, elem_id="lesion-curve")
        curve_text = gr.HTML(elem_id="lesion-curve-text")
        with gr.Accordion(said("trained_card"), open=False, elem_id="trained-card"):
            gr.Markdown(_card())
        api = gr.Button(visible=False)  # the API's own doors, with their documented signatures
        row, col = gr.Number(visible=False), gr.Number(visible=False)

    private: dict[str, Any] = {"api_visibility": "private"}
    slot: dict[str, Any] = {"concurrency_id": "block", "concurrency_limit": 2}
    asked = [image, model, block_menu, channel, weights, lang]
    drawn = [*maps, twin, stats]
    menus = [weights, block_menu, channel, layer, deleted]
    gone = [*maps, twin, stats, arith, erf_picture, erf_text, erf_plot, erf_growth, top5, les_text]

    at = gr.State(None)  # the channel the maps on screen show: what a click on them reads

    def cleared() -> tuple[Any, ...]:
        return (None, None, None, None, _no_twin(), *(None,) * (len(gone) - 5), None)

    def keep_menus(*_: Any) -> tuple[Any, ...]:
        return (gr.skip(),) * len(menus)

    demo.load(start, None, [model, *menus, image], **private)
    # Another model or weights: every result of the old one goes, the maps come back for the
    # new one (a block view costs less than a forward pass) and the top-5 without deletions.
    for event, options in ((model.input, model_options), (weights.input, keep_menus)):
        event(cleared, None, [*gone, at], **private).then(
            options, [model, lang], menus, **private).then(
            shown, [*asked, at], [*drawn, arith, at], **private, **slot, preprocess=False).then(
            lesions_shown, [image, model, deleted, weights, lang], [top5, les_text], **private,
            **slot, preprocess=False)  # fmt: skip
    # Another block: its channels are others, so the channel box starts empty again.
    block_menu.input(lambda: None, None, channel, **private).then(
        shown, [*asked, at], [*drawn, arith, at], **private, **slot, preprocess=False)  # fmt: skip
    gr.on([show.click, image.change, channel.submit], shown, [*asked, at], [*drawn, arith, at],
          **private, **slot, preprocess=False)  # fmt: skip
    gr.on([image.change, deleted.input], lesions_shown, [image, model, deleted, weights, lang],
          [top5, les_text], **private, **slot, preprocess=False)  # fmt: skip
    for picture in (*maps, twin):
        picture.select(arithmetic, [image, model, block_menu, at, weights, lang], arith,
                       **private, **slot, preprocess=False)  # fmt: skip
    gr.on([erf_btn.click, layer.input], erf_shown, [image, model, layer, weights, lang],
          [erf_picture, erf_text], **private, **slot, preprocess=False)  # fmt: skip
    erf_picture.select(erf_clicked, [image, model, layer, weights, lang],
                       [erf_picture, erf_text], **private, **slot, preprocess=False)  # fmt: skip
    image.change(lambda: (None, None), None, [erf_picture, erf_text], **private)
    stages_btn.click(erf_stages, [model, weights, lang], [erf_plot, erf_growth],
                     api_name="erf_stages", **slot)  # fmt: skip
    curve_btn.click(lesion_curve, [lang], [curve_plot, curve_text], api_name="lesion_curve",
                    **slot)  # fmt: skip
    label.again(shown, [*asked, at], [*drawn, arith, at])
    label.again(lesions_shown, [image, model, deleted, weights, lang], [top5, les_text])
    label.again(erf_again, [erf_picture, image, model, layer, weights, lang],
                [erf_picture, erf_text])  # fmt: skip
    label.again(curve_again, [curve_plot, lang], [curve_plot, curve_text])
    label.again(stages_again, [erf_plot, model, weights, lang], [erf_plot, erf_growth])
    api.click(block, asked, drawn, api_name="block", **slot, preprocess=False)
    api.click(erf, [image, model, layer, row, col, weights, lang], [erf_picture, erf_text],
              api_name="erf", **slot, preprocess=False)  # fmt: skip
    api.click(lesions, [image, model, deleted, weights, lang], [top5, les_text],
              api_name="lesions", **slot, preprocess=False)  # fmt: skip
    return [model, block_menu, channel]
