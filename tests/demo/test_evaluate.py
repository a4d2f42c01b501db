"""Evaluation helpers against closed forms: ranks with ties, Spearman's rho, disk dilation,
the pointing game."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from explorer.demo.evaluate import average_ranks, dilate, pointing_hits, spearman


def test_average_ranks_share_ties():
    assert average_ranks(np.array([[3.0, 1.0, 2.0, 2.0]])).tolist() == [[3.0, 0.0, 1.5, 1.5]]


def test_spearman_closed_forms():
    a = np.array([[1, 2, 3, 4, 5], [1, 2, 3, 4, 5], [1, 2, 3, 4, 5], [1, 2, 3, 4, 5]], float)
    b = np.array([[2, 1, 4, 3, 5],  # Σd² = 4: ρ = 1 − 6·4 / (5·24) = 0.8
                  [1, 8, 27, 64, 125],  # monotone: ρ = 1
                  [5, 4, 3, 2, 1],  # reversed: ρ = −1
                  [7, 7, 7, 7, 7]], float)  # constant: ranks nothing  # fmt: skip
    assert spearman(a, b) == pytest.approx([0.8, 1.0, -1.0, 0.0])


def test_dilation_by_a_disk():
    mask = torch.zeros(1, 9, 9, dtype=torch.bool)
    mask[0, 4, 4] = True
    assert int(dilate(mask, 2).sum()) == 13  # integer points with x² + y² ≤ 4


def test_pointing_game_uses_the_map_maximum():
    masks = torch.zeros(2, 20, 20, dtype=torch.bool)
    masks[:, 5:10, 5:10] = True
    maps = torch.zeros(2, 20, 20)
    maps[0, 7, 7] = 1.0  # on the object
    maps[1, 18, 18] = 1.0  # far from it (the 5% tolerance is 1 pixel here)
    assert pointing_hits(maps, masks).tolist() == [True, False]
