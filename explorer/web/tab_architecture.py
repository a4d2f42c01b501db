"""The Architecture tab: any registry model or custom build at any input size, with its depth
formula, stage table, charts, block diagram, layer tree and downloads. /architecture,
/custom_model and /summary are its API. Layout and wiring only: pages.py renders, reached through
`engine()` so that the page is served before torch loads.
"""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import urlencode

import gradio as gr
from gradio.components.plot import PlotData

from ..arch.registry import (
    MAX_GROUP_WIDTH,
    MAX_GROUPS,
    MAX_STAGE_BLOCKS,
    custom_spec,
    get_entry,
    menu_models,
)
from ..errors import ExplorerError
from ..i18n import page_language, t
from . import shipped
from .limits import CONCURRENCY, MAX_SIZE_SLIDER, MIN_SIZE_SLIDER
from .links import view_of
from .shared import (
    Labels,
    after_first_view,
    engine,
    fail,
    initial_language,
    said,
    served_first_view,
    unless_user_chose,
    user_chose,
    whole,
)
from .views import error_note, note_line

OPENS_ON = "resnet50"  # the model the tab shows first


def architecture(model: str, input_size: float, lang: str = "en") -> tuple[Any, ...]:
    """Formula, stage table, cost story, two figures, block diagram, layer tree, JSON and CSV.

    A registry model at its own input size is read from the pages shipped in the package (no
    torch: the first view does not wait for the engine's import); anything else is computed."""
    ready = shipped.page(model, whole(input_size), page_language(lang))
    files = shipped.export_files(model, whole(input_size)) if ready else None
    if ready and files:
        return (ready.formula, ready.stages, ready.story, _plot(ready.costs),
                _plot(ready.treemap), ready.diagram, ready.tree, str(files[0]),
                str(files[1]))  # fmt: skip
    try:
        pages = engine()
        page = pages.architecture_page(model, whole(input_size), lang)
        json_path, csv_path = pages.export_files(model, whole(input_size))
    except ExplorerError as err:
        if err.key != "err_not_residual":
            raise fail(err, lang) from None
        # Not a ResNet: said in one sentence, and what is exact anyway (modules, params, MACs)
        try:
            modules = engine().modules_page(model, whole(input_size), lang)
        except Exception:
            raise fail(err, lang) from None
        return (error_note(err.in_language(lang)), modules, "", None, None, "", "", None, None)
    except Exception as err:
        raise fail(err, lang) from None
    return (page.formula, page.stages, page.story, page.costs, page.treemap, page.diagram,
            page.tree, str(json_path), str(csv_path))  # fmt: skip


def _plot(figure: str) -> PlotData:
    """A shipped chart as gr.Plot sends a Plotly figure: its JSON."""
    return PlotData(type="plotly", plot=figure)


def network(model: str, input_size: float = 224, plain: bool = False,
            orientation: str = "vertical", lang: str = "en",
            figure3: bool = False) -> str:  # fmt: skip
    """/network: the whole network as Figure 3 of the paper draws it, HTML around the SVG
    (`figure3`: VGG-19 and the plain twin beside it, as the paper sets them)."""
    draw = "figure3" if figure3 is True else "plain" if plain is True else "residual"
    return _figure(model, input_size, draw, orientation, lang, ())[0]


def _figure(model: str, input_size: float, draw: str, orientation: str, lang: str,
            toggled: Any) -> tuple[str, str, str]:  # fmt: skip
    """The figure with `toggled` opened or closed, and its SVG and PNG files. `draw`: the
    network ("residual"), its plain twin ("plain"), or the paper's three ("figure3")."""
    try:
        view = engine().network_view(model, whole(input_size), draw == "plain", orientation,
                                     page_language(lang), _names(toggled),
                                     figure3=draw == "figure3")  # fmt: skip
    except Exception as err:
        raise fail(err, lang) from None
    return view.html, str(view.svg), str(view.png)


def _names(toggled: Any) -> tuple[str, ...]:
    """The opened stages and blocks kept for this page (its own state, never a client's)."""
    return tuple(n for n in toggled if isinstance(n, str)) if isinstance(toggled, (list, tuple)) \
        else ()  # fmt: skip


