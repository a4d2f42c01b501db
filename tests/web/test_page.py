"""The Gradio app: its handlers, and the real `python app.py` served on 127.0.0.1."""

from __future__ import annotations

import html
import json
import re
import time
from pathlib import Path
from types import SimpleNamespace

import gradio as gr
import httpx
import plotly.graph_objects as go
import pytest
import torch
import torchvision
from gradio_client import Client
from torchvision.models.resnet import BasicBlock

from explorer import analyze
from explorer.cli import _parser
from explorer.web import pages, tab_architecture, tab_compare, tab_predict
from explorer.web.shared import initial_language

from ..conftest import launched


def test_architecture_handler():
    out = tab_architecture.architecture("resnet50", 224.0, "en")
    formula, stages, story, costs, treemap, diagram, tree, json_path, csv_path = out
    assert "50 = 1 +" in formula and "25,557,032" in stages and "layer4" in story
    # a registry model at its own size: the shipped page, its charts as Plotly's JSON
    assert json.loads(costs.plot)["data"]
    assert json.loads(treemap.plot)["data"][0]["type"] == "treemap"
    assert "<svg" in diagram and "layer4.2" in tree
    assert json.loads(Path(json_path).read_text("utf-8"))["depth"] == 50
    assert Path(csv_path).read_text("utf-8").startswith("name,type,level")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("resnet19", 224, "en"), "Could not analyse this model: unknown model 'resnet19'"),
        (("resnet18", 16, "zh"), "无法分析该模型：输入尺寸必须在 32 到 4096 像素之间"),
        (("resnet18", 224.5, "en"), "input size must be a whole number"),
        (("resnet18", None, "en"), "input size must be a whole number"),
    ],
)
def test_user_errors_become_translated_messages(args, message):
    with pytest.raises(gr.Error, match=message):
        tab_architecture.architecture(*args)


def test_unexpected_errors_show_no_internals(monkeypatch, caplog):
    def broken(*args):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(pages, "architecture_page", broken)
    with pytest.raises(gr.Error) as err:  # 200 px: not a shipped page, computed
        tab_architecture.architecture("resnet18", 200, "en")
    assert "secret" not in str(err.value) and "internal error" in str(err.value)
    assert "secret internals" in caplog.text  # the log keeps what the user does not see


def test_compare_handler():
    formula_a, _, insights, costs, stages, blocks = tab_compare.compare(
        "resnet50", "resnet50_v1", 224, "en"
    )
    assert "4.09 G vs 3.86 G" in insights and "−231.2 M" in stages and "BottleneckV1" in blocks
    assert isinstance(costs, go.Figure) and formula_a.count("rx-formula") == 2


def test_custom_model_handler():
    assert (
        tab_architecture.custom_model("bottleneck", 2, 2, 2, 2, 1, 64, False)
        == "bottleneck-2-2-2-2"
    )
    assert (
        tab_architecture.custom_model("bottleneck", 3.0, 4, 6, 3, 32, 4, True)
        == "bottleneck-3-4-6-3-g32-w4-v1"
    )
    # groups, width and v1 belong to Bottleneck: a BasicBlock spec leaves them out
    assert tab_architecture.custom_model("basic", 1, 1, 1, 1, 32, 4, True) == "basic-1-1-1-1"
    with pytest.raises(gr.Error, match="each stage needs 1 to 50 blocks"):
        tab_architecture.custom_model("bottleneck", 0, 2, 2, 2, 1, 64, False)
    with pytest.raises(gr.Error, match="invalid custom model"):
        tab_architecture.custom_model("bottleneck", None, 2, 2, 2, 1, 64, False)


def request(accept: str, **query: str) -> SimpleNamespace:
    """What a load event's gr.Request carries: the browser's languages and the link's query."""
    return SimpleNamespace(headers={"accept-language": accept}, query_params=query)


def test_initial_language_follows_the_link_then_the_browser():
    assert initial_language(request("zh-CN,zh;q=0.9,en;q=0.8")) == "zh"
    assert initial_language(request("en-US,en;q=0.9")) == "en"
    assert initial_language(request("")) == "en"
    assert initial_language(request("en-US", lang="zh")) == "zh"  # a teacher's link wins
    assert initial_language(request("zh-CN", lang="en")) == "en"
    assert initial_language(request("zh-CN", lang="fr")) == "zh"  # not ours: the browser's
    assert initial_language(None) == "en"


