"""HTML views of architecture summaries: the depth formula, the stage table, the collapsible layer
tree, and the Compare tab's tables and sentences, in English or Chinese.

Pure functions from records to HTML strings; no gradio, no plotly, no model. Every number shown
comes from the records; every string from a record or explorer/i18n is escaped.
"""

from __future__ import annotations

import math
from html import escape
from typing import TYPE_CHECKING

from ..arch.registry import get_entry
from ..experiments.degradation import finding
from ..i18n import class_name, t
from ..render.cards import block_stages, chip, table
from ..render.report import fmt_count, fmt_macs, fmt_shape
from .theme import stage_color

if TYPE_CHECKING:  # records only; renderers never touch a model, nor import torch
    from ..arch.analysis import ArchitectureSummary, BlockRow, LayerNode
    from ..experiments.degradation import CurvePoint, DegradationRun
    from ..inspect.contributions import ShortcutRecord, ShortcutReport
    from ..inspect.explain import Explanation
    from ..inspect.plain import GradientProfile
    from ..models.loading import ModelInfo


def costs_story(s: ArchitectureSummary, lang: str) -> str:
    """One sentence on where the parameters and the MACs go (the two stories differ)."""
    stages = block_stages(s)
    heavy = max(stages, key=lambda st: st.params)
    shares = [100 * st.macs / s.total_macs for st in stages]
    pct = f"{100 * heavy.params / s.total_params:.0f}"
    lo, hi = f"{min(shares):.0f}", f"{max(shares):.0f}"
    return t(lang, "costs_story", stage=heavy.name, pct=pct, lo=lo, hi=hi)


# ---------------------------------------------------------------- the layer tree


def _row(cells: list[str], level: int, css: str = "rx-row") -> str:
    name, *rest = cells
    pad = f' style="padding-left:{level * 16}px"' if level else ""
    return (f'<div class="{css}"><span class="rx-name"{pad}>{name}</span>'
            + "".join(f"<span>{c}</span>" for c in rest) + "</div>")  # fmt: skip


def _block_note(block: BlockRow, lang: str) -> str:
    channels = f"{block.in_channels}→{block.width}→{block.out_channels}"
    return f"{channels} · {shortcut_text(block, lang)}"


def shortcut_reasons(block: BlockRow, lang: str) -> str:
    """Why x cannot be added as it is: "stride 2, channels 256→512" in `lang`."""
    reasons = []
    if block.stride > 1:
        reasons.append(t(lang, "reason_stride", stride=block.stride))
    if block.in_channels != block.out_channels:
        reasons.append(t(lang, "reason_channels", a=block.in_channels, b=block.out_channels))
    return t(lang, "list_sep").join(reasons)


def shortcut_text(block: BlockRow, lang: str) -> str:
    """The shortcut in `lang`: "identity", "projection (stride 2, channels 256→512)", option A's
    "zero-padding identity (…; no weights)", or none in a plain network."""
    if block.shortcut in ("identity", "none"):
        return t(lang, "identity" if block.shortcut == "identity" else "no_shortcut")
    key = "zero_pad_because" if block.shortcut == "zero_pad" else "projection_because"
    return t(lang, key, why=shortcut_reasons(block, lang))


def _node_html(node: LayerNode, level: int, blocks: dict[str, BlockRow], lang: str) -> str:
    kind = node.type + (f" ×{node.calls}" if node.calls > 1 else "")
    detail = node.detail
    if node.name in blocks:
        detail = _block_note(blocks[node.name], lang)
    shape = fmt_shape(node.output_shape)
    if node.calls > 1:
        shape = ", ".join(fmt_shape(c) for c in node.call_shapes)
    cells = [escape(node.name.rsplit(".", 1)[-1] if level > 1 else node.name), escape(kind),
             escape(detail), shape, fmt_count(node.total_params), fmt_macs(node.macs)]  # fmt: skip
    if not node.children:
        return _row(cells, level)
    cells[0] = escape(node.name)
    inner = "".join(_node_html(c, level + 1, blocks, lang) for c in node.children)
    return f"<details><summary>{_row(cells, level)}</summary>{inner}</details>"


