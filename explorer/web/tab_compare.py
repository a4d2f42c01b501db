"""The Compare tab: two models side by side (BasicBlock vs Bottleneck, v1.5 vs the paper's v1,
...), with one-click classroom presets. /compare is its API. Layout and wiring only: pages.py
renders, reached through `engine()`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import gradio as gr

from ..arch.registry import menu_models
from ..i18n import page_language
from .limits import CONCURRENCY, MAX_SIZE_SLIDER, MIN_SIZE_SLIDER
from .links import FIGURE3, PRESETS, view_of
from .shared import (
    Labels,
    after_first_view,
    engine,
    fail,
    initial_language,
    said,
    unless_user_chose,
    user_chose,
    whole,
)

OPENS_ON = ("resnet34", "resnet50")  # BasicBlock vs Bottleneck, same stage counts


def _variant(pair: tuple[str, str], shown: tuple[str, str]) -> Literal["primary", "secondary"]:
    return "primary" if pair == shown else "secondary"


def active_presets(model_a: str, model_b: str, figure3: bool) -> list[Any]:
    """The preset on screen stands out, so that clicking it visibly shows where one is."""
    pairs = [gr.Button(variant=_variant(pair, (model_a, model_b)) if not figure3
                       else "secondary") for pair in PRESETS.values()]  # fmt: skip
    on = figure3 is True and model_a == FIGURE3
    return [*pairs, gr.Button(variant="primary" if on else "secondary")]


def networks(model_a: str, model_b: str, input_size: float, figure3: bool, lang: str) -> Any:
    """The whole networks: A above B, or Figure 3 of the paper for A."""
    try:
        return engine().compare_networks(model_a, model_b, whole(input_size), figure3 is True,
                                         page_language(lang))  # fmt: skip
    except Exception:
        return gr.skip()  # the comparison's own event has said what is wrong


def compare(model_a: str, model_b: str, input_size: float, lang: str = "en",
            request: gr.Request | None = None) -> tuple[Any, ...]:  # fmt: skip
    """Both formulas, computed sentences, a figure, the stage and the block comparison."""
    try:
        page = engine().compare_page(model_a, model_b, whole(input_size), lang)
    except Exception as err:
        raise fail(err, lang) from None
    user_chose(request, "compare")  # from the user's own events (the first view passes none)
    return page.formula_a, page.formula_b, page.insights, page.costs, page.stages, page.blocks


def first_view(model_a: str, model_b: str, input_size: float, request: gr.Request
               ) -> tuple[Any, ...]:  # fmt: skip
    """The tab as the page opens, in the language of the link or the browser: the link's models
    and size where it names them."""
    after_first_view(request, "compare")
    view = view_of(request)
    if view.tab == "compare":
        model_a, model_b = view.a or model_a, view.b or model_b
        input_size = view.size_for("compare") or input_size
    lang = initial_language(request)
    opened = model_a, model_b, input_size, *compare(model_a, model_b, input_size, lang)
    return unless_user_chose(request, "compare", opened)


def _preset(*values: Any) -> Callable[..., tuple[Any, ...]]:
    """A preset button's handler: its values into the menus (a choice of the user's)."""

    def chosen(request: gr.Request) -> tuple[Any, ...]:
        user_chose(request, "compare")
        return values

    return chosen


def build_tab(label: Labels, lang: gr.Radio, demo: gr.Blocks) -> list[Any]:
    """The tab's components and events, inside the caller's gr.Tabs; returns what a link to
    the tab says (models A and B, size)."""
    with gr.Tab(said("tab_compare"), id="compare", elem_id="tab-compare"):
        with gr.Row():
            model_a = gr.Dropdown(menu_models(), value=OPENS_ON[0], allow_custom_value=True,
                                  label=said("model_a"))  # fmt: skip
            model_b = gr.Dropdown(menu_models(), value=OPENS_ON[1], allow_custom_value=True,
                                  label=said("model_b"))  # fmt: skip
            size = gr.Slider(MIN_SIZE_SLIDER, MAX_SIZE_SLIDER, value=224, step=1,
                             label=said("input_size"))  # fmt: skip
        label.markdown("presets", "**{}**")
        with gr.Row():
            presets = []
            for key, pair in PRESETS.items():
                button = gr.Button(said(key), size="sm", variant=_variant(pair, OPENS_ON))
                presets.append((button, pair))
            figure3_button = gr.Button(said("preset_figure3"), size="sm", variant="secondary")
        with gr.Row():
            formula_a, formula_b = gr.HTML(), gr.HTML()
        insights = gr.HTML()
        costs = gr.Plot(show_label=False, elem_id="compare-costs")
        label.markdown("section_compare_stages", "### {}")
        stages = gr.HTML()
        label.markdown("section_compare_blocks", "### {}")
        blocks = gr.HTML()
        label.markdown("section_compare_networks", "### {}")
        figure3 = gr.Checkbox(False, label=said("net_compare_figure3"))
        whole_networks = gr.HTML(elem_id="compare-networks")

    outputs = [formula_a, formula_b, insights, costs, stages, blocks]
    private: dict[str, Any] = {"api_visibility": "private", "concurrency_limit": CONCURRENCY}
    drawn = [model_a, model_b, size, figure3, lang]

    def then_networks(event: Any) -> None:
        event.then(networks, drawn, whole_networks, **private)

    then_networks(demo.load(first_view, [model_a, model_b, size],
                            [model_a, model_b, size, *outputs], **private))  # fmt: skip
    # The user's events only (.input): the load event sets the models in its own language, and a
    # render triggered by that change could land in the other. A preset sets them, then renders.
    label.again(compare, [model_a, model_b, size, lang], outputs)
    label.again(networks, drawn, [whole_networks], then=True)
    then_networks(gr.on([model_a.input, model_b.input, size.release], compare,
                        [model_a, model_b, size, lang], outputs, api_name="compare",
                        concurrency_limit=CONCURRENCY))  # fmt: skip
    for button, pair in presets:
        then_networks(button.click(_preset(*pair, False), None, [model_a, model_b, figure3],
                                   api_visibility="private").then(
            compare, [model_a, model_b, size, lang], outputs, **private))  # fmt: skip
    then_networks(figure3_button.click(_preset(FIGURE3, True), None, [model_a, figure3],
                                       api_visibility="private").then(
        compare, [model_a, model_b, size, lang], outputs, **private))  # fmt: skip
    figure3.input(networks, drawn, whole_networks, **private)
    gr.on([model_a.change, model_b.change, figure3.change], active_presets,
          [model_a, model_b, figure3], [*(button for button, _ in presets), figure3_button],
          api_visibility="private")  # fmt: skip
    return [model_a, model_b, size]