def test_what_the_page_opens_with_is_in_the_browsers_language():
    """The load-time views render in the browser's language themselves, so no English render
    races the language switch's Chinese one."""
    zh = request("zh-CN,zh;q=0.9")
    opened = tab_architecture.first_view("resnet18", 224, zh)
    assert opened[:2] == ("resnet18", 224)
    assert opened[2:4] == tab_architecture.architecture("resnet18", 224, "zh")[:2]
    assert "参数量" in opened[3]
    opened = tab_compare.first_view("resnet34", "resnet50", 224, zh)
    assert opened[:3] == ("resnet34", "resnet50", 224)
    assert "ResNet-34" in opened[5]
    assert opened[5] == tab_compare.compare("resnet34", "resnet50", 224, "zh")[2]
    model, weights, target, layer, status, _ = tab_predict.start(zh)
    assert model == "demo_bottleneck"  # offline: no ImageNet weights cached here
    assert weights.choices[0] == ("内置（本项目训练）", "DEFAULT") and "本项目" in status
    assert target.choices[0] == ("top-1（预测结果）", "top-1")
    assert ("箭头", "arrow") in target.choices  # the shapes by their Chinese names
    assert [value for _, value in layer.choices][:4] == ["layer1", "layer2", "layer3", "layer4"]


def test_a_link_opens_its_view():
    """The examples of the issue: each view opens from its URL, in the link's language."""
    link = request("en-US", tab="architecture", model="resnet152", size="320", lang="zh")
    model, size, formula, *_ = tab_architecture.first_view("resnet50", 224, link)
    assert (model, size) == ("resnet152", 320)
    assert "为什么是 152 层" in formula
    link = request("en-US", tab="compare", a="resnet18", b="resnet101")
    a, b, size, _, formula_b, *_ = tab_compare.first_view("resnet34", "resnet50", 224, link)
    assert (a, b, size) == ("resnet18", "resnet101", 224)
    assert 'aria-label="101 = 1 + 3·(3+4+23+3) + 1"' in formula_b
    # A link to another tab leaves this one on its own model; a model of the size's own.
    assert tab_architecture.first_view("resnet50", 224, link)[:2] == ("resnet50", 224)
    link = request("en-US", tab="architecture", model="demo_basic")
    assert tab_architecture.first_view("resnet50", 224, link)[:2] == ("demo_basic", 64)
    assert tab_predict.start(request("en-US", tab="predict", model="demo_basic"))[0] == "demo_basic"


def _page(session: str) -> SimpleNamespace:
    return SimpleNamespace(**vars(request("en-US")), session_hash=session)


def _skipped(opened: tuple) -> bool:
    return bool(opened) and all(value == gr.skip() for value in opened)


def test_a_model_chosen_before_the_first_view_arrives_stays():
    """A student picks a model (or builds one) before the page's first view has come: that view
    then changes nothing on the student's page, and still opens every other page."""
    picked, built, other = _page("picked-early"), _page("built-early"), _page("another-page")
    tab_architecture.switched("resnet18", 224, "en", picked)
    tab_architecture.build_custom("basic", 1, 1, 1, 1, 1, 64, False, "en", built)
    for early in (picked, built):
        assert _skipped(tab_architecture.first_view("resnet50", 224, early))
    assert tab_architecture.first_view("resnet50", 224, other)[:2] == ("resnet50", 224)
    # A build the form refuses leaves the Model box as it was: the first view still opens
    failed = _page("failed-build")
    model, note = tab_architecture.build_custom("basic", 0, 1, 1, 1, 1, 64, False, "en", failed)
    assert model == gr.skip() and "layer1" in note
    assert tab_architecture.first_view("resnet50", 224, failed)[:2] == ("resnet50", 224)
    # Compare's own first view is the student's choice on Compare alone
    assert tab_compare.first_view("resnet34", "resnet50", 224, picked)[:3] == (
        "resnet34", "resnet50", 224)  # fmt: skip


def test_compare_keeps_a_pair_chosen_before_its_first_view():
    """On Compare, a preset or a menu chosen before the tab's first view arrives stays."""
    preset, menu = _page("preset-early"), _page("menu-early")
    assert tab_compare._preset("resnet18", "resnet34", False)(preset) == (
        "resnet18", "resnet34", False)  # fmt: skip
    tab_compare.compare("resnet18", "resnet101", 224, "en", menu)
    for early in (preset, menu):
        assert _skipped(tab_compare.first_view("resnet34", "resnet50", 224, early))
    assert tab_compare.first_view("resnet34", "resnet50", 224, _page("late"))[:2] == (
        "resnet34", "resnet50")  # fmt: skip


def test_a_bad_link_still_opens_the_page():
    link = request("en-US", tab="architecture", model="resnet9000", size="-3")
    assert tab_architecture.first_view("resnet50", 224, link)[:2] == ("resnet50", 224)


FORM = {"block": "bottleneck", "layer1": 2, "layer2": 2, "layer3": 2, "layer4": 2, "groups": 1,
        "width": 64, "v1": False}  # fmt: skip


