"""Random values of every type for every parameter of every public endpoint, sent as raw JSON to
the app served in this process (hypothesis): never a 500, never a traceback in an answer, the
server keeps answering, and no file outside Gradio's upload folder that a request names is ever
opened (an audit hook records every `open` while requests run)."""

from __future__ import annotations

import base64
import io
import os
import sys
import threading
from collections.abc import Iterator

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explorer.demo import make_samples
from explorer.tools.launch import free_port
from explorer.web.limits import MAX_UPLOAD

from ..conftest import raw_call

_opened: list[str] = []
_watching = threading.Event()


def _audit(event: str, args: tuple) -> None:
    if event == "open" and _watching.is_set() and isinstance(args[0], (str, bytes, os.PathLike)):
        _opened.append(os.path.abspath(os.fsdecode(args[0])))


sys.addaudithook(_audit)  # hooks cannot be removed: this one records only while watching

SECRET_DIR = os.path.abspath(os.path.join(os.sep, "tmp", "explorer-fuzz-secrets"))
SECRETS = [os.path.join(SECRET_DIR, "secret.png"), os.path.join(SECRET_DIR, "weights.pth"),
           "/etc/hostname", "/etc/passwd"]  # fmt: skip
ENDPOINTS = ["architecture", "custom_model", "compare", "summary", "predict", "shortcuts", "plain",
             "network", "degradation", "block", "erf", "lesions", "attribute", "sanity",
             "faithfulness", "layer_guidance"]  # fmt: skip
WORDS = ["demo_basic", "demo_bottleneck", "resnet18", "layer4", "layer2.0", "top-1", "star",
         "DEFAULT", "random", "IMAGENET1K_V1", "en", "zh", "Jet", "Viridis", "basic",
         "bottleneck", "bottleneck-50-50-50-50-w512", "bottleneck-2-2-2-2", "vgg19",
         "horizontal", "resnet20", "plain20", "layer2", "layer3.0", "gradcam", "occlusion",
         "cascading", "labels"]  # fmt: skip


def _png_url() -> str:
    buffer = io.BytesIO()
    make_samples(1, seed=3)[0][0].save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


META = {"_type": "gradio.FileData"}
paths = st.sampled_from([*SECRETS, "../../etc/hostname", "/tmp/gradio/../../etc/passwd"])
files = st.one_of(
    paths,
    paths.map(lambda p: {"path": p}),
    paths.map(lambda p: {"path": p, "meta": META}),
    st.sampled_from(
        [
            {"url": _png_url()},
            {"url": "data:image/png;base64,AAAA"},
            {"url": "http://example.com/x.png"},
            {"path": None, "url": None},
        ]
    ),
)
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**9), 10**9),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=40),
    st.sampled_from(WORDS),
)  # fmt: skip
values = st.recursive(
    st.one_of(scalars, files),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                max_size=3),
    max_leaves=6,
)  # fmt: skip


@pytest.fixture(scope="module")
def app_here() -> Iterator[str]:
    """The page served by this process, so that the audit hook sees what its handlers open."""
    from PIL import Image

    from explorer.web.page import build

    os.makedirs(SECRET_DIR, exist_ok=True)
    Image.new("RGB", (64, 64), "red").save(SECRETS[0])
    with open(SECRETS[1], "wb") as f:
        f.write(b"not really weights")
    demo = build()
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True,
                show_error=True, max_file_size=MAX_UPLOAD)  # fmt: skip
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        demo.close()


FILE = object()  # a file parameter's place in VALID
VALID = {  # one good request per endpoint: each parameter is kept or replaced at random
    "architecture": ["resnet18", 224, "en"],
    "custom_model": ["bottleneck", 2, 2, 2, 2, 1, 64, False, "en"],
    "compare": ["resnet18", "resnet34", 224, "en"],
    "summary": ["resnet18", 224],
    "predict": [FILE, "demo_basic", "top-1", "layer4", "DEFAULT", 0.5, "Jet", "en", FILE],
    "shortcuts": [FILE, "demo_basic", "top-1", "DEFAULT", "en", FILE],
    "plain": ["demo_basic", "en"],
    "network": ["resnet18", 224, False, "vertical", "en", True],
    "degradation": ["zh"],
    "block": [FILE, "resnet20", "layer2.0", None, "DEFAULT", "en"],
    "erf": [FILE, "resnet20", "layer2", None, None, "DEFAULT", "en"],
    "lesions": [FILE, "plain20", ["layer1.0"], "DEFAULT", "en"],
    "attribute": [
        FILE,
        "demo_basic",
        ["gradcam", "occlusion"],
        None,
        "top-1",
        "DEFAULT",
        "en",
        FILE,
    ],
    "sanity": [FILE, "demo_basic", ["gradcam"], None, "top-1", "DEFAULT", "cascading", "en", FILE],
    "faithfulness": [FILE, "demo_basic", ["gradcam"], None, "top-1", "DEFAULT", "zh", FILE],
    "layer_guidance": ["demo_basic", "DEFAULT", "en", FILE],
}


def _payload(data: st.DataObject, good: list) -> list:
    """The good request with its files drawn at random and up to two other parameters replaced
    by random values, so that a named file often gets as far as the door."""
    broken = data.draw(st.sets(st.integers(0, len(good) - 1), max_size=2))
    return [data.draw(files if i == 0 else st.one_of(files, st.none())) if g is FILE
            else data.draw(values) if i in broken else g
            for i, g in enumerate(good)]  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(api=st.sampled_from(ENDPOINTS), data=st.data())
def test_random_payloads_never_break_the_server_or_reach_a_file(app_here, api, data):
    good = VALID[api]
    shape = data.draw(st.sampled_from(["exact"] * 5 + ["short", "long", "not a list"]))
    if shape == "not a list":
        payload = data.draw(values)
    else:
        payload = _payload(data, good)
        payload = payload[:-1] if shape == "short" else payload + [None] * (shape == "long")
    _watching.set()
    try:
        event, said = raw_call(app_here, api, payload)
    finally:
        _watching.clear()
    assert not event.startswith("http 5"), (api, payload, said)
    assert event in ("complete", "error") or event.startswith("http 4"), (api, event, said)
    assert "Traceback" not in str(said) and 'File "/' not in str(said)
    assert not set(_opened) & set(map(os.path.abspath, SECRETS)), (api, payload)


@settings(max_examples=40, deadline=None)
@given(api=st.sampled_from(["predict", "shortcuts", "block", "erf", "lesions", "attribute",
                            "sanity", "faithfulness"]), data=st.data())  # fmt: skip
def test_files_named_in_otherwise_good_requests_are_never_opened(app_here, api, data):
    """Every other parameter right, so that only the door stands between a path and open()."""
    payload = [data.draw(files) if i == 0 else data.draw(st.one_of(files, st.none()))
               if g is FILE else g for i, g in enumerate(VALID[api])]  # fmt: skip
    _watching.set()
    try:
        event, said = raw_call(app_here, api, payload)
    finally:
        _watching.clear()
    assert event in ("complete", "error") and "Traceback" not in str(said), said
    assert not set(_opened) & set(map(os.path.abspath, SECRETS)), (api, payload)


def test_the_server_still_answers_after_the_fuzzing(app_here):
    assert httpx.get(f"{app_here}/config").status_code == 200
    good = [{"url": _png_url()}, "demo_basic", "top-1", "layer4", "DEFAULT", 0.5, "Jet", "en", None]
    event, answer = raw_call(app_here, "predict", good)
    assert event == "complete" and answer[0]["label"]
