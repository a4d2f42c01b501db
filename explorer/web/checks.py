"""What every tab that runs a model checks in a request before anything is loaded or decoded:
the model, its layer and class, the weights (a menu value or this request's checkpoint upload)
and the image (this request's upload or a generated example). A bad value raises ExplorerError
or gr.Error with the page's sentence; nothing here loads torch.
"""

from __future__ import annotations

from typing import Any

from ..arch.registry import get_entry
from ..errors import ExplorerError
from ..i18n import Phrase, t
from ..inspect.images import ImageInput
from .shared import engine, error, message
from .uploads import checked_file

TOP1 = "top-1"  # the target menu's first entry: explain the prediction itself


def text_input(value: Any, what: str) -> str:
    """A menu's value as the page sends it: text. Anything else is refused, with its name."""
    if not isinstance(value, str):
        raise ExplorerError.text("err_bad_value", what=Phrase(what), value=value)
    return value


def checkpoint_path(checkpoint: Any) -> str | None:
    """An uploaded checkpoint's path, or None; a path this server did not receive is refused."""
    uploaded = checked_file(checkpoint)
    if uploaded is not None and not isinstance(uploaded, str):
        raise ExplorerError.text("err_not_upload")
    return uploaded


def weights_arg(model: str, weights: Any, checkpoint: Any = None) -> str | None:
    """What load_model gets: an uploaded checkpoint if there is one, else the menu's choice,
    which must be one of the menu's values for `model` (a path typed there is refused)."""
    uploaded = checkpoint_path(checkpoint)
    if uploaded is not None:
        return uploaded
    if weights in (None, "", "random"):
        return None
    menu = [value for _, value in weight_choices(model, "en")]
    if not isinstance(weights, str) or weights not in menu:
        raise ExplorerError.text("err_weights_choice", model=get_entry(model).name,
                                 weights=weights, choices=", ".join(menu))  # fmt: skip
    return weights


def check_request(model: Any, layer: Any, target: Any) -> str:
    """Refuse a bad model, layer or class, or a model too big for this server, before any
    weights are loaded or images decoded. Returns the model's registry name."""
    entry = get_entry(text_input(model, "model"))
    if layer is not None:
        layers = engine().cam_layer_names(entry.name)
        if text_input(layer, "layer") not in layers:
            raise ExplorerError.text("err_no_layer", layer=layer, model=entry.name,
                                     example=layers[-1])  # fmt: skip
    if target not in (None, "", TOP1) and text_input(target, "target") not in entry.categories:
        raise ExplorerError.text("err_no_class_in", model=entry.name, target=target)
    engine().check_cost(entry.name)
    return entry.name


def weight_choices(model: str, lang: str) -> list[tuple[str, str]]:
    """What the weights menu offers for a model: its own weights first, random last."""
    entry = get_entry(model)  # a demo model's menu needs no torch: the page is built with it
    named: list[tuple[str, str]] = []
    if entry.shipped:
        named = [(t(lang, "weights_bundled"), "DEFAULT")]
    elif entry.source == "timm":
        named = [(t(lang, "weights_timm"), "DEFAULT")]
    elif entry.weights_enum is not None:
        default = t(lang, "weights_default", name=entry.weights("DEFAULT").name)
        named = [(default, "DEFAULT"), *((w.name, w.name) for w in entry.weights_enum)]
    return [*named, (t(lang, "weights_random"), "random")]


def image_input(image: Any, lang: str) -> ImageInput:
    """The request's image as the loader takes it; refused (gr.Error, in the image's words) when
    there is none or it is not this request's upload."""
    try:
        source = checked_file(image)
    except ExplorerError as err:
        raise error(message(err, lang, "error_image"), lang) from None
    if source is None:
        raise error(t(lang, "no_image"), lang)
    return source
