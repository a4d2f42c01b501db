"""Helpers that every tab of the web app shares: the door to the engine and the device, turning
errors into messages, UI numbers into ints, and the labels that the language switch rewrites.

Tab modules import nothing that loads torch: their handlers reach the models through `engine()`,
so the page is served first and torch, torchvision and captum load behind it.
"""

from __future__ import annotations

import hashlib
import logging
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import TYPE_CHECKING, Any

import gradio as gr
from gradio.i18n import I18nData

from ..errors import ExplorerError
from ..i18n import LANGS, t
from .links import view_of
from .memory import trim

if TYPE_CHECKING:
    import torch

log = logging.getLogger("explorer.ui")
_import_lock = threading.Lock()
_device: torch.device | None = None  # the server's --device; else chosen at first use
first_view_served = threading.Event()  # a page has its first view: the warm-up may begin
FIRST_VIEW_WAIT_S = 10.0  # the most a page's other load events wait for its first view
PAINT_GRACE_S = 1.0  # after the first view is served, for the browser to paint it


def engine() -> ModuleType:
    """pages.py, and behind it everything that computes (torch, torchvision, captum, plotly).

    Imported by the first request or by the server's warm-up thread, whichever comes first. One
    lock for that import: two threads importing the same modules in different orders would make
    Python report an import deadlock, and a request would fail.
    """
    with _import_lock:
        from . import pages
    return pages


def after_first_view(request: gr.Request | None = None, tab: str = "") -> None:
    """For a load event of what is not on screen first (another tab than the one the link
    opens, the figure below the Architecture tab's fold): while the engine is not imported yet,
    wait until the first view has been served and painted. The import takes about 3.5 s of CPU;
    on two cores it would take them from the browser while it paints the first view. Later
    pages never wait."""
    if "explorer.web.pages" in sys.modules or (tab and view_of(request).tab == tab):
        return
    if first_view_served.wait(FIRST_VIEW_WAIT_S):
        time.sleep(max(0.0, _served_at[0] + PAINT_GRACE_S - time.monotonic()))


def served_first_view() -> None:
    """The Architecture tab's first view is on its way to a browser."""
    if not first_view_served.is_set():
        _served_at[0] = time.monotonic()
        first_view_served.set()


_served_at = [0.0]

# The tabs where a page's user chose something (a model, a preset, a size) before that tab's
# load event answered: its answer then leaves the tab as the user made it. Keyed by Gradio's
# session (one per page load) and tab; bounded, the most recent kept, since a load event comes
# within a page's first seconds.
CHOSEN_SESSIONS = 4096
_chosen: OrderedDict[tuple[str, str], None] = OrderedDict()
_chosen_lock = threading.Lock()


def user_chose(request: gr.Request | None, tab: str) -> None:
    """The user acted on `tab` of this page (a handler of the user's own events calls this)."""
    key = getattr(request, "session_hash", None)
    if key:
        with _chosen_lock:
            _chosen[key, tab] = None
            _chosen.move_to_end((key, tab))
            while len(_chosen) > CHOSEN_SESSIONS:
                _chosen.popitem(last=False)


def unless_user_chose(request: gr.Request | None, tab: str,
                      opened: tuple[Any, ...]) -> tuple[Any, ...]:  # fmt: skip
    """A load event's answer for `tab`, or nothing (every output skipped) if the user has
    chosen something there on this page meanwhile."""
    key = getattr(request, "session_hash", None)
    with _chosen_lock:
        chosen = bool(key) and (key, tab) in _chosen
    return tuple(gr.skip() for _ in opened) if chosen else opened


def initial_language(request: gr.Request | None) -> str:
    """The page's language on load: the link's `?lang=` if it names one, else 中文 for browsers
    that prefer Chinese, English otherwise.

    What the page shows on load is rendered in this language directly by every load event, rather
    than in English and again when the language switch follows: two renders in flight would race,
    and a late English one would stay on a Chinese page.
    """
    return view_of(request).lang or browser_language(request)


def browser_language(request: gr.Request | None) -> str:
    """The language the browser painted the page in (Gradio's I18n follows the browser's own
    preference, which its Accept-Language header states): 中文 if Chinese comes first."""
    accepted = request.headers.get("accept-language", "") if request else ""
    return "zh" if accepted.lower().startswith("zh") else "en"


# Texts of the page as first served, in every language: the browser shows the one for its own
# locale at first paint (Gradio's I18n), before any event has run.
_TEXTS: dict[str, dict[str, str]] = {lang: {} for lang in LANGS}


def said(key: str | Callable[[str], str], frame: str = "{}", **values: Any) -> I18nData:
    """i18n `key` (inside `frame`, e.g. "### {}"), or what `key(lang)` writes, as the browser's
    language says it at first paint; `translations()` holds it in every language. After that,
    the language switch moves that locale in the browser (`page.LOCALE_JS`)."""
    texts = {lang: key(lang) if callable(key) else frame.format(t(lang, key, **values))
             for lang in LANGS}  # fmt: skip
    ident = "rx_" + hashlib.sha1(repr(sorted(texts.items())).encode()).hexdigest()[:12]
    for lang, text in texts.items():
        _TEXTS[lang][ident] = text
    return I18nData(ident)


