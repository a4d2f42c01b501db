"""Rong et al.'s linear imputation in torch: each removed pixel becomes the weighted mean of its
8 neighbours (1/6 direct, 1/12 diagonal), the sparse system pytorch-grad-cam's NoisyLinearImputer
hands to scipy's spsolve, solved here batched on the tensors' device. No noise, no model.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

TOLERANCE = 1e-8  # the largest residual, relative to the right-hand side's largest value
MAX_ITERATIONS = 100  # multigrid-preconditioned CG needs 6-25 on the masks tried, 32-224 px
SMOOTHING = 0.9  # damped Jacobi: below 1 because the diagonal is smaller on the image border
COARSEST = 4  # pixels: the V-cycle stops halving here
COARSE_SWEEPS = 8  # Jacobi sweeps on the coarsest grid, a fixed number so the cycle is linear


def _spread(v: torch.Tensor) -> torch.Tensor:
    """[1, 2, 1] ⊗ [1, 2, 1] over v's last two axes, zero outside the image: 12 × the 8
    neighbours' weighted sum, plus 4 × the centre."""
    row = 2 * v
    row[..., 1:] += v[..., :-1]
    row[..., :-1] += v[..., 1:]
    col = 2 * row
    col[..., 1:, :] += row[..., :-1, :]
    col[..., :-1, :] += row[..., 1:, :]
    return col


class _Grid:
    """One level's operator on the unknown pixels: A e = d·e − Σ w·e(neighbour), where d sums
    the weights of the neighbours inside the image (1 off the border): spsolve's system with
    its sign flipped, so that A is positive definite. Known pixels are fixed: their error is 0."""

    def __init__(self, unknown: torch.Tensor) -> None:
        self.unknown = unknown  # (B, 1, H, W) 1 where a value is imputed
        spread = _spread(torch.ones_like(unknown[:1])) / 12  # (1, 1, H, W) = d + 1/3
        self.centre = spread * unknown  # d + 1/3: _spread counts the centre 4 times
        self.neighbour = -unknown / 12
        self.jacobi = SMOOTHING * unknown / (spread - 1 / 3)

    def apply(self, e: torch.Tensor) -> torch.Tensor:
        return _spread(e).mul_(self.neighbour).addcmul_(self.centre, e)


def _levels(unknown: torch.Tensor) -> list[_Grid]:
    """The grids of the V-cycle, halving until COARSEST: a coarse pixel is unknown when all of
    its fine ones are, so each coarse problem lies inside the finer one's holes."""
    grids = [_Grid(unknown)]
    while min(unknown.shape[-2:]) > COARSEST:
        h, w = unknown.shape[-2:]
        unknown = -F.max_pool2d(-F.pad(unknown, (0, w % 2, 0, h % 2), value=1.0), 2)
        grids.append(_Grid(unknown))
    return grids


def _halve(f: torch.Tensor) -> torch.Tensor:
    """Along the last axis, (…, 2m) → (…, m): c[i] = (f[2i-1] + 3 f[2i] + 3 f[2i+1] + f[2i+2]) / 4,
    the transpose of _double."""
    even, odd = f[..., 0::2], f[..., 1::2]
    c = 0.75 * (even + odd)
    c[..., 1:] += 0.25 * odd[..., :-1]
    c[..., :-1] += 0.25 * even[..., 1:]
    return c


def _double(c: torch.Tensor) -> torch.Tensor:
    """Along the last axis, (…, m) → (…, 2m): bilinear between cell centres, 0 outside."""
    left, right = 0.75 * c, 0.75 * c
    left[..., 1:] += 0.25 * c[..., :-1]
    right[..., :-1] += 0.25 * c[..., 1:]
    return torch.stack([left, right], -1).flatten(-2)


def _restrict(r: torch.Tensor) -> torch.Tensor:
    """(B, C, H, W) → (B, C, ⌈H/2⌉, ⌈W/2⌉), the transpose of _prolong: the V-cycle is then
    symmetric, as CG needs of its preconditioner. Slices, not a strided convolution: on small
    grids a convolution's thread pool costs more than the arithmetic."""
    h, w = r.shape[-2:]
    r = F.pad(r, (0, w % 2, 0, h % 2))
    return _halve(_halve(r).transpose(-1, -2)).transpose(-1, -2)


def _prolong(e: torch.Tensor, size: torch.Size) -> torch.Tensor:
    fine = _double(_double(e).transpose(-1, -2)).transpose(-1, -2)
    return fine[..., : size[0], : size[1]]


def _v_cycle(grids: list[_Grid], r: torch.Tensor, level: int = 0) -> torch.Tensor:
    """An approximate solve of A e = r: a Jacobi sweep, the coarser grid's correction of what
    is left, a sweep more; COARSE_SWEEPS sweeps on the coarsest grid."""
    grid = grids[level]
    e = grid.jacobi * r
    if level == len(grids) - 1:
        for _ in range(COARSE_SWEEPS - 1):
            e.addcmul_(grid.jacobi, r - grid.apply(e))
        return e
    coarse = grids[level + 1].unknown * _restrict(r - grid.apply(e))
    e += grid.unknown * _prolong(_v_cycle(grids, coarse, level + 1), r.shape[-2:])
    return e.addcmul_(grid.jacobi, r - grid.apply(e))


def linear_impute(x: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
    """x (B, C, H, W) with every pixel where keep (B, H, W) is False replaced by the solution of
    Rong et al.'s system: pytorch-grad-cam's NoisyLinearImputer with noise 0. Kept pixels come
    back unchanged; where nothing is kept, everything becomes 0.

    Conjugate gradients, one system per image and channel, preconditioned by a multigrid
    V-cycle: 6-25 iterations where plain CG needs about the width of the largest hole. The
    solve runs in float64 (float32 on MPS, which has none): large holes make the system
    ill-conditioned enough that float32 misses spsolve by ~1e-4. The V-cycle only
    approximates, so float32 does for it.
    """
    solve = torch.float32 if x.device.type == "mps" else torch.float64
    unknown = (~keep).to(solve)[:, None]  # (B, 1, H, W)
    fine, grids = _Grid(unknown), _levels(unknown.float())
    known = (1 - unknown) * x.to(solve)  # (B, C, H, W)
    r = unknown * _spread(known) / 12  # the right-hand side; the unknowns start at 0
    limit = TOLERANCE * r.abs().amax()
    filled = torch.zeros_like(r)
    p = z = _v_cycle(grids, r.float()).to(solve)
    rz = (r * z).sum((2, 3), keepdim=True)  # (B, C, 1, 1)
    for _ in range(MAX_ITERATIONS):
        if r.abs().amax() <= limit:
            break
        ap = fine.apply(p)
        pap = (p * ap).sum((2, 3), keepdim=True)
        alpha = torch.where(pap > 0, rz / pap, 0)  # 0 once a system is solved exactly
        filled += alpha * p
        r -= alpha * ap
        z = _v_cycle(grids, r.float()).to(solve)
        rz, previous = (r * z).sum((2, 3), keepdim=True), rz
        p = z + torch.where(previous > 0, rz / previous, 0) * p
    return torch.where(unknown.bool(), filled, known).to(x.dtype)
