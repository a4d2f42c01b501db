"""Links to a view: what a query asks for, and that nothing in one can break the page."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from explorer.arch.registry import list_models
from explorer.web.links import TABS, View, view_from


def test_the_issues_examples():
    assert view_from({"tab": "compare", "a": "resnet34", "b": "resnet50"}) == View(
        tab="compare", a="resnet34", b="resnet50")  # fmt: skip
    asked = {"tab": "architecture", "model": "resnet152", "size": "320", "lang": "zh"}
    assert view_from(asked) == View(model="resnet152", size=320, lang="zh")
    assert view_from(asked).model_for("architecture") == "resnet152"
    assert view_from(asked).model_for("predict") is None  # a model belongs to its own tab


def test_what_a_link_may_not_say_is_dropped():
    view = view_from({"tab": "settings", "model": "resnet9000", "size": "1e9", "a": "../../etc",
                      "lang": "fr", "projector": "maybe"})  # fmt: skip
    assert view == View()
    assert view_from({"size": "31"}).size is None and view_from({"size": "1025"}).size is None
    assert view_from({"size": "32"}).size == 32 and view_from({"size": "1024"}).size == 1024
    assert view_from({"model": "BOTTLENECK-2-2-2-2", "projector": "1"}) == View(
        model="bottleneck-2-2-2-2", projector=True)  # the registry's own spelling  # fmt: skip


@given(st.dictionaries(st.sampled_from(["tab", "model", "size", "a", "b", "lang", "projector",
                                        "x"]), st.text(max_size=40)))  # fmt: skip
def test_any_query_gives_a_view_the_page_can_show(query):
    view = view_from(query)
    assert view.tab in TABS
    for model in (view.model, view.a, view.b):
        assert model is None or model in list_models() or "-" in model
    assert view.size is None or 32 <= view.size <= 1024
    assert view.lang in (None, "en", "zh")
