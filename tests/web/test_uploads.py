"""The door of every file payload (web/uploads.py) and the checks before any work, tried as an
attacker on the classroom network would: plain JSON over HTTP, no gradio_client, no upload."""

from __future__ import annotations

import base64
import io
import os
import re
import threading

import gradio as gr
import httpx
import pytest
from PIL import Image

from explorer.demo import make_samples
from explorer.errors import ExplorerError
from explorer.inspect.images import MAX_FILE_BYTES
from explorer.tools.loadtest import rss_mb
from explorer.web import limits, tab_shortcuts
from explorer.web.uploads import checked_file

from ..conftest import raw_call

SHAPE = make_samples(1, seed=5)[0][0]
NOT_UPLOADED = "this file was not uploaded to this page"
SERVER_FILES = ["/etc/hostname", "/etc/passwd", "/usr/share/pixmaps/debian-logo.png",
                "/no/such/file.png", "../../../../etc/hostname",
                "/tmp/gradio/../../etc/passwd"]  # fmt: skip


def _data_url(img: Image.Image) -> str:
    buffer = io.BytesIO()
    img.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _upload(url: str, img: Image.Image) -> dict:
    buffer = io.BytesIO()
    img.save(buffer, format="PNG")
    stored = httpx.post(f"{url}/gradio_api/upload",
                        files={"files": ("shape.png", buffer.getvalue())}).json()[0]  # fmt: skip
    return {"path": stored, "meta": {"_type": "gradio.FileData"}}


def _predict(payload, model="demo_basic", weights="DEFAULT", opacity=0.5, checkpoint=None,
             lang="en") -> list:  # fmt: skip
    return [payload, model, "top-1", "layer4", weights, opacity, "Jet", lang, checkpoint]


def test_outside_a_request_the_callers_own_files_and_images_pass():
    assert checked_file(None) is None and checked_file({"path": None, "url": None}) is None
    assert checked_file("/some/where.png") == "/some/where.png"  # Python's own call
    assert checked_file(SHAPE) is SHAPE
    url = _data_url(SHAPE)
    assert Image.open(io.BytesIO(checked_file({"path": None, "url": url}))).size == SHAPE.size


