"""The whole network as He et al. (2015) draw it in Figure 3: every layer the depth formula counts
is one box, in forward order, labelled the paper's way ("3×3 conv, 128, /2"), coloured by stage,
with the output size at each stage; every block's shortcut is an arc beside its block, solid for
an identity and dotted where the shape changes (the paper's convention): grey for option A's zero
padding, in the stage's colour for a projection, whose 1×1 conv is named on hover. A plain
network's blocks have none.

Drawn from the analysis records (arch/analysis.py), so any registry name or custom spec works,
as standalone SVG: no JavaScript, no gradio, no torch in the drawing. Every counted layer is one
element with `data-layer` (its module path), every shortcut one element with `data-shortcut`
("identity", "projection" or option A's "zero_pad") and `data-block`. Collapsing a stage or a
block hides these elements and keeps them in the document, so their counts hold at every `expand`
level. Stage headers and blocks carry `data-toggle` (the name a click would open or close); the
page wires it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html import escape
from os import PathLike
from pathlib import Path
from typing import Any

from ..arch.analysis import ArchitectureSummary, BlockRow, ConvSpec, LayerNode, StageRow, analyze
from ..arch.stack import STACKS, StackSummary, analyze_stack
from ..errors import ExplorerError
from ..i18n import page_language, t
from .palette import FONT_FAMILY, stage_color
from .report import fmt_count, fmt_macs

EXPAND = ("auto", "stages", "blocks", "layers")
ORIENTATIONS = ("vertical", "horizontal")
AUTO_LAYERS = 50  # "auto" draws every layer up to this depth, deeper models as blocks
POOLS = ("MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "AdaptiveMaxPool2d")
GREY = "#64748b"
BY_STRIDE = {4: "layer1", 8: "layer2", 16: "layer3", 32: "layer4"}  # ResNet's stages at 224


@dataclass(frozen=True)
class _Geometry:
    """Sizes along the flow ("main") and across it ("cross"), per orientation."""

    box_main: float  # a layer box's length along the flow
    box_cross: float  # and across it
    gap: float  # between boxes
    header: float  # a stage header's length along the flow
    bulge: float  # how far a shortcut's arc leaves the boxes
    pitch: float  # from one column (or row) of the flow to the next
    limit: float  # the flow wraps to a new column (row) beyond this
    two_lines: bool  # labels split in two lines ("3×3 conv" / "128, /2")


VERTICAL = _Geometry(22, 200, 6, 24, 30, 270, 640, False)
HORIZONTAL = _Geometry(112, 40, 8, 92, 26, 100, 930, True)  # rows fit a 1024 px projector


@dataclass(frozen=True)
class _Unit:
    """A piece of the flow that never breaks across columns: it draws itself `start` along the
    flow, in the column (row) the drawing is in."""

    length: float
    draw: Callable[[float], list[str]]
    keep: bool = False  # stays in the column of the unit after it (a header with its first block)


def network_diagram(name: str, *, plain: bool = False, input_size: int = 224, expand: str = "auto",
                    orientation: str = "vertical", lang: str = "en",
                    toggled: Iterable[str] = ()) -> str:  # fmt: skip
    """Figure 3 of He et al. (2015) for `name` (a registry name or custom spec), as standalone SVG.

    `plain` draws the plain twin (the same layers, no shortcuts). `expand` opens the figure to
    "stages", "blocks" or "layers"; "auto" opens every layer up to AUTO_LAYERS counted layers and
    deeper models to blocks. `toggled` names stages ("layer3") and blocks ("layer3.4") that are
    open where the level has them closed, or closed where it has them open (the page's clicks).
    """
    if expand not in EXPAND:
        raise ExplorerError.text("net_bad_expand", choices=", ".join(EXPAND), value=repr(expand))
    if orientation not in ORIENTATIONS:
        raise ExplorerError.text("net_bad_orientation", value=repr(orientation))
    s = analyze_stack(name, input_size) if name in STACKS else analyze(name, input_size)
    level = expand if expand != "auto" else ("layers" if s.depth <= AUTO_LAYERS else "blocks")
    plain = plain and isinstance(s, ArchitectureSummary)  # VGG has no shortcut to remove
    return _Drawing(s, plain, level, set(toggled), orientation, page_language(lang)).svg()


def network_figure3(name: str = "resnet34", *, input_size: int = 224, expand: str = "auto",
                    orientation: str = "vertical", lang: str = "en",
                    toggled: Iterable[str] = ()) -> str:  # fmt: skip
    """Figure 3 whole: VGG-19, the plain twin of `name` and `name` itself, side by side (one row
    of columns in the vertical flow, one column of rows in the horizontal one), as one SVG
    whose three parts are each network_diagram's SVG, told apart by `data-model`/`data-plain`."""
    toggled = tuple(toggled)
    return side_by_side([
        network_diagram("vgg19", input_size=input_size, expand=expand, orientation=orientation,
                        lang=lang),
        *(network_diagram(name, plain=plain, input_size=input_size, expand=expand,
                          orientation=orientation, lang=lang, toggled=toggled)
          for plain in (True, False)),
    ], orientation)  # fmt: skip


@dataclass(frozen=True)
class NetworkFigure:
    """A figure of this module that shows itself in a notebook (`_repr_svg_`); `svg` is the
    standalone SVG, `save("x.svg")` or `save("x.png")` writes it."""

    svg: str

    def _repr_svg_(self) -> str:
        return self.svg

    def __str__(self) -> str:
        return self.svg

    def png(self, zoom: float = 2.0) -> bytes:
        return png(self.svg, zoom)

    def save(self, path: str | PathLike[str]) -> Path:
        """The figure as SVG or PNG, chosen by the file's suffix."""
        path = Path(path)
        if path.suffix.lower() not in (".svg", ".png"):
            raise ExplorerError(f"save the figure as .svg or .png, not {path.name!r}")
        if path.suffix.lower() == ".png":
            path.write_bytes(self.png())
        else:
            path.write_text(self.svg, "utf-8")
        return path


def network_figure(name: str, *, figure3: bool = False, **options: Any) -> NetworkFigure:
    """network_diagram (or, with `figure3`, network_figure3) as an object a notebook draws:
    `explorer.network_figure("resnet34", figure3=True)` as the last line of a cell."""
    return NetworkFigure(network_figure3(name, **options) if figure3 else
                         network_diagram(name, **options))  # fmt: skip


_SIZE = re.compile(r'<svg xmlns="http://www.w3.org/2000/svg" (viewBox="[^"]*" '
                   r'width="(\d+)" height="(\d+)")')  # fmt: skip


def side_by_side(svgs: Iterable[str], orientation: str = "vertical", gap: int = 28) -> str:
    """Several of network_diagram's SVGs in one: left to right for the vertical flow, top to
    bottom for the horizontal one, aligned at their start."""
    placed, along, across = [], 0, 0
    for svg in svgs:
        found = _SIZE.match(svg)
        if found is None:
            raise ExplorerError("side_by_side takes the SVG that network_diagram returns")
        w, h = int(found.group(2)), int(found.group(3))
        x, y = (along, 0) if orientation == "vertical" else (0, along)
        placed.append(f'<svg x="{x}" y="{y}" {found.group(1)}' + svg[found.end() :].rstrip())
        along += (w if orientation == "vertical" else h) + gap
        across = max(across, h if orientation == "vertical" else w)
    along -= gap
    width, height = (along, across) if orientation == "vertical" else (across, along)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="group">{"".join(placed)}</svg>\n'
    )


