"""Evaluation helpers against closed forms: ranks with ties, Spearman's rho. (The pointing game
lives in explorer.inspect.faithfulness, tested there.)"""

from __future__ import annotations

import numpy as np
import pytest

from explorer.demo.evaluate import average_ranks, spearman


def test_average_ranks_share_ties():
    assert average_ranks(np.array([[3.0, 1.0, 2.0, 2.0]])).tolist() == [[3.0, 0.0, 1.5, 1.5]]


def test_spearman_closed_forms():
    a = np.array([[1, 2, 3, 4, 5], [1, 2, 3, 4, 5], [1, 2, 3, 4, 5], [1, 2, 3, 4, 5]], float)
    b = np.array([[2, 1, 4, 3, 5],  # Σd² = 4: ρ = 1 − 6·4 / (5·24) = 0.8
                  [1, 8, 27, 64, 125],  # monotone: ρ = 1
                  [5, 4, 3, 2, 1],  # reversed: ρ = −1
                  [7, 7, 7, 7, 7]], float)  # constant: ranks nothing  # fmt: skip
    assert spearman(a, b) == pytest.approx([0.8, 1.0, -1.0, 0.0])
