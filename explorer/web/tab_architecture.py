"""The Architecture tab: any registry model or custom build at any input size, with its depth
formula, stage table, charts, block diagram, layer tree and downloads. /architecture,
/custom_model and /summary are its API. Layout and wiring only: pages.py renders, reached through
`engine()` so that the page is served before torch loads.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from ..arch.registry import MAX_STAGE_BLOCKS, custom_spec, get_entry, list_models
from ..errors import ExplorerError
from ..i18n import t
from .limits import CONCURRENCY
from .shared import Labels, engine, fail, initial_language, whole

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
    """The tab as the page opens, in the browser's language."""
    return architecture(model, input_size, initial_language(request))


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


def build_tab(label: Labels, lang: gr.Radio, demo: gr.Blocks, en: str = "en") -> None:
    """The tab's components and events, inside the caller's gr.Tabs."""
    with gr.Tab(t(en, "tab_arch"), id="architecture") as tab:
        label(tab, lambda lg: gr.Tab(label=t(lg, "tab_arch")))
        with gr.Row():
            model = gr.Dropdown(list_models(), value=OPENS_ON, allow_custom_value=True,
                                label=t(en, "model"), info=t(en, "model_info"),
                                scale=3)  # fmt: skip
            label(model, lambda lg: gr.Dropdown(label=t(lg, "model"),
                                                info=t(lg, "model_info")))  # fmt: skip
            size = gr.Slider(32, 1024, value=224, step=1, label=t(en, "input_size"), scale=2)
            label(size, lambda lg: gr.Slider(label=t(lg, "input_size")))
        with gr.Accordion(t(en, "custom_title"), open=False) as box:
            label(box, lambda lg: gr.Accordion(label=t(lg, "custom_title")))
            with gr.Row():
                block = gr.Radio(["basic", "bottleneck"], value="bottleneck",
                                 label=t(en, "block_type"))  # fmt: skip
                label(block, lambda lg: gr.Radio(label=t(lg, "block_type")))
                counts = []
                for i in range(1, 5):
                    stage = f"layer{i}"
                    n = gr.Number(2, label=t(en, "stage_blocks", stage=stage), precision=0,
                                  minimum=1, maximum=MAX_STAGE_BLOCKS, min_width=110)  # fmt: skip
                    label(n, lambda lg, s=stage: gr.Number(label=t(lg, "stage_blocks",
                                                                     stage=s)))  # fmt: skip
                    counts.append(n)
            with gr.Row():
                groups = gr.Number(1, label=t(en, "groups"), precision=0, minimum=1)
                label(groups, lambda lg: gr.Number(label=t(lg, "groups")))
                width = gr.Number(64, label=t(en, "width"), precision=0, minimum=1)
                label(width, lambda lg: gr.Number(label=t(lg, "width")))
                v1 = gr.Checkbox(False, label=t(en, "paper_v1"))
                label(v1, lambda lg: gr.Checkbox(label=t(lg, "paper_v1")))
                build_btn = gr.Button(t(en, "build"), variant="primary")
                label(build_btn, lambda lg: gr.Button(t(lg, "build")))
            label.markdown("custom_hint")
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
        with gr.Accordion(t(en, "section_tree"), open=False) as tree_box:
            label(tree_box, lambda lg: gr.Accordion(label=t(lg, "section_tree")))
            tree = gr.HTML()
        with gr.Row():
            json_file = gr.DownloadButton(t(en, "download_json"), size="md")
            label(json_file, lambda lg: gr.DownloadButton(t(lg, "download_json")))
            csv_file = gr.DownloadButton(t(en, "download_csv"), size="md")
            label(csv_file, lambda lg: gr.DownloadButton(t(lg, "download_csv")))

    outputs = [formula, stages, story, costs, treemap, diagram, tree, json_file, csv_file]
    demo.load(first_view, [model, size], outputs, api_visibility="private",
              concurrency_limit=CONCURRENCY)  # fmt: skip
    gr.on([size.release, lang.change], architecture, [model, size, lang], outputs,
          api_name="architecture", concurrency_limit=CONCURRENCY)  # fmt: skip
    model.change(natural_size, [model, size], size, api_visibility="private").then(
        architecture, [model, size, lang], outputs, api_visibility="private",
        concurrency_limit=CONCURRENCY)  # fmt: skip
    build_btn.click(custom_model, [block, *counts, groups, width, v1, lang], model,
                    api_name="custom_model")  # fmt: skip