class _Drawing:
    def __init__(self, s: ArchitectureSummary | StackSummary, plain: bool, level: str,
                 toggled: set[str], orientation: str, lang: str) -> None:  # fmt: skip
        self.s, self.plain, self.level, self.toggled, self.lang = s, plain, level, toggled, lang
        self.vertical = orientation == "vertical"
        self.g = VERTICAL if self.vertical else HORIZONTAL
        self.nodes = {n.name: n for n in s.layers.walk()}
        self.lane = 0.0  # cross origin of the column (row) being drawn

    # ------------------------------------------------------------ coordinates and primitives

    def at(self, main: float, cross: float) -> tuple[float, float]:
        """(x, y) of a point `main` along the flow and `cross` across it, in the current lane."""
        if self.vertical:
            return self.lane + cross, main
        return main, self.lane + cross

    def rect(self, main: float, length: float, color: str, fill: float, dashed: bool = False
             ) -> str:  # fmt: skip
        (x, y), cross = self.at(main, 0), self.g.box_cross
        w, h = (cross, length) if self.vertical else (length, cross)
        dash = ' stroke-dasharray="4 3"' if dashed else ""
        return (f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="5" '
                f'fill="{color}" fill-opacity="{fill}" stroke="{color}" '
                f'stroke-width="1.4"{dash}/>')  # fmt: skip

    def text(self, main: float, cross: float, s: str, size: float = 12, weight: str = "normal",
             fill: str = "currentColor", anchor: str = "middle") -> str:  # fmt: skip
        x, y = self.at(main, cross)
        return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" font-weight="{weight}" '
                f'text-anchor="{anchor}" dominant-baseline="central" fill="{fill}">'
                f"{escape(s)}</text>")  # fmt: skip

    def label(self, main: float, length: float, lines: tuple[str, str], size: float = 12,
              weight: str = "600", two: bool = False) -> list[str]:  # fmt: skip
        """A box's label at its centre: one line, or two in the horizontal flow (or `two`)."""
        mid, cross = main + length / 2, self.g.box_cross / 2
        if not (self.g.two_lines or two):
            joined = ", ".join(p for p in lines if p)
            return [self.text(mid, cross, joined, _fit(joined, self.g.box_cross, size), weight)]
        head, tail = lines
        width = self.g.box_main if self.g.two_lines else self.g.box_cross
        if not tail:
            return [self.text(mid, cross, head, _fit(head, width, size), weight)]
        if self.vertical:  # one line under the other: along the flow, or across it
            first, second = (mid - 7, cross), (mid + 8, cross)
        else:
            first, second = (mid, cross - 7), (mid, cross + 8)
        return [self.text(*first, head, _fit(head, width, size), weight),
                self.text(*second, tail, _fit(tail, width, size), weight)]  # fmt: skip

    def arc(self, start: float, end: float, block: BlockRow, hidden: bool) -> str:
        """The shortcut from the block's input (`start`) to its addition (`end`), beside it."""
        side, out = (self.g.box_cross, 1) if self.vertical else (0.0, -1)
        a, b = self.at(start, side), self.at(end, side)
        bend = out * self.g.bulge
        if self.vertical:
            d = (f"M{a[0]:.1f},{a[1]:.1f} C{a[0] + bend:.1f},{a[1]:.1f} "
                 f"{b[0] + bend:.1f},{b[1]:.1f} {b[0]:.1f},{b[1]:.1f}")  # fmt: skip
        else:
            d = (f"M{a[0]:.1f},{a[1]:.1f} C{a[0]:.1f},{a[1] + bend:.1f} "
                 f"{b[0]:.1f},{b[1] + bend:.1f} {b[0]:.1f},{b[1]:.1f}")  # fmt: skip
        # "identity", "projection", "pooled_projection" or "zero_pad" (a plain block has none)
        kind = block.shortcut
        projection = block.projection is not None
        color = stage_color(block.name.split(".")[0]) if projection else GREY
        dash = ' stroke-dasharray="2.5 3"' if kind != "identity" else ""
        if block.projection is not None:
            tip = t(
                self.lang,
                "net_projection",
                conv=_conv_text(block.projection),
                name=f"{block.name}.{block.projection.name}",
                reason=block.reason,
            )
        elif kind == "zero_pad":
            tip = t(self.lang, "net_zero_pad", name=f"{block.name}.downsample",
                    reason=block.reason)  # fmt: skip
        else:
            tip = t(self.lang, "net_identity")
        return (f'<path data-shortcut="{kind}" '
                f'data-block="{block.name}" d="{d}" fill="none" stroke="{color}" '
                f'stroke-width="{2 if projection else 1.6}"{dash}'
                f'{_HIDDEN if hidden else ""}><title>{escape(tip)}</title></path>')  # fmt: skip

    # ------------------------------------------------------------ what is drawn

    def is_open(self, name: str, default: bool) -> bool:
        return default != (name in self.toggled)

    def layer(self, name: str, lines: tuple[str, str], color: str, hidden: bool,
              start: float = 0.0) -> str:  # fmt: skip
        """One counted layer: a box with its label and its module path on hover."""
        body = [self.rect(start, self.g.box_main, color, 0.16), *self.label(start, self.g.box_main,
                                                                          lines)]  # fmt: skip
        return (f'<g data-layer="{name}"{_HIDDEN if hidden else ""}><title>{escape(name)}</title>'
                f"{''.join(body)}</g>")  # fmt: skip

    def units(self) -> list[_Unit]:
        out = [self.caption()]
        for stage in self.s.stages:
            open_stage = not stage.blocks or self.is_open(stage.name, self.level != "stages")
            out.append(self.header(stage, open_stage))
            if not open_stage:
                out.append(self.folded_stage(stage))
                continue
            for member in stage.modules:  # forward order: layer1's max pool, then its blocks
                inside = [b for b in stage.block_rows if b.name.startswith(member + ".")]
                for b in inside:
                    out.append(self.block(b, self.is_open(b.name, self.level == "layers")))
                if inside:
                    continue
                for node in _leaves(self.nodes[member]):
                    if node.type in POOLS:
                        out.append(self.pool(node))
                    elif node.type in ("Conv2d", "Linear"):
                        out.append(self.single(node, stage))
        return out

    def caption(self) -> _Unit:
        title = self.s.title + (t(self.lang, "net_plain") if self.plain else "")
        size = self.s.input_size

        def draw(start: float) -> list[str]:
            mid = self.g.box_cross / 2
            if self.vertical:
                # a long name (a model of yours, a timm name) shrinks to the column's width
                return [self.text(start + 8, mid, title, _fit(title, self.g.box_cross, 14), "700"),
                        self.text(start + 26, mid, t(self.lang, "net_image", size=size), 11,
                                  fill=GREY)]  # fmt: skip
            room, image = self.g.header, t(self.lang, "net_image", size=size)
            lines = [(self.s.title, 13, "700", "currentColor")]
            if self.plain:
                lines.append((t(self.lang, "net_plain_short"), 11, "600", "currentColor"))
            lines.append((image, 11, "normal", GREY))
            first = mid - 8 * (len(lines) - 1)
            return [self.text(start + 46, first + 16 * i, text, _fit(text, room, px), weight, fill)
                    for i, (text, px, weight, fill) in enumerate(lines)]  # fmt: skip

        return _Unit(36 if self.vertical else 92, draw)

    def color(self, stage: StageRow) -> str:
        """A ResNet's stage colour; a stack's stage takes the colour of the ResNet stage that
        ends at the same stride, so that maps of one size share a colour side by side."""
        if isinstance(self.s, ArchitectureSummary) or stage.name == "head":
            return stage_color(stage.name)
        return stage_color(BY_STRIDE.get(stage.stride, "stem"))

    def header(self, stage: StageRow, open_stage: bool) -> _Unit:
        color = self.color(stage)
        shape = stage.output_shape
        size = f"{shape[-2]}×{shape[-1]}" if len(shape) == 4 else f"{shape[-1]}"
        toggle = f' data-toggle="{stage.name}" style="cursor:pointer"' if stage.blocks else ""
        if stage.blocks:
            tip = t(self.lang, "net_stage_tip", stage=stage.name, n=stage.blocks)
        else:
            tip = t(self.lang, "net_stage_size", stage=stage.name, size=size)

        def draw(start: float) -> list[str]:
            indent = 12 if stage.blocks else 0  # room for the open/closed triangle
            if self.vertical:
                name = f"{stage.name} · {stage.paper_name}"
                parts = [self.text(start + 13, 2 + indent, name, 12, "700", color, "start"),
                         self.text(start + 13, self.g.box_cross, size, 11, "600", GREY,
                                   "end")]  # fmt: skip
                mark = self.at(start + 13, 6)
            else:
                mid, c = start + self.g.header / 2, self.g.box_cross / 2
                parts = [self.text(mid, c - 8, stage.name, 12, "700", color),
                         self.text(mid, c + 9, size, 11, "600", GREY)]  # fmt: skip
                mark = self.at(mid, c - 24)
            if stage.blocks:
                parts.append(_triangle(*mark, open_stage, color))
            return [f'<g data-stage="{stage.name}"{toggle}><title>{escape(tip)}</title>'
                    f"{''.join(parts)}</g>"]  # fmt: skip

        return _Unit(self.g.header, draw, keep=True)

    def single(self, node: LayerNode, stage: StageRow) -> _Unit:
        """The stem conv or the fc: a counted layer outside any block."""
        color = self.color(stage)
        if node.type == "Linear":
            lines = ("fc", f"{node.output_shape[-1]}" if node.output_shape else "")
        else:
            lines = _conv_lines(node.conv) if node.conv else (node.name, "")

        def draw(start: float) -> list[str]:
            return [self.layer(node.name, lines, color, False, start)]

        return _Unit(self.g.box_main + self.g.gap, draw)

    def pool(self, node: LayerNode) -> _Unit:
        lines = _pool_lines(node)

        def draw(start: float) -> list[str]:
            tip = f"<title>{escape(node.name)} ({escape(node.detail)})</title>"
            label = self.label(start, self.g.box_main, lines, 11, "normal")
            return [f'<g data-pool="{node.name}">{tip}',
                    self.rect(start, self.g.box_main, GREY, 0.05, dashed=True), *label,
                    "</g>"]  # fmt: skip

        return _Unit(self.g.box_main + self.g.gap, draw, keep=True)

    def block(self, b: BlockRow, open_block: bool) -> _Unit:
        color = stage_color(b.name.split(".")[0])
        g = self.g
        tip = escape(block_text(b, self.lang))
        count = len(b.branch)
        length = (count * (g.box_main + g.gap) if open_block else g.box_main) + g.gap

        def draw(start: float) -> list[str]:
            top = start + g.gap / 2
            parts = [f'<g data-unit="{b.name}" data-toggle="{b.name}" style="cursor:pointer">'
                     f"<title>{tip}</title>"]  # fmt: skip
            if open_block:
                for i, conv in enumerate(b.branch):
                    parts.append(self.layer(f"{b.name}.{conv.name}", _conv_lines(conv), color,
                                            False, top + i * (g.box_main + g.gap)))  # fmt: skip
                end = top + count * (g.box_main + g.gap) - g.gap
            else:
                parts.append(self.rect(top, g.box_main, color, 0.3))
                parts += self.label(top, g.box_main, _block_lines(b, g.two_lines), 11)
                for conv in b.branch:  # kept in the document, hidden, for the counts
                    parts.append(self.layer(f"{b.name}.{conv.name}", _conv_lines(conv), color,
                                            True, top))  # fmt: skip
                end = top + g.box_main
            parts.append("</g>")
            if not self.plain and b.shortcut != "none":
                parts.append(self.arc(top, end, b, hidden=False))
            return parts

        return _Unit(length, draw)

    def folded_stage(self, stage: StageRow) -> _Unit:
        color = stage_color(stage.name)
        g = self.g
        last = stage.block_rows[-1]
        lines = (t(self.lang, "net_blocks", n=stage.blocks),
                 _block_lines(last, g.two_lines)[1 if g.two_lines else 0])  # fmt: skip
        box = g.box_main if g.two_lines else 2 * g.box_main  # two lines either way

        def draw(start: float) -> list[str]:
            top = start + g.gap / 2
            parts = [f'<g data-unit="{stage.name}" data-toggle="{stage.name}" '
                     f'style="cursor:pointer"><title>{escape(lines[0])}</title>',
                     self.rect(top, box, color, 0.45),
                     *self.label(top, box, lines, 11, two=True)]  # fmt: skip
            for b in stage.block_rows:
                for conv in b.branch:
                    parts.append(self.layer(f"{b.name}.{conv.name}", _conv_lines(conv), color,
                                            True, top))  # fmt: skip
            parts.append("</g>")
            if not self.plain:
                parts += [self.arc(top, top + box, b, hidden=True) for b in stage.block_rows
                          if b.shortcut != "none"]  # fmt: skip
            return parts

        return _Unit(box + 2 * g.gap, draw)

    # ------------------------------------------------------------ the flow

    def svg(self) -> str:
        g = self.g
        parts: list[str] = []
        units = self.units()
        start, lanes, furthest = 0.0, 0, 0.0
        for i, unit in enumerate(units):
            together = unit.length  # with the units it keeps with
            j = i
            while units[j].keep and j + 1 < len(units):
                j += 1
                together += units[j].length
            held = i > 0 and units[i - 1].keep  # placed with the unit before it
            if not held and start > 0 and start + together > g.limit:
                lanes += 1
                start = 0.0
            self.lane = lanes * g.pitch + (0 if self.vertical else g.bulge + 4)
            parts += unit.draw(start)
            start += unit.length
            furthest = max(furthest, start)
        span = (lanes + 1) * g.pitch
        if self.vertical:
            width, height = span - g.pitch + g.box_cross + g.bulge + 8, furthest + 8
        else:
            width, height = furthest + 8, span
        label = escape(self.s.title + (t(self.lang, "net_plain") if self.plain else ""))
        return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="-4 -4 {width:.0f} '
                f'{height:.0f}" width="{width:.0f}" height="{height:.0f}" role="img" '
                f'aria-label="{label}" font-family="{escape(FONT_FAMILY)}" color="#1f2937" '
                f'data-model="{escape(self.s.model)}" data-plain="{str(self.plain).lower()}">'
                f"{''.join(parts)}</svg>\n")  # fmt: skip