def network_anew(model: str, input_size: float, draw: str, orientation: str, lang: str
                 ) -> tuple[Any, ...]:  # fmt: skip
    """The figure for a new model, size or language, nothing opened and no block's row, with its
    downloads: one event, so that it follows the tab's own answer in one step."""
    after_first_view()
    return [], "", *_figure(model, input_size, draw, orientation, lang, ())


def network_redraw(model: str, input_size: float, draw: str, orientation: str, lang: str,
                   toggled: Any) -> tuple[str, str, str]:  # fmt: skip
    """The plain twin, Figure 3 or the other orientation, keeping what the user opened."""
    return _figure(model, input_size, draw, orientation, lang, toggled)


def network_click(model: str, input_size: float, draw: str, orientation: str, lang: str,
                  toggled: Any, evt: gr.EventData) -> tuple[Any, ...]:  # fmt: skip
    """A click on a stage or a block of the figure: it opens or closes; a block says its row."""
    name = (evt._data or {}).get("toggle") if isinstance(evt._data, dict) else None
    try:
        now, row = engine().network_click(model, whole(input_size), _names(toggled), name,
                                          page_language(lang))  # fmt: skip
    except Exception:
        return (gr.skip(),) * 5  # the model box holds a bad name: its own event says so
    drawn = _figure(model, input_size, draw, orientation, lang, now)
    return list(now), (note_line(row) + inside_link(model, name, lang) if row else ""), *drawn


def inside_link(model: str, block: str, lang: str) -> str:
    """A link from a block of the figure to the Inside-a-block tab, open at that block."""
    query = urlencode({"tab": "block", "model": model, "block": block, "lang": page_language(lang)})
    text = escape(t(page_language(lang), "block_link", block=block))
    return f'<a class="rx-inside" id="inside-link" href="?{escape(query)}">{text}</a>'


DRAWN = (("net_residual", "residual"), ("net_plain_box", "plain"), ("net_figure3", "figure3"))


def _draw_choices() -> list[tuple[Any, str]]:
    """What the figure draws: the network, its plain twin, or the paper's three side by side."""
    return [(said(key), value) for key, value in DRAWN]


# Clicks on the figure's stages and blocks (elements with data-toggle) become the figure's click
# event, with the name as its data.
NETWORK_JS = """
element.addEventListener('click', (event) => {
  const hit = event.target.closest('[data-toggle]');
  if (hit) trigger('click', {toggle: hit.getAttribute('data-toggle')});
});
"""


def first_view(model: str, input_size: float, request: gr.Request) -> tuple[Any, ...]:
    """The tab as the page opens, in the language of the link or the browser: the link's model
    and size if it names them (at the model's own size if it names none). Nothing, if the user
    chose a model on this page before it was ready."""
    view = view_of(request)
    if view.model_for("architecture"):
        model = view.model_for("architecture")
        input_size = view.size_for("architecture") or get_entry(model).input_size
    try:
        opened = model, input_size, *architecture(model, input_size, initial_language(request))
    finally:
        served_first_view()  # the server's warm-up and the other load events wait for this
    return unless_user_chose(request, "architecture", opened)


def custom_model(block: str, layer1: float, layer2: float, layer3: float, layer4: float,
                 groups: float, width: float, v1: bool, lang: str = "en") -> str:  # fmt: skip
    """The spec string of a custom configuration, validated ("bottleneck-2-2-2-2")."""
    try:
        layers = [whole(n) for n in (layer1, layer2, layer3, layer4)]
        if block == "basic":  # groups, width and v1 are Bottleneck options
            return custom_spec("basic", layers)
        return custom_spec("bottleneck", layers, whole(groups), whole(width), bool(v1))
    except Exception as err:
        raise fail(err, lang) from None