def tree_html(s: ArchitectureSummary, lang: str) -> str:
    """Stage → block → layer, collapsible; shape, params and MACs on every line."""
    nodes = {n.name: n for n in s.layers.walk()}
    blocks = {b.name: b for st in s.stages for b in st.block_rows}
    header = _row([escape(t(lang, h)) for h in ("col_name", "col_type", "col_detail",
                                                "col_output", "col_params", "col_macs")],
                  0, "rx-row rx-head")  # fmt: skip
    parts = [header]
    for st in s.stages:
        summary = _row([chip(st.name, stage_color(st.name)), escape(st.paper_name),
                        escape(t(lang, "tree_stage", n=st.blocks) if st.blocks else ""),
                        fmt_shape(st.output_shape), fmt_count(st.params), fmt_macs(st.macs)],
                       0)  # fmt: skip
        members = []
        for m in st.modules:  # a stage's Sequential is the stage row itself: show its blocks
            members += nodes[m].children if m == st.name and st.blocks else [nodes[m]]
        inner = "".join(_node_html(node, 1, blocks, lang) for node in members)
        parts.append(f"<details><summary>{summary}</summary>{inner}</details>")
    return f'<div class="rx-scroll"><div class="rx-tree">{"".join(parts)}</div></div>'


# ---------------------------------------------------------------- Compare


def _delta(a: int, b: int, fmt: type[str] | object = fmt_count) -> str:
    if a == b:
        return '<span class="rx-muted">=</span>'
    css = "rx-up" if b > a else "rx-down"
    sign = "+" if b > a else "−"
    pct = f" ({sign}{abs(b - a) / a * 100:.0f}%)" if a else ""
    return f'<span class="{css}">{sign}{fmt(abs(b - a))}{pct}</span>'  # type: ignore[operator]


def compare_stages_html(a: ArchitectureSummary, b: ArchitectureSummary, lang: str) -> str:
    by_name = {st.name: st for st in b.stages}
    out, params, macs = t(lang, "col_output"), t(lang, "col_params"), t(lang, "col_macs")
    delta = t(lang, "col_delta")
    heads = [t(lang, "col_stage"), f"{out} A", f"{out} B", f"{params} A", f"{params} B", delta,
             f"{macs} A", f"{macs} B", delta]  # fmt: skip
    rows = []
    for sa in a.stages:
        sb = by_name.get(sa.name)
        if sb is None:
            continue
        rows.append(
            f"<tr><td>{chip(sa.name, stage_color(sa.name))}</td>"
            f'<td class="rx-left">{fmt_shape(sa.output_shape)}</td>'
            f'<td class="rx-left">{fmt_shape(sb.output_shape)}</td>'
            f"<td>{fmt_count(sa.params)}</td><td>{fmt_count(sb.params)}</td>"
            f"<td>{_delta(sa.params, sb.params)}</td>"
            f"<td>{fmt_macs(sa.macs)}</td><td>{fmt_macs(sb.macs)}</td>"
            f"<td>{_delta(sa.macs, sb.macs, fmt_macs)}</td></tr>"
        )
    rows.append(
        f'<tr class="rx-total"><td>{escape(t(lang, "total"))}</td><td></td><td></td>'
        f"<td>{fmt_count(a.total_params)}</td><td>{fmt_count(b.total_params)}</td>"
        f"<td>{_delta(a.total_params, b.total_params)}</td>"
        f"<td>{fmt_macs(a.total_macs)}</td><td>{fmt_macs(b.total_macs)}</td>"
        f"<td>{_delta(a.total_macs, b.total_macs, fmt_macs)}</td></tr>"
    )
    return table(heads, rows)


def _block_cells(block: BlockRow | None) -> str:
    if block is None:
        return "<td>-</td><td>-</td><td>-</td><td>-</td>"
    channels = f"{block.in_channels}→{block.width}→{block.out_channels}"
    return (f'<td class="rx-left">{escape(block.type)}</td><td class="rx-left">{channels}</td>'
            f"<td>{fmt_count(block.params)}</td><td>{fmt_macs(block.macs)}</td>")  # fmt: skip


def compare_blocks_html(a: ArchitectureSummary, b: ArchitectureSummary, lang: str) -> str:
    """One block of each model at each stage's width: the stage's first and its last block."""
    by_name = {st.name: st for st in block_stages(b)}
    heads = [t(lang, "col_stage"), "", "A", f"A {t(lang, 'col_channels')}",
             f"A {t(lang, 'col_params')}", f"A {t(lang, 'col_macs')}", "B",
             f"B {t(lang, 'col_channels')}", f"B {t(lang, 'col_params')}",
             f"B {t(lang, 'col_macs')}"]  # fmt: skip
    rows = []
    for sa in block_stages(a):
        sb = by_name.get(sa.name)
        if sb is None:
            continue
        pairs = [("first_block", sa.block_rows[0], sb.block_rows[0])]
        later_a = sa.block_rows[-1] if sa.blocks > 1 else None
        later_b = sb.block_rows[-1] if sb.blocks > 1 else None
        if later_a or later_b:
            pairs.append(("later_block", later_a, later_b))
        for i, (which, ba, bb) in enumerate(pairs):
            stage = chip(sa.name, stage_color(sa.name)) if i == 0 else ""
            rows.append(f"<tr><td>{stage}</td><td class='rx-left'>{escape(t(lang, which))}</td>"
                        f"{_block_cells(ba)}{_block_cells(bb)}</tr>")  # fmt: skip
    return table(heads, rows, note=t(lang, "blocks_note"))


