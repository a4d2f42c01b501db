"""The class score's gradient path by path (Veit et al. 2016): the unrolled view of a ResNet.

With the forward pass's ReLU masks fixed, each block passes a cotangent v at its sum back as
J_Fᵀv + J_Sᵀv, so the gradient at the first block's input is exactly the sum over the 2ⁿ paths of
each path's gradient, a path taking F (the residual branch) at k blocks and S at the others. This
module follows paths and reports Σ‖g_path‖ per length k; it never runs a model forward itself.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from .deadline import check

MAX_ENUMERATED = 10  # blocks: up to 2^10 paths are all followed; deeper models are sampled
PATHS = 24  # paths drawn at random for a deeper model, beyond the lengths followed exactly
CHUNK = 32  # paths followed together: one batched vector-Jacobian product per block and choice
DEFENSIVE = 0.2  # the share of draws made uniformly, whatever the gains predict
MIN_SHARE = 1e-3  # a length predicted to carry less is not drawn: its gains' prediction stands

# Told how far the path walk is: the share done (0 to 1) and the paths followed so far. It is
# called at most every PROGRESS_EVERY_S seconds, and once at the end with 1.0.
PathProgress = Callable[[float, int], None]
PROGRESS_EVERY_S = 0.1


@dataclass
class Walk:
    """Paths followed: Σ‖g_path‖ per length k, its variance (0 where every path of that length
    was followed), how many paths per k, and (when every path is followed) their vector sum,
    which is then the whole gradient at the first block's input."""

    magnitude: torch.Tensor  # (n + 1,) float64
    variance: torch.Tensor  # (n + 1,) float64: of each magnitude's estimate
    followed: torch.Tensor  # (n + 1,) paths followed per length
    total: torch.Tensor | None


@dataclass(frozen=True)
class Network:
    """The linearised network as one forward pass with autograd left it, block by block."""

    inputs: list[torch.Tensor]  # each block's input x_i, (1, C, H, W)
    branches: list[torch.Tensor]  # F_i(x_i)
    shortcuts: list[torch.Tensor]  # S_i(x_i); the input itself for an identity
    gates: list[torch.Tensor | None]  # the sum z_i whose ReLU gates the gradient, or None
    top: torch.Tensor  # the score's gradient at the last block's sum

    def through(self, i: int, v: torch.Tensor, take_branch: bool) -> torch.Tensor:
        """Cotangents v (b, 1, C, H, W) at block i's sum, back to its input through F or S, and
        through the ReLU after the block below. An identity hands v back itself, ungated."""
        out = self.branches[i] if take_branch else self.shortcuts[i]
        if out is self.inputs[i]:  # identity: Jᵀv = v
            return v
        if len(v) == 1:
            g = torch.autograd.grad(out, self.inputs[i], v[0], retain_graph=True)[0][None]
        else:
            g = torch.autograd.grad(out, self.inputs[i], v, retain_graph=True,
                                    is_grads_batched=True)[0]  # fmt: skip
        return self.gate(i, g)

    def gate(self, i: int, g: torch.Tensor) -> torch.Tensor:
        """g through the ReLU after block i − 1's sum, in place (g is the caller's own)."""
        z = self.gates[i - 1] if i > 0 else None
        return g if z is None else g.mul_(z > 0)


def follow(net: Network, taken: np.ndarray) -> torch.Tensor:
    """The gradient's norm along each path: `taken` (P, n) says which blocks' branches each path
    takes. Paths that agree on the blocks above share their cotangent, so the top of the network
    is passed once for many paths. Each distinct cotangent keeps a slot of one buffer: through
    an identity shortcut every slot is gated in place, and only the rows that take a branch are
    gathered for its batched product (a path that leaves a shared slot for the branch gets a
    new slot); a projection shortcut takes its rows in one batched product as well."""
    paths, n = taken.shape
    top = net.top[None].detach()  # (1, 1, C, H, W)
    v = top.new_empty((paths, *top.shape[1:]))  # a slot per distinct cotangent, at most P
    v[0] = top[0]
    live = 1
    slot = np.zeros(paths, dtype=np.int64)  # each path's slot
    for i in range(n - 1, -1, -1):
        check()
        parents = np.unique(slot[taken[:, i] == 1])  # slots some path leaves through F
        stays = np.unique(slot[taken[:, i] == 0])  # slots some path leaves through S
        f = None
        if parents.size:
            given = v[parents[0] : parents[0] + 1] if parents.size == 1 else \
                v[torch.as_tensor(parents, device=v.device)]  # fmt: skip
            f = net.through(i, given, True)  # gated
        # where both choices leave a slot, the branch's cotangent moves to a new one
        both = np.isin(parents, stays)
        target = parents.copy()
        target[both] = live + np.arange(int(both.sum()))
        for p, t in zip(parents[both], target[both], strict=True):
            slot[(slot == p) & (taken[:, i] == 1)] = t
        grown = live + int(both.sum())
        if net.shortcuts[i] is net.inputs[i]:  # identity: gate every slot where it lies
            if stays.size:
                net.gate(i, v[:live])
        else:  # a projection: the slots that stay go through it into a buffer of its shape
            s = net.through(i, v[torch.as_tensor(stays, device=v.device)], False) \
                if stays.size else None  # fmt: skip
            shaped = f if f is not None else s
            v = shaped.new_empty((paths, *shaped.shape[1:]))
            if s is not None:
                v[torch.as_tensor(stays, device=v.device)] = s
        if f is not None:
            v[torch.as_tensor(target, device=v.device)] = f
        live = grown
    return v[:live].double().flatten(1).norm(dim=1)[torch.as_tensor(slot, device=v.device)]