def form_problem(block: str, counts: list[Any], groups: Any, width: Any, lang: str
                 ) -> str | None:  # fmt: skip
    """What is wrong with the custom-build form, in the form's own words (its fields' labels,
    not the spec grammar), or None."""

    def shown(value: Any) -> Any:
        return t(lang, "form_empty") if value is None or value == "" else value

    def bad(value: Any, low: int, high: int | None = None) -> bool:
        n = whole(value)
        return not isinstance(n, int) or isinstance(n, bool) or n < low \
            or (high is not None and n > high)  # fmt: skip

    for i, n in enumerate(counts, start=1):
        if bad(n, 1, MAX_STAGE_BLOCKS):
            return t(lang, "form_blocks", field=t(lang, "stage_blocks", stage=f"layer{i}"),
                     max=MAX_STAGE_BLOCKS, value=shown(n))  # fmt: skip
    if block == "basic":  # groups and width are Bottleneck options
        return None
    if bad(groups, 1, MAX_GROUPS):
        return t(lang, "form_groups", field=t(lang, "groups"), max=MAX_GROUPS, value=shown(groups))
    if bad(width, 1):
        return t(lang, "form_width", field=t(lang, "width"), value=shown(width))
    if whole(groups) * whole(width) > MAX_GROUP_WIDTH:
        return t(lang, "form_group_width", groups_field=t(lang, "groups"),
                 width_field=t(lang, "width"), groups=whole(groups), width=whole(width),
                 product=whole(groups) * whole(width), max=MAX_GROUP_WIDTH)  # fmt: skip
    return None


def build_custom(block: str, layer1: float, layer2: float, layer3: float, layer4: float,
                 groups: float, width: float, v1: bool, lang: str = "en",
                 request: gr.Request | None = None) -> tuple[Any, str]:  # fmt: skip
    """The page's "Analyse this ResNet": the spec into the Model box, or, with the model left as
    it is, a line under the form saying which field to change."""
    lang = page_language(lang)
    problem = form_problem(block, [layer1, layer2, layer3, layer4], groups, width, lang)
    if problem is not None:
        return gr.skip(), error_note(problem)
    try:
        spec = custom_model(block, layer1, layer2, layer3, layer4, groups, width, v1, lang)
    except gr.Error as err:  # the form's checks above should leave nothing for this
        return gr.skip(), error_note(str(err.message))
    user_chose(request, "architecture")  # the Model box changes: a first view must not undo it
    return spec, note_line(t(lang, "custom_built", spec=spec))


def natural_size(model: str, current: float) -> float:
    """The model's own input size (64 for the demo models) when the slider sits at another
    model's own size; a size the user chose is kept."""
    natural = {get_entry(name).input_size for name in menu_models()}
    try:
        return get_entry(model).input_size if current in natural else current
    except ExplorerError:
        return current  # the architecture event reports the bad name


def switched(model: str, input_size: float, lang: str,
             request: gr.Request | None = None) -> tuple[Any, ...]:  # fmt: skip
    """Another model from the menu: its own input size (as natural_size keeps or changes it)
    and the top of its page (formula, stages, story) in one answer."""
    size = natural_size(model, input_size)
    top = architecture(model, size, lang)[:3]
    user_chose(request, "architecture")  # a model that opened: a first view must not undo it
    return size, *top


def rest_of_page(model: str, input_size: float, lang: str) -> tuple[Any, ...]:
    """The rest of the page `switched` began: charts, diagram, tree and downloads (cached)."""
    return architecture(model, input_size, lang)[3:]


def summary(name: str, input_size: int = 224) -> str:
    """The CLI's text summary of one model."""
    try:
        return engine().summary(name, whole(input_size))
    except Exception as err:
        raise fail(err, "en") from None


