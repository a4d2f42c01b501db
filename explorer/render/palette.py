"""The explorer's colours and fonts: one colour per stage, shared by tables, charts, the block
diagram and the whole-network figure, and font stacks that need no network (Noto CJK for Chinese).

Plain constants, importing nothing, so the web page and the library's own SVG can both use them.
"""

from __future__ import annotations

STAGE_COLORS = {
    "stem": "#64748b",
    "layer1": "#2563eb",
    "layer2": "#059669",
    "layer3": "#d97706",
    "layer4": "#dc2626",
    "head": "#7c3aed",
}
MODEL_COLORS = ("#2563eb", "#ea580c")  # model A and model B in the Compare tab
BLOCK_COLOR = "#0f766e"  # the "convs per block" factor of the depth formula
FONTS = ["system-ui", "Noto Sans CJK SC", "Noto Sans", "DejaVu Sans", "sans-serif"]
MONO_FONTS = ["ui-monospace", "Noto Sans Mono CJK SC", "DejaVu Sans Mono", "monospace"]
# FONTS as a CSS font-family value (names with spaces quoted), for SVG and HTML that style
# themselves
FONT_FAMILY = ", ".join(f"'{f}'" if " " in f else f for f in FONTS)


def stage_color(name: str) -> str:
    return STAGE_COLORS.get(name, STAGE_COLORS["stem"])