@pytest.mark.parametrize(
    ("change", "said"),
    [({"groups": 32, "width": 32}, ["Groups (3×3 conv)", "Channels per group", "32 × 32 = 1024",
                                    "512"]),
     ({"layer2": 0}, ["layer2 blocks", "1 to 50", "it is 0"]),
     ({"layer4": 51.0}, ["layer4 blocks", "it is 51"]),
     ({"layer1": None}, ["layer1 blocks", "it is empty"]),
     ({"layer3": 2.5}, ["layer3 blocks", "2.5"]),
     ({"groups": 65}, ["Groups (3×3 conv)", "1 to 64"]),
     ({"width": 0}, ["Channels per group", "at least 1"])],
)  # fmt: skip
def test_the_custom_form_says_which_field_to_change(change, said):
    """In the form's own words, the Model box left as it was; the registry refuses the same."""
    form = {**FORM, **change}
    model, note = tab_architecture.build_custom(*form.values(), "en")
    assert model == gr.skip()
    for words in said:
        assert words in html.unescape(note), note
    assert "spec" not in note and "Error" not in note  # not the grammar the user never typed
    with pytest.raises(gr.Error):
        tab_architecture.custom_model(*form.values())  # the API's own check agrees
    zh = tab_architecture.build_custom(*form.values(), "zh")[1]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh)


def test_a_valid_custom_form_builds_its_model():
    model, note = tab_architecture.build_custom(*{**FORM, "groups": 32, "width": 4}.values(), "en")
    assert model == "bottleneck-2-2-2-2-g32-w4" and "Built bottleneck-2-2-2-2-g32-w4" in note
    # Groups and width are Bottleneck options: a BasicBlock form ignores them, as the API does.
    model, _ = tab_architecture.build_custom(*{**FORM, "block": "basic", "groups": 0}.values())
    assert model == tab_architecture.custom_model(*{**FORM, "block": "basic", "groups": 0}.values())


def test_server_defaults():
    args = _parser().parse_args(["serve"])
    assert (args.host, args.port, args.share, args.auth, args.device) == (
        "127.0.0.1", 7860, False, None, None)  # fmt: skip
    args = _parser().parse_args(["serve", "--host", "0.0.0.0", "--auth", "teacher:s3:cret"])
    assert args.auth == ("teacher", "s3:cret")
    with pytest.raises(SystemExit):
        _parser().parse_args(["serve", "--auth", "nopassword"])


def test_app_binds_localhost_without_share_link(served):
    url, log = served
    deadline = time.monotonic() + 10  # Gradio prints its banner just after it starts answering
    while not any("Running on local URL" in line for line in log) and time.monotonic() < deadline:
        time.sleep(0.1)
    banner = next(line for line in log if "Running on local URL" in line)
    assert banner.split()[-1].startswith("http://127.0.0.1:")
    assert not any("gradio.live" in line for line in log)
    assert httpx.get(url).status_code == 200


@pytest.mark.slow
def test_a_classroom_login_guards_the_page_and_the_api():
    """`--auth` as README's classroom set-up uses it: nothing is served before logging in."""
    with launched("--auth", "class:pick-a-password") as server:
        url = server.url
        assert httpx.get(f"{url}/config").status_code == 401
        refused = httpx.post(f"{url}/gradio_api/queue/join",
                             json={"data": ["resnet18", "en"], "fn_index": 0,
                                   "session_hash": "intruder"})  # fmt: skip
        assert refused.status_code == 401
        with pytest.raises(Exception, match=r"(?i)login|auth|401"):
            Client(url, verbose=False)
        client = Client(url, auth=("class", "pick-a-password"), verbose=False)
        assert "ResNet-18" in client.predict("resnet18", 224, api_name="/summary")


def test_api_through_gradio_client(served):
    url, _ = served
    client = Client(url, verbose=False)
    endpoints = client.view_api(return_format="dict")["named_endpoints"]
    assert {"/architecture", "/compare", "/custom_model", "/summary"} <= set(endpoints)

    out = client.predict("resnet18", 224, "en", api_name="/architecture")
    assert "18 = 1 +" in out[0] and "11,689,512" in out[1]
    costs = json.loads(out[3]["plot"])
    assert costs["data"][0]["y"] == [
        st.params for st in analyze("resnet18").stages
    ]  # fmt: skip
    assert json.loads(Path(out[7]).read_text("utf-8"))["total_params"] == 11_689_512

    cmp = client.predict("resnet34", "resnet50", 224, "zh", api_name="/compare")
    assert "ResNet-50 的参数量是 ResNet-34 的 1.17×" in cmp[2]
    spec = client.predict("bottleneck", 2, 2, 2, 2, 1, 64, False, "en", api_name="/custom_model")
    assert spec == "bottleneck-2-2-2-2"
    assert "26 = 1 + 3·(2+2+2+2) + 1" in client.predict("bottleneck-2-2-2-2", 224,
                                                         api_name="/summary")  # fmt: skip
    with pytest.raises(Exception, match="unknown model 'resnet19'") as err:
        client.predict("resnet19", 224, "en", api_name="/architecture")
    assert "Traceback" not in str(err.value)
    assert httpx.get(url).status_code == 200  # still serving