def build_tab(label: Labels, lang: gr.Radio, demo: gr.Blocks) -> list[Any]:
    """The tab's components and events, inside the caller's gr.Tabs; returns what a link to
    the tab says (model, size)."""
    with gr.Tab(said("tab_arch"), id="architecture", elem_id="tab-architecture"):
        with gr.Row():
            model = gr.Dropdown(menu_models(), value=OPENS_ON, allow_custom_value=True,
                                label=said("model"), info=said("model_info"),
                                scale=3)  # fmt: skip
            size = gr.Slider(MIN_SIZE_SLIDER, MAX_SIZE_SLIDER, value=224, step=1, scale=2,
                             label=said("input_size"))  # fmt: skip
        with gr.Accordion(said("custom_title"), open=False):
            with gr.Row():
                block = gr.Radio(["basic", "bottleneck"], value="bottleneck",
                                 label=said("block_type"))  # fmt: skip
                counts = []
                for i in range(1, 5):
                    stage = f"layer{i}"
                    n = gr.Number(2, label=said("stage_blocks", stage=stage), precision=0,
                                  minimum=1, maximum=MAX_STAGE_BLOCKS, min_width=110)  # fmt: skip
                    counts.append(n)
            with gr.Row():
                groups = gr.Number(1, label=said("groups"), precision=0, minimum=1)
                width = gr.Number(64, label=said("width"), precision=0, minimum=1)
                v1 = gr.Checkbox(False, label=said("paper_v1"))
                build_btn = gr.Button(said("build"), variant="primary")
            label.markdown("custom_hint")
            form_note = gr.HTML(elem_id="custom-note")
        formula = gr.HTML()
        label.markdown("section_stages", "### {}")
        stages = gr.HTML()
        label.markdown("section_costs", "### {}")
        story = gr.Markdown()
        with gr.Row():
            costs = gr.Plot(show_label=False, elem_id="stage-costs")
            treemap = gr.Plot(show_label=False, elem_id="param-treemap")
        label.markdown("section_diagram", "### {}")
        diagram = gr.HTML()
        label.markdown("section_network", "### {}")
        with gr.Row():
            draw = gr.Radio(_draw_choices(), value="residual", label=said("net_draw"),
                            scale=2)  # fmt: skip
            orientation = gr.Radio([(said("net_vertical"), "vertical"),
                                    (said("net_horizontal"), "horizontal")], value="vertical",
                                   label=said("net_orientation"))  # fmt: skip
        label.markdown("net_hint")
        figure = gr.HTML(elem_id="network-figure", js_on_load=NETWORK_JS)
        row = gr.HTML(elem_id="network-row")
        opened = gr.State([])
        with gr.Row():
            svg_file = gr.DownloadButton(said("download_svg"), size="md")
            png_file = gr.DownloadButton(said("download_png"), size="md")
        with gr.Accordion(said("section_tree"), open=False):
            tree = gr.HTML()
        with gr.Row():
            json_file = gr.DownloadButton(said("download_json"), size="md")
            csv_file = gr.DownloadButton(said("download_csv"), size="md")

    outputs = [formula, stages, story, costs, treemap, diagram, tree, json_file, csv_file]
    shown = [model, size, draw, orientation, lang]
    private: dict[str, Any] = {"api_visibility": "private", "concurrency_limit": CONCURRENCY}

    drawn = [figure, svg_file, png_file]

    def figure_after(event: Any) -> None:
        """A new model, size or language: the figure anew, folded as its depth says."""
        event.then(network_anew, shown, [opened, row, *drawn], **private)

    # While the page opens, the formula and the stages say they are coming (page.quiet_background
    # leaves the other load events without progress).
    figure_after(demo.load(first_view, [model, size], [model, size, *outputs],
                           api_visibility="private", concurrency_limit=CONCURRENCY,
                           show_progress_on=outputs[:2]))  # fmt: skip
    figure_after(size.release(architecture, [model, size, lang], outputs, api_name="architecture",
                              concurrency_limit=CONCURRENCY))  # fmt: skip
    label.again(architecture, [model, size, lang], outputs)
    label.again(network_anew, shown, [opened, row, *drawn], then=True)
    # The model's own events follow the user (model.input): the load event sets the model in its
    # own language, and a render triggered by that change could land in the other.
    # The formula, the stages and the story first, the charts, diagram and tree a moment after:
    # the browser paints them in their own frame.
    figure_after(model.input(switched, [model, size, lang], [size, *outputs[:3]], **private)
                 .success(rest_of_page, [model, size, lang], outputs[3:], **private))  # fmt: skip
    form = [block, *counts, groups, width, v1, lang]
    figure_after(gr.on([build_btn.click, *(box.submit for box in [*counts, groups, width])],
                       build_custom, form, [model, form_note], api_visibility="private",
                       preprocess=False).then(
        natural_size, [model, size], size, api_visibility="private").then(
        architecture, [model, size, lang], outputs, **private))  # fmt: skip
    # The plain twin, Figure 3 or the other orientation keeps what the user opened.
    gr.on([draw.input, orientation.input], network_redraw, [*shown, opened], drawn, **private)
    figure.click(network_click, [*shown, opened], [opened, row, *drawn], **private)
    return [model, size]