def _enumerate(net: Network, tell: Callable[[float, int], None]) -> Walk:
    """Every path, depth first: 2^(n+1) − 2 vector-Jacobian products for 2ⁿ paths."""
    n = len(net.inputs)
    device = net.top.device
    walk = Walk(torch.zeros(n + 1, dtype=torch.float64, device=device),
                torch.zeros(n + 1, dtype=torch.float64, device=device),
                torch.zeros(n + 1, dtype=torch.float64, device=device),
                torch.zeros_like(net.inputs[0], dtype=torch.float32))  # fmt: skip
    arrived = 0

    def down(i: int, v: torch.Tensor, k: int) -> None:
        nonlocal arrived
        check()
        for take in (False, True):
            g = net.through(i, v, take)
            if g is v:  # an identity: v stays as it is for the branch
                g = net.gate(i, v.clone())
            if i == 0:
                walk.magnitude[k + take] += g.detach().double().norm()
                walk.followed[k + take] += 1
                walk.total += g[0].detach().float()
                arrived += 1
                tell(arrived / 2**n, arrived)
            else:
                down(i - 1, g, k + take)

    down(n - 1, net.top[None], 0)
    return walk


def _gains(norms: np.ndarray, n: int) -> np.ndarray:
    """Each block's gain from the exact paths: ‖g‖ with only block i's branch taken, over ‖g‖
    with none, floored so that no block is ruled out."""
    base = norms[0]
    gains = norms[1 : n + 1] / base if base > 0 else np.ones(n)
    top = gains.max() if np.isfinite(gains).all() and gains.max() > 0 else 1.0
    return np.maximum(np.nan_to_num(gains / top, nan=1.0), 1e-6)  # scaled: ratios matter


def _symmetric(gains: np.ndarray) -> np.ndarray:
    """E[i, k] = e_k(gains[i:]): the elementary symmetric polynomials of the later gains, the
    total weight of the k-subsets of blocks i..n − 1 (float64; the gains are ≤ 1)."""
    n = len(gains)
    e = np.zeros((n + 1, n + 1))
    e[n, 0] = 1.0
    for i in range(n - 1, -1, -1):
        e[i] = e[i + 1]
        e[i, 1:] += gains[i] * e[i + 1, :-1]
    return e


