"""Both languages say everything: same keys, same placeholders, real Chinese, no missing key."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

import explorer
from explorer import analyze, list_models
from explorer.i18n import EN, LANGS, ZH, t
from explorer.web.tab_compare import PRESETS

SOURCE = Path(explorer.__file__).parent
SAME_IN_BOTH = {"col_macs", "col_delta", "reason_stride", "later_blocks",  # symbols and terms
                "m_gradcam", "m_gradcam++", "m_layercam", "m_smoothgrad", "m_guided_backprop",
                "m_guided_gradcam"}  # fmt: skip
PUNCTUATION = {"list_sep", "full_stop", "sentence_gap", "fit_sep"}


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_same_keys_and_placeholders():
    assert EN.keys() == ZH.keys()
    for key in EN:
        assert _fields(EN[key]) == _fields(ZH[key]), key


@pytest.mark.parametrize("key", sorted(set(EN) - SAME_IN_BOTH - {"title"}))
def test_chinese_is_chinese(key):
    assert ZH[key] != EN[key]
    assert key in PUNCTUATION or re.search(r"[\u4e00-\u9fff]", ZH[key]), key


def test_every_key_the_code_asks_for_exists():
    used = set()
    for path in SOURCE.rglob("*.py"):
        used |= set(
            re.findall(r"""\bt\((?:lang|lg|en|\"en\"), \"([a-z_0-9]+)\"""", path.read_text())
        )
        used |= set(re.findall(r'"(col_[a-z]+)"', path.read_text()))  # column header lists
        # errors, the phrases inside them, and the reasons a custom spec is refused
        used |= set(re.findall(r'(?:\.text|Phrase|_spec_error)\((?:spec, )?"([a-z_]+)"',
                               path.read_text()))  # fmt: skip
    used |= set(PRESETS)
    used |= {f"uncounted_{u.key}" for name in list_models()
             for u in analyze(name).depth_breakdown.not_counted}  # fmt: skip
    assert len(used) > 60
    assert used <= EN.keys(), used - EN.keys()


def test_unknown_language_falls_back_to_english():
    assert t("fr", "tab_arch") == "Architecture"
    assert set(LANGS) == {"en", "zh"}
    assert t("zh", "why_depth", depth=50) == "为什么是 50 层"
