"""HTML of "Compare explanations": the table of methods (cost, sanity verdict, faithfulness),
the sanity check's sentences, the layer guidance's recommendation and the shipped scores.

Records in, HTML out, in the page's language; every sentence says numbers the records hold.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING

from ..i18n import t
from ..render.cards import table
from .views import shown_class

if TYPE_CHECKING:  # records only
    from ..inspect.attribution import Attribution, Cost
    from ..inspect.sanity import SanityReport
    from ..inspect.trust import FaithRecord, Guidance


def method_name(method: str, lang: str) -> str:
    return t(lang, f"m_{method}")


def passes(cost: Cost, lang: str) -> str:
    key = "sal_forward_only" if cost.backward == 0 else "sal_passes"
    return t(lang, key, n=cost.passes)


def caption(
    a: Attribution,
    lang: str,
    verdict: tuple[bool, float] | None = None,
    faith: FaithRecord | None = None,
) -> str:
    """Under a map: the method, its passes and milliseconds; then, once measured, its sanity
    verdict (survives: ✗, changes: ✓, with the Spearman of |map|) and its deletion AUC."""
    parts = [t(lang, "sal_caption", method=method_name(a.method, lang),
               passes=passes(a.cost, lang), ms=f"{a.cost.ms:.0f}")]  # fmt: skip
    if verdict is not None:
        survives, rho = verdict
        key = "sal_fails_check" if survives else "sal_passes_check"
        parts.append(("✗ " if survives else "✓ ") + t(lang, key, rho=f"{rho:.2f}"))
    if faith is not None:
        parts.append(t(lang, "sal_caption_deletion", auc=f"{faith.deletion_auc:.3f}"))
    return " · ".join(parts)


def what_html(found: Sequence[Attribution], lang: str) -> str:
    """What the maps are of, the CAM trio's shared pass, IG's completeness, a warning if the
    weights are random."""
    a = found[0]
    layers = {x.layer for x in found} - {None}
    at = t(lang, "sal_at_layer", layer=layers.pop()) if layers else ""
    lines = [t(lang, "sal_what", label=shown_class(a.model, a.target_label, lang),
               prob=f"{a.target_prob:.3f}", model=a.title, layer=at)]  # fmt: skip
    shared = next((x.cost.shared for x in found if x.cost.shared), ())
    if shared:
        names = t(lang, "list_sep").join(method_name(m, lang) for m in shared)
        lines.append(t(lang, "sal_shared", methods=names))
    for x in found:
        if x.completeness is not None and x.completeness_error is not None:
            steps = dict(x.options).get("steps", "")
            lines.append(t(lang, "sal_complete", total=f"{x.completeness[0]:.3f}",
                           gap=f"{x.completeness[1]:.3f}", error=f"{x.completeness_error:.1%}",
                           steps=steps))  # fmt: skip
    html = "".join(f"<p>{escape(line)}</p>" for line in lines)
    if not a.trained:
        html = f'<p class="rx-warning"><b>⚠ {escape(t(lang, "sal_untrained"))}</b></p>' + html
    return f'<div class="rx-card" id="sal-what">{html}</div>'


def methods_table(methods: Sequence[str], found: Sequence[Attribution] | None,
                  sanity: SanityReport | None, faith: Sequence[FaithRecord] | None,
                  has_mask: bool, lang: str) -> str:  # fmt: skip
    """One row per method: its cost, its sanity verdict and its faithfulness numbers, each
    "not run" until measured."""
    costs = {a.method: a.cost for a in found or ()}
    scores = {f.method: f for f in faith or ()}
    survivors = set(sanity.survivors()) if sanity else set()
    missing = escape(t(lang, "sal_not_yet"))
    heads = [t(lang, k) for k in ("th_method", "th_cost", "th_sanity", "th_deletion",
                                  "th_insertion", "th_road", "th_pointing")]  # fmt: skip
    rows = []
    for m in methods:
        cost = costs.get(m)
        cells = [f'<td class="rx-left">{escape(method_name(m, lang))}</td>']
        spent = cost and t(lang, "sal_cost", passes=passes(cost, lang), ms=f"{cost.ms:.0f}")
        cells.append(f"<td>{escape(spent)}</td>" if cost else f"<td>{missing}</td>")
        if sanity and any(r.method == m for r in sanity.records):
            rho = f"{sanity.last(m).spearman_abs:.2f}"
            bad = m in survivors
            verdict = t(lang, "sal_fails_check" if bad else "sal_passes_check", rho=rho)
            css = "rx-bad" if bad else "rx-good"
            cells.append(f'<td class="{css}">{"✗" if bad else "✓"} {escape(verdict)}</td>')
        else:
            cells.append(f"<td>{missing}</td>")
        f = scores.get(m)
        if f is None:
            cells += [f"<td>{missing}</td>"] * 4
        else:
            pointing = (f"{f.pointing:.0%}" if f.pointing is not None
                        else escape(t(lang, "sal_no_mask")))  # fmt: skip
            cells += [f"<td>{f.deletion_auc:.3f}</td>", f"<td>{f.insertion_auc:.3f}</td>",
                      f"<td>{f.road:+.3f}</td>", f"<td>{pointing}</td>"]  # fmt: skip
        rows.append(f'<tr data-method="{escape(m)}">{"".join(cells)}</tr>')
    note = "" if has_mask else t(lang, "sal_mask_hint")
    return f'<div id="sal-table">{table(heads, rows, note)}</div>'


def sanity_html(report: SanityReport, lang: str) -> str:
    """One sentence per method, from its numbers, survivors first; then what was done."""
    what = t(lang, f"sal_what_{report.mode}")
    survivors = report.survivors()
    methods = list(dict.fromkeys(r.method for r in report.records))
    ordered = [m for m in methods if m in survivors] + [m for m in methods if m not in survivors]
    lines = []
    for m in ordered:
        key = "sal_survives" if m in survivors else "sal_changes"
        if report.mode == "independent":  # the unit whose randomisation moved the map most
            rec = min((r for r in report.records if r.method == m), key=lambda r: r.spearman_abs)
            if m not in survivors:
                key, what = "sal_changes_unit", rec.randomised
        else:
            rec = report.last(m)
        text = t(lang, key, method=method_name(m, lang), what=what, rho=f"{rec.spearman_abs:.2f}")
        css = "rx-warning" if m in survivors else ""
        lines.append(f'<p class="{css}">{escape(text)}</p>')
    done = t(lang, "sal_sanity_done", units=" → ".join(report.units),
             seconds=f"{report.ms / 1000:.1f}",
             label=shown_class(report.model, report.target_label, lang))  # fmt: skip
    lines.append(f'<p class="note">{escape(done)}</p>')
    return f'<div class="rx-card" id="sal-verdict">{"".join(lines)}</div>'


def guidance_html(guide: Guidance, model: str, lang: str) -> str:
    """The recommended layer and its reason, set against the default (the last stage)."""
    b, d = guide.best, guide.default

    def grid(s: object) -> str:
        h, w = s.grid  # type: ignore[attr-defined]
        return f"{h}×{w}"

    text = t(lang, "sal_recommend", model=model, layer=b.layer, pointing=f"{b.pointing:.0%}",
             grid=grid(b))  # fmt: skip
    if b.layer == d.layer:
        text += t(lang, "sal_recommend_default")
    else:
        text += t(lang, "sal_versus_default", layer=d.layer, pointing=f"{d.pointing:.0%}",
                  grid=grid(d), side=guide.side)  # fmt: skip
        text += t(lang, "sal_versus_deletion", auc=f"{b.deletion_auc:.3f}",
                  default=f"{d.deletion_auc:.3f}")  # fmt: skip
    bold = escape(text).replace("**", "<b>", 1).replace("**", "</b>", 1)
    return f'<div class="rx-card" id="sal-guidance"><p>{bold}</p></div>'


def shipped_html(rows: Sequence[dict[str, object]], lang: str) -> str:
    """The scores shipped with the demo models (demo/saliency.py measured them)."""
    heads = [t(lang, k) for k in ("th_model", "th_method", "th_deletion", "th_insertion",
                                  "th_road", "th_pointing", "th_sanity")]  # fmt: skip
    body = []
    for r in rows:
        rho = float(r["cascading"])  # type: ignore[arg-type]
        verdict = t(lang, "sal_fails_check" if r["survives"] else "sal_passes_check",
                    rho=f"{rho:.2f}")  # fmt: skip
        body.append(
            f'<tr><td class="rx-left">{escape(str(r["model"]))}</td>'
            f'<td class="rx-left">{escape(method_name(str(r["method"]), lang))}</td>'
            f"<td>{float(r['deletion_auc']):.3f}</td><td>{float(r['insertion_auc']):.3f}</td>"  # type: ignore[arg-type]
            f"<td>{float(r['road']):+.3f}</td><td>{float(r['pointing']):.0%}</td>"  # type: ignore[arg-type]
            f"<td>{escape(verdict)}</td></tr>"
        )
    return table(heads, body)
