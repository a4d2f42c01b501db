"""Plain-text and CSV renderings of architecture summaries, for the CLI and for downloads.

Consumes the records of analysis.py only; never touches a model.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

MACS_NOTE = (
    'MACs: multiply-accumulates of the conv and fc layers per image (the paper\'s "FLOPs" and '
    "torchvision's GFLOPS count the same thing)."
)

if TYPE_CHECKING:  # records only; renderers never touch a model, nor import torch
    from ..arch.analysis import ArchitectureSummary, LayerNode


def fmt_count(n: int) -> str:
    return f"{n:,}"


def fmt_macs(n: int) -> str:
    for unit, scale in (("G", 1e9), ("M", 1e6), ("K", 1e3)):
        if n >= scale:
            return f"{n / scale:.2f} {unit}" if unit == "G" else f"{n / scale:.1f} {unit}"
    return str(n)


def fmt_shape(shape: Sequence[int] | None, sep: str = "×") -> str:
    """(1, 64, 56, 56) → "64×56×56": one image's tensor, batch dropped."""
    return "-" if shape is None else sep.join(map(str, shape[1:]))


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(r: Sequence[str]) -> str:
        cells = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ]
        return "  ".join(cells).rstrip()

    return [line(header)] + [line(r) for r in rows]


def depth_lines(s: ArchitectureSummary) -> list[str]:
    d = s.depth_breakdown
    k = d.convs_per_block
    blocks = sum(d.stage_blocks)
    lines = [f"Depth  {d.formula}"]
    if k is not None:
        per_stage = "+".join(map(str, d.stage_blocks))
        lines.append(
            f"       {d.stem} stem conv + {k} convs in each of {blocks} blocks ({per_stage} per "
            f"stage) + {d.head} fc"
        )
    if d.compact:
        lines.append(f"       compact: {d.compact}")
    lines.append(f"       expanded: {d.expanded}")
    skipped = []
    for u in d.not_counted:
        calls = f" modules ({u.calls} calls)" if u.calls != u.modules else ""
        skipped.append(f"{u.modules} {u.label}{calls}")
    lines.append(f"       not counted: {', '.join(skipped)}")
    return lines


def summary_text(s: ArchitectureSummary, blocks: bool = False) -> str:
    """The formula, the stage table, the shortcuts and the totals."""
    out = [f"{s.title} ({s.model}), input 3×{s.input_size}×{s.input_size}", ""]
    out += depth_lines(s)
    out.append("")
    rows = [
        [
            st.name,
            st.paper_name,
            fmt_shape(st.output_shape),
            "global" if s.sees_whole_input(st) else str(st.stride),
            "global" if s.sees_whole_input(st) else str(st.receptive_field),
            str(st.blocks) if st.blocks else "-",
            fmt_count(st.params),
            fmt_macs(st.macs),
        ]
        for st in s.stages
    ]
    rows.append(
        [
            "total",
            "",
            "",
            "",
            "",
            str(sum(st.blocks for st in s.stages)),
            fmt_count(s.total_params),
            fmt_macs(s.total_macs),
        ]
    )
    header = ["stage", "paper", "output", "stride", "RF", "blocks", "params", "MACs"]
    out += text_table(header, rows, right={3, 4, 5, 6, 7})
    all_blocks = [b for st in s.stages for b in st.block_rows]
    projections = [b for b in all_blocks if b.shortcut in ("projection", "pooled_projection")]
    out += ["", f"Projection shortcuts (1×1 conv + BN): {len(projections)} blocks"]
    out += [f"  {b.name:<9} {b.reason}" for b in projections]
    out.append(f"Identity shortcuts: {len(all_blocks) - len(projections)} blocks")
    if blocks:
        out.append("")
        block_rows = [
            [
                b.name,
                b.type,
                f"{b.in_channels}→{b.width}→{b.out_channels}",
                str(b.stride),
                b.stride_layer or "-",
                b.shortcut,
                str(b.receptive_field),
                fmt_count(b.params),
                fmt_macs(b.macs),
            ]
            for b in all_blocks
        ]
        header = [
            "block",
            "type",
            "channels",
            "stride",
            "stride on",
            "shortcut",
            "RF",
            "params",
            "MACs",
        ]
        out += text_table(header, block_rows, right={3, 6, 7, 8})
    out += ["", MACS_NOTE]
    return "\n".join(out) + "\n"


@dataclass(frozen=True)
class LayerRow:
    """One line of the flat layer table (depth-first order of the module tree)."""

    name: str
    type: str
    level: int  # nesting depth; 0 is the model
    detail: str
    output_shape: str
    calls: int
    params: int
    total_params: int
    macs: int


def layer_rows(s: ArchitectureSummary) -> list[LayerRow]:
    rows: list[LayerRow] = []

    def visit(node: LayerNode, level: int) -> None:
        rows.append(
            LayerRow(
                node.name or s.model,
                node.type,
                level,
                node.detail,
                fmt_shape(node.output_shape, "x"),
                node.calls,
                node.params,
                node.total_params,
                node.macs,
            )
        )
        for child in node.children:
            visit(child, level + 1)

    visit(s.layers, 0)
    return rows


def layers_csv(s: ArchitectureSummary) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(LayerRow.__dataclass_fields__)
    for row in layer_rows(s):
        writer.writerow(row.__dict__.values())
    return buf.getvalue()
