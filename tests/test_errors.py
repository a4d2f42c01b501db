"""User errors: an English message for the CLI and the API, the same error in Chinese for the UI,
with whatever the user typed quoted unchanged in both."""

from __future__ import annotations

import re

import pytest

from explorer import ExplorerError, get_entry
from explorer.i18n import Phrase
from explorer.inspect.deadline import check, within

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_a_keyed_error_is_english_and_says_itself_in_chinese():
    err = ExplorerError.text("err_too_large", size=12.345, limit=10)
    assert str(err) == err.in_language("en") == err.in_language("fr")
    assert "12.3 MB" in str(err) and not CJK.search(str(err))
    zh = err.in_language("zh")
    assert "12.3 MB" in zh and "10 MB" in zh and CJK.search(zh)


def test_an_unkeyed_error_stays_as_raised():
    err = ExplorerError("device 'tpu' is not available here")
    assert err.in_language("zh") == str(err)


def test_phrases_inside_an_error_follow_its_language():
    with pytest.raises(ExplorerError) as caught:
        get_entry("bottleneck-2-2-2-2-g0")
    err = caught.value
    assert "groups must be 1 to" in str(err) and "a custom spec is BLOCK-N1" in str(err)
    zh = err.in_language("zh")
    assert "'bottleneck-2-2-2-2-g0'" in zh  # what was typed, quoted as typed
    assert "分组数必须为 1 到" in zh and "自定义规格 BLOCK-N1" in zh
    assert "groups must" not in zh and "a custom spec" not in zh
    joined = ExplorerError.text("err_ckpt_fit", source="a.pth", model="resnet18", hint=Phrase(
        "fit_other_arch"), details=(Phrase("fit_missing", {"n": 2, "keys": "x, y"}),
                                    Phrase("fit_unexpected", {"n": 1, "keys": "z"})))  # fmt: skip
    assert "2 missing keys (x, y); 1 unexpected keys (z)." in str(joined)
    assert "缺少 2 个键（x, y）；多出 1 个键（z）。" in joined.in_language("zh")


def test_the_deadline_error_is_keyed():
    with within(-1.0), pytest.raises(ExplorerError) as caught:
        check()
    assert caught.value.key == "err_timeout"
    assert "已被停止" in caught.value.in_language("zh")
