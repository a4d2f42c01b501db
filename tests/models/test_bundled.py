"""The bundled demo models: shipped inside the package, registered like every other model,
small, and as good as claimed on held-out generated images (a short version of
`python -m explorer.demo evaluate`)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors import safe_open

import explorer
from explorer import ExplorerError, analyze, get_entry, list_models, load_model, model_info
from explorer.demo import CLASSES, NAMES, SIZE, make_samples
from explorer.demo.evaluate import evaluate
from explorer.models.bundled import FOLDER_ENV, bundled_metadata, bundled_weights, model_card
from explorer.web.pages import compare_page


def test_registered_with_the_classes_and_size_they_were_trained_with():
    assert set(NAMES) <= set(list_models())
    for name in NAMES:
        entry = get_entry(name)
        trained = bundled_metadata(name)  # written by the training run, not by the registry
        assert list(entry.categories) == json.loads(trained["classes"])
        assert entry.input_size == int(trained["input_size"]) == SIZE == 64
        assert entry.weight_names == ("DEFAULT",)


def test_weights_and_card_live_inside_the_package():
    package = Path(explorer.__file__).parent / "models" / "demo_weights"
    for name in NAMES:
        assert bundled_weights(name) == package / f"{name}.safetensors"
        assert bundled_weights(name).is_file()
    assert model_card() == package / "DEMO_MODELS.md"
    assert "`python -m explorer.demo train`" in model_card().read_text("utf-8")


def test_bundled_weights_are_small_safetensors_with_their_preprocessing():
    assert sum(bundled_weights(n).stat().st_size for n in NAMES) <= 10 * 2**20
    for name in NAMES:
        with safe_open(str(bundled_weights(name)), framework="pt") as f:
            meta = f.metadata()
        assert json.loads(meta["classes"]) == list(CLASSES)
        assert meta["input_size"] == "64" and meta["command"] == "python -m explorer.demo train"
        info = model_info(load_model(name, weights="DEFAULT"))
        assert info.trained and info.categories == CLASSES
        assert list(info.preprocess.mean) == json.loads(meta["mean"])


def test_preprocessing_never_crops_a_generated_image():
    model = load_model("demo_basic", weights="DEFAULT")
    preprocess = model_info(model).preprocess
    (img,), _, _ = make_samples(1, seed=8)
    x = preprocess(img)
    pixels = torch.from_numpy(np.array(img)).permute(2, 0, 1).float() / 255
    mean, std = torch.tensor(preprocess.mean), torch.tensor(preprocess.std)
    assert x.shape == (3, 64, 64)
    assert torch.allclose(x, (pixels - mean[:, None, None]) / std[:, None, None], atol=1e-6)


def test_architecture_views_work_on_them():
    basic, bottleneck = analyze("demo_basic", SIZE), analyze("demo_bottleneck", SIZE)
    assert basic.depth_formula == "10 = 1 + 2·(1+1+1+1) + 1"
    assert bottleneck.depth_formula == "14 = 1 + 3·(1+1+1+1) + 1"
    # the default Grad-CAM layer is an 8×8 grid, not 2×2
    assert basic.stage("layer4").output_shape == (1, 128, 8, 8)
    assert bottleneck.stage("layer4").output_shape == (1, 512, 8, 8)
    assert "BasicBlock" in compare_page("demo_basic", "demo_bottleneck", SIZE, "en").insights


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_accuracy_pointing_game_and_sanity_check_on_held_out_images(name):
    scores = evaluate(name, samples=100)
    assert scores.accuracy >= 0.90
    assert scores.pointing >= 0.85
    assert scores.spearman_mean < 0.5
    assert scores.pointing > scores.random_pointing + 0.3  # far above an untrained model's


def test_missing_bundle_is_a_clear_error(tmp_path, monkeypatch, torch_home):
    monkeypatch.setenv(FOLDER_ENV, str(tmp_path))
    with pytest.raises(ExplorerError, match="bundled weights of demo_basic are missing"):
        load_model("demo_basic", weights="DEFAULT")


def test_the_card_says_what_layer4_is():
    """torchvision's replace_stride_with_dilation dilates only the blocks after a stage's first:
    with one block per stage, layer4 has stride 1 and dilation 1, and the card says so."""
    from torch import nn

    from explorer import load_model

    for name in ("demo_basic", "demo_bottleneck"):
        convs = [m for m in load_model(name).layer4.modules() if isinstance(m, nn.Conv2d)]
        assert all(c.dilation == (1, 1) and c.stride == (1, 1) for c in convs), name
    card = model_card().read_text("utf-8")
    assert "dilated layer4" not in card and "layer4 of stride 1" in card
