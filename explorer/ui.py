"""The Gradio web app: layout, events and server settings. The only module that imports gradio.

It wires components to pages.py and holds no maths. Every event a client may call has an
`api_name`: /architecture, /compare, /predict (ui_predict.py), /shortcuts and /plain
(ui_shortcuts.py), /custom_model and /summary. Labels are registered beside their component, so
the language switch can relabel the whole page.
"""

from __future__ import annotations

import argparse
import threading
from collections.abc import Sequence
from typing import Any

import gradio as gr

from . import ui_predict, ui_shortcuts
from .analysis import analyze, warm_cache
from .device import select_device
from .errors import ExplorerError
from .i18n import LANGS, t
from .memory import limit_arenas
from .pages import architecture_page, compare_page, export_files, warm_pages
from .registry import custom_spec, get_entry, list_models
from .report import summary_text
from .theme import CSS, FONTS, MONO_FONTS
from .ui_shared import Labels, fail, whole

# Gradio's hard cap on any upload: a ResNet-152 checkpoint (230 MB) fits. Images are held to
# images.MAX_FILE_BYTES by our loader, whose message is translated, unlike Gradio's.
MAX_UPLOAD = "256mb"
QUEUE_SIZE = 64  # waiting requests beyond this are refused with a message, not left to pile up
CONCURRENCY = 4  # per event; cached pages answer in microseconds
DELETE_CACHE = (600, 3600)  # every 10 min, drop Gradio temp files older than an hour
PRESETS = {
    "preset_basic_bottleneck": ("resnet34", "resnet50"),
    "preset_v1": ("resnet50", "resnet50_v1"),
    "preset_depth": ("resnet18", "resnet34"),
    "preset_resnext": ("resnet50", "resnext50_32x4d"),
}


# ---------------------------------------------------------------- handlers (the API)


def architecture(model: str, input_size: float, lang: str = "en") -> tuple[Any, ...]:
    """Formula, stage table, cost story, two figures, block diagram, layer tree, JSON and CSV."""
    try:
        page = architecture_page(model, whole(input_size), lang)
        json_path, csv_path = export_files(model, whole(input_size))
    except Exception as err:
        raise fail(err, lang) from None
    return (page.formula, page.stages, page.story, page.costs, page.treemap, page.diagram,
            page.tree, str(json_path), str(csv_path))  # fmt: skip


def compare(model_a: str, model_b: str, input_size: float, lang: str = "en") -> tuple[Any, ...]:
    """Both formulas, computed sentences, a figure, the stage and the block comparison."""
    try:
        page = compare_page(model_a, model_b, whole(input_size), lang)
    except Exception as err:
        raise fail(err, lang) from None
    return page.formula_a, page.formula_b, page.insights, page.costs, page.stages, page.blocks


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
        return summary_text(analyze(name, whole(input_size)), blocks=True)
    except Exception as err:
        raise fail(err, "en") from None


def initial_language(request: gr.Request) -> str:
    """中文 for browsers that prefer Chinese, English otherwise."""
    accepted = request.headers.get("accept-language", "") if request else ""
    return "zh" if accepted.lower().startswith("zh") else "en"


# ---------------------------------------------------------------- layout