def as_said(text: Any, lang: str) -> Any:
    """What `said` holds for `text` in `lang` (other values as they are)."""
    return _TEXTS[lang].get(text.key, text) if isinstance(text, I18nData) else text


def translations() -> gr.I18n:
    """Every text `said` so far, for `launch(i18n=...)`: build the page first."""
    return gr.I18n(**{lang: dict(texts) for lang, texts in _TEXTS.items()})


def set_device(device: torch.device) -> None:
    global _device
    _device = device


def device() -> torch.device:
    """Where the models run: --device or $EXPLORER_DEVICE, else CUDA, MPS or the CPU."""
    global _device
    if _device is None:
        _device = engine().select_device()
    return _device


def message(err: Exception, lang: str, key: str = "error") -> str:
    """The message a user sees: ours when they caused it, a generic one (and a log) otherwise.

    `key` is the translated frame: "error" for a model, "error_image" for an image.
    """
    if isinstance(err, ExplorerError):
        return t(lang, key, message=err.in_language(lang))
    log.exception("request failed", exc_info=err)
    return t(lang, key, message="internal error; the server log has details")


@contextmanager
def answering(lang: str, free: bool = False) -> Iterator[None]:
    """A handler's work: a refusal or failure leaves it as a gr.Error in `lang` (an API client
    catches it; the page shows it; no traceback); `free`: the pass's memory is handed back to
    the system either way (`memory.trim`)."""
    try:
        yield
    except gr.Error:
        raise
    except Exception as err:
        raise fail(err, lang) from None
    finally:
        if free:
            trim()


def error(text: str, lang: str) -> gr.Error:
    """What a handler raises: an API client catches it, the page shows it titled in `lang`."""
    return gr.Error(text, title=t(lang, "error_title"))


def fail(err: Exception, lang: str) -> gr.Error:
    return error(message(err, lang), lang)


def whole(value: Any) -> Any:
    """UI numbers arrive as floats; whole ones become ints, the rest is left for validation."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


class Redraw:
    """Handlers that draw components again, run as one event and merged."""

    def __init__(self) -> None:
        self.entries: list[tuple[Callable[..., Any], list[Any], list[Any]]] = []

    def _union(self, part: int) -> list[Any]:
        return list({id(c): c for entry in self.entries for c in entry[part]}.values())

    @property
    def inputs(self) -> list[Any]:
        return self._union(1)

    @property
    def outputs(self) -> list[Any]:
        return self._union(2)

    def draw(self, *values: Any) -> list[Any]:
        """Every handler on the values of `inputs`, merged into `outputs`: where two draw the
        same component, the later one that draws it wins. A handler that fails keeps its
        outputs as they are and says why in a warning."""
        given = {id(c): v for c, v in zip(self.inputs, values, strict=True)}
        out: dict[int, Any] = {}
        for fn, inputs, outputs in self.entries:
            try:
                answer = fn(*(given[id(c)] for c in inputs))
            except gr.Error as err:
                gr.Warning(str(err.message))
                continue
            answer = answer if isinstance(answer, (tuple, list)) else (answer,)
            for component, value in zip(outputs, answer, strict=True):
                if not _skipped(value):
                    out[id(component)] = value
        return [out.get(id(c), gr.skip()) for c in self.outputs]


def _skipped(value: Any) -> bool:
    return isinstance(value, dict) and value == gr.skip()


class Labels:
    """The language switch. The page's own texts are `said` (Gradio's I18n), so they switch in
    the browser with no request at all; what handlers drew in a language (results, charts, menus
    of class names) is drawn again by the handlers registered with `again`, all in one event,
    and the slow figures in one event after it. Gradio's client sends one trigger's listeners
    one after another, each a round trip and a repaint of the whole page: sixteen listeners
    took seconds where one takes a fraction of one."""

    def __init__(self) -> None:
        self.now, self.then = Redraw(), Redraw()

    def markdown(self, key: str, frame: str = "{}", **values: Any) -> gr.Markdown:
        """A Markdown text of i18n `key` (inside `frame`, e.g. "### {}")."""
        return gr.Markdown(said(key, frame, **values))

    def again(self, fn: Callable[..., Any], inputs: list[Any], outputs: list[Any],
              then: bool = False) -> None:  # fmt: skip
        """After a language switch, fn(*inputs) gives `outputs` again (gr.skip() keeps one);
        `then`: after the others are on screen. The inputs arrive as the browser sends them
        (Gradio's preprocessing is skipped), as for every handler here that takes an image."""
        (self.then if then else self.now).entries.append((fn, list(inputs), list(outputs)))
