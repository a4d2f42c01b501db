"""Whatever a class uploads: every bad image, checkpoint and parameter gets a clear, translated
message from the UI handlers, odd but valid images work, and nothing heavy runs for a request
that can be refused outright."""

from __future__ import annotations

import html
import io
import struct
import zlib

import gradio as gr
import httpx
import numpy as np
import pytest
import torch
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from PIL import Image
from safetensors.torch import save_file

from explorer import get_entry
from explorer.demo import make_samples
from explorer.web import pages, tab_architecture, tab_compare, tab_predict, tab_shortcuts

from ..conftest import PicklePayload

SHAPE = make_samples(1, seed=61)[0][0]


_NAMES = {"targets": "target", "layers": "layer", "weights": "weights", "opacities": "opacity",
          "colormaps": "colormap", "checkpoints": "checkpoint"}  # fmt: skip


def _predict(payload, lang: str = "en", model: str = "demo_bottleneck", **overrides):
    """One request through the /predict handler; returns (labels, note), the note being the
    error's message when it refused."""
    kwargs = {"target": "top-1", "layer": "layer4", "weights": "DEFAULT", "opacity": 0.5,
              "colormap": "Jet", "lang": lang, "checkpoint": None}  # fmt: skip
    kwargs.update({_NAMES[k]: v for k, v in overrides.items()})
    try:
        out = tab_predict.predict(payload, model, **kwargs)
    except gr.Error as err:
        note = html.unescape(str(err.message))
        assert "Traceback" not in note
        return None, note
    return out[0], html.unescape(out[4] or "")


def _file(tmp_path, name: str, content: bytes) -> dict:
    path = tmp_path / name
    path.write_bytes(content)
    return {"path": str(path)}


def _image_bytes(img: Image.Image, fmt: str, **kwargs) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


