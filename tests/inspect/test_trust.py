"""faithfulness() and layer_guidance() against the experiment done by hand: maps from the public
`attribute` (itself checked against pytorch-grad-cam and captum), masks cropped with Pillow, the
pointing game by a loop over the maps' peaks, and deletion AUC by faithfulness.py's metric (its
own oracle is a hand-worked model)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

import explorer
from explorer.demo import make_samples
from explorer.errors import ExplorerError
from explorer.inspect.attribution import attribute, black
from explorer.inspect.faithfulness import POINTING_TOLERANCE, deletion_insertion
from explorer.inspect.trust import crop_masks, faithfulness, layer_guidance

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")
IMAGES, LABELS, MASKS = make_samples(6, 2)


def _on_object(m: np.ndarray, mask: np.ndarray) -> bool:
    """The map's first maximum within 5% of the side of the object, by a loop over the mask."""
    r, c = divmod(int(np.argmax(m)), m.shape[1])
    radius = round(POINTING_TOLERANCE * m.shape[0])
    ys, xs = np.nonzero(mask)
    return bool((((ys - r) ** 2 + (xs - c) ** 2) <= radius**2).any())


def test_masks_follow_the_models_resize_and_crop():
    model = explorer.load_model("resnet50", None)  # resize 256, centre crop 224
    assert explorer.model_info(model).preprocess.resize_size == [256]
    mask = np.zeros((64, 64), bool)
    mask[10:30, 5:50] = True
    got = crop_masks([mask], model, 224)[0].numpy()
    big = Image.fromarray(mask).resize((256, 256), Image.Resampling.NEAREST)
    expected = np.asarray(big)[16:240, 16:240]
    assert (got != expected).mean() < 0.002  # the edge pixels of two nearest-neighbour rules


@pytest.mark.slow
def test_faithfulness_records_equal_the_measures_taken_one_by_one():
    model = explorer.load_model("demo_basic", "DEFAULT")
    methods = ("gradcam", "occlusion", "guided_backprop")
    records = faithfulness(IMAGES, model, methods, masks=MASKS, targets=LABELS)
    pre = explorer.model_info(model).preprocess
    x = torch.cat([pre(img)[None] for img in IMAGES])
    for r in records:
        maps = [attribute(img, model, r.method, target=int(lab)).map
                for img, lab in zip(IMAGES, LABELS, strict=True)]  # fmt: skip
        if r.method == "guided_backprop":  # a gradient: its pixels rank by magnitude
            maps = [abs(m) for m in maps]
        hits = [_on_object(m, mask) for m, mask in zip(maps, MASKS, strict=True)]
        assert r.pointing == pytest.approx(np.mean(hits))
        curves = deletion_insertion(model, x, torch.from_numpy(np.stack(maps)),
                                    torch.tensor(LABELS), 16,
                                    baseline=black(model, x[:1]))  # fmt: skip
        assert r.deletion_auc == pytest.approx(float(curves.deletion_auc.mean()), abs=1e-6)
        assert r.insertion_auc == pytest.approx(float(curves.insertion_auc.mean()), abs=1e-6)
        assert -1 <= r.road <= 1 and r.images == len(IMAGES)
    assert [r.method for r in records] == list(methods)


def test_without_masks_there_is_no_pointing_game():
    (r,) = faithfulness(IMAGES[:2], "demo_basic", ("gradcam",), steps=4)
    assert r.pointing is None
    with pytest.raises(ExplorerError, match="2 masks for 1 images"):
        faithfulness(IMAGES[:1], "demo_basic", ("gradcam",), masks=MASKS[:2])


@pytest.mark.slow
def test_layer_guidance_scores_every_layer_as_attribute_maps_it():
    model = explorer.load_model("demo_bottleneck", "DEFAULT")
    guide = layer_guidance(IMAGES, model, MASKS)
    layers = [s.layer for s in guide.scores]
    assert layers == ["layer1", "layer2", "layer3", "layer4",
                      "layer1.0", "layer2.0", "layer3.0", "layer4.0"]  # fmt: skip
    for s in guide.scores:
        maps = [attribute(img, model, "gradcam", layer=s.layer).map for img in IMAGES]
        hits = [_on_object(m, mask) for m, mask in zip(maps, MASKS, strict=True)]
        assert s.pointing == pytest.approx(np.mean(hits)), s.layer
    grids = {s.layer: s.grid for s in guide.scores}
    assert (grids["layer1"], grids["layer3"], grids["layer4"]) == ((32, 32), (8, 8), (8, 8))
    assert guide.best.pointing == max(s.pointing for s in guide.scores)
    assert guide.default.layer == "layer4"
