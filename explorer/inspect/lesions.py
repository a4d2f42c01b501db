"""One image's top-5 with blocks deleted (Veit et al. 2016): a residual block keeps only its
shortcut, a plain block becomes the identity where the shapes allow (arch/deletion.py).

The intact prediction and the lesioned one share the stem's pass; each then runs the blocks by
their own forward. Nothing here draws.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from ..arch.deletion import Deletable, check_deleted, deletable, run_blocks
from ..arch.structure import network_parts
from ..models.device import precision, to_host, to_model
from ..models.loading import INFO_ATTR
from .explain import ModelLike, Prediction, prepare, resolve_model
from .images import ImageInput


@dataclass(frozen=True)
class Lesioned:
    """An image's top-k with the `deleted` blocks removed, beside the intact network's."""

    model: str
    title: str
    trained: bool
    deleted: tuple[str, ...]  # in forward order
    blocks: tuple[Deletable, ...]  # every block, and whether it can be removed
    predictions: tuple[Prediction, ...]  # with the blocks deleted
    intact: tuple[Prediction, ...]  # with none deleted


def predict_without(image: ImageInput | torch.Tensor, model: ModelLike,
                    deleted: Sequence[str] = (), k: int = 5) -> Lesioned:  # fmt: skip
    """The top-k of `image` with the `deleted` blocks removed, and the intact top-k."""
    module = resolve_model(model)
    parts = network_parts(module)
    x = to_model(module, prepare(image, module)[0])
    table = deletable(module, x.shape[-1])
    gone = check_deleted(table, deleted)
    with torch.no_grad(), precision(module):
        a = parts.run_stem(x)
        rows = [run_blocks(parts, a, frozenset()), run_blocks(parts, a, gone)]
        probs = torch.cat(rows).float().softmax(1)  # (2, classes)
        top = probs.topk(min(k, probs.shape[1]))
        host = to_host({"p": top.values, "i": top.indices})
    info = getattr(module, INFO_ATTR, None)
    categories = info.categories if info else tuple(str(c) for c in range(probs.shape[1]))
    said = [tuple(Prediction(int(c), categories[int(c)], float(p))
                  for p, c in zip(host["p"][r], host["i"][r], strict=True))
            for r in range(2)]  # fmt: skip
    order = [d.block for d in table]
    return Lesioned(
        model=info.name if info else type(module).__name__,
        title=info.title if info else type(module).__name__,
        trained=info.trained if info else True,
        deleted=tuple(sorted(gone, key=order.index)), blocks=table,
        predictions=said[1], intact=said[0],
    )  # fmt: skip
