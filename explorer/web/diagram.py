"""The block diagram: the selected model's residual block drawn for every stage with its real
channel numbers, in Figure 3's convention: an identity shortcut a solid line, a projection a
dotted path through its 1×1 conv's box.

Inline SVG built from BlockRow records (no network, no JavaScript), in English or Chinese.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from ..i18n import t
from .theme import stage_color
from .views import shortcut_reasons, shortcut_text

if TYPE_CHECKING:  # records only; renderers never touch a model, nor import torch
    from ..arch.analysis import ArchitectureSummary, BlockRow, ConvSpec

COL_W, BOX_W, BOX_H, GAP = 270, 124, 30, 26
MAIN_X, SIDE_X, SIDE_W = 12, 200, 92  # main boxes' left edge; shortcut lane x and box width
DOTTED = ' stroke-dasharray="2.5 3"'  # a projection's path, as network.py draws its arc


def _conv_label(c: ConvSpec) -> str:
    """The paper's Figure 5 notation: "3×3, 128, /2" (kernel, output channels, stride)."""
    label = f"{c.kernel}×{c.kernel}, {c.out_channels}"
    if c.stride > 1:
        label += f", /{c.stride}"
    if c.groups > 1:
        label += f", g{c.groups}"
    return label


def _fitting(label: str, size: int = 13) -> int:
    """The font size at which `label` fits in a box ("3×3, 256, /2, g32" needs 11): a bold
    character of system-ui is at most 0.62 em wide."""
    return max(9, min(size, int((BOX_W - 10) / (0.62 * len(label)))))


def _text(x: float, y: float, s: str, size: int = 12, anchor: str = "middle",
          weight: str = "normal", fill: str = "currentColor") -> str:  # fmt: skip
    return (f'<text x="{x:.0f}" y="{y:.0f}" font-size="{size}" text-anchor="{anchor}" '
            f'font-weight="{weight}" fill="{fill}">{escape(s)}</text>')  # fmt: skip


def _line(x: float, y1: float, y2: float) -> str:
    return f'<line x1="{x}" y1="{y1}" x2="{x}" y2="{y2}" stroke="currentColor"/>'


def _box(x: float, y: float, w: float, h: float, color: str, opacity: float) -> str:
    return (f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="6" fill="{color}" '
            f'fill-opacity="{opacity}" stroke="{color}" stroke-width="1.5"/>')  # fmt: skip


_STEP_NAMES = {"bn": "BN", "relu": "ReLU", "attention": "× attention gate"}


def _around_convs(block: BlockRow) -> tuple[str, list[str]]:
    """What the branch runs before its first conv, and after each conv up to the next, in the
    order the forward pass ran it: ("", ["BN, ReLU", "BN"]) for torchvision's BasicBlock,
    ("BN, ReLU", ["BN, ReLU", ""]) for a pre-activation one."""
    steps = block.steps or ("conv", "bn", "relu") * (len(block.branch) - 1) + ("conv", "bn")
    groups: list[list[str]] = [[]]
    for step in steps:
        if step == "conv":
            groups.append([])
        else:
            groups[-1].append(_STEP_NAMES.get(step, step))
    before, *after = (", ".join(g) for g in groups)
    return before, after