def test_data_urls_are_measured_before_decoding(monkeypatch):
    decoded = []
    monkeypatch.setattr(base64, "b64decode", lambda *a, **k: decoded.append(1) or b"")
    huge = "data:image/png;base64," + "A" * (MAX_FILE_BYTES * 4 // 3 + 8)
    with pytest.raises(ExplorerError, match="upload an image of at most 10 MB"):
        checked_file({"url": huge})
    assert decoded == []  # refused from its length alone
    for bad in ("data:image/png,notbase64", "data:;base64", {"url": "http://example.com/a.png"},
                {"path": 3}, 17, ["a"], {"path": ""}):  # fmt: skip
        with pytest.raises(ExplorerError):
            checked_file(bad)


def test_server_files_named_in_a_request_are_refused_alike_and_never_opened(served, tmp_path):
    """Three ways to name a server file: a bare string (Gradio's own validation refuses it: not
    a file object), a file object with Gradio's meta (Gradio refuses what it did not receive),
    and one without (this app's door refuses it). Each way gives one text whatever the path,
    the path itself aside, so an answer never tells whether a file exists."""
    url, _ = served
    secret = tmp_path / "secret.png"
    SHAPE.save(secret)  # a real image the server could read
    texts: dict[str, set[str]] = {"bare": set(), "meta": set(), "plain": set()}
    for path in [*SERVER_FILES, str(secret)]:
        forms = {"bare": path, "plain": {"path": path},
                 "meta": {"path": path, "meta": {"_type": "gradio.FileData"}}}  # fmt: skip
        for form, payload in forms.items():
            for api, data in (("predict", _predict(payload)),
                              ("shortcuts", [payload, "demo_basic", "top-1", "DEFAULT", "en",
                                             None])):  # fmt: skip
                event, said = raw_call(url, api, data)
                assert event == "error" and "Traceback" not in said, (form, said)
                for shown in (os.path.abspath(path), os.path.normpath(path), path):
                    said = said.replace(shown, "<path>")
                said = re.sub(r"input_value='[^']*'", "input_value=<path>", said)  # shortened
                texts[form].add(said)
    for form, seen in texts.items():
        assert len(seen) == 1, (form, seen)
    said = texts["plain"].pop()
    assert said.startswith("Could not explain this image: ") and NOT_UPLOADED in said


def test_checkpoints_and_weights_must_come_from_the_page(served):
    url, _ = served
    image = _upload(url, SHAPE)
    meta = {"_type": "gradio.FileData"}
    for checkpoint in ("/etc/hostname", {"path": "/etc/hostname"},
                       {"path": "/etc/hostname", "meta": meta}):  # fmt: skip
        event, said = raw_call(url, "predict", _predict(image, checkpoint=checkpoint))
        assert event == "error" and "Traceback" not in said  # Gradio's own checks of a File
    # A file Gradio's folder holds but no one uploaded (another student's answer) passes
    # Gradio's check and stops at the app's door, as an image and as a checkpoint.
    event, answer = raw_call(url, "predict", _predict(image))
    assert event == "complete"
    produced = {"path": answer[1]["path"], "meta": meta}
    for data in (_predict(produced), _predict(image, checkpoint=produced)):
        event, said = raw_call(url, "predict", data)
        assert event == "error" and NOT_UPLOADED in said, said
    for weights in ("/etc/hostname", "IMAGENET1K_V1", "../x.pth", 5):
        event, said = raw_call(url, "predict", _predict(image, weights=weights))
        assert event == "error" and "has no weights called" in said and "DEFAULT" in said
    event, said = raw_call(url, "predict", _predict(image, weights="/etc/hostname", lang="zh"))
    assert event == "error" and "没有名为 '/etc/hostname' 的权重" in said
    event, answer = raw_call(url, "predict", _predict(image))
    assert event == "complete" and answer[0]["label"]  # a real upload with menu weights works


def test_specs_too_big_to_run_are_refused_before_any_allocation(served_process):
    url, pid = served_process.url, served_process.process.pid
    rss = rss_mb(pid)
    image = _upload(url, SHAPE)
    huge = "bottleneck-50-50-50-50-w512"  # 11.1 G parameters, 44 GB of weights
    for api, data in (("predict", _predict(image, model=huge, weights="random")),
                      ("shortcuts", [image, huge, "top-1", "random", "en", None])):  # fmt: skip
        event, said = raw_call(url, api, data)
        assert event == "error" and "too big to run on this server" in said, (api, said)
        assert "the parameter count is 11.1 G, the limit is 150.0 M" in said
    event, said = raw_call(url, "plain", [huge, "en"])  # its menu is fixed: Gradio refuses first
    assert event == "error" and "not in the list of choices" in said
    with pytest.raises(gr.Error, match="too big to run on this server"):
        tab_shortcuts.plain(huge, "en")  # and the handler would too
    event, said = raw_call(url, "predict", _predict(image, model=huge, weights="random", lang="zh"))
    assert "参数量为 11.1 G，上限为 150.0 M" in said
    assert rss_mb(pid) - rss < 200  # nothing of the size was built
    event, answer = raw_call(url, "architecture", [huge, 224, "en"])  # analysed on meta: fine
    assert event == "complete" and "602 = 1 + 3·(50+50+50+50) + 1" in str(answer)


def test_every_registry_model_fits_the_limits_at_twice_its_own_input_size():
    """448 px for the ImageNet networks, 64 for CIFAR-10's, which keep their 32×32 resolution
    through the first stage (ResNet-110 at 448 px would need 2.3 GiB of activations)."""
    from explorer.arch.analysis import cost
    from explorer.arch.registry import get_entry, list_models

    for name in list_models():
        price = cost(name, 2 * get_entry(name).input_size)
        assert price.params <= limits.MAX_PARAMS and price.macs <= limits.MAX_MACS
        assert price.activation_bytes <= limits.MAX_ACTIVATION_BYTES, name


def test_one_bad_request_among_simultaneous_ones_fails_alone(served):
    url, _ = served
    image = _upload(url, SHAPE)
    alone = raw_call(url, "predict", _predict(image))[1][0]
    bad = [_predict(image, opacity=None), _predict(image, opacity=7), _predict(image, opacity="x"),
           [image, "demo_basic", "top-1", "layer4", "DEFAULT", 0.5, "Viridis!", "en", None],
           [image, "demo_basic", "top-1", "layer9", "DEFAULT", 0.5, "Jet", "en", None],
           [image, "demo_basic", "dragon", "layer4", "DEFAULT", 0.5, "Jet", "en", None],
           _predict({"path": "/etc/passwd"}), _predict(image, weights="nope"),
           _predict(image, model="bottleneck-50-50-50-50-w512", weights="random")]  # fmt: skip
    good = [_predict(image)] * 4
    answers: dict[int, tuple[str, object]] = {}

    def send(i: int, data: list) -> None:
        answers[i] = raw_call(url, "predict", data)

    threads = [threading.Thread(target=send, args=(i, d)) for i, d in enumerate(bad + good)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    for i in range(len(bad)):
        event, said = answers[i]
        assert event == "error" and said and "Traceback" not in said, (i, said)
    assert "opacity must be a number from 0 to 1, not None" in answers[0][1]
    for i in range(len(bad), len(bad) + len(good)):
        event, answer = answers[i]
        assert event == "complete" and answer[0]["label"] == alone["label"]
        got = {c["label"]: c["confidence"] for c in answer[0]["confidences"]}
        for c in alone["confidences"]:  # as if served alone (a shared pass may round apart)
            assert got[c["label"]] == pytest.approx(c["confidence"], abs=1e-4)
