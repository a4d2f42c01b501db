"""How alike two saliency maps are: Spearman's rank correlation and SSIM, as Adebayo et al. (2018)
compare a map before and after the model's weights are randomised.

Plain numpy on (H, W) maps; tests check both against scipy and scikit-image. Nothing here knows
about models.
"""

from __future__ import annotations

import numpy as np

SSIM_WINDOW = 7  # scikit-image's default: a uniform 7×7 window
SSIM_K = (0.01, 0.03)


def average_ranks(rows: np.ndarray) -> np.ndarray:
    """Ranks within each row, ties sharing their average rank (as Spearman's rho needs)."""
    rows = np.atleast_2d(rows)
    ranks = np.empty(rows.shape, dtype=np.float64)
    for r, row in enumerate(rows):
        order = np.argsort(row, kind="mergesort")
        values = row[order]
        starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1], True])
        group = np.repeat(np.arange(len(starts) - 1), np.diff(starts))
        ranks[r, order] = ((starts[:-1] + starts[1:] - 1) / 2)[group]
    return ranks


def spearman_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Spearman's rho of each row pair; 0 where a row is constant (it ranks nothing)."""
    ra, rb = average_ranks(a), average_ranks(b)
    ra -= ra.mean(1, keepdims=True)
    rb -= rb.mean(1, keepdims=True)
    norm = np.linalg.norm(ra, axis=1) * np.linalg.norm(rb, axis=1)
    return np.divide((ra * rb).sum(1), norm, out=np.zeros(len(ra)), where=norm > 0)


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman's rho of two maps of one shape, over their pixels."""
    return float(spearman_rows(np.ravel(a)[None], np.ravel(b)[None])[0])


def unit_scaled(m: np.ndarray) -> np.ndarray:
    """|m| divided by its maximum, in [0, 1] (all zero stays zero): the maps SSIM compares."""
    a = np.abs(np.asarray(m, dtype=np.float64))
    peak = a.max()
    return a / peak if peak > 0 else a


def _box(x: np.ndarray, k: int) -> np.ndarray:
    """Means over every k×k window inside x (no padding): (H − k + 1, W − k + 1)."""
    c = np.cumsum(np.cumsum(np.pad(x, ((1, 0), (1, 0))), 0), 1)
    return (c[k:, k:] - c[:-k, k:] - c[k:, :-k] + c[:-k, :-k]) / (k * k)


def ssim(a: np.ndarray, b: np.ndarray, data_range: float = 1.0) -> float:
    """The mean structural similarity of two (H, W) maps, as scikit-image computes it by
    default (uniform 7×7 window, sample covariances, the border of half a window left out)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    k = SSIM_WINDOW
    if min(a.shape) < k:
        raise ValueError(f"SSIM needs maps of at least {k}×{k} pixels, got {a.shape}")
    ua, ub = _box(a, k), _box(b, k)
    n = k * k / (k * k - 1)  # sample, not population, covariances
    vaa = n * (_box(a * a, k) - ua * ua)
    vbb = n * (_box(b * b, k) - ub * ub)
    vab = n * (_box(a * b, k) - ua * ub)
    c1, c2 = (SSIM_K[0] * data_range) ** 2, (SSIM_K[1] * data_range) ** 2
    s = ((2 * ua * ub + c1) * (2 * vab + c2)) / ((ua * ua + ub * ub + c1) * (vaa + vbb + c2))
    return float(s.mean())