_HIDDEN = ' display="none"'


def _leaves(node: LayerNode) -> list[LayerNode]:
    return [n for n in node.walk() if not n.children]


def _triangle(x: float, y: float, down: bool, color: str) -> str:
    """The open (pointing down) or closed (pointing right) mark of a stage header, drawn rather
    than typed: a ▾ glyph sends some renderers to another font for the whole line."""
    points = ((x - 4, y - 2.5), (x + 4, y - 2.5), (x, y + 3.5)) if down else \
        ((x - 2.5, y - 4), (x - 2.5, y + 4), (x + 3.5, y))  # fmt: skip
    return (f'<path d="M{"L".join(f"{px:.1f},{py:.1f}" for px, py in points)}Z" '
            f'fill="{color}"/>')  # fmt: skip


def _fit(label: str, room: float, size: float) -> float:
    """The font size at which `label` fits in `room` pixels: a character of system-ui at
    weight 600 is at most 0.62 em wide."""
    return max(8.0, min(size, (room - 10) / (0.62 * max(len(label), 1))))


def _conv_lines(c: ConvSpec) -> tuple[str, str]:
    """The paper's box: "3×3 conv" and "128, /2" (output channels, stride), "g32" for groups."""
    tail = f"{c.out_channels}" + (f", /{c.stride}" if c.stride > 1 else "")
    return f"{c.kernel}×{c.kernel} conv", tail + (f", g{c.groups}" if c.groups > 1 else "")