def _block(block: BlockRow, x0: float, y0: float, color: str, lang: str) -> tuple[list[str], float]:
    """SVG parts of one block, top-left at (x0, y0); returns the parts and the height used."""
    cx = x0 + MAIN_X + BOX_W / 2
    side = x0 + SIDE_X
    parts = [_text(cx, y0 + 12, t(lang, "diagram_in", c=block.in_channels), 12)]
    y = y0 + 22
    top = y
    before, after = _around_convs(block)
    if before:  # a pre-activation block: BN and ReLU come first
        parts.append(_line(cx, y, y + 16))
        parts.append(_text(cx + 4, y + 12, before, 10, anchor="start", fill="#64748b"))
        y += 16
    for conv, then in zip(block.branch, after, strict=False):
        parts.append(_line(cx, y, y + 8))
        y += 8
        parts.append(_box(x0 + MAIN_X, y, BOX_W, BOX_H, color, 0.15))
        label = _conv_label(conv)
        parts.append(_text(cx, y + 20, label, _fitting(label), weight="600"))
        y += BOX_H
        if then:
            parts.append(_text(cx + 4, y + 13, then, 10, anchor="start", fill="#64748b"))
        parts.append(_line(cx, y, y + GAP - 8))
        y += GAP - 8
    plus_y = y + 10
    parts.append(f'<circle cx="{cx}" cy="{plus_y}" r="10" fill="none" stroke="currentColor"/>')
    parts.append(_text(cx, plus_y + 5, "+" if block.shortcut != "none" else "", 16, weight="700"))
    # The shortcut leaves the input above the first conv and joins at the addition.
    mid = (top + plus_y) / 2
    if block.projection is not None:
        p = block.projection
        parts.append(f'<path d="M{cx},{top} H{side} V{mid - 15}" fill="none" stroke="{color}" '
                     f'stroke-width="2"{DOTTED}/>')  # fmt: skip
        parts.append(_box(side - SIDE_W / 2, mid - 15, SIDE_W, 30, color, 0.3))
        label = f"1×1, {p.out_channels}" + (f", /{p.stride}" if p.stride > 1 else "")
        parts.append(_text(side, mid + 4, label, 10, weight="600"))
        parts.append(f'<path d="M{side},{mid + 15} V{plus_y} H{cx + 10}" fill="none" '
                     f'stroke="{color}" stroke-width="2"{DOTTED}/>')  # fmt: skip
        if "bn" in block.shortcut_steps:  # a pre-activation projection has none
            parts.append(_text(side, mid + 28, "+ BN", 10, fill="#64748b"))
    elif block.shortcut == "zero_pad":  # option A: no weights, so an empty dashed box
        parts.append(
            f'<path d="M{cx},{top} H{side} V{mid - 12} M{side},{mid + 12} V{plus_y} '
            f'H{cx + 10}" fill="none" stroke="#64748b" stroke-width="1.5"{DOTTED}/>'
        )
        parts.append(
            f'<rect x="{side - SIDE_W / 2}" y="{mid - 12}" width="{SIDE_W}" height="24" '
            'rx="6" fill="none" stroke="#64748b" stroke-dasharray="4 3"/>'
        )
        label = t(lang, "diagram_zero_pad", c=block.out_channels)
        label += f", /{block.stride}" if block.stride > 1 else ""
        parts.append(_text(side, mid + 4, label, 10, weight="600", fill="#64748b"))
    elif block.shortcut == "none":
        parts.append(_text(side - 20, mid, t(lang, "diagram_no_shortcut"), 11, fill="#64748b"))
    else:
        parts.append(f'<path d="M{cx},{top} H{side} V{plus_y} H{cx + 10}" fill="none" '
                     f'stroke="#64748b" stroke-width="1.5"/>')  # fmt: skip
        parts.append(_text(side + 4, (top + plus_y) / 2, t(lang, "identity"), 11,
                           anchor="start", fill="#64748b"))  # fmt: skip
    y = plus_y + 10
    parts.append(_line(cx, y, y + 12))
    if block.relu_after_sum:
        parts.append(_text(cx + 4, y + 10, "ReLU", 10, anchor="start", fill="#64748b"))
    parts.append(_text(cx, y + 26, t(lang, "diagram_out", c=block.out_channels), 12))
    return parts, y + 34 - y0


def block_kind(block: BlockRow, lang: str) -> str:
    """The block type and its convs, e.g. "Bottleneck: 1×1 reduce → 3×3 → 1×1 expand ×4"."""
    steps = []
    for c in block.branch:
        step = f"{c.kernel}×{c.kernel}"
        if c.kernel == 1 and c.out_channels < c.in_channels:
            step = t(lang, "reduce", k=step)
        elif c.kernel == 1 and c.out_channels > c.in_channels:
            step = t(lang, "expand", k=step, x=f"{c.out_channels / c.in_channels:g}")
        steps.append(step)
    return f"{block.type}: {' → '.join(steps)}"