def _draw(e: np.ndarray, gains: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """A k-subset of blocks drawn with probability ∝ Π gains (conditional Poisson sampling),
    or, with probability DEFENSIVE, uniformly."""
    n = len(gains)
    if rng.random() < DEFENSIVE:
        mask = np.zeros(n, dtype=np.int64)
        mask[rng.choice(n, size=k, replace=False)] = 1
        return mask
    mask = np.zeros(n, dtype=np.int64)
    left = k
    for i in range(n):
        if left == 0:
            break
        if left == n - i or rng.random() * e[i, left] < gains[i] * e[i + 1, left - 1]:
            mask[i], left = 1, left - 1
    return mask


def _allocate(predicted: np.ndarray, lengths: np.ndarray, paths: int) -> np.ndarray:
    """`paths` paths over the lengths: one where the gains predict MIN_SHARE or more (the
    largest first, if there are more such lengths than paths), the rest in proportion to the
    predicted magnitude over √(cost), cost ∝ k (Neyman's allocation with costs)."""
    share = predicted / predicted.sum() if predicted.sum() > 0 else np.ones_like(predicted)
    floor = np.zeros(len(share), dtype=np.int64)
    floor[np.argsort(-share)[: min(paths, int((share >= MIN_SHARE).sum()))]] = 1
    weight = share / np.sqrt(lengths)
    rest = max(paths - int(floor.sum()), 0)
    ideal = rest * weight / weight.sum()
    count = floor + np.floor(ideal).astype(np.int64)
    for j in np.argsort(-(ideal - np.floor(ideal)))[: paths - int(count.sum())]:
        count[j] += 1
    return count


def _sample(net: Network, paths: int, seed: int, tell: Callable[[float, int], None]) -> Walk:
    """Lengths 0, 1 and n exactly (n + 2 paths); every other length by importance sampling.

    The exact single-branch paths give each block's gain, and a path is proposed with
    probability ∝ the product of its blocks' gains (mixed with uniform draws), so that paths
    which carry more are drawn more often; each draw is weighed by 1 / its probability, which
    keeps every length's estimate unbiased. The paths go to the lengths in Neyman's proportion,
    and each length's variance comes from its own draws (pooled where a length has one)."""
    n = len(net.inputs)
    device = net.top.device
    rng = np.random.default_rng(seed)
    exact = np.zeros((n + 2, n), dtype=np.int64)
    exact[1 : n + 1] = np.eye(n, dtype=np.int64)
    exact[n + 1] = 1
    norms = follow(net, exact).cpu().numpy()
    magnitude = np.zeros(n + 1)
    variance = np.zeros(n + 1)
    followed = np.zeros(n + 1)
    magnitude[0], magnitude[1], magnitude[n] = norms[0], norms[1 : n + 1].sum(), norms[n + 1]
    followed[0], followed[1], followed[n] = 1, n, 1
    middle = np.arange(2, n)
    tell(0.0, n + 2)
    if middle.size:
        gains = _gains(norms, n)
        e = _symmetric(gains)
        base = norms[0] if norms[0] > 0 else 1.0
        scale = norms[1 : n + 1].sum() / (base * gains.sum()) if gains.sum() > 0 else 1.0
        predicted = base * e[0, middle] * scale**middle  # Σ over paths of Π (block gains)
        counts = _allocate(predicted, middle, paths)
        drawn = [(k, _draw(e, gains, k, rng)) for k, c in zip(middle, counts, strict=True)
                 for _ in range(c)]  # fmt: skip
        weights = []  # each draw's 1 / its probability
        for k, mask in drawn:
            proposal = np.prod(gains[mask == 1]) / e[0, k]
            uniform = 1.0 / math.comb(n, k)
            weights.append(1.0 / ((1 - DEFENSIVE) * proposal + DEFENSIVE * uniform))
        values = np.zeros(len(drawn))
        for start in range(0, len(drawn), CHUNK):
            chunk = np.stack([mask for _, mask in drawn[start : start + CHUNK]])
            values[start : start + len(chunk)] = follow(net, chunk).cpu().numpy()
            if start + len(chunk) < len(drawn):  # the last word, 1.0, comes once at the end
                tell((start + len(chunk)) / len(drawn), n + 2 + start + len(chunk))
        estimates = values * np.asarray(weights)
        lengths = np.array([k for k, _ in drawn])
        spreads = []
        for k in middle:
            y = estimates[lengths == k]
            followed[k] = len(y)
            magnitude[k] = y.mean() if len(y) else predicted[k - 2]
            if len(y) > 1:
                variance[k] = y.var(ddof=1) / len(y)
                if y.mean() > 0:
                    spreads.append(y.std(ddof=1) / y.mean())
        pooled = float(np.mean(spreads)) if spreads else 1.0
        for k in middle:  # one draw: the pooled spread; none: the prediction is all uncertain
            if followed[k] == 1:
                variance[k] = (pooled * magnitude[k]) ** 2
            elif followed[k] == 0:
                variance[k] = magnitude[k] ** 2
    tell(1.0, int(followed.sum()))

    def tensor(values: np.ndarray) -> torch.Tensor:
        return torch.as_tensor(values, dtype=torch.float64, device=device)

    return Walk(tensor(magnitude), tensor(variance), tensor(followed), None)


def walk_paths(net: Network, paths: int = PATHS, seed: int = 0,
               progress: PathProgress | None = None) -> Walk:  # fmt: skip
    """Σ‖g_path‖ per length: every path up to MAX_ENUMERATED blocks (exact), else `paths` drawn
    paths beyond the n + 2 followed exactly (`_sample`). `progress` hears the share done."""
    told = time.monotonic()

    def tell(done: float, followed: int) -> None:
        nonlocal told
        now = time.monotonic()
        if progress is not None and (done >= 1.0 or now - told >= PROGRESS_EVERY_S):
            told = now
            progress(min(done, 1.0), followed)

    if len(net.inputs) <= MAX_ENUMERATED:
        return _enumerate(net, tell)
    return _sample(net, paths, seed, tell)


def shares(walk: Walk) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Each length's share of Σ‖g_path‖ and its standard error (the delta method over lengths
    estimated independently: Var s_k = ((1 − s_k)² V_k + s_k² Σ_{j≠k} V_j) / T²)."""
    magnitude = walk.magnitude.double().cpu()
    variance = walk.variance.double().cpu()
    whole = float(magnitude.sum())
    if whole <= 0:  # no gradient at all: nothing leaves the shortcuts
        n = len(magnitude) - 1
        return (1.0, *([0.0] * n)), (0.0,) * (n + 1)
    s = magnitude / whole
    others = variance.sum() - variance
    se = (((1 - s) ** 2 * variance + s**2 * others).clamp(min=0) ** 0.5) / whole
    return tuple(s.tolist()), tuple(se.tolist())
