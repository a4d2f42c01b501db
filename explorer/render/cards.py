"""The depth-formula card and the stage table as HTML, shared by the web page and by a notebook
(`ArchitectureSummary._repr_html_`, attached by explorer/__init__), with the CSS they need.
Strings only: no gradio, no torch, and no import of arch/ at run time.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from ..i18n import t
from .palette import BLOCK_COLOR, FONT_FAMILY, stage_color
from .report import fmt_count, fmt_macs, fmt_shape

if TYPE_CHECKING:
    from ..arch.analysis import ArchitectureSummary, StageRow

# The card's and the table's look. The page's theme defines the variables; a notebook has none,
# so each has a fallback.
CARD_CSS = """
.rx-card { border: 1px solid var(--border-color-primary, #e5e7eb); border-radius: 10px;
  padding: 14px 18px; background: var(--block-background-fill, transparent); }
.rx-formula { font-size: 2.6rem; font-weight: 700; line-height: 1.2; letter-spacing: 0.01em;
  font-variant-numeric: tabular-nums; }
.rx-formula-small .rx-formula { font-size: 1.7rem; }
.rx-c { color: var(--c); }
.rx-legend { display: flex; flex-wrap: wrap; gap: 6px 14px; margin: 10px 0 6px; }
.rx-chip { display: inline-flex; align-items: center; gap: 6px; }
.rx-chip::before { content: ""; width: 10px; height: 10px; border-radius: 3px;
  background: var(--c); display: inline-block; }
.rx-muted { color: var(--body-text-color, inherit); opacity: 0.78; }
.rx-forms { font-family: var(--font-mono, monospace); margin-top: 4px; }
.rx-table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
.rx-table th, .rx-table td { padding: 5px 9px;
  border-bottom: 1px solid var(--border-color-primary, #e5e7eb); text-align: right;
  white-space: nowrap; }
.rx-table th { font-weight: 600; background: var(--block-background-fill, transparent); }
.rx-table td:first-child, .rx-table th:first-child, .rx-table .rx-left { text-align: left; }
.rx-table tr.rx-total td { font-weight: 700; }
/* Wide tables scroll sideways in their own box (a 1024-pixel projector, or 1280 pixels at 150%
   zoom), so no column is ever cut off. */
.rx-scroll { overflow-x: auto; max-width: 100%; }
"""


def chip(label: str, color: str) -> str:
    return f'<span class="rx-chip" style="--c:{color}">{escape(label)}</span>'


def colored(text: object, color: str) -> str:
    return f'<span class="rx-c" style="--c:{color}">{escape(str(text))}</span>'


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def block_stages(s: ArchitectureSummary) -> list[StageRow]:
    return [st for st in s.stages if st.blocks]


def stem_conv(s: ArchitectureSummary) -> str:
    """The stem convs' kernel, channels and stride, e.g. "7×7 conv, 3→64, stride 2", at any depth
    of the stem's modules (the source notes keep theirs in a Sequential, `conv1.0`); a deep stem's
    three in order, joined by arrows."""
    stem = next((st for st in s.stages if st.name == "stem"), None)
    if stem is None:
        return ""
    convs = [node.detail for node in s.layers.walk() if node.type == "Conv2d" and any(
        node.name == m or node.name.startswith(m + ".") for m in stem.modules)]  # fmt: skip
    return " → ".join(convs)


# ---------------------------------------------------------------- the depth formula


def formula_html(s: ArchitectureSummary, lang: str, small: bool = False) -> str:
    """The formula large and coloured by part, with what it counts and what it leaves out."""
    d = s.depth_breakdown
    k = d.convs_per_block
    stages = block_stages(s)
    if k is None:  # blocks of different sizes: no common factor to colour
        formula = escape(d.formula)
    else:
        counts = "+".join(colored(st.blocks, stage_color(st.name)) for st in stages)
        formula = (
            f"{d.depth} = {colored(d.stem, stage_color('stem'))} + "
            f"{colored(k, BLOCK_COLOR)}·({counts}) + {colored(d.head, stage_color('head'))}"
        )
    legend = [chip(t(lang, "legend_stem", n=d.stem, detail=stem_conv(s)), stage_color("stem"))]
    if k is not None:
        legend.append(chip(t(lang, "legend_block", k=k), BLOCK_COLOR))
    legend += [chip(t(lang, "legend_stage", stage=st.name, n=st.blocks), stage_color(st.name))
               for st in stages]  # fmt: skip
    legend.append(chip(t(lang, "legend_head", n=d.head), stage_color("head")))

    skipped = []
    for u in d.not_counted:
        text = t(lang, f"uncounted_{u.key}", n=u.modules)
        if u.calls != u.modules:
            text += t(lang, "uncounted_calls", calls=u.calls)
        skipped.append(escape(text))
    forms = [t(lang, "form_compact", f=d.compact)] if d.compact else []
    forms.append(t(lang, "form_expanded", f=d.expanded))
    sentence = t(lang, "formula_sentence", depth=d.depth, stem=d.stem, k=k if k else "?",
                 blocks=sum(d.stage_blocks), head=d.head)  # fmt: skip
    return (
        f'<div class="rx-card{" rx-formula-small" if small else ""}">'
        f'<div class="rx-muted">{escape(s.title)} · {escape(t(lang, "why_depth", depth=d.depth))}'
        f"</div>"
        f'<div class="rx-formula" aria-label="{escape(d.formula)}">{formula}</div>'
        f'<div class="rx-legend">{"".join(legend)}</div>'
        f"<div>{escape(sentence)}</div>"
        f'<div class="rx-forms rx-muted">{"<br>".join(escape(f) for f in forms)}</div>'
        f'<div class="rx-muted"><b>{escape(t(lang, "not_counted"))}</b> '
        f"{' · '.join(skipped)}{t(lang, 'full_stop')}{escape(t(lang, 'not_counted_why'))}</div>"
        f"</div>"
    )


# ---------------------------------------------------------------- the stage table


def table(heads: list[str], rows: list[str], note: str = "") -> str:
    header = "".join(f"<th>{escape(h)}</th>" for h in heads)
    # In a box of its own that scrolls sideways: on a 1024-pixel projector the last columns stay
    # reachable rather than cut off.
    table = (f'<div class="rx-scroll"><table class="rx-table"><thead><tr>{header}</tr></thead>'
             f'<tbody>{"".join(rows)}</tbody></table></div>')  # fmt: skip
    return table + (f'<div class="rx-muted">{escape(note)}</div>' * bool(note))


def geometry(value: int, stage: StageRow, s: ArchitectureSummary, lang: str) -> str:
    """A stride or receptive field, or "global" (`ArchitectureSummary.sees_whole_input`)."""
    if s.sees_whole_input(stage):
        return escape(t(lang, "global"))
    return str(value)


def stage_table_html(s: ArchitectureSummary, lang: str) -> str:
    heads = ["col_stage", "col_paper", "col_output", "col_stride", "col_rf", "col_blocks",
             "col_params", "col_share", "col_macs", "col_share"]  # fmt: skip
    rows = []
    for st in s.stages:
        rows.append(
            "<tr>"
            f"<td>{chip(st.name, stage_color(st.name))}</td>"
            f'<td class="rx-left">{escape(st.paper_name)}</td>'
            f'<td class="rx-left">{fmt_shape(st.output_shape)}</td>'
            f"<td>{geometry(st.stride, st, s, lang)}</td>"
            f"<td>{geometry(st.receptive_field, st, s, lang)}</td>"
            f"<td>{st.blocks or '-'}</td>"
            f"<td>{fmt_count(st.params)}</td><td>{pct(st.params, s.total_params)}</td>"
            f"<td>{fmt_macs(st.macs)}</td><td>{pct(st.macs, s.total_macs)}</td>"
            "</tr>"
        )
    rows.append(
        f'<tr class="rx-total"><td>{escape(t(lang, "total"))}</td><td></td><td></td><td></td>'
        f"<td></td><td>{sum(st.blocks for st in s.stages)}</td>"
        f"<td>{fmt_count(s.total_params)}</td><td>100%</td>"
        f"<td>{fmt_macs(s.total_macs)}</td><td>100%</td></tr>"
    )
    note = t(lang, "stage_table_note")
    if any(len(st.modules) > 1 for st in s.stages if st.blocks):  # the stem's pool moved in
        note += t(lang, "stage_table_pool")
    return table([t(lang, h) for h in heads], rows, note=note)


def notebook_html(s: ArchitectureSummary, lang: str = "en") -> str:
    """The formula card and the stage table in one block that carries its own CSS (a notebook
    has the page's theme nowhere), in the page's fonts."""
    return (
        f'<div class="rx-notebook" style="font-family: {escape(FONT_FAMILY)}">'
        f"<style>{CARD_CSS}</style>{formula_html(s, lang)}{stage_table_html(s, lang)}</div>"
    )
