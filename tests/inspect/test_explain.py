"""predict / gradcam / explain: the records, one forward pass, a backward that stops at the CAM
layer, any input form, and concurrent requests that never mix."""

from __future__ import annotations

import io
import threading

import numpy as np
import pytest
import torch

from explorer import ExplorerError, load_model, model_info
from explorer.demo import CLASSES, make_samples
from explorer.inspect.explain import explain, explain_many, gradcam, predict
from explorer.models.device import select_device

SAMPLES = make_samples(6, seed=41)


def _image(i: int = 0):
    return SAMPLES[0][i]


def test_predict_records():
    preds = predict(_image(), "demo_bottleneck", k=5)
    assert [p.__class__.__name__ for p in preds] == ["Prediction"] * 5
    assert preds[0].label == CLASSES[SAMPLES[1][0]] == CLASSES[preds[0].index]
    probs = [p.prob for p in preds]
    assert probs == sorted(probs, reverse=True) and 0 < sum(probs) <= 1 + 1e-6


def test_gradcam_is_a_map_aligned_with_the_input_crop():
    cam = gradcam(_image(), "demo_basic")
    assert isinstance(cam, np.ndarray) and cam.dtype == np.float32 and cam.shape == (64, 64)
    assert cam.min() >= 0 and cam.max() == pytest.approx(1.0)


def test_explain_record():
    ex = explain(_image(1), "demo_basic", k=3, layer="layer3")
    assert len(ex.predictions) == 3 and ex.target == ex.predictions[0].index
    assert ex.image.size == (64, 64) == ex.cam.shape[::-1] and ex.cam_grid.shape == (8, 8)
    assert [f.stage for f in ex.features] == ["layer1", "layer2", "layer3", "layer4"]
    for f in ex.features:
        assert len(f.channels) == 8 and list(f.strength) == sorted(f.strength, reverse=True)
        assert f.maps.shape[0] == 8 and f.maps.max() <= 1
    assert ex.trained and ex.model == "demo_basic"


def test_every_input_form_gives_the_same_answer(tmp_path):
    model = load_model("demo_bottleneck", weights="DEFAULT")
    img = _image(2)
    path = tmp_path / "shape.png"
    img.save(path)
    buffer = io.BytesIO()
    img.save(buffer, format="PNG")
    tensor = model_info(model).preprocess(img)[None]
    results = [explain(x, model) for x in (img, str(path), buffer.getvalue(), tensor)]
    for ex in results[1:]:
        assert ex.predictions == results[0].predictions
        assert np.allclose(ex.cam, results[0].cam, atol=1e-6)
    assert np.asarray(results[3].image).shape == (64, 64, 3)  # the tensor's crop, unnormalised


def test_targets_by_index_or_label_and_bad_requests():
    a = explain(_image(), "demo_basic", target=CLASSES.index("star"))
    b = explain(_image(), "demo_basic", target="star")
    assert a.target == b.target == CLASSES.index("star") and np.array_equal(a.cam, b.cam)
    with pytest.raises(ExplorerError, match="from 0 to 7"):
        explain(_image(), "demo_basic", target=8)
    with pytest.raises(ExplorerError, match="no class called 'dragon'"):
        explain(_image(), "demo_basic", target="dragon")
    with pytest.raises(ExplorerError, match="no layer 'layer9'"):
        explain(_image(), "demo_basic", layer="layer9")
    with pytest.raises(ExplorerError, match=r"\(1, 3, H, W\)"):
        explain(torch.zeros(3, 64, 64), "demo_basic")


def test_one_forward_pass_and_a_backward_that_stops_at_the_cam_layer():
    model = load_model("demo_bottleneck", weights="DEFAULT")
    calls: dict[str, int] = {"conv1": 0, "fc": 0, "back_layer2": 0, "back_layer4": 0}

    def count(key):
        def hook(*_):
            calls[key] += 1

        return hook

    handles = [
        model.conv1.register_forward_hook(count("conv1")),
        model.fc.register_forward_hook(count("fc")),
        model.layer2[0].register_full_backward_hook(count("back_layer2")),
        model.layer4[0].register_full_backward_hook(count("back_layer4")),
    ]
    try:
        explain_many([_image(0), _image(1), _image(2)], model, layer="layer3")
    finally:
        for h in handles:
            h.remove()
    assert calls["conv1"] == 1 and calls["fc"] == 1  # one pass for the whole batch
    assert calls["back_layer4"] == 1 and calls["back_layer2"] == 0  # stops at layer3


def test_stage_cams_reuse_the_pass_and_agree_with_direct_maps():
    ex = explain_many([_image(3)], "demo_basic", stage_cams=True)[0]
    assert [s for s, _ in ex.stage_cams] == ["layer1", "layer2", "layer3", "layer4"]
    for stage, cam in ex.stage_cams:
        direct = explain(_image(3), "demo_basic", layer=stage, target=ex.target).cam
        assert np.allclose(cam, direct, atol=1e-5)


def test_concurrent_requests_never_mix():
    jobs = [("demo_basic", "layer4", None), ("demo_bottleneck", "layer3", "heart"),
            ("demo_basic", "layer2.0", 3), ("demo_bottleneck", "layer4", None),
            ("demo_basic", "layer1", "star"), ("demo_bottleneck", "layer2", 0),
            ("demo_basic", "layer3.0", None), ("demo_bottleneck", "layer1.0", "arrow")]  # fmt: skip
    serial = [explain(_image(i % 6), m, layer=layer, target=tg) for i, (m, layer, tg) in
              enumerate(jobs)]  # fmt: skip
    parallel: list = [None] * len(jobs)
    barrier = threading.Barrier(len(jobs))

    def run(i: int) -> None:
        model, layer, target = jobs[i]
        barrier.wait()
        parallel[i] = explain(_image(i % 6), model, layer=layer, target=target)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    for a, b in zip(serial, parallel, strict=True):
        assert (a.model, a.layer, a.target) == (b.model, b.layer, b.target)
        assert [p.index for p in a.predictions] == [p.index for p in b.predictions]
        assert np.allclose(a.cam, b.cam, atol=1e-5)


def test_a_model_in_train_mode_is_explained_in_eval_mode_and_put_back(torch_home):
    model = load_model("demo_basic", weights="DEFAULT")
    expected = explain(_image(), model)
    model.train()
    try:
        got = explain(_image(), model)
        assert model.training
    finally:
        model.eval()
    assert np.allclose(got.cam, expected.cam, atol=1e-6) and got.predictions == expected.predictions


def test_inside_inference_mode():
    expected = explain(_image(4), "demo_bottleneck")
    with torch.inference_mode():
        got = explain(_image(4), "demo_bottleneck")
    assert np.array_equal(got.cam, expected.cam)


def test_device_selection(monkeypatch):
    assert select_device("cpu") == torch.device("cpu")
    monkeypatch.delenv("EXPLORER_DEVICE", raising=False)
    if not torch.cuda.is_available() and not torch.backends.mps.is_available():
        assert select_device() == torch.device("cpu")
        with pytest.raises(ExplorerError, match="not available here; available: cpu"):
            select_device("cuda")
    monkeypatch.setenv("EXPLORER_DEVICE", "cpu")
    assert select_device() == torch.device("cpu")
    with pytest.raises(ExplorerError, match="unknown device 'tpu'"):
        select_device("tpu")
