"""How much each shortcut carries, block by block, for one image.

A block computes ReLU(F(x) + S(x)): F is the residual branch, S the identity or the 1×1 projection
(option A: the zero-padded identity; a plain block: nothing; a pre-activation block: F(x) + S(x)).
For every block: the norms of F(x) and S(x), their ratio and cosine; the share of the target
score's gradient at the block's input that takes the shortcut; and the lesion study of Veit et
al. (2016): the prediction with the block's residual branch removed, output = ReLU(S(x)). All
lesions share the intact network's prefix in one growing batch. The shared model is not hooked.
"""

from __future__ import annotations

import math
from contextlib import nullcontext
from dataclasses import asdict, dataclass
from typing import Any

import torch
from torch import nn

from ..arch.hooks import hooked
from ..arch.structure import Parts, block_reading, network_parts, num_classes, run_block
from ..models.device import precision, to_host, to_model
from ..models.loading import INFO_ATTR
from .deadline import check
from .explain import ModelLike, Target, _target_index, prepare, resolve_model
from .images import ImageInput
from .paths import PATHS, Network, PathProgress, Walk, shares, walk_paths


def residual_branch(block: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """F(x): what the block's own forward adds to its shortcut (its convs, norms, inner
    activations and any attention gate), read from the block's residual sum."""
    return run_block(block, block_reading(block, x), x).branch


def shortcut_path(block: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """S(x): the input itself, its projection (conv + norm, or ResNet-D's pool + conv + norm),
    option A's zero padding, or, in a plain network, zeros that F(x) is added to."""
    return run_block(block, block_reading(block, x), x).shortcut


def _lesion_join(f: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
    """Every row's sum, and one row more: the intact first row's shortcut alone."""
    return torch.cat([f + s, s[:1]])


@dataclass(frozen=True)
class ShortcutRecord:
    """One block's measures for one image and one target class."""

    block: str  # "layer3.2"
    stage: str  # "layer3"
    projection: bool  # a 1×1 conv shortcut rather than the identity
    # "identity", "projection", "pooled_projection" (ResNet-D), "zero_pad" (option A) or "none"
    # (a plain block)
    shortcut: str
    stride: int  # the block's stride: above 1 it downsamples (a projection may also keep it 1)
    residual_norm: float  # ‖F(x)‖ over channels and positions
    shortcut_norm: float  # ‖S(x)‖
    ratio: float  # ‖F(x)‖ / ‖S(x)‖ (inf when S(x) = 0)
    cosine: float  # cos(F(x), S(x)); 0 when either is 0
    # The class score's gradient at the block's input is g = g_S + g_F, the parts that came back
    # through the shortcut and through the residual branch. Their shares of it, ⟨g_S, g⟩ / ‖g‖²
    # and ⟨g_F, g⟩ / ‖g‖², sum to 1; either leaves [0, 1] when the two parts oppose.
    grad_share_shortcut: float
    grad_share_residual: float
    grad_norm_ratio: float  # ‖g_S‖ / (‖g_S‖ + ‖g_F‖): the parts' sizes, not a share of g
    lesion_prob: float  # the target's probability with this block's residual branch removed
    lesion_delta: float  # lesioned minus intact target probability
    lesion_top1_changed: bool  # the lesioned network predicts another class
    branch_order: str = "post"  # "post": conv first; "pre": BN → ReLU → conv (He et al. 2016)


@dataclass(frozen=True)
class ShortcutReport:
    model: str
    title: str
    trained: bool
    target: int  # the class measured (default: the intact network's top-1)
    target_label: str
    prob: float  # the intact network's probability of the target
    top1: int
    records: tuple[ShortcutRecord, ...]
    path_counts: tuple[float, ...]  # share of the 2^n paths with k residual branches, k = 0..n
    # The share of the total gradient magnitude Σ‖g_path‖ carried by the paths of each length,
    # measured path by path (every path up to paths.MAX_ENUMERATED blocks; sampled above).
    gradient_by_length: tuple[float, ...]
    paths_followed: int  # how many paths were followed
    paths_exact: bool  # every path was followed
    # Each share's standard error: 0 where every path of that length was followed.
    gradient_by_length_se: tuple[float, ...] = ()
    paths_by_length: tuple[int, ...] = ()  # paths followed of each length

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: a ratio that is infinite (S(x) = 0) becomes null."""
        out = asdict(self)
        out["records"] = [
            {k: None if isinstance(v, float) and not math.isfinite(v) else v
             for k, v in asdict(r).items()}
            for r in self.records
        ]  # fmt: skip
        return out


def _stride(block: nn.Module) -> int:
    """The block's stride, read from its convolutions (torchvision keeps it in the 3×3, or in
    the first 1×1 for the paper's v1)."""
    return max((m.stride[0] for m in block.modules() if isinstance(m, nn.Conv2d)), default=1)


def _norm(t: torch.Tensor) -> torch.Tensor:
    return t.detach().float().norm()


def path_counts(n: int) -> tuple[float, ...]:
    """The share of the 2ⁿ paths that take k residual branches (and n − k shortcuts): C(n, k)/2ⁿ."""
    return tuple(math.comb(n, k) / 2**n for k in range(n + 1))


def _measures(parts: Parts, x: torch.Tensor, target: int | None, paths: int = PATHS,
              progress: PathProgress | None = None
              ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, Walk]:  # fmt: skip
    """`_linearised`'s logits, target and rows, and the gradient followed path by path on its
    network (`paths.walk_paths`)."""
    logits, chosen, rows, net = _linearised(parts, x, target)
    return logits, chosen, rows, walk_paths(net, paths, progress=progress)


def _linearised(parts: Parts, x: torch.Tensor, target: int | None
                ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, Network]:  # fmt: skip
    """One forward pass with autograd from the stem's output on, and one backward pass: logits,
    the target and a row per block (‖F‖, ‖S‖, cos, the shortcut's and the branch's share of the
    gradient, the norm ratio), all left on the model's device, and the network as the passes
    left it, for the path walk (its graph kept)."""
    with torch.no_grad():
        a = parts.run_stem(x)
    a = a.detach().requires_grad_()  # the graph starts here: nothing before needs a gradient
    inputs, branches, shortcuts, sums = [], [], [], []
    gates: list[bool] = []  # a ReLU after the sum: its mask gates the gradient
    with torch.enable_grad():
        for name, block in parts.blocks:
            check()
            # the block's own forward, its sum z = F(x) + S(x) kept out of place
            run = run_block(block, parts.block(name), a, keep=True)
            inputs.append(a)
            branches.append(run.branch)
            shortcuts.append(run.shortcut)
            sums.append(run.joined)
            gates.append(parts.block(name).relu_after_sum)
            a = run.output
        logits = parts.run_head(a)
        if target is None:  # the top-1 score, without reading its index back from the device
            chosen, score = logits[0].argmax(), logits[0].max()
        else:
            chosen, score = torch.tensor(target, device=logits.device), logits[0, target]
        # One backward pass gives the gradient at every sum and at every block's input, which
        # is g_S + g_F: the branch's part is the rest once the shortcut's (free for an identity,
        # one 1×1 convolution for a projection) is taken away.
        grads = torch.autograd.grad(score, [*sums, *inputs], retain_graph=True)
        at_sums, at_inputs = grads[: len(sums)], grads[len(sums) :]
        rows = []
        for block_input, f, s, g, g_x in zip(inputs, branches, shortcuts, at_sums, at_inputs,
                                             strict=True):  # fmt: skip
            check()
            g_s = g if s is block_input else torch.autograd.grad(s, block_input, g,
                                                                 retain_graph=True)[0]  # fmt: skip
            g_f = g_x - g_s
            nf, ns, gf, gs = _norm(f), _norm(s), _norm(g_f), _norm(g_s)
            dot = (f.detach().float() * s.detach().float()).sum()
            cos = torch.where(nf * ns > 0, dot / (nf * ns), 0.0)
            total = g_x.detach().float()
            energy = (total * total).sum()
            part_s = (g_s.detach().float() * total).sum()
            # No gradient at all: nothing to share; it is said to take the shortcut, as a block
            # whose branch is zero gives it.
            share = torch.where(energy > 0, part_s / energy, 1.0)
            ratio = torch.where(gs + gf > 0, gs / (gs + gf), 1.0)
            rows.append(torch.stack([nf, ns, cos, share, 1.0 - share, ratio]))
        net = Network(inputs, branches, shortcuts,
                      [z if gate else None for z, gate in zip(sums, gates, strict=True)],
                      at_sums[-1])  # fmt: skip
    return logits.detach(), chosen, torch.stack(rows), net


def lesion_logits(parts: Parts, x: torch.Tensor) -> torch.Tensor:
    """Logits of the intact network (row 0) and with each block's branch removed (row b + 1).

    The batch grows by one row per block: at block k, the rows already lesioned run block k as
    usual, and a new row ReLU(S_k(x_k)) starts from the intact input of block k. The prefix is
    never recomputed: about (N + 1) / 2 forward passes for N blocks, in batches.
    """
    with torch.no_grad():
        a = parts.run_stem(x)
        for name, block in parts.blocks:
            check()
            # S for every row in one call: the lesion row's S is then bit for bit the intact
            # row's (a convolution may round differently for another batch size). The block's
            # own activation then runs on every row, the new one's ReLU(S(x)) included.
            a = run_block(block, parts.block(name), a, join=_lesion_join).output
        # The head runs row by row: a matrix product can round a row differently by its place
        # in the batch, and a lesion that changes nothing must change the probability by 0.
        rows = [parts.run_head(row) for row in a.split(1)]
    return torch.cat(rows)  # (N + 1, classes)


Setup = tuple[nn.Module, torch.Tensor, Any, Parts, tuple[str, ...], int | None]


def _setup(image: ImageInput | torch.Tensor, model: ModelLike, target: Target) -> Setup:
    """The model, its input, its ModelInfo (or None), its reading, its class names and the
    class asked for (None: the top-1)."""
    module = resolve_model(model)
    x = to_model(module, prepare(image, module)[0])
    info = getattr(module, INFO_ATTR, None)
    parts = network_parts(module)
    classes = num_classes(module)
    categories = tuple(info.categories) if info else tuple(str(i) for i in range(classes))
    return module, x, info, parts, categories, _target_index(target, categories, classes)


def shortcut_report(image: ImageInput | torch.Tensor, model: ModelLike, target: Target = None,
                    paths: int = PATHS,
                    progress: PathProgress | None = None) -> ShortcutReport:  # fmt: skip
    """Every block's shortcut measures for `image` and `target` (default: the top-1 class), and
    the gradient by path length (every path up to paths.MAX_ENUMERATED blocks; deeper, the
    lengths 0, 1 and n exactly and `paths` more drawn; `progress` hears how far that walk is)."""
    module, x, info, parts, categories, wanted = _setup(image, model, target)
    mode = hooked(module) if module.training else nullcontext()  # BatchNorm needs eval mode
    with torch.inference_mode(False), mode, precision(module):
        x = x.clone() if x.is_inference() else x
        logits, target_index, rows, walk = _measures(parts, x, wanted, paths, progress)
        lesioned = lesion_logits(parts, x).float().softmax(1)
    # The request's one wait for the device:
    host = to_host({"logits": logits, "target": target_index, "rows": rows.float(),
                    "lesioned": lesioned, "magnitude": walk.magnitude,
                    "variance": walk.variance, "followed": walk.followed})  # fmt: skip
    chosen, lesioned = int(host["target"]), host["lesioned"]
    intact = host["logits"][0].float().softmax(0)
    top1 = int(intact.argmax())
    records = []
    for (name, block), (nf, ns, cos, share, residual, ratio), probs in zip(
            parts.blocks, host["rows"].tolist(), lesioned[1:], strict=True):  # fmt: skip
        kind = parts.block(name).shortcut_kind
        records.append(ShortcutRecord(
            block=name, stage=parts.block(name).stage, shortcut=kind,
            projection=kind in ("projection", "pooled_projection"),
            stride=_stride(block),
            residual_norm=nf, shortcut_norm=ns, ratio=nf / ns if ns else math.inf, cosine=cos,
            grad_share_shortcut=share, grad_share_residual=residual, grad_norm_ratio=ratio,
            lesion_prob=float(probs[chosen]),
            lesion_delta=float(probs[chosen] - lesioned[0, chosen]),
            lesion_top1_changed=int(probs.argmax()) != int(lesioned[0].argmax()),
            branch_order=parts.block(name).branch_order,
        ))  # fmt: skip
    by_length, errors = shares(Walk(host["magnitude"], host["variance"], host["followed"], None))

    return ShortcutReport(
        model=info.name if info else type(module).__name__,
        title=info.title if info else type(module).__name__,
        trained=info.trained if info else True,
        target=chosen, target_label=categories[chosen], prob=float(intact[chosen]), top1=top1,
        records=tuple(records), path_counts=path_counts(len(records)),
        gradient_by_length=by_length, paths_followed=int(host["followed"].sum()),
        paths_exact=walk.total is not None, gradient_by_length_se=errors,
        paths_by_length=tuple(int(c) for c in host["followed"]),
    )  # fmt: skip


@dataclass(frozen=True)
class LesionReport:
    """One image with each block's residual branch removed in turn (Veit et al. 2016): the
    target's probability and whether the top-1 changes, block by block."""

    model: str
    title: str
    trained: bool
    target: int  # the class measured (default: the intact network's top-1)
    target_label: str
    prob: float  # the intact network's probability of the target
    blocks: tuple[str, ...]  # in forward order
    lesion_prob: tuple[float, ...]  # the target's probability without each block's branch
    lesion_delta: tuple[float, ...]  # lesioned minus intact
    top1_changed: tuple[bool, ...]


def lesions(image: ImageInput | torch.Tensor, model: ModelLike,
            target: Target = None) -> LesionReport:  # fmt: skip
    """Every block lesioned in turn for `image` (the shortcut report's lesions, without its
    gradients and paths: about (N + 1) / 2 forward passes for N blocks)."""
    module, x, info, parts, categories, wanted = _setup(image, model, target)
    mode = hooked(module) if module.training else nullcontext()  # BatchNorm needs eval mode
    with mode, precision(module):
        probs = to_host({"p": lesion_logits(parts, x).float().softmax(1)})["p"]
    chosen = int(probs[0].argmax()) if wanted is None else wanted
    top1 = int(probs[0].argmax())
    return LesionReport(
        model=info.name if info else type(module).__name__,
        title=info.title if info else type(module).__name__,
        trained=info.trained if info else True,
        target=chosen, target_label=categories[chosen], prob=float(probs[0, chosen]),
        blocks=tuple(name for name, _ in parts.blocks),
        lesion_prob=tuple(float(row[chosen]) for row in probs[1:]),
        lesion_delta=tuple(float(row[chosen] - probs[0, chosen]) for row in probs[1:]),
        top1_changed=tuple(int(row.argmax()) != top1 for row in probs[1:]),
    )  # fmt: skip


def shortcuts(image: ImageInput | torch.Tensor, model: ModelLike,
              target: Target = None) -> list[ShortcutRecord]:  # fmt: skip
    """One record per block, in forward order (see ShortcutRecord)."""
    return list(shortcut_report(image, model, target).records)