def _ratio(a: int, b: int) -> str:
    return f"{b / a:.2f}×" if a else "-"


def _stride_kernel(block: BlockRow) -> int:
    return next(c.kernel for c in block.branch if c.name == block.stride_layer)


def compare_insights_html(a: ArchitectureSummary, b: ArchitectureSummary, lang: str) -> str:
    """A few sentences, each computed from the records, on what differs and why."""
    said = [t(lang, "cmp_totals", a=a.title, b=b.title, params=_ratio(a.total_params,
            b.total_params), macs=_ratio(a.total_macs, b.total_macs))]  # fmt: skip
    da, db = a.depth_breakdown, b.depth_breakdown
    ka, kb = da.convs_per_block, db.convs_per_block
    first_a = [st.block_rows[0] for st in block_stages(a)]
    first_b = [st.block_rows[0] for st in block_stages(b)]
    if da.stage_blocks == db.stage_blocks and ka != kb:
        said.append(t(lang, "cmp_same_stages", stages="+".join(map(str, da.stage_blocks)),
                      ta=first_a[0].type, ka=ka, tb=first_b[0].type, kb=kb,
                      da=da.depth, db=db.depth))  # fmt: skip
    elif ka == kb and da.stage_blocks != db.stage_blocks and first_a[0].type == first_b[0].type:
        blocks_a, blocks_b = ("+".join(map(str, d.stage_blocks)) for d in (da, db))
        said.append(t(lang, "cmp_more_blocks", t=first_a[0].type, k=ka, sa=blocks_a,
                      sb=blocks_b, da=da.depth, db=db.depth))  # fmt: skip
    widest = max(block_stages(a), key=lambda st: st.params).name
    sa = next(st for st in block_stages(a) if st.name == widest)
    sb = next((st for st in block_stages(b) if st.name == widest), None)
    ba, bb = sa.block_rows[-1], sb.block_rows[-1] if sb else None
    if bb is not None and (ba.params, ba.macs) != (bb.params, bb.macs):
        said.append(t(lang, "cmp_block", stage=widest, ta=ba.type,
                      ca=f"{ba.in_channels}→{ba.width}→{ba.out_channels}",
                      pa=fmt_count(ba.params), ma=fmt_macs(ba.macs), tb=bb.type,
                      cb=f"{bb.in_channels}→{bb.width}→{bb.out_channels}",
                      pb=fmt_count(bb.params), mb=fmt_macs(bb.macs)))  # fmt: skip
    strided = [(x, y) for x, y in zip(first_a, first_b, strict=False) if x.stride > 1 < y.stride]
    kernels = [(_stride_kernel(x), _stride_kernel(y)) for x, y in strided]
    if kernels and kernels[0][0] != kernels[0][1]:  # one strides in a 1×1, the other in a 3×3
        (x, y), (kx, ky) = strided[0], kernels[0]
        said.append(t(lang, "cmp_stride", a=a.title, b=b.title, la=x.stride_layer, ka=kx,
                      lb=y.stride_layer, kb=ky, block=x.name, ma=fmt_macs(x.macs),
                      mb=fmt_macs(y.macs), ta=fmt_macs(a.total_macs),
                      tb=fmt_macs(b.total_macs)))  # fmt: skip
    items = "".join(f"<li>{escape(text)}</li>" for text in said)
    return f'<ul class="rx-insights">{items}</ul>'


# ---------------------------------------------------------------- Predict & Explain


def weights_status(info: ModelInfo, lang: str) -> str:
    """One sentence on where the model's weights come from, and a warning when untrained."""
    classes = [shown_class(info.name, c, lang) for c in info.categories[:8]]
    text = t(lang, f"status_{info.source}", title=info.title, weights=info.weights,
             name=info.name, classes=t(lang, "list_sep").join(classes))  # fmt: skip
    if info.trained:
        return f'<div class="rx-card">{escape(text)}</div>'
    warning = escape(t(lang, "untrained", title=info.title))
    return f'<div class="rx-card rx-warning"><b>⚠ {warning}</b><br>{escape(text)}</div>'