def _conv_text(c: ConvSpec | None) -> str:
    return ", ".join(_conv_lines(c)) if c else ""


def _pool_lines(node: LayerNode) -> tuple[str, str]:
    if node.type.startswith("Adaptive"):
        shape = node.output_shape or ()
        size = f"{shape[-2]}×{shape[-1]}" if len(shape) == 4 and shape[-1] > 1 else ""
        return ("avg pool" if "Avg" in node.type else "max pool"), size
    stride = node.detail.rsplit("stride ", 1)[-1] if "stride" in node.detail else "1"
    return "pool", (f"/{stride}" if stride != "1" else "")


def _block_lines(b: BlockRow, two: bool) -> tuple[str, str]:
    """A folded block: "1×1, 64 · 3×3, 64 · 1×1, 256" (or kernels over channels, in two lines)."""
    if two:
        kernels = "·".join(f"{c.kernel}×{c.kernel}" for c in b.branch)
        return kernels, "·".join(str(c.out_channels) for c in b.branch)
    return " · ".join(f"{c.kernel}×{c.kernel}, {c.out_channels}" for c in b.branch), ""


def png(svg: str, zoom: float = 2.0) -> bytes:
    """The figure as PNG, drawn by resvg (a Rust renderer, no browser) on white at `zoom`× size,
    with this machine's fonts (Noto CJK where installed, for Chinese)."""
    import resvg_py

    return bytes(resvg_py.svg_to_bytes(svg_string=svg, background="#ffffff", zoom=zoom))


def block_text(b: BlockRow, lang: str) -> str:
    """A block's row, as a click shows it: channels, stride, shortcut, params, MACs, RF."""
    return t(lang, "net_block", block=b.name, type=b.type,
             channels=f"{b.in_channels}→{b.width}→{b.out_channels}", stride=b.stride,
             shortcut=t(lang, b.shortcut), params=fmt_count(b.params), macs=fmt_macs(b.macs),
             rf=b.receptive_field)  # fmt: skip
