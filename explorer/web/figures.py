"""Plotly figures of architecture summaries: params and MACs per stage, where the parameters
live (treemap), and two models side by side. The only module that imports plotly.

Figures consume records only; titles and hover texts come from explorer/i18n.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import numpy as np
import plotly.colors
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..i18n import t
from ..render.report import fmt_count, fmt_macs
from .theme import COLORMAPS, FONTS, MODEL_COLORS, stage_color
from .views import shown_class

if TYPE_CHECKING:  # records only; renderers never touch a model, nor import torch
    from ..arch.analysis import ArchitectureSummary, LayerNode
    from ..batch.summary import BatchSummary
    from ..experiments.degradation import DegradationRun
    from ..experiments.lesions import LesionPoint
    from ..inspect.contributions import ShortcutReport
    from ..inspect.erf import StageField
    from ..inspect.plain import GradientProfile
    from ..inspect.sanity import SanityReport
    from ..inspect.trust import Guidance

Figure = go.Figure  # what the renderers return; the only module that imports plotly

_FONT = {"family": ", ".join(FONTS), "size": 13}


def _layout(fig: go.Figure, title: str, height: int = 380) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.01, "font": {"size": 16}},
        template="plotly_white",
        font=_FONT,
        height=height,
        margin={"l": 50, "r": 20, "t": 70, "b": 40},
        showlegend=False,
        paper_bgcolor="rgba(0,0,0,0)",
    )
    return fig


def colormap_lut(name: str) -> np.ndarray:
    """256 RGB colours sampled from one of plotly's colour scales: (256, 3) uint8; an unknown
    name gets the first (the cache holds one table per known name, whatever is asked)."""
    return _lut(name if name in COLORMAPS else COLORMAPS[0])


@cache
def _lut(name: str) -> np.ndarray:
    colors = plotly.colors.sample_colorscale(name, [i / 255 for i in range(256)])
    rgb = [c[c.index("(") + 1 : -1].split(",") for c in colors]  # "rgb(r, g, b)"
    return np.array([[round(float(v)) for v in c] for c in rgb], dtype=np.uint8)


def stage_costs(s: ArchitectureSummary, lang: str) -> go.Figure:
    """Params and MACs per stage, side by side: two different stories."""
    names = [st.name for st in s.stages]
    colors = [stage_color(n) for n in names]
    fig = make_subplots(rows=1, cols=2, subplot_titles=(t(lang, "chart_params"),
                                                        t(lang, "chart_macs")))  # fmt: skip
    params = [st.params for st in s.stages]
    macs = [st.macs for st in s.stages]
    fig.add_bar(
        x=names, y=params, marker_color=colors, row=1, col=1,
        text=[f"{100 * p / s.total_params:.0f}%" for p in params], textposition="outside",
        customdata=[fmt_count(p) for p in params],
        hovertemplate="%{x}: %{customdata} " + t(lang, "unit_params") + "<extra></extra>",
    )  # fmt: skip
    fig.add_bar(
        x=names, y=macs, marker_color=colors, row=1, col=2,
        text=[f"{100 * m / s.total_macs:.0f}%" for m in macs], textposition="outside",
        customdata=[fmt_macs(m) for m in macs],
        hovertemplate="%{x}: %{customdata} MACs<extra></extra>",
    )  # fmt: skip
    fig.update_yaxes(rangemode="tozero", tickformat="~s")  # SI prefixes: 1.5G, not 1.5B
    for col, ys in ((1, params), (2, macs)):  # head-room for the % labels
        fig.update_yaxes(range=[0, max(ys) * 1.18], row=1, col=col)
    return _layout(fig, t(lang, "chart_costs_title", model=s.title))


def _treemap_nodes(node: LayerNode, parent: str, stage: str, out: dict[str, list]) -> None:
    for child in node.children:
        if child.total_params == 0:
            continue
        out["ids"].append(child.name)
        # A block is named in full ("layer3.0"): at the top level it is read among other stages'.
        out["labels"].append(child.name if node.name == stage else child.name.rsplit(".", 1)[-1])
        out["parents"].append(parent)
        out["values"].append(child.total_params)
        out["colors"].append(stage_color(stage))
        out["hover"].append(f"{child.name} · {child.type}")
        _treemap_nodes(child, child.name, stage, out)


def param_treemap(s: ArchitectureSummary, lang: str) -> go.Figure:
    """Where the parameters live: stage → block → layer, areas proportional to params."""
    nodes = {n.name: n for n in s.layers.walk()}
    keys = ("ids", "labels", "parents", "values", "colors", "hover")
    out: dict[str, list] = {k: [] for k in keys}
    for st in s.stages:
        if not st.params:
            continue
        row_id = f"[{st.name}]"  # stage rows group modules, so they get ids of their own
        out["ids"].append(row_id)
        out["labels"].append(st.name)
        out["parents"].append("")
        out["values"].append(st.params)
        out["colors"].append(stage_color(st.name))
        out["hover"].append(f"{st.name} · {st.paper_name}")
        for member in st.modules:
            node = nodes[member]
            if not node.total_params:
                continue
            if node.children:  # a stage Sequential: its blocks hang from the stage row directly
                _treemap_nodes(node, row_id, st.name, out)
            else:
                out["ids"].append(node.name)
                out["labels"].append(node.name)
                out["parents"].append(row_id)
                out["values"].append(node.total_params)
                out["colors"].append(stage_color(st.name))
                out["hover"].append(f"{node.name} · {node.type}")
    fig = go.Figure(
        go.Treemap(
            ids=out["ids"], labels=out["labels"], parents=out["parents"], values=out["values"],
            branchvalues="total", marker={"colors": out["colors"]}, maxdepth=2,
            customdata=[[h, fmt_count(v), f"{100 * v / s.total_params:.1f}%"]
                        for h, v in zip(out["hover"], out["values"], strict=True)],
            hovertemplate="%{customdata[0]}<br>%{customdata[1]} " + t(lang, "unit_params")
            + " (%{customdata[2]})<extra></extra>",
            textinfo="label+percent root",
        )
    )  # fmt: skip
    # Two levels at a time (stages and their blocks): a block's layers are too small to read
    # until a click opens the block.
    title = (
        f"{t(lang, 'chart_treemap_title', model=s.title)}<br><sup>{t(lang, 'treemap_hint')}</sup>"
    )
    return _layout(fig, title, height=460)


def compare_costs(a: ArchitectureSummary, b: ArchitectureSummary, lang: str) -> go.Figure:
    """Params and MACs per stage of two models, grouped."""
    names = [st.name for st in a.stages if st.name in {x.name for x in b.stages}]
    fig = make_subplots(rows=1, cols=2, subplot_titles=(t(lang, "chart_params"),
                                                        t(lang, "chart_macs")))  # fmt: skip
    for summary, color, tag in ((a, MODEL_COLORS[0], "A"), (b, MODEL_COLORS[1], "B")):
        stages = {st.name: st for st in summary.stages}
        label = f"{tag}: {summary.title}"
        fig.add_bar(x=names, y=[stages[n].params for n in names], name=label,
                    marker_color=color, legendgroup=tag, row=1, col=1,
                    customdata=[fmt_count(stages[n].params) for n in names],
                    hovertemplate=label + " · %{x}: %{customdata}<extra></extra>")  # fmt: skip
        fig.add_bar(x=names, y=[stages[n].macs for n in names], name=label, showlegend=False,
                    marker_color=color, legendgroup=tag, row=1, col=2,
                    customdata=[fmt_macs(stages[n].macs) for n in names],
                    hovertemplate=label + " · %{x}: %{customdata} MACs<extra></extra>")  # fmt: skip
    _layout(fig, t(lang, "chart_compare_title", a=a.title, b=b.title))
    fig.update_yaxes(tickformat="~s")
    fig.update_layout(showlegend=True, barmode="group",
                      legend={"orientation": "h", "y": -0.15})  # fmt: skip
    return fig


def shortcut_bars(report: ShortcutReport, lang: str) -> go.Figure:
    """Per block: ‖F‖/‖S‖, the lesion's effect on the target, the gradient's shortcut share."""
    names = [r.block for r in report.records]
    colors = [stage_color(r.stage) for r in report.records]
    hatch = ["/" if r.shortcut in ("projection", "pooled_projection", "zero_pad") else ""
             for r in report.records]  # fmt: skip  # where the shape changes
    rows = (
        ("chart_ratio", [r.ratio for r in report.records], "%{y:.3f}"),
        ("chart_lesion", [r.lesion_delta for r in report.records], "%{y:+.3f}"),
        ("chart_grad_share", [r.grad_share_shortcut for r in report.records], "%{y:.1%}"),
    )
    fig = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.09,
                        subplot_titles=[t(lang, key) for key, _, _ in rows])  # fmt: skip
    kinds = [t(lang, r.shortcut if r.shortcut != "none" else "no_shortcut")
             for r in report.records]  # fmt: skip
    for i, (_, values, fmt) in enumerate(rows, start=1):
        fig.add_bar(x=names, y=values, row=i, col=1, customdata=kinds,
                    marker={"color": colors, "pattern": {"shape": hatch, "solidity": 0.35}},
                    hovertemplate=f"%{{x}} (%{{customdata}}): {fmt}<extra></extra>")  # fmt: skip
    fig.update_yaxes(tickformat=".0%", row=3, col=1)
    # The whole gradient: a bar past this line, or below zero, is a part that the other part
    # partly cancels (g = g_S + g_F).
    fig.add_hline(y=1, line={"dash": "dot", "color": "#64748b", "width": 1}, row=3, col=1)
    label = shown_class(report.model, report.target_label, lang)
    _layout(fig, t(lang, "chart_shortcuts_title", model=report.title, label=label),
            height=640)  # fmt: skip
    fig.update_xaxes(tickangle=-60)
    return fig


def path_lengths(report: ShortcutReport, lang: str) -> go.Figure:
    """How many paths have k residual branches, and how much of the gradient they carry."""
    k = list(range(len(report.path_counts)))
    fig = go.Figure()
    hover = "k=%{x}: %{y:.1%}<extra></extra>"
    fig.add_bar(x=k, y=list(report.path_counts), name=t(lang, "paths_share"),
                marker_color="#94a3b8", hovertemplate=hover)  # fmt: skip
    said = "gradient_share" if report.paths_exact else "gradient_share_sampled"
    errors = report.gradient_by_length_se or (0.0,) * len(k)
    fig.add_bar(x=k, y=list(report.gradient_by_length),
                name=t(lang, said, paths=f"{report.paths_followed:,}"),
                marker_color=MODEL_COLORS[0], customdata=list(errors),
                error_y={"type": "data", "array": list(errors), "visible": not report.paths_exact,
                         "color": "#0f172a", "thickness": 1.2, "width": 3},
                hovertemplate="k=%{x}: %{y:.1%}"
                + ("" if report.paths_exact else " ± %{customdata:.1%}")
                + "<extra></extra>")  # fmt: skip
    _layout(fig, t(lang, "chart_paths_title", n=len(report.records)), height=360)
    fig.update_layout(showlegend=True, barmode="group", legend={"orientation": "h", "y": -0.2})
    fig.update_xaxes(title_text=t(lang, "path_length"), dtick=1 if len(k) <= 20 else 5)
    fig.update_yaxes(tickformat=".0%")
    return fig


def plain_vs_residual(profile: GradientProfile, lang: str) -> go.Figure:
    """The RMS gradient per weight of each layer at initialisation, with and without the
    shortcuts (log scale); the norms and the gradient relative to the weights on hover."""
    depth = list(range(1, len(profile.layers) + 1))
    fig = go.Figure()
    for values, norms, relative, key, color in (
        (
            profile.residual_rms,
            profile.residual,
            profile.residual_relative,
            "with_shortcuts",
            MODEL_COLORS[0],
        ),
        (profile.plain_rms, profile.plain, profile.plain_relative, "plain", MODEL_COLORS[1]),
    ):
        fig.add_scatter(
            x=depth,
            y=list(values),
            mode="lines+markers",
            name=t(lang, key),
            line={"color": color},
            customdata=list(zip(profile.layers, norms, relative, strict=True)),
            hovertemplate="%{customdata[0]}: RMS %{y:.3g}, ‖∂L/∂W‖ "
            "%{customdata[1]:.3g}, ‖∂L/∂W‖/‖W‖ %{customdata[2]:.3g}<extra></extra>",
        )
    _layout(fig, t(lang, "chart_plain_title", model=profile.title), height=380)
    fig.update_layout(showlegend=True, legend={"orientation": "h", "y": -0.2})
    # Ticks at the powers of ten only: Plotly's default labels 2 and 5 between them too, which
    # reads as "5, 2, 100, 5, 2, 10".
    fig.update_yaxes(type="log", dtick=1, exponentformat="power", title_text=t(lang, "grad_norm"))
    fig.update_xaxes(title_text=t(lang, "layer_index"))
    return fig


def degradation_chart(run: DegradationRun, lang: str) -> go.Figure:
    """The paper's Figure 6 from a run's records: error against SGD steps, plain networks on the
    left, ResNets on the right; bold: training error, thin: test error."""
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.06,
                        subplot_titles=[t(lang, "deg_plain"), t(lang, "deg_resnet")])  # fmt: skip
    for col, names in enumerate((("plain20", "plain56"), ("resnet20", "resnet56")), start=1):
        for name, color in zip(names, MODEL_COLORS, strict=False):
            curve = run.curve(name)
            steps = [p.step for p in curve]
            train = [p.train_error for p in curve]
            test = [p.test_error for p in curve]
            for key, values, width in (("deg_train", train, 3.2), ("deg_test", test, 1.2)):
                said = t(lang, key)
                hover = f"{name}, {said}: %{{y:.1%}} ({t(lang, 'deg_step')} %{{x}})<extra></extra>"
                fig.add_scatter(x=steps, y=values, mode="lines", row=1, col=col,
                                name=f"{name} · {said}", legendgroup=name,
                                line={"color": color, "width": width},
                                hovertemplate=hover)  # fmt: skip
    _layout(fig, t(lang, "deg_chart_title"), height=400)
    fig.update_layout(showlegend=True, legend={"orientation": "h", "y": -0.22})
    fig.update_yaxes(tickformat=".0%", rangemode="tozero")
    fig.update_yaxes(title_text=t(lang, "deg_error"), row=1, col=1)
    fig.update_xaxes(title_text=t(lang, "deg_steps"))
    return fig


def diverging_lut() -> np.ndarray:
    """Blue (most negative) through white (0) to red (most positive): (256, 3) uint8, for maps
    whose sign matters (a block's S, F and their sum)."""
    return _lut("RdBu")[::-1]


ERF_STYLE = {"erf_theoretical": ("solid", 3.0), "erf90": ("dash", 2.2), "erf50": ("dot", 2.2)}


def erf_chart(fields: dict[str, tuple[StageField, ...]], model: str, lang: str) -> go.Figure:
    """Per stage: the theoretical field's side and the ERF's (50% and 90%), for each set of
    weights in `fields` ("trained", "random"), on a log scale."""
    fig = go.Figure()
    images = 0
    for (weights, stages), color in zip(fields.items(), MODEL_COLORS, strict=False):
        images = max(images, *(s.images for s in stages))
        x = [f"{s.stage} ({s.depth})" for s in stages]
        said = t(lang, "weights_trained" if weights == "trained" else "weights_random_short")
        for key, (dash, width) in ERF_STYLE.items():
            if key == "erf_theoretical" and weights != next(iter(fields)):
                continue  # the theoretical field does not depend on the weights
            values = [s.theoretical if key == "erf_theoretical" else
                      s.side50 if key == "erf50" else s.side90 for s in stages]  # fmt: skip
            name = t(lang, key) if key == "erf_theoretical" else f"{t(lang, key)} · {said}"
            fig.add_scatter(x=x, y=values, mode="lines+markers", name=name,
                            line={"color": "#555" if key == "erf_theoretical" else color,
                                  "dash": dash, "width": width},
                            hovertemplate=f"{name}: %{{y:.0f}} px<extra></extra>")  # fmt: skip
    _layout(fig, t(lang, "erf_chart_title", model=model, n=images), height=380)
    fig.update_layout(showlegend=True, legend={"orientation": "h", "y": -0.25})
    fig.update_yaxes(type="log", title_text=t(lang, "erf_axis"))
    fig.update_xaxes(title_text=t(lang, "erf_stage_axis"))
    return fig


def lesion_chart(curves: dict[str, tuple[LesionPoint, ...]], images: int, repeats: int,
                 lang: str) -> go.Figure:  # fmt: skip
    """Veit et al.'s curve: the held-out error against k blocks deleted, one line per model
    with a band of ± one standard deviation over the draws."""
    fig = go.Figure()
    # residual networks in the two model colours, a plain one in grey: the collapse reads at once
    colors = iter(MODEL_COLORS)
    for model, points in curves.items():
        color = "#6b7280" if model.startswith("plain") else next(colors, "#111827")
        k = [p.k for p in points]
        mean = [p.mean_error for p in points]
        spread = [p.spread for p in points]
        fig.add_scatter(x=k, y=mean, mode="lines+markers", name=model,
                        line={"color": color, "width": 2.6},
                        error_y={"type": "data", "array": spread, "visible": True,
                                 "thickness": 1.2, "width": 3},
                        hovertemplate=f"{model}, k = %{{x}}: %{{y:.1%}}"
                                      "<extra></extra>")  # fmt: skip
    _layout(fig, t(lang, "les_chart_title", n=images, repeats=repeats), height=380)
    fig.update_layout(showlegend=True, legend={"orientation": "h", "y": -0.25})
    fig.update_yaxes(tickformat=".0%", range=[0, 1], title_text=t(lang, "les_error"))
    fig.update_xaxes(dtick=1, title_text=t(lang, "les_k"))
    return fig


METHOD_COLORS = ("#2563eb", "#0891b2", "#059669", "#d97706", "#dc2626", "#7c3aed", "#db2777",
                 "#4b5563")  # fmt: skip


def sanity_chart(report: SanityReport, lang: str) -> go.Figure:
    """Adebayo et al.'s figure: each method's Spearman of |map| with the original against the
    unit randomised (cascading: down to it), one line per method; survivors drawn thick."""
    fig = go.Figure()
    survivors = set(report.survivors())
    methods = list(dict.fromkeys(r.method for r in report.records))
    for method, color in zip(methods, METHOD_COLORS * 2, strict=False):
        rows = sorted((r for r in report.records if r.method == method), key=lambda r: r.depth)
        name = t(lang, f"m_{method}")
        fig.add_scatter(x=[r.randomised for r in rows], y=[r.spearman_abs for r in rows],
                        mode="lines+markers", name=name,
                        line={"color": color, "width": 4 if method in survivors else 2,
                              "dash": "solid" if method in survivors else "dot"},
                        customdata=[[r.ssim, r.spearman] for r in rows],
                        hovertemplate=f"{name}, %{{x}}: ρ|map| %{{y:.2f}}, ρ %{{customdata[1]:.2f}}"
                                      ", SSIM %{customdata[0]:.2f}<extra></extra>")  # fmt: skip
    _layout(fig, t(lang, "sal_chart_title"), height=380)
    fig.update_layout(showlegend=True, legend={"orientation": "h", "y": -0.3})
    fig.add_hline(y=0, line={"color": "#9ca3af", "width": 1})
    fig.update_yaxes(range=[-1.05, 1.05], title_text=t(lang, "sal_chart_y"))
    axis = "sal_chart_x_independent" if report.mode == "independent" else "sal_chart_x"
    fig.update_xaxes(title_text=t(lang, axis), type="category")
    return fig


def layers_chart(guide: Guidance, lang: str) -> go.Figure:
    """The pointing game and the deletion AUC of Grad-CAM at every candidate layer, the
    recommended one marked."""
    fig = go.Figure()
    x = [s.layer for s in guide.scores]
    fig.add_bar(x=x, y=[s.pointing for s in guide.scores], name=t(lang, "sal_pointing_series"),
                marker_color=[MODEL_COLORS[0] if s.layer == guide.best.layer else "#93c5fd"
                              for s in guide.scores],
                customdata=[f"{s.grid[0]}×{s.grid[1]}" for s in guide.scores],
                hovertemplate="%{x} (%{customdata}): %{y:.0%}<extra></extra>")  # fmt: skip
    fig.add_scatter(x=x, y=[s.deletion_auc for s in guide.scores], mode="lines+markers",
                    name=t(lang, "sal_deletion_series"), line={"color": "#dc2626", "width": 2},
                    hovertemplate="%{x}: %{y:.3f}<extra></extra>")  # fmt: skip
    _layout(fig, t(lang, "sal_layers_title", n=guide.images), height=360)
    fig.update_layout(showlegend=True, legend={"orientation": "h", "y": -0.3})
    fig.update_yaxes(range=[0, 1.02], tickformat=".0%", title_text=t(lang, "sal_layers_y"))
    fig.update_xaxes(type="category", tickangle=-45 if len(x) > 12 else 0)
    return fig


def batch_chart(summary: BatchSummary, lang: str = "en") -> go.Figure:
    """A batch run's aggregate: per block the lesion effect (and, for shortcuts, the gradient's
    share through the shortcut) with ± one standard deviation over the images; the classes
    predicted; or the mean saliency map."""
    title = t(lang, "batch_chart_title", task=summary.task, model=summary.model,
              n=summary.images - summary.errors)  # fmt: skip
    if summary.blocks:
        names = [block for block, _ in summary.blocks]
        keys = ["lesion_delta"] + (["grad_share_shortcut"] if summary.task == "shortcuts" else [])
        fig = make_subplots(rows=len(keys), cols=1, shared_xaxes=True, vertical_spacing=0.08,
                            subplot_titles=[t(lang, f"batch_{k}") for k in keys])  # fmt: skip
        for row, key in enumerate(keys, start=1):
            stats = [next(s for s in stats if s.name == key) for _, stats in summary.blocks]
            fig.add_bar(x=names, y=[s.mean for s in stats], row=row, col=1,
                        marker_color=[stage_color(n.split(".")[0]) for n in names],
                        error_y={"type": "data", "array": [s.std for s in stats]},
                        hovertemplate="%{x}: %{y:.4f}<extra></extra>",
                        showlegend=False)  # fmt: skip
        _layout(fig, title, height=300 * len(keys) + 100)
        return fig.update_layout(margin={"t": 100})
    if summary.classes:
        fig = go.Figure(go.Bar(x=[c for c, _ in summary.classes],
                               y=[n for _, n in summary.classes],
                               marker_color=MODEL_COLORS[0]))  # fmt: skip
        return _layout(fig, title)
    fig = go.Figure()
    if summary.mean_map is not None:
        fig.add_heatmap(z=summary.mean_map[::-1], colorscale="Jet", showscale=True)
        fig.update_yaxes(scaleanchor="x", showticklabels=False)
        fig.update_xaxes(showticklabels=False)
    return _layout(fig, title, height=460)