def _percent(p: float) -> str:
    """A probability as a percentage with one decimal, and two significant digits below 0.1%
    ("0.0042%"), so that a small probability is never shown as 0.0%."""
    return f"{p:.1%}" if p >= 0.001 or p == 0 else f"{100 * p:.2g}%"


def shown_class(model: str, label: str, lang: str) -> str:
    """A class of `model` as the page names it (the demo models' shapes and CIFAR-10's classes
    are translated)."""
    entry = get_entry(model)
    return class_name(lang, label, entry.source == "demo" or entry.family == "cifar")


def prediction_note(ex: Explanation, lang: str) -> str:
    """What the overlay shows; an unmissable warning first when the weights are untrained."""
    grid = "×".join(map(str, ex.cam_grid.shape))
    label = shown_class(ex.model, ex.target_label, lang)
    caption = t(lang, "cam_caption", label=label, layer=ex.layer, grid=grid,
                model=ex.model, prob=_percent(ex.target_prob))  # fmt: skip
    warning = ""
    if not ex.trained:
        warning = escape(t(lang, "untrained", title=ex.title))
        warning = f'<div class="rx-warning"><b>⚠ {warning}</b></div>'
    return f"{warning}<div>{escape(caption)}</div>"


def modules_html(root: LayerNode, lang: str) -> str:
    """Parameters, MACs and output shape of each top-level module of a model that has no
    residual blocks (VGG-16, a ViT, a plain CNN): what is exact without a ResNet reading."""
    heads = [t(lang, k) for k in ("col_name", "col_type", "col_output", "col_params",
                                  "col_macs")]  # fmt: skip
    rows = [f"<tr><td>{escape(n.name)}</td><td>{escape(n.type)}</td>"
            f"<td>{escape(fmt_shape(n.output_shape)) if n.output_shape else '–'}</td>"
            f"<td>{fmt_count(n.total_params)}</td><td>{fmt_macs(n.macs)}</td></tr>"
            for n in root.children]  # fmt: skip
    rows.append(f"<tr><td><b>{escape(t(lang, 'total'))}</b></td><td></td><td></td>"
                f"<td><b>{fmt_count(root.total_params)}</b></td>"
                f"<td><b>{fmt_macs(root.macs)}</b></td></tr>")  # fmt: skip
    return table(heads, rows)


def error_note(message: str) -> str:
    return f'<div class="rx-warning">{escape(message)}</div>'


def note_line(message: str) -> str:
    """A one-line hint where a result was: not a warning, just what to do next."""
    return f'<div class="rx-note">{escape(message)}</div>'


# ---------------------------------------------------------------- Shortcuts


