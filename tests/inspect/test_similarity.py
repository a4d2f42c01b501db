"""Spearman's rho against scipy and SSIM against scikit-image (both test extras)."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.inspect.similarity import average_ranks, spearman, spearman_rows, ssim, unit_scaled

rng = np.random.default_rng(7)


@pytest.mark.parametrize("shape", [(64, 64), (7, 9), (224, 224)])
def test_spearman_equals_scipys_with_ties(shape):
    stats = pytest.importorskip("scipy.stats")
    a = np.round(rng.random(shape) * 6)  # many ties
    b = a + rng.standard_normal(shape)
    assert spearman(a, b) == pytest.approx(stats.spearmanr(a.ravel(), b.ravel()).statistic)
    assert spearman(a, -a) == pytest.approx(-1.0)


def test_a_constant_map_ranks_nothing():
    assert spearman(np.zeros((8, 8)), rng.random((8, 8))) == 0.0


@pytest.mark.parametrize("shape", [(64, 64), (7, 7), (31, 45)])
def test_ssim_equals_scikit_images_default(shape):
    metrics = pytest.importorskip("skimage.metrics")
    a = rng.random(shape)
    b = np.clip(a + 0.2 * rng.standard_normal(shape), 0, 1)
    expected = metrics.structural_similarity(a, b, data_range=1.0)
    assert ssim(a, b) == pytest.approx(expected, abs=1e-12)
    assert ssim(a, a) == pytest.approx(1.0)


def test_unit_scaled_is_the_magnitude_over_its_peak():
    m = np.array([[-4.0, 2.0], [0.0, 1.0]])
    np.testing.assert_allclose(unit_scaled(m), [[1.0, 0.5], [0.0, 0.25]])
    assert not unit_scaled(np.zeros((2, 2))).any()


def test_average_ranks_share_ties():
    assert average_ranks(np.array([[3.0, 1.0, 2.0, 2.0]])).tolist() == [[3.0, 0.0, 1.5, 1.5]]


def test_spearman_closed_forms():
    a = np.array([[1, 2, 3, 4, 5], [1, 2, 3, 4, 5], [1, 2, 3, 4, 5], [1, 2, 3, 4, 5]], float)
    b = np.array([[2, 1, 4, 3, 5],  # Σd² = 4: ρ = 1 − 6·4 / (5·24) = 0.8
                  [1, 8, 27, 64, 125],  # monotone: ρ = 1
                  [5, 4, 3, 2, 1],  # reversed: ρ = −1
                  [7, 7, 7, 7, 7]], float)  # constant: ranks nothing  # fmt: skip
    assert spearman_rows(a, b) == pytest.approx([0.8, 1.0, -1.0, 0.0])
