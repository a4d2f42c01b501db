"""Links to a view of the page, for a teacher's slides: `?tab=compare&a=resnet34&b=resnet50`,
`?tab=architecture&model=resnet152&size=320&lang=zh`, `?tab=predict&model=demo_basic`,
`?tab=block&model=resnet56&block=layer2.0&channel=3`, and `&projector=1` for projection mode.

`view_from` reads a link's query, `view_of` a load event's request (anything either does not know
is ignored: a link never fails the page); `LINK_JS` writes one in the browser from what is on
screen. No gradio here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..arch.registry import get_entry
from ..errors import ExplorerError
from ..i18n import LANGS
from .limits import MAX_SIZE_SLIDER, MIN_SIZE_SLIDER

TABS = ("architecture", "compare", "predict", "shortcuts", "block")  # the gr.Tab ids, in page order
YES = ("1", "true", "on", "yes")

# The Compare tab's classroom presets (its buttons, the static site's pages)
PRESETS = {
    "preset_basic_bottleneck": ("resnet34", "resnet50"),
    "preset_v1": ("resnet50", "resnet50_v1"),
    "preset_depth": ("resnet18", "resnet34"),
    "preset_resnext": ("resnet50", "resnext50_32x4d"),
    "preset_options": ("resnet34_a", "resnet34_c"),  # Table 3: zero padding vs all projections
}
FIGURE3 = "resnet34"  # the preset "Figure 3": VGG-19, the 34-layer plain net and ResNet-34
FIGURE3_TWIN = "plain34"  # the figure's middle column, in the registry (the static site's pair)


@dataclass(frozen=True)
class View:
    """What a link asks for; None where it says nothing (the tab keeps its own default)."""

    tab: str = TABS[0]
    model: str | None = None  # the Architecture, Predict or Shortcuts model (of `tab`)
    size: int | None = None  # input size of Architecture or Compare
    a: str | None = None  # Compare's model A
    b: str | None = None  # Compare's model B
    lang: str | None = None
    projector: bool = False
    block: str | None = None  # the Inside-a-block tab's block ("layer2.0"), checked by the tab
    channel: int | None = None  # and its channel

    def model_for(self, tab: str) -> str | None:
        return self.model if self.tab == tab else None

    def size_for(self, tab: str) -> int | None:
        return self.size if self.tab == tab else None


def _model(value: str | None) -> str | None:
    """A registry name or a valid custom spec, as the registry spells it; else None."""
    if not value:
        return None
    try:
        return get_entry(value).name
    except ExplorerError:
        return None


def _size(value: str | None) -> int | None:
    try:
        size = int(value or "")
    except ValueError:
        return None
    return size if MIN_SIZE_SLIDER <= size <= MAX_SIZE_SLIDER else None


def view_from(query: Mapping[str, str]) -> View:
    """The view a link's query names; what is missing or wrong is left to the page's defaults."""
    tab = query.get("tab", "")
    lang = query.get("lang", "")
    return View(
        tab=tab if tab in TABS else TABS[0],
        model=_model(query.get("model")),
        size=_size(query.get("size")),
        a=_model(query.get("a")),
        b=_model(query.get("b")),
        lang=lang if lang in LANGS else None,
        projector=query.get("projector", "").lower() in YES,
        block=_block(query.get("block")),
        channel=_channel(query.get("channel")),
    )


def _block(value: str | None) -> str | None:
    """A module path such as "layer2.0" or "stages.1.blocks.0"; the tab checks it is a block."""
    if not value or len(value) > 200 or not all(c.isalnum() or c in "._" for c in value):
        return None
    return value


def _channel(value: str | None) -> int | None:
    try:
        channel = int(value or "")
    except ValueError:
        return None
    return channel if 0 <= channel < 1 << 16 else None


def view_of(request: object) -> View:
    """The view the page's own link names: a load event's gr.Request carries its query."""
    query = getattr(request, "query_params", None)
    return view_from(dict(query) if query else {})


# In the browser: the link to what is on screen, copied to the clipboard where the page may
# (localhost or https) and shown in a box either way. Its arguments are the components that
# page.py passes, in that order: each tab's LINKED list, then the language and projection mode.
LINK_JS = """(archModel, archSize, a, b, cmpSize, predictModel, shortcutsModel, blockModel,
             blockName, blockChannel, lang, projector) => {
  const selected = document.querySelector('#page-tabs [role="tab"][aria-selected="true"]');
  const tab = (selected && selected.dataset.tabId) || "architecture";
  const query = new URLSearchParams({ tab });
  if (tab === "architecture") { query.set("model", archModel); query.set("size", archSize); }
  if (tab === "compare") { query.set("a", a); query.set("b", b); query.set("size", cmpSize); }
  if (tab === "predict") query.set("model", predictModel);
  if (tab === "shortcuts") query.set("model", shortcutsModel);
  if (tab === "block") {
    query.set("model", blockModel); query.set("block", blockName);
    if (blockChannel !== null && blockChannel !== undefined && blockChannel !== "") {
      query.set("channel", blockChannel);
    }
  }
  query.set("lang", lang);
  if (projector) query.set("projector", "1");
  const url = `${location.origin}${location.pathname}?${query}`;
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(url).catch(() => {});
  }
  return url;
}"""