def shortcut_summary(report: ShortcutReport, lang: str) -> str:
    """Sentences computed from the records: lesions by shortcut kind, Veit et al.'s finding,
    branch sizes, gradient split, path lengths."""
    records = report.records
    label = shown_class(report.model, report.target_label, lang)
    said = [t(lang, "sum_target", label=label, prob=f"{report.prob:.1%}")]
    # Where the shape changes (a projection, or option A's zero padding) vs the identity.
    proj = [r for r in records if r.shortcut in ("projection", "pooled_projection", "zero_pad")]
    ident = [r for r in records if r.shortcut == "identity"]
    padded = any(r.shortcut == "zero_pad" for r in proj)

    def mean_delta(rs: tuple[ShortcutRecord, ...] | list[ShortcutRecord]) -> str:
        return f"{sum(r.lesion_delta for r in rs) / len(rs):+.3f}"

    if not proj and not ident:  # a plain network
        said.append(t(lang, "sum_plain", d=mean_delta(records), n=len(records),
                      c=sum(r.lesion_top1_changed for r in records)))  # fmt: skip
    elif ident:
        key = "sum_lesion_a" if padded else "sum_lesion"
        said.append(t(lang, key, proj=mean_delta(proj) if proj else "-", np=len(proj),
                      ident=mean_delta(ident), ni=len(ident),
                      cp=sum(r.lesion_top1_changed for r in proj),
                      ci=sum(r.lesion_top1_changed for r in ident)))  # fmt: skip
        # Veit et al.'s downsampling blocks: those with a stride (a stride-1 projection, such as
        # the demo models' layer4.0, only changes the width).
        down = [r for r in records if r.stride > 1]
        if down:
            hurt = sum(abs(r.lesion_delta) for r in down) / len(down)
            rest = sum(abs(r.lesion_delta) for r in ident) / len(ident)
            said.append(t(lang, "sum_agree" if hurt > rest else "sum_disagree"))
    else:
        said.append(t(lang, "sum_all_projection", proj=mean_delta(proj), np=len(proj),
                      cp=sum(r.lesion_top1_changed for r in proj)))  # fmt: skip
    ratios = [r.ratio for r in records]
    share = sum(r.grad_share_shortcut for r in records) / len(records)
    if proj or ident:  # a plain network has no S(x) to compare F(x) with
        said.append(t(lang, "sum_ratio", lo=f"{min(ratios):.2f}", hi=f"{max(ratios):.2f}",
                      share=f"{share:.0%}"))  # fmt: skip
    n = len(records)
    cumulative, half = 0.0, n
    for k, weight in enumerate(report.gradient_by_length):
        cumulative += weight
        if cumulative >= 0.5:
            half = k
            break
    typical = sum(k * w for k, w in enumerate(report.gradient_by_length))
    said.append(t(lang, "sum_paths", n=n, paths=f"{2**n:,}", typical=f"{typical:.1f}", half=half))
    warning = ""
    if not report.trained:
        warning = escape(t(lang, "untrained", title=report.title))
        warning = f'<div class="rx-warning"><b>⚠ {warning}</b></div>'
    items = "".join(f"<li>{escape(s)}</li>" for s in said)
    return f'{warning}<ul class="rx-insights">{items}</ul>'


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def factor(x: float) -> str:
    """A ratio as people read it: three significant digits below 100 ("8.87"), whole numbers
    below 10,000 ("178", "9,999") and a power of ten above ("6.58 × 10¹⁰"), never "6.58e+10"."""
    if not math.isfinite(x) or abs(x) < 99.5:
        return f"{x:.3g}"
    if abs(x) < 1e4:
        return f"{x:,.0f}"
    exponent = math.floor(math.log10(abs(x)))
    mantissa = x / 10**exponent
    if round(abs(mantissa), 2) >= 10:  # 9.999 rounds up to the next power
        mantissa, exponent = mantissa / 10, exponent + 1
    return f"{mantissa:.3g} × 10{str(exponent).translate(_SUPERSCRIPT)}"


def plain_summary(profile: GradientProfile, lang: str) -> str:
    residual, plain = profile.spread
    direction = t(lang, "plain_grows" if plain > 1 else "plain_shrinks")
    text = t(lang, "plain_sum", model=profile.title, plain=factor(plain),
             residual=factor(residual), direction=direction)  # fmt: skip
    verdict = t(lang, "plain_deep" if plain > 10 * residual else "plain_shallow")
    return f"<p>{escape(text)}{t(lang, 'sentence_gap')}{escape(verdict)}</p>"


def _gap(pair: tuple[CurvePoint, CurvePoint]) -> str:
    """Percentage points between two training errors, as the two shown (to 0.1%) differ."""
    shallow, deep = (round(100 * p.train_error, 1) for p in pair)
    return f"{deep - shallow:.1f}"


def degradation_html(run: DegradationRun, lang: str) -> str:
    """The run's one computed sentence about the paper's claim, and how the run was made."""
    f = finding(run)

    def pct(p: CurvePoint) -> str:
        return f"{100 * p.train_error:.1f}%"

    plain = t(lang, "deg_plain_yes" if f.plain_degrades else "deg_plain_no", steps=f"{f.steps:,}",
              deep=pct(f.plain[1]), shallow=pct(f.plain[0]))  # fmt: skip
    key = (
        "deg_res_yes" if f.residual_holds else "deg_res_close" if f.residual_close else "deg_res_no"
    )
    residual = t(lang, key, deep=pct(f.residual[1]), shallow=pct(f.residual[0]),
                 gap=_gap(f.residual), plain_gap=_gap(f.plain),
                 lead=f.lead, records=f.records)  # fmt: skip
    r = run.recipe
    minutes = sum(run.seconds.values()) / 60
    recipe = t(lang, "deg_recipe", steps=f"{r.steps:,}", batch=r.batch, lr=f"{r.lr:g}",
               samples=f"{r.train_samples:,}", test=f"{r.test_samples:,}", device=run.device,
               minutes=f"{minutes:.0f}")  # fmt: skip
    return (f'<p class="deg-finding"><b>{escape(plain)}</b> {escape(residual)}</p>'
            f'<p class="note">{escape(recipe)}</p>')  # fmt: skip