def _bomb() -> bytes:
    """A PNG of 30000×30000 pixels in a few bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    head = struct.pack(">IIBBBBB", 30000, 30000, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", head) + chunk(b"IDAT", zlib.compress(b"\x00"))
            + chunk(b"IEND", b""))  # fmt: skip


JPEG = _image_bytes(SHAPE, "JPEG", quality=90)
PNG = _image_bytes(SHAPE, "PNG")


@pytest.mark.parametrize(
    ("name", "content", "says", "says_zh"),
    [
        ("empty.jpg", b"", "not an image", "不是 Pillow 能读取的图像"),
        ("cut.jpg", JPEG[: len(JPEG) // 2], "damaged or incomplete", "已损坏或不完整"),
        ("cut.png", PNG[: len(PNG) // 2], "damaged or incomplete", "已损坏或不完整"),
        ("notes.jpg", b"just text, renamed\n", "not an image", "不是 Pillow 能读取的图像"),
        ("paper.jpg", b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\nendobj\n", "not an image",
         "不是 Pillow 能读取的图像"),
        ("bomb.png", _bomb(), "too many pixels", "像素过多"),
        ("huge.jpg", JPEG + bytes(11 * 2**20), "upload an image of at most 10 MB",
         "大小为 11.0 MB；请上传不超过 10 MB 的图像"),
    ],
)  # fmt: skip
def test_unusable_images_get_a_clear_translated_message(tmp_path, name, content, says, says_zh):
    labels, note = _predict(_file(tmp_path, name, content), "en")
    assert labels is None and says in note and "Could not explain this image:" in note
    labels, note = _predict(_file(tmp_path, name, content), "zh")
    assert labels is None and "无法解释这张图像：" in note
    assert says_zh in note and says not in note  # the reason itself is in Chinese too


def _cases() -> dict[str, bytes]:
    rgb = SHAPE
    exif = Image.Exif()
    exif[274] = 6
    palette = rgb.quantize(16)
    frames = [rgb, rgb.rotate(90)]
    sixteen = Image.fromarray(np.asarray(rgb.convert("L")).astype(np.uint16) * 257)
    return {
        "dot.png": _image_bytes(Image.new("RGB", (1, 1), (200, 30, 30)), "PNG"),
        "strip.png": _image_bytes(Image.new("RGB", (10000, 20), (30, 200, 30)), "PNG"),
        "deep.png": _image_bytes(sixteen, "PNG"),
        "print.jpg": _image_bytes(rgb.convert("CMYK"), "JPEG"),
        "palette.png": _image_bytes(palette, "PNG", transparency=0),
        "anim.gif": _image_bytes(frames[0], "GIF", save_all=True, append_images=frames[1:]),
        "anim.webp": _image_bytes(frames[0], "WEBP", save_all=True, append_images=frames[1:]),
        "phone.jpg": _image_bytes(rgb, "JPEG", exif=exif),
        "gray.png": _image_bytes(rgb.convert("L"), "PNG"),
        "black.png": _image_bytes(Image.new("RGB", (64, 64)), "PNG"),
    }


@pytest.mark.parametrize("name", list(_cases()))
def test_odd_but_valid_images_are_explained(tmp_path, name):
    labels, note = _predict(_file(tmp_path, name, _cases()[name]))
    assert labels and all(np.isfinite(v) for v in labels.values()), note
    assert "Grad-CAM of" in note
    summary = tab_shortcuts.shortcuts(_file(tmp_path, "again-" + name, _cases()[name]),
                                     "demo_basic")[0]  # fmt: skip
    assert "Measured for" in summary and "nan" not in summary.lower()


def _state(name: str) -> dict[str, torch.Tensor]:
    torch.manual_seed(0)
    return {k: v.clone() for k, v in get_entry(name).build().state_dict().items()}


def test_checkpoints_uploaded_in_the_ui(tmp_path):
    def upload(name: str, write) -> dict:
        path = tmp_path / name
        write(path)
        return {"path": str(path)}

    good = upload("own.safetensors", lambda p: save_file(_state("demo_basic"), str(p)))
    labels, note = _predict(SHAPE, model="demo_basic", checkpoints=good)
    assert labels and "Grad-CAM of" in note  # a fitting checkpoint is used

    wrong_arch = upload("r50.safetensors", lambda p: save_file(_state("demo_bottleneck"), str(p)))
    missing = _state("demo_basic")
    del missing["layer4.0.conv2.weight"]
    missing["extra.weight"] = torch.zeros(1)
    keys = upload("keys.safetensors", lambda p: save_file(missing, str(p)))
    shapes = _state("demo_basic")
    shapes["fc.weight"], shapes["fc.bias"] = torch.zeros(3, 128), torch.zeros(3)
    shaped = upload("shape.safetensors", lambda p: save_file(shapes, str(p)))
    junk = upload("junk.pth", lambda p: p.write_bytes(b"not a checkpoint"))
    canary = tmp_path / "pwned"
    evil = upload("evil.pth", lambda p: torch.save({"x": PicklePayload(canary)}, p))
    cases = [(wrong_arch, "does not fit demo_basic"),
             (keys, "missing keys (layer4.0.conv2.weight)"),
             (shaped, "trained for 3 classes"),
             (junk, "not a readable PyTorch or safetensors checkpoint"),
             (evil, "refused to load evil.pth")]  # fmt: skip
    for checkpoint, says in cases:
        labels, note = _predict(SHAPE, model="demo_basic", checkpoints=checkpoint)
        assert labels is None and says in note
    _, zh = _predict(SHAPE, "zh", model="demo_basic", checkpoints=evil)
    assert "无法分析该模型：已拒绝加载 evil.pth" in zh
    _, zh = _predict(SHAPE, "zh", model="demo_basic", checkpoints=keys)
    assert "与 demo_basic 不匹配：缺少 1 个键（layer4.0.conv2.weight）；多出 1 个键" in zh
    assert not canary.exists()  # the pickle's payload never ran


@pytest.fixture
def nothing_loads(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a model was loaded for a request that should have been refused")

    monkeypatch.setattr(pages, "load_model", refuse)  # every tab loads models through pages


@pytest.mark.parametrize(
    ("overrides", "says"),
    [
        ({"model": "resnet19"}, "unknown model 'resnet19'"),
        ({"model": "bottleneck-0-2-2-2"}, "each stage needs 1 to 50 blocks"),
        ({"model": "bottleneck--1-2-2-2"}, "invalid custom model"),
        ({"model": "bottleneck-9999-2-2-2"}, "each stage needs 1 to 50 blocks"),
        ({"layers": "layer9"}, "no layer 'layer9'"),
        ({"layers": "layer4.7"}, "no layer 'layer4.7'"),
        ({"targets": "dragon"}, "no class called 'dragon'"),
    ],
)
def test_bad_parameters_are_refused_before_any_work(nothing_loads, overrides, says):
    model = overrides.pop("model", "demo_bottleneck")
    labels, note = _predict(SHAPE, model=model, **overrides)
    assert labels is None and says in note


def test_bad_parameters_elsewhere(nothing_loads):
    with pytest.raises(gr.Error, match="no class called 'dragon'"):
        tab_shortcuts.shortcuts({"path": "/nonexistent.png"}, "demo_basic", "dragon")
    with pytest.raises(gr.Error, match="input size must be from 32 to 4096"):
        tab_architecture.architecture("resnet18", 5000, "en")
    with pytest.raises(gr.Error, match="输入尺寸必须在 32 到 4096 像素之间，当前为 -3"):
        tab_compare.compare("resnet18", "resnet34", -3, "zh")
    with pytest.raises(gr.Error, match="each stage needs 1 to 50 blocks"):
        tab_architecture.custom_model("bottleneck", -2, 2, 2, 2, 1, 64, False)
    with pytest.raises(gr.Error, match="each stage needs 1 to 50 blocks"):
        tab_architecture.custom_model("basic", 1000, 2, 2, 2, 1, 64, False)


def test_a_request_over_its_time_budget_is_stopped(monkeypatch):
    monkeypatch.setattr(tab_predict, "REQUEST_TIMEOUT_S", 0.0)
    labels, note = _predict(SHAPE)
    assert labels is None and "took longer than 0 s and was stopped" in note
    monkeypatch.undo()
    assert _predict(SHAPE)[0]  # and the next request is served


def test_through_the_running_app(served, tmp_path):
    """The oversized upload and a fake image reach an API client as errors it can catch, with
    the page's message in the page's language; the server goes on."""
    url, _ = served
    config = httpx.get(f"{url}/config").json()
    assert config["max_file_size"] == 256 * 2**20  # Gradio's hard cap on any upload
    client = Client(url, verbose=False)
    big = tmp_path / "big.jpg"
    big.write_bytes(JPEG + bytes(11 * 2**20))
    fake = tmp_path / "fake.jpg"
    fake.write_text("not a picture")
    for path, lang, says in [(big, "zh", "无法解释这张图像：该文件大小为 11.0 MB"),
                             (fake, "en", "not an image Pillow can read")]:  # fmt: skip
        with pytest.raises(AppError) as raised:
            client.predict(handle_file(str(path)), "demo_basic", "top-1", "layer4", "DEFAULT",
                           0.5, "Jet", lang, api_name="/predict")  # fmt: skip
        assert says in raised.value.message and "Traceback" not in raised.value.message
    good = tmp_path / "shape.png"
    SHAPE.save(good)
    out = client.predict(handle_file(str(good)), "demo_basic", api_name="/predict")
    assert out[0]["label"]  # still serving
