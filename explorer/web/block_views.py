"""The sentences of the "Inside a block" tab, computed from its records: what a block's sum does
on an image, how large a unit's receptive fields are, and what deleting blocks costs.

Records in, HTML out (escaped); no model is touched here and nothing imports gradio.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING

from ..i18n import t
from .views import _percent

if TYPE_CHECKING:
    from ..experiments.degradation import CurvePoint
    from ..experiments.lesions import LesionPoint
    from ..inspect.blockview import Arithmetic, BlockView
    from ..inspect.erf import Growth, ReceptiveField
    from ..inspect.lesions import Lesioned


def _num(v: float) -> str:
    return "∞" if not math.isfinite(v) else f"{v:.2f}"


def block_html(view: BlockView, lang: str, chosen: bool, twin: BlockView | None = None,
               scale: float | None = None) -> str:  # fmt: skip
    """What the four maps show: the block, the channel and why, ‖F‖/‖S‖, the activation's cut,
    what a shortcut that is not the identity does, the channels F changes most, and the plain
    twin's F(x) beside them."""
    why = t(lang, "why_chosen" if chosen else "why_auto")
    if view.activation:
        cut = t(lang, "cut_relu", act=view.activation, cut=_percent(view.cut_share),
                ccut=_percent(view.channel_cut_share))  # fmt: skip
    else:
        cut = t(lang, "cut_none")
    key = "block_stats_plain" if view.plain else "block_stats"
    lines = [t(lang, key, block=view.block, model=view.model, channel=view.channel,
               channels=view.channels, why=why, ratio=_num(view.ratio),
               cratio=_num(view.channel_ratio), cut=cut)]  # fmt: skip
    p = view.projection
    if p is not None:
        lines.append(t(lang, f"proj_{p.kind}", cin=p.in_channels, cout=p.out_channels,
                       stride=p.stride))  # fmt: skip
    elif not view.plain:
        lines.append(t(lang, "proj_identity"))
    lines.append(t(lang, "ranked", channels=", ".join(map(str, view.ranked))))
    if twin is not None:
        lines.append(t(lang, "twin_note", twin=twin.model, block=twin.block,
                       ratio=_num(float(abs(twin.branch).max()) / view.scale
                                  if view.scale else math.inf)))  # fmt: skip
    html = "".join(f"<p>{escape(line)}</p>" for line in lines)
    if not view.trained:
        warning = escape(t(lang, "block_untrained", title=view.title))
        html = f'<p class="rx-warning"><b>⚠ {warning}</b></p>' + html
    scale = t(lang, "block_scale", v=f"{scale if scale is not None else view.scale:.2f}")
    return f'<div class="rx-card" id="block-stats">{html}<p class="note">{escape(scale)}</p></div>'


def arithmetic_html(a: Arithmetic, channel: int, lang: str, twin: Arithmetic | None = None,
                    twin_model: str = "") -> str:  # fmt: skip
    """The sum at a clicked position, and the plain twin's F(x) and output there."""
    text = a.text(t(lang, "sum_word"), t(lang, "list_sep"))
    said = t(lang, "arith", row=a.row, col=a.col, channel=channel, text=text)
    more = ""
    if twin is not None:

        def num(v: float) -> str:
            return f"{v:.2f}".replace("-", "−")

        more = "<br>" + escape(t(lang, "arith_twin", model=twin_model, f=num(twin.branch),
                                 out=num(twin.output)))  # fmt: skip
    return f'<div class="rx-card rx-arith" id="block-arith"><b>{escape(said)}</b>{more}</div>'


def map_labels(view: BlockView, lang: str) -> tuple[str, str, str, str]:
    """The four maps' captions."""
    out = t(lang, "map_out", act=view.activation) if view.activation else t(lang, "map_out_none")
    s = t(lang, "map_no_shortcut") if view.plain else t(lang, "map_s")
    return s, t(lang, "map_f"), t(lang, "map_sum"), out


def twin_label(twin: BlockView, lang: str) -> str:
    return t(lang, "map_twin", model=twin.model)


def erf_html(rf: ReceptiveField, lang: str) -> str:
    size = rf.map.shape[0]
    off = t(lang, "erf_off", size=size) if rf.theoretical > size else ""
    h, w = rf.grid
    text = t(lang, "erf_text", model=rf.model, row=rf.position[0], col=rf.position[1],
             layer=rf.layer, h=h, w=w,
             rf=rf.theoretical, off=off, s50=f"{rf.side50:.0f}", s90=f"{rf.side90:.0f}",
             p50=f"{rf.share50:.0%}", p90=f"{rf.share90:.0%}")  # fmt: skip
    legend = t(lang, "erf_legend")
    return (f'<div class="rx-card" id="erf-text"><p>{escape(text)}</p>'
            f'<p class="note">{escape(legend)}</p></div>')  # fmt: skip


