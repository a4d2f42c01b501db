"""The Predict & Explain tab: one request per handler, passes shared on the compute thread,
per-request errors, the weights menu and the /predict API."""

from __future__ import annotations

import html
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import gradio as gr
import pytest
from gradio_client import Client, handle_file
from PIL import Image

from explorer.demo import CLASSES, make_samples
from explorer.web import page, tab_predict
from explorer.web.compute import MAX_BATCH, compute
from explorer.web.files import examples
from explorer.web.overlay import CAPTION, GAP

IMAGES, LABELS, _ = make_samples(3, seed=17)


def _file(tmp_path, i: int) -> str:
    path = tmp_path / f"{i}.png"
    IMAGES[i].save(path)
    return str(path)


def _one(payload, model: str = "demo_bottleneck", **kwargs):
    return tab_predict.predict(payload, model, **kwargs)


def test_one_request_gets_four_files(tmp_path):
    labels, overlay, stages, features, note, raw_map = _one({"path": _file(tmp_path, 0)})
    assert max(labels, key=labels.get) == CLASSES[LABELS[0]] and "Grad-CAM" in note
    # Four files an answer: the overlay a lossless PNG (what its download gives), the raw map a
    # 16-bit PNG, and one JPEG each for the four stage maps and the four feature grids.
    assert Image.open(overlay).format == "PNG" and Image.open(overlay).size == (320, 320)
    assert Image.open(raw_map).mode.startswith("I;16")
    for path, panels in ((stages, (200, 200)), (features, (296, 148))):
        picture = Image.open(path)
        assert picture.format == "JPEG" and picture.width == 4 * panels[0] + 3 * GAP
        assert picture.height == CAPTION + panels[1]


def test_requests_waiting_together_share_a_pass_and_a_bad_image_fails_alone(tmp_path):
    junk = tmp_path / "notes.jpg"
    junk.write_text("not an image")
    payloads = [{"path": _file(tmp_path, 0)}, {"path": str(junk)}, {"path": _file(tmp_path, 1)}]
    alone = [_one(payloads[0])[0], _one(payloads[2])[0]]
    gate = threading.Event()
    with ThreadPoolExecutor(4) as pool:
        busy = pool.submit(compute().call, gate.wait)  # the compute thread is busy ...
        futures = [pool.submit(_one, p) for p in payloads]
        deadline = time.monotonic() + 30
        while compute()._jobs.qsize() < 3 and time.monotonic() < deadline:
            time.sleep(0.01)  # ... until all three wait behind it
        gate.set()
        busy.result()
        answers = [f.exception() or f.result() for f in futures]
    assert compute().batches[-1] == 3  # one pass for the three
    assert answers[0][0] == alone[0] and answers[2][0] == alone[1]
    assert isinstance(answers[1], gr.Error) and "Could not explain this image" in answers[1].message


def test_no_image_and_bad_models_are_refused_with_the_pages_message():
    with pytest.raises(gr.Error, match="Upload an image"):
        _one(None)
    with pytest.raises(gr.Error, match="unknown model 'resnet19'"):
        _one(IMAGES[0], "resnet19")
    with pytest.raises(gr.Error, match=r"'dragon'"):
        _one(IMAGES[0], target="dragon", lang="zh")


@pytest.mark.slow
def test_mixed_precision_answers_as_float32_does(tmp_path, monkeypatch):
    """/predict with EXPLORER_AUTOCAST=bf16: the GPU's code path, run on the CPU."""
    payloads = [{"path": _file(tmp_path, i)} for i in range(3)]
    models = ["demo_basic", "demo_bottleneck", "demo_basic"]
    monkeypatch.delenv("EXPLORER_AUTOCAST", raising=False)
    full = [_one(p, m)[0] for p, m in zip(payloads, models, strict=True)]
    monkeypatch.setenv("EXPLORER_AUTOCAST", "bf16")
    mixed = [_one(p, m)[0] for p, m in zip(payloads, models, strict=True)]
    for a, b in zip(full, mixed, strict=True):
        assert max(a, key=a.get) == max(b, key=b.get)
        assert all(abs(a[label] - b.get(label, 0.0)) <= 0.02 for label in a)


def test_identical_answers_share_one_file(tmp_path):
    """Two students, one picture: the same files, written once (no rewrite while one is sent)."""
    payload = {"path": _file(tmp_path, 1)}
    first, second = _one(payload), _one(payload)
    assert first[1] == second[1] and first[2] == second[2] and first[3] == second[3]
    other = _one(payload, layer="layer3")
    assert other[1] != first[1]


SHAPES_ZH = {"圆形", "正方形", "三角形", "星形", "十字", "心形", "六边形", "箭头"}


def test_answers_in_chinese(tmp_path):
    """The note and the demo models' class names, top-5 included, are in the page's language."""
    labels, _, _, _, note, _ = _one({"path": _file(tmp_path, 2)}, target="star", lang="zh")
    assert "“星形”" in html.unescape(note) and "概率" in html.unescape(note)
    assert len(labels) == 5 and set(labels) <= SHAPES_ZH
    english, *_ = _one({"path": _file(tmp_path, 2)}, target="star")
    assert list(english.values()) == list(labels.values())  # the same answer, renamed


def test_weights_menu():
    assert [v for _, v in tab_predict.weight_choices("demo_basic", "en")] == ["DEFAULT", "random"]
    assert [v for _, v in tab_predict.weight_choices("resnet50", "en")] == [
        "DEFAULT", "IMAGENET1K_V1", "IMAGENET1K_V2", "random",
    ]  # fmt: skip
    assert [v for _, v in tab_predict.weight_choices("resnet50_v1", "zh")] == ["random"]


def test_weights_status_says_when_predictions_mean_nothing(torch_home):
    status, button = tab_predict.load_weights("demo_basic", "DEFAULT", "en")
    assert "trained by this project" in status and button.visible is False
    with pytest.warns(UserWarning):  # offline: ImageNet weights fall back to random
        status, button = tab_predict.load_weights("resnet18", "DEFAULT", "zh")
    assert "⚠" in status and "随机" in status and button.visible is True
    with pytest.raises(gr.Error, match="unknown model"):
        tab_predict.load_weights("resnet19", "DEFAULT", "en")


def test_predict_event_has_its_own_queue_and_the_compute_thread_batches():
    demo = page.build()
    fn = next(f for f in demo.fns.values() if f.api_name == "predict")
    assert not fn.batch and fn.concurrency_id == "predict" and fn.concurrency_limit == MAX_BATCH
    assert fn.preprocess is False  # the upload reaches our own checks untouched


def test_predict_through_gradio_client(served):
    url, _ = served
    client = Client(url, verbose=False)
    first = examples()[0]
    out = client.predict(handle_file(first), "demo_bottleneck", "top-1", "layer4", "DEFAULT", 0.5,
                         "Jet", "en", api_name="/predict")  # fmt: skip
    labels, overlay, stages = out[0], out[1], out[2]
    expected = Path(first).stem.split("-", 1)[1]  # examples are named "<n>-<class>.png"
    assert labels["label"] == expected and Path(overlay).exists() and Path(stages).exists()
    assert len(out) == 6
    jobs = [client.submit(handle_file(path), "demo_basic", api_name="/predict")
            for path in examples()]  # a class's worth of uploads at once  # fmt: skip
    answers = [job.result(timeout=120) for job in jobs]
    assert [a[0]["label"] for a in answers] == [Path(p).stem.split("-", 1)[1] for p in examples()]
