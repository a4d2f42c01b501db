"""The page's look: its CSS and the Grad-CAM colour maps, with the stage colours and fonts of
`explorer.render.palette` (which the library's own SVG uses too) re-exported for the web renderers.

No gradio and no plotly here, so every renderer can use it.
"""

from __future__ import annotations

from ..render.cards import CARD_CSS
from ..render.palette import BLOCK_COLOR, FONTS, MODEL_COLORS, MONO_FONTS, STAGE_COLORS, stage_color

COLORMAPS = ("Jet", "Turbo", "Viridis", "Inferno")  # Grad-CAM overlays; Jet: the classic look

__all__ = [
    "BLOCK_COLOR",
    "COLORMAPS",
    "CSS",
    "FONTS",
    "MODEL_COLORS",
    "MONO_FONTS",
    "STAGE_COLORS",
    "stage_color",
]

CSS = (
    CARD_CSS
    + """
.rx-up { color: #b91c1c; }
.rx-down { color: #15803d; }
.rx-tree { font-size: 0.92rem; font-variant-numeric: tabular-nums; }
.rx-row { display: grid; grid-template-columns: minmax(180px, 1.3fr) 1.1fr 1.8fr 1fr 0.9fr 0.8fr;
  gap: 8px; padding: 3px 0; border-bottom: 1px dashed var(--border-color-primary); }
.rx-row > span:nth-child(n+4) { text-align: right; }
.rx-head { font-weight: 600; border-bottom: 1px solid var(--border-color-primary); }
.rx-tree details > summary { cursor: pointer; list-style: none; }
.rx-tree details > summary::-webkit-details-marker { display: none; }
.rx-tree details > summary .rx-name::before { content: "▸ "; }
.rx-tree details[open] > summary .rx-name::before { content: "▾ "; }
.rx-name { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.rx-insights li { margin: 4px 0; }
.rx-note { background: #f1f5f9; color: #334155; border-left: 4px solid #64748b; border-radius: 6px;
  padding: 8px 12px; }
.rx-warning { background: #fef2f2; color: #991b1b; border: 2px solid #dc2626; border-radius: 10px;
  padding: 10px 14px; margin-bottom: 8px; font-size: 1.05rem; }
.rx-diagram svg { max-width: 100%; height: auto; }
.rx-tree { min-width: 720px; }
/* The stage maps and feature maps: the whole picture, never cropped to the box. */
.rx-strip img { object-fit: contain; width: 100%; height: auto; max-height: none; }
.rx-strip .image-container, .rx-strip .image-frame { height: auto; }
/* Compare explanations: each map's caption (method, cost, verdict) in full, over its foot. */
#sal-gallery .caption-label { white-space: normal; max-width: none;
  left: var(--block-label-margin); }
/* Gradio 6 titles every error toast with its type ("Error") whatever gr.Error(title=) says: in
   Chinese the page writes its own. */
html:lang(zh) .toast-title.error { font-size: 0; }
html:lang(zh) .toast-title.error::before { content: "出错了"; font-size: var(--text-md); }
/* Projection mode: bigger type, fewer decorations (no subtitle, no field hints, no footer). */
html.rx-projector .gradio-container {
  --text-xxs: 12px; --text-xs: 14px; --text-sm: 16px; --text-md: 19px; --text-lg: 22px;
  --text-xl: 27px; --text-xxl: 32px; --body-text-size: 19px; --prose-text-size: 19px;
  --input-text-size: 19px; --block-label-text-size: 16px; --block-title-text-size: 17px;
  --block-info-text-size: 15px; --checkbox-label-text-size: 17px;
  --section-header-text-size: 19px; --button-large-text-size: 20px;
  --button-medium-text-size: 18px; --button-small-text-size: 16px;
}
html.rx-projector #page-header p, html.rx-projector .info-text,
html.rx-projector footer, html.rx-projector #page-link { display: none; }
html.rx-projector .rx-card { box-shadow: none; border-width: 2px; }
html.rx-projector .rx-table { font-size: 1.1rem; }
html.rx-projector .rx-formula { font-size: 3.2rem; }
.rx-diagram text { font-family: system-ui, "Noto Sans CJK SC", sans-serif; }
"""
)