def projection_sentence(s: ArchitectureSummary, lang: str) -> str:
    """Where and why a block's shortcut is not the plain identity; a pre-activation network
    adds why its identity path is clean."""
    blocks = [b for st in s.stages for b in st.block_rows]
    if blocks and all(b.shortcut == "none" for b in blocks):
        return t(lang, "why_plain")
    if blocks and all(b.shortcut in ("projection", "pooled_projection") for b in blocks):
        return t(lang, "why_all_projection")
    changed = [b for b in blocks if b.shortcut in ("projection", "pooled_projection", "zero_pad")]
    first = next((b for b in changed if b.stride > 1), None) or next(iter(changed), None)
    if first is None:
        text = t(lang, "why_no_projection")
    else:
        zero_pad = first.shortcut == "zero_pad"
        reason = shortcut_reasons(first, lang) if zero_pad else shortcut_text(first, lang)
        key = "why_zero_pad" if zero_pad else "why_projection"
        if not zero_pad and "bn" not in first.shortcut_steps:
            key = "why_projection_conv"  # the pre-activation projection: a bare 1×1 conv
        text = t(lang, key, block=first.name, reason=reason)
    if blocks and not blocks[0].relu_after_sum:
        text += t(lang, "why_preact")
    return text


def diagram_html(s: ArchitectureSummary, lang: str) -> str:
    """Row 1: each stage's first block; row 2: its later blocks, which are all alike."""
    stages = [st for st in s.stages if st.blocks]
    parts: list[str] = []
    first_h = later_h = 0.0
    for col, st in enumerate(stages):
        x0, color = col * COL_W, stage_color(st.name)
        title = f"{st.name} · {st.block_rows[0].name}"
        parts.append(_text(x0 + COL_W / 2, 18, title, 13, weight="700", fill=color))
        drawn, h = _block(st.block_rows[0], x0, 26, color, lang)
        parts += drawn
        first_h = max(first_h, 26 + h)
    top = first_h + 24
    for col, st in enumerate(stages):
        if st.blocks < 2:
            continue
        x0, color = col * COL_W, stage_color(st.name)
        label = st.block_rows[1].name
        if st.blocks > 2:
            label = t(lang, "later_blocks", a=label, b=st.block_rows[-1].name, n=st.blocks - 1)
        parts.append(_text(x0 + COL_W / 2, top + 14, label, 12, weight="700", fill=color))
        drawn, h = _block(st.block_rows[-1], x0, top + 22, color, lang)
        parts += drawn
        later_h = max(later_h, 22 + h)
    height = top + later_h + 10 if later_h else first_h + 10
    width = COL_W * len(stages)
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height:.0f}" '
           f'width="{width}" role="img" aria-label="{escape(t(lang, "diagram_title"))}">'
           f'{"".join(parts)}</svg>')  # fmt: skip
    kind = block_kind(stages[0].block_rows[-1], lang) if stages else ""
    return (f'<div class="rx-card rx-diagram"><div><b>{escape(kind)}</b></div>{svg}'
            f'<div>{escape(projection_sentence(s, lang))}</div>'
            f'<div class="rx-muted">{escape(legend(s, lang))}</div></div>')  # fmt: skip


def legend(s: ArchitectureSummary, lang: str) -> str:
    """How to read the boxes, with "g32" explained when a block has grouped convolutions."""
    text = t(lang, "diagram_legend")
    grouped = next((c for st in s.stages for b in st.block_rows for c in b.branch
                    if c.groups > 1), None)  # fmt: skip
    if grouped is None:
        return text
    return text + t(lang, "diagram_groups", g=grouped.groups, c=grouped.out_channels,
                    w=grouped.out_channels // grouped.groups)  # fmt: skip
