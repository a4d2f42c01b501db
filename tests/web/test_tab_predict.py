"""The Predict & Explain tab: the batched handler, per-request errors, the weights menu, the
/predict API and its batching."""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

import gradio as gr
import pytest
from gradio_client import Client, handle_file
from PIL import Image

from explorer.demo import CLASSES, make_samples
from explorer.web import page, tab_predict
from explorer.web.files import examples
from explorer.web.overlay import CAPTION, GAP

IMAGES, LABELS, _ = make_samples(3, seed=17)


def _file(tmp_path, i: int) -> str:
    path = tmp_path / f"{i}.png"
    IMAGES[i].save(path)
    return str(path)


def _batch(images, **columns):
    n = len(images)
    defaults = {"models": "demo_bottleneck", "targets": "top-1", "layers": "layer4",
                "weights": "DEFAULT", "opacities": 0.5, "colormaps": "Jet",
                "langs": "en"}  # fmt: skip
    values = {k: columns.get(k, [v] * n) for k, v in defaults.items()}
    return tab_predict.predict(images, **values)


def test_batched_requests_with_one_bad_image(tmp_path):
    junk = tmp_path / "notes.jpg"
    junk.write_text("not an image")
    payloads = [{"path": _file(tmp_path, 0)}, {"path": str(junk)}, {"path": _file(tmp_path, 1)},
                None]  # fmt: skip
    labels, overlay, stages, features, note, raw_map = _batch(payloads)
    assert labels[0] and max(labels[0], key=labels[0].get) == CLASSES[LABELS[0]]
    assert labels[2] and max(labels[2], key=labels[2].get) == CLASSES[LABELS[1]]
    assert labels[1] is None and "Could not explain this image" in note[1]
    assert labels[3] is None and "Upload an image" in note[3]
    assert all(column[1] is None and column[3] is None for column in (overlay, stages, raw_map))
    # Four files an answer: the overlay a lossless PNG (what its download gives), the raw map a
    # 16-bit PNG, and one JPEG each for the four stage maps and the four feature grids.
    assert Image.open(overlay[0]).format == "PNG" and Image.open(overlay[0]).size == (320, 320)
    assert Image.open(raw_map[0]).mode.startswith("I;16")
    for path, panels in ((stages[0], (200, 200)), (features[0], (296, 148))):
        picture = Image.open(path)
        assert picture.format == "JPEG" and picture.width == 4 * panels[0] + 3 * GAP
        assert picture.height == CAPTION + panels[1]


@pytest.mark.slow
def test_a_batch_under_mixed_precision_answers_as_float32_does(tmp_path, monkeypatch):
    """Batched /predict with EXPLORER_AUTOCAST=bf16: the GPU's code path, run on the CPU."""
    payloads = [{"path": _file(tmp_path, i)} for i in range(3)]
    monkeypatch.delenv("EXPLORER_AUTOCAST", raising=False)
    full = _batch(payloads, models=["demo_basic", "demo_bottleneck", "demo_basic"])[0]
    monkeypatch.setenv("EXPLORER_AUTOCAST", "bf16")
    mixed = _batch(payloads, models=["demo_basic", "demo_bottleneck", "demo_basic"])[0]
    for a, b in zip(full, mixed, strict=True):
        assert max(a, key=a.get) == max(b, key=b.get)
        assert all(abs(a[label] - b.get(label, 0.0)) <= 0.02 for label in a)


def test_identical_answers_share_one_file(tmp_path):
    """Two students, one picture: the same files, written once (no rewrite while one is sent)."""
    payload = {"path": _file(tmp_path, 1)}
    first, second = _batch([payload]), _batch([payload])
    assert first[1] == second[1] and first[2] == second[2] and first[3] == second[3]
    other = _batch([payload], layers=["layer3"])
    assert other[1] != first[1]


def test_requests_for_different_models_and_languages(tmp_path):
    path = _file(tmp_path, 2)
    out = _batch([{"path": path}] * 3, models=["demo_basic", "demo_bottleneck", "resnet19"],
                 langs=["en", "zh", "en"], targets=["top-1", "star", "top-1"])  # fmt: skip
    labels, note = out[0], [html.unescape(n) if n else n for n in out[4]]
    assert labels[0] and labels[1] and labels[2] is None
    assert "“star”" in note[1] and "概率" in note[1]
    assert "unknown model 'resnet19'" in note[2]


def test_image_sources():
    assert tab_predict.image_source(None) is None
    assert tab_predict.image_source({"path": "/tmp/x.png", "url": None}) == "/tmp/x.png"
    buffer = io.BytesIO()
    IMAGES[0].save(buffer, format="PNG")
    url = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    assert tab_predict.image_source({"path": None, "url": url}) == buffer.getvalue()


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


def test_predict_event_is_batched_on_the_model_queue():
    demo = page.build()
    fn = next(f for f in demo.fns.values() if f.api_name == "predict")
    assert fn.batch and fn.max_batch_size == 16 and fn.concurrency_id == "model"
    assert fn.preprocess is False  # the upload reaches our loader untouched


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