def growth_html(found: dict[str, Growth | None], last: str, model: str, lang: str) -> str:
    """Per set of weights, the fitted growth exponents and the last stage's share; then whether
    Luo et al.'s finding shows (computed: the ERF's exponent below the theoretical one, and the
    last stage's 90% square smaller than its theoretical field)."""
    lines = []
    shows = []
    for weights, g in found.items():
        if g is None:
            continue
        said = t(lang, "weights_trained" if weights == "trained" else "weights_random_short")
        lines.append(t(lang, "erf_growth", weights=said, t=f"{g.theoretical:.2f}",
                       e=f"{g.erf90:.2f}", last=last, share=f"{g.last_share90:.0%}"))  # fmt: skip
        shows.append(g.erf90 < g.theoretical and g.last_share90 < 1)
    if "trained" not in found:
        lines.insert(0, t(lang, "erf_no_trained", model=model))
    if shows:
        lines.append(t(lang, "erf_luo_yes" if all(shows) else "erf_luo_no"))
    return '<div class="rx-card" id="erf-growth">' + "".join(
        f"<p>{escape(line)}</p>" for line in lines) + "</div>"  # fmt: skip


def lesion_html(les: Lesioned, accuracy: tuple[float, float, int] | None, lang: str,
                trained_on_shapes: Sequence[str] = ()) -> str:  # fmt: skip
    """The held-out accuracy with the deleted blocks (and intact), or why there is none."""
    deleted = ", ".join(les.deleted) if les.deleted else t(lang, "les_none")
    lines = []
    fixed = [d.block for d in les.blocks if not d.removable]
    if fixed:
        lines.append(t(lang, "les_fixed", blocks=", ".join(fixed)))
    if accuracy is None:
        why = (t(lang, "les_untrained", model=les.model) if les.model in trained_on_shapes
               else t(lang, "les_no_heldout", model=les.model,
                      names=t(lang, "list_sep").join(trained_on_shapes)))  # fmt: skip
        lines.insert(0, why)
    else:
        acc, base, n = accuracy
        lines.insert(0, t(lang, "les_accuracy", model=les.model, deleted=deleted,
                          acc=f"{acc:.1%}", base=f"{base:.1%}", n=n))  # fmt: skip
    return '<div class="rx-card" id="lesion-accuracy">' + "".join(
        f"<p>{escape(line)}</p>" for line in lines) + "</div>"  # fmt: skip


def curve_finding(curves: dict[str, Sequence[LesionPoint]], lang: str,
                  plain56: CurvePoint | None) -> str:  # fmt: skip
    """The sentences under Veit et al.'s chart, from the measured points: what the first deletion
    costs the deepest ResNet and plain20, and whether Veit et al.'s finding shows. The plain
    network collapses when its first deletion leaves it above 50% error, a jump at least three
    times the ResNet's; a ResNet degrades step by step when one deletion leaves it below half the
    plain network's error and it passes 50% only after two or more."""
    lines = []
    residual = [m for m in curves if m.startswith("resnet")]
    plain = [m for m in curves if m.startswith("plain")]
    if residual and plain and all(len(curves[m]) > 1 for m in curves):
        res, pl = residual[-1], plain[0]
        r = [p.mean_error for p in curves[res]]
        q = [p.mean_error for p in curves[pl]]

        def pct(v: float) -> str:
            return f"{v:.1%}"

        lines.append(t(lang, "les_finding", res=res, r0=pct(r[0]), r1=pct(r[1]),
                       rd=f"{100 * (r[1] - r[0]):+.1f}", p0=pct(q[0]), p1=pct(q[1]),
                       pd=f"{100 * (q[1] - q[0]):+.1f}", k=curves[res][-1].k,
                       rk=pct(r[-1])))  # fmt: skip
        collapses = q[1] > 0.5 and q[1] - q[0] >= 3 * max(r[1] - r[0], 0.01)
        stepwise = []
        for m in residual:
            e = [p.mean_error for p in curves[m]]
            past = next((p.k for p in curves[m] if p.mean_error >= 0.5), None)
            if e[1] < q[1] / 2 and (past is None or past >= 2):
                stepwise.append((m, past, curves[m][-1].k))
            else:
                lines.append(t(lang, "les_not_stepwise", model=m,
                               d=f"{100 * (e[1] - e[0]):.1f}"))  # fmt: skip
        if collapses and res in [m for m, _, _ in stepwise]:
            _, past, last = next(s for s in stepwise if s[0] == res)
            said = (t(lang, "les_passes", k=past) if past is not None
                    else t(lang, "les_never_passes", k=last))  # fmt: skip
            lines.insert(1, t(lang, "les_veit_yes", plain=pl, res=res, passes=said))
        else:
            lines.insert(1, t(lang, "les_veit_no"))
    if plain56 is not None:  # "never trained": its training error ended at 50% or above
        key = "les_plain56" if plain56.train_error >= 0.5 else "les_plain56_trained"
        lines.append(t(lang, key, train=f"{plain56.train_error:.1%}",
                       err=f"{plain56.test_error:.1%}", steps=f"{plain56.step:,}"))  # fmt: skip
    return '<div class="rx-card" id="lesion-finding">' + "".join(
        f"<p>{escape(line)}</p>" for line in lines) + "</div>"  # fmt: skip