def build() -> gr.Blocks:
    label = Labels()

    en = "en"
    with gr.Blocks(title="ResNet Explorer", delete_cache=DELETE_CACHE) as demo:
        with gr.Row(equal_height=True):
            header = label(gr.Markdown(_header(en)), _header)
            lang = gr.Radio([(name, code) for code, name in LANGS.items()], value=en,
                            label=t(en, "language"), scale=0, min_width=220)  # fmt: skip
            label(lang, lambda lg: gr.Radio(label=t(lg, "language")))
        with gr.Tabs():
            with gr.Tab(t(en, "tab_arch"), id="architecture") as tab:
                label(tab, lambda lg: gr.Tab(label=t(lg, "tab_arch")))
                with gr.Row():
                    model = gr.Dropdown(list_models(), value="resnet50", allow_custom_value=True,
                                        label=t(en, "model"), info=t(en, "model_info"),
                                        scale=3)  # fmt: skip
                    label(model, lambda lg: gr.Dropdown(label=t(lg, "model"),
                                                        info=t(lg, "model_info")))  # fmt: skip
                    size = gr.Slider(32, 1024, value=224, step=1, label=t(en, "input_size"),
                                     scale=2)  # fmt: skip
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
                                          minimum=1, maximum=50, min_width=110)  # fmt: skip
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
            with gr.Tab(t(en, "tab_compare"), id="compare") as tab:
                label(tab, lambda lg: gr.Tab(label=t(lg, "tab_compare")))
                with gr.Row():
                    model_a = gr.Dropdown(list_models(), value="resnet34", allow_custom_value=True,
                                          label=t(en, "model_a"))  # fmt: skip
                    label(model_a, lambda lg: gr.Dropdown(label=t(lg, "model_a")))
                    model_b = gr.Dropdown(list_models(), value="resnet50", allow_custom_value=True,
                                          label=t(en, "model_b"))  # fmt: skip
                    label(model_b, lambda lg: gr.Dropdown(label=t(lg, "model_b")))
                    size_c = gr.Slider(32, 1024, value=224, step=1, label=t(en, "input_size"))
                    label(size_c, lambda lg: gr.Slider(label=t(lg, "input_size")))
                label.markdown("presets", "**{}**")
                with gr.Row():
                    for key, pair in PRESETS.items():
                        button = gr.Button(t(en, key), size="sm")
                        label(button, lambda lg, k=key: gr.Button(t(lg, k)))
                        button.click(lambda p=pair: p, None, [model_a, model_b],
                                     api_visibility="private")  # fmt: skip
                with gr.Row():
                    formula_a, formula_b = gr.HTML(), gr.HTML()
                insights = gr.HTML()
                compare_plot = gr.Plot(show_label=False, elem_id="compare-costs")
                label.markdown("section_compare_stages", "### {}")
                compare_stages = gr.HTML()
                label.markdown("section_compare_blocks", "### {}")
                compare_blocks = gr.HTML()
            ui_predict.build_tab(label, lang, demo)
            ui_shortcuts.build_tab(label, lang)
        label.markdown("macs_note")

        arch_out = [formula, stages, story, costs, treemap, diagram, tree, json_file, csv_file]
        gr.on([demo.load, size.release, lang.change], architecture, [model, size, lang], arch_out,
              api_name="architecture", concurrency_limit=CONCURRENCY)  # fmt: skip
        model.change(natural_size, [model, size], size, api_visibility="private").then(
            architecture, [model, size, lang], arch_out, api_visibility="private",
            concurrency_limit=CONCURRENCY)  # fmt: skip
        gr.on([demo.load, model_a.change, model_b.change, size_c.release, lang.change], compare,
              [model_a, model_b, size_c, lang],
              [formula_a, formula_b, insights, compare_plot, compare_stages, compare_blocks],
              api_name="compare", concurrency_limit=CONCURRENCY)  # fmt: skip
        build_btn.click(custom_model, [block, *counts, groups, width, v1, lang], model,
                        api_name="custom_model")  # fmt: skip
        lang.change(label.relabel, lang, label.components, api_visibility="private")
        demo.load(initial_language, None, lang, api_visibility="private")
        gr.api(summary, api_name="summary")
        header.elem_id = "page-header"
    # One queue for every event: a bounded number of waiting requests (a student beyond it is
    # told the server is full rather than left waiting), each told its place; no direct POSTs.
    demo.queue(api_open=False, max_size=QUEUE_SIZE, default_concurrency_limit=CONCURRENCY)
    return demo


def _header(lang: str) -> str:
    return f"# {t(lang, 'title')}\n{t(lang, 'subtitle')}"


# ---------------------------------------------------------------- server


def _credentials(text: str) -> tuple[str, str]:
    user, sep, password = text.partition(":")
    if not (sep and user and password):
        raise argparse.ArgumentTypeError("expected USER:PASS, e.g. --auth teacher:s3cret")
    return user, password


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python app.py", description="Launch ResNet Explorer.")
    parser.add_argument(
        "--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1; 0.0.0.0: LAN)"
    )
    parser.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    parser.add_argument("--auth", metavar="USER:PASS", type=_credentials,
                        help="ask for this login first (use it with --host 0.0.0.0)")  # fmt: skip
    parser.add_argument("--device", default=None,
                        help="auto (default: CUDA, then MPS, then CPU), cpu, cuda, cuda:1, mps; "
                             "also $EXPLORER_DEVICE")  # fmt: skip
    parser.add_argument("--share", action="store_true",
                        help="also open a public gradio.live link (off by default)")  # fmt: skip
    return parser.parse_args(argv)


def _warm() -> None:
    warm_cache()
    warm_pages()


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    limit_arenas()  # before the server's threads start allocating
    ui_predict.DEVICE = select_device(args.device)
    threading.Thread(target=_warm, name="warm-pages", daemon=True).start()
    demo = build()
    demo.launch(
        server_name=args.host,
        server_port=args.port,
        share=args.share,
        auth=args.auth,
        max_file_size=MAX_UPLOAD,
        theme=gr.themes.Default(font=FONTS, font_mono=MONO_FONTS),
        css=CSS,
        show_error=True,
    )
