"""One image's top-5 with blocks deleted, against the model rebuilt without them."""

from __future__ import annotations

import pytest
import torch
from PIL import Image

import explorer
from explorer.errors import ExplorerError
from explorer.inspect.explain import prepare
from explorer.inspect.lesions import predict_without

from ..arch.test_deletion import rebuilt


@pytest.mark.parametrize(("name", "deleted"), [("resnet20", ["layer1.1", "layer3.0"]),
                                               ("plain20", ["layer2.2"])])  # fmt: skip
def test_the_top5_equals_the_rebuilt_models(name, deleted):
    torch.manual_seed(3)
    model = explorer.load_model(name, None)
    picture = Image.fromarray(torch.rand(40, 36, 3).mul(255).byte().numpy())
    les = predict_without(picture, model, deleted)
    x = prepare(picture, model)[0]
    with torch.no_grad():
        want = rebuilt(model, deleted)(x)[0].softmax(0).topk(5)
        intact = model(x)[0].softmax(0).topk(5)
    assert [p.index for p in les.predictions] == want.indices.tolist()
    assert [p.prob for p in les.predictions] == pytest.approx(want.values.tolist(), abs=1e-5)
    assert [p.index for p in les.intact] == intact.indices.tolist()
    assert les.deleted == tuple(deleted) and les.model == name
    assert les.predictions[0].label in model.explorer_info.categories


def test_a_block_that_cannot_go_is_refused():
    with pytest.raises(ExplorerError, match="cannot be removed"):
        predict_without(torch.rand(1, 3, 32, 32), explorer.load_model("plain20", None),
                        ["layer3.0"])  # fmt: skip