def test_the_whole_network_through_gradio_client(served):
    """/network as a script calls it: the counts come from torchvision's own modules."""
    url, _ = served
    client = Client(url, verbose=False)
    net = torchvision.models.resnet34()
    convs = [n for n, m in net.named_modules() if isinstance(m, torch.nn.Conv2d)]
    blocks = [n for n, m in net.named_modules() if isinstance(m, BasicBlock)]
    shown = client.predict("resnet34", 224, False, "vertical", "en", api_name="/network")
    layers = re.findall(r'data-layer="([^"]+)"', shown)
    assert layers == [n for n in convs if "downsample" not in n] + ["fc"]
    shortcuts = re.findall(r'data-shortcut="(\w+)" data-block="([\w.]+)"', shown)
    assert [b for _, b in shortcuts] == blocks
    assert {b for k, b in shortcuts if k == "projection"} == {
        n.removesuffix(".downsample.0") for n in convs if "downsample" in n
    }  # fmt: skip
    plain = client.predict("resnet34", 224, True, "horizontal", "zh", api_name="/network")
    assert len(re.findall(r"data-layer=", plain)) == 34 and "data-shortcut" not in plain
    with pytest.raises(Exception, match="方向只能是") as err:
        client.predict("resnet34", 224, False, "diagonal", "zh", api_name="/network")
    assert "Traceback" not in str(err.value)
    assert httpx.get(url).status_code == 200  # still serving


def test_direct_posts_cannot_skip_the_queue(served):
    url, _ = served
    response = httpx.post(f"{url}/gradio_api/run/architecture",
                          json={"data": ["resnet18", 224, "en"]})  # fmt: skip
    assert response.status_code == 404
    assert "join the queue" in response.text


def test_every_first_paint_text_is_in_both_languages():
    """The page as served carries its texts in both languages (the browser picks one at first
    paint); Gradio reads them as ICU messages, where a brace would be a placeholder."""
    from explorer.web.page import build
    from explorer.web.shared import translations

    build()
    texts = translations().translations_dict
    assert set(texts) == {"en", "zh"} and texts["en"].keys() == texts["zh"].keys()
    assert len(texts["en"]) > 50
    for lang, table in texts.items():
        for text in table.values():
            assert "{" not in text and "}" not in text, (lang, text)
    assert "网络结构" in texts["zh"].values() and "Architecture" in texts["en"].values()


def test_the_language_switch_is_one_event_that_merges_what_the_tabs_draw_again():
    """Handlers registered with `again` run in one event; a component two of them draw gets
    the later one's answer unless that one skips it; a refusal keeps its outputs as they were."""
    from explorer.web.shared import Labels

    with gr.Blocks():
        a, b, c, lang = gr.HTML(), gr.HTML(), gr.HTML(), gr.Radio(["en", "zh"])
    labels = Labels()
    labels.again(lambda lg: (f"a {lg}", f"b {lg}"), [lang], [a, b])
    labels.again(lambda shown, lg: (gr.skip(), f"B {lg}") if shown else None, [a, lang], [a, b])

    def refused(lg):
        raise gr.Error("no")

    labels.again(refused, [lang], [c])
    assert labels.now.inputs == [lang, a] and labels.now.outputs == [a, b, c]
    assert labels.now.draw("zh", "shown") == ["a zh", "B zh", gr.skip()]
    assert labels.then.outputs == []


def test_progress_shows_where_the_user_acted():
    """What runs on its own (load events, chained steps, the language's redraw) has no progress
    targets in the served config, so the client does not re-read its outputs at every later
    status update; the first view's formula and stages, and a user's own click, keep theirs."""
    from explorer.web.page import build

    config = build().get_config_file()
    ids = {c["id"]: c for c in config["components"]}
    by_name = {}
    for dep in config["dependencies"]:
        by_name.setdefault(dep["api_name"], dep)
        triggers = {event for _, event in dep["targets"]}
        if not triggers or triggers & {"load", "then"}:
            if dep["api_name"] != "first_view":
                assert dep["show_progress_on"] == [], dep["api_name"]
    assert by_name["explain"]["show_progress_on"] is None  # its outputs, as Gradio's default
    opening = by_name["first_view"]
    assert opening["show_progress_on"] == opening["outputs"][2:4]  # after the model and size
    assert all(ids[i]["type"] == "html" for i in opening["show_progress_on"])
    draw = [d for d in config["dependencies"] if len(d["outputs"]) > 20]
    assert draw and all(d["show_progress_on"] == [] for d in draw)  # the language's redraw
