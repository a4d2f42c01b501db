"""The Architecture tab: any registry model or custom build at any input size, with its depth
formula, stage table, charts, block diagram, layer tree and downloads. /architecture,
/custom_model and /summary are its API. Layout and wiring only: pages.py renders, reached through
`engine()` so that the page is served before torch loads.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from ..arch.registry import (
    MAX_GROUP_WIDTH,
    MAX_GROUPS,
    MAX_STAGE_BLOCKS,
    custom_spec,
    get_entry,
    list_models,
)
from ..errors import ExplorerError
from ..i18n import page_language, t
from .limits import CONCURRENCY, MAX_SIZE_SLIDER, MIN_SIZE_SLIDER
from .links import view_of
from .shared import Labels, engine, fail, initial_language, said, whole
from .views import error_note, note_line

OPENS_ON = "resnet50"  # the model the tab shows first


def architecture(model: str, input_size: float, lang: str = "en") -> tuple[Any, ...]:
    """Formula, stage table, cost story, two figures, block diagram, layer tree, JSON and CSV."""
    try:
        pages = engine()
        page = pages.architecture_page(model, whole(input_size), lang)
        json_path, csv_path = pages.export_files(model, whole(input_size))
    except Exception as err:
        raise fail(err, lang) from None
    return (page.formula, page.stages, page.story, page.costs, page.treemap, page.diagram,
            page.tree, str(json_path), str(csv_path))  # fmt: skip


def first_view(model: str, input_size: float, request: gr.Request) -> tuple[Any, ...]:
    """The tab as the page opens, in the language of the link or the browser: the link's model
    and size if it names them (at the model's own size if it names none)."""
    view = view_of(request)
    if view.model_for("architecture"):
        model = view.model_for("architecture")
        input_size = view.size_for("architecture") or get_entry(model).input_size
    return model, input_size, *architecture(model, input_size, initial_language(request))


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
                 groups: float, width: float, v1: bool, lang: str = "en"
                 ) -> tuple[Any, str]:  # fmt: skip
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
    return spec, note_line(t(lang, "custom_built", spec=spec))


def natural_size(model: str, current: float) -> float:
    """The model's own input size (64 for the demo models) when the slider sits at another
    model's own size; a size the user chose is kept."""
    natural = {get_entry(name).input_size for name in list_models()}
    try:
        return get_entry(model).input_size if current in natural else current
    except ExplorerError:
        return current  # the architecture event reports the bad name


def summary(name: str, input_size: int = 224) -> str:
    """The CLI's text summary of one model."""
    try:
        return engine().summary(name, whole(input_size))
    except Exception as err:
        raise fail(err, "en") from None


def build_tab(label: Labels, lang: gr.Radio, demo: gr.Blocks) -> list[Any]:
    """The tab's components and events, inside the caller's gr.Tabs; returns what a link to
    the tab says (model, size)."""
    with gr.Tab(said("tab_arch"), id="architecture") as tab:
        label(tab, lambda lg: gr.Tab(label=t(lg, "tab_arch")))
        with gr.Row():
            model = gr.Dropdown(list_models(), value=OPENS_ON, allow_custom_value=True,
                                label=said("model"), info=said("model_info"),
                                scale=3)  # fmt: skip
            label(model, lambda lg: gr.Dropdown(label=t(lg, "model"),
                                                info=t(lg, "model_info")))  # fmt: skip
            size = gr.Slider(MIN_SIZE_SLIDER, MAX_SIZE_SLIDER, value=224, step=1, scale=2,
                             label=said("input_size"))  # fmt: skip
            label(size, lambda lg: gr.Slider(label=t(lg, "input_size")))
        with gr.Accordion(said("custom_title"), open=False) as box:
            label(box, lambda lg: gr.Accordion(label=t(lg, "custom_title")))
            with gr.Row():
                block = gr.Radio(["basic", "bottleneck"], value="bottleneck",
                                 label=said("block_type"))  # fmt: skip
                label(block, lambda lg: gr.Radio(label=t(lg, "block_type")))
                counts = []
                for i in range(1, 5):
                    stage = f"layer{i}"
                    n = gr.Number(2, label=said("stage_blocks", stage=stage), precision=0,
                                  minimum=1, maximum=MAX_STAGE_BLOCKS, min_width=110)  # fmt: skip
                    label(n, lambda lg, s=stage: gr.Number(label=t(lg, "stage_blocks",
                                                                     stage=s)))  # fmt: skip
                    counts.append(n)
            with gr.Row():
                groups = gr.Number(1, label=said("groups"), precision=0, minimum=1)
                label(groups, lambda lg: gr.Number(label=t(lg, "groups")))
                width = gr.Number(64, label=said("width"), precision=0, minimum=1)
                label(width, lambda lg: gr.Number(label=t(lg, "width")))
                v1 = gr.Checkbox(False, label=said("paper_v1"))
                label(v1, lambda lg: gr.Checkbox(label=t(lg, "paper_v1")))
                build_btn = gr.Button(said("build"), variant="primary")
                label(build_btn, lambda lg: gr.Button(t(lg, "build")))
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
        with gr.Accordion(said("section_tree"), open=False) as tree_box:
            label(tree_box, lambda lg: gr.Accordion(label=t(lg, "section_tree")))
            tree = gr.HTML()
        with gr.Row():
            json_file = gr.DownloadButton(said("download_json"), size="md")
            label(json_file, lambda lg: gr.DownloadButton(t(lg, "download_json")))
            csv_file = gr.DownloadButton(said("download_csv"), size="md")
            label(csv_file, lambda lg: gr.DownloadButton(t(lg, "download_csv")))

    outputs = [formula, stages, story, costs, treemap, diagram, tree, json_file, csv_file]
    demo.load(first_view, [model, size], [model, size, *outputs], api_visibility="private",
              concurrency_limit=CONCURRENCY)  # fmt: skip
    gr.on([size.release, lang.input], architecture, [model, size, lang], outputs,
          api_name="architecture", concurrency_limit=CONCURRENCY)  # fmt: skip
    # The model's own events follow the user (model.input): the load event sets the model in its
    # own language, and a render triggered by that change could land in the other.
    model.input(natural_size, [model, size], size, api_visibility="private").then(
        architecture, [model, size, lang], outputs, api_visibility="private",
        concurrency_limit=CONCURRENCY)  # fmt: skip
    form = [block, *counts, groups, width, v1, lang]
    gr.on([build_btn.click, *(box.submit for box in [*counts, groups, width])], build_custom,
          form, [model, form_note], api_visibility="private", preprocess=False).then(
        natural_size, [model, size], size, api_visibility="private").then(
        architecture, [model, size, lang], outputs, api_visibility="private",
        concurrency_limit=CONCURRENCY)  # fmt: skip
    return [model, size]
