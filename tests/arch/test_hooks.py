"""The hook context manager leaves nothing behind, even when the forward pass fails."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from explorer.arch.hooks import hook_count, hooked


def test_hooks_and_modes_are_restored_after_an_error():
    model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(), nn.Linear(4, 2))
    model.train()
    model[2].eval()  # mixed modes must come back exactly
    seen = []
    with pytest.raises(RuntimeError), hooked(model) as hooks:
        for m in model:
            hooks.forward(m, lambda mod, args, out: seen.append(type(mod).__name__))
        assert hook_count(model) == 3
        assert not any(m.training for m in model.modules())
        model(torch.zeros(1, 4))
        model(torch.zeros(1, 5))  # wrong width: the forward raises inside the block
    assert seen[:3] == ["Linear", "Dropout", "Linear"]
    assert hook_count(model) == 0
    assert [m.training for m in model.modules()] == [True, True, True, False]
