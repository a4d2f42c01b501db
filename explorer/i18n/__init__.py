"""Every text of the page, its charts and explanations, in English and Simplified Chinese; the
strings live beside this file, one module per part of the page that shows them (page.py,
architecture.py, compare.py, predict.py, saliency.py, shortcuts.py, block.py, errors.py, site.py).

`t(lang, key, **values)` formats one text. Both languages have the same keys and placeholders
(a test checks). Technical terms stay recognisable in Chinese: BasicBlock, Bottleneck, stride,
ReLU, BatchNorm, MACs, conv names and stage names are not translated.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import architecture, block, compare, errors, page, predict, saliency, shortcuts, site

LANGS = {"en": "English", "zh": "中文"}


_PARTS = (page, architecture, compare, predict, saliency, shortcuts, block, errors, site)
EN: dict[str, str] = {k: v for part in _PARTS for k, v in part.EN.items()}
ZH: dict[str, str] = {k: v for part in _PARTS for k, v in part.ZH.items()}

TEXTS = {"en": EN, "zh": ZH}


@dataclass(frozen=True)
class Phrase:
    """A text inside another text, said in the same language: t() translates it first."""

    key: str
    values: dict[str, object] = field(default_factory=dict)

    def say(self, lang: str) -> str:
        return t(lang, self.key, **self.values)

    def __str__(self) -> str:
        return self.say("en")


def page_language(lang: object) -> str:
    """`lang` if the page speaks it, else English (whatever a request sent)."""
    return lang if isinstance(lang, str) and lang in LANGS else "en"


def t(lang: str, key: str, **values: object) -> str:
    """The text `key` in `lang` ("en" or "zh"; anything else falls back to English).

    A value may be a Phrase, or a tuple of Phrases (joined with the language's "fit_sep"). With
    n=1, `key`_one is said where the language has one ("1 block", not "1 blocks")."""
    table = TEXTS[page_language(lang)]
    if values.get("n") == 1 and f"{key}_one" in table:
        key = f"{key}_one"
    if not values:
        return table[key]
    said = {k: _say(v, lang) for k, v in values.items()}
    return table[key].format(**said)


def _say(value: object, lang: str) -> object:
    if isinstance(value, Phrase):
        return value.say(lang)
    if isinstance(value, tuple) and value and all(isinstance(v, Phrase) for v in value):
        return t(lang, "fit_sep").join(v.say(lang) for v in value)
    return value


def class_name(lang: str, label: str, named: bool) -> str:
    """A class as the page names it: a generated shape or a CIFAR-10 class (`named`: the page
    has names for the model's classes) in the page's language; ImageNet's names as torchvision
    spells them, in English."""
    for key in (f"shape_{label}", f"class_{label}"):
        if named and key in EN:
            return t(lang, key)
    return label
