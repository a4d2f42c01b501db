"""The path walk against brute force: the subsets' weights and draws by enumeration, every
path's gradient by a chain of single products, and the sampled lengths against the exact walk,
their standard errors against the spread of many seeds."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch

from explorer import load_model
from explorer.arch.structure import network_parts
from explorer.inspect import contributions, paths
from explorer.inspect.paths import Network, follow, shares, walk_paths


def _network(name: str, size: int, seed: int = 0) -> Network:
    """The linearised network of `name` (random weights unless a demo) for one random image."""
    torch.manual_seed(seed)
    model = load_model(name, "DEFAULT" if name.startswith("demo") else None)
    x = torch.rand(1, 3, size, size)
    with torch.inference_mode(False):
        return contributions._linearised(network_parts(model), x, None)[-1]


def test_the_symmetric_polynomials_are_the_subsets_weights():
    gains = np.array([0.3, 1.0, 0.05, 0.7, 0.9])
    e = paths._symmetric(gains)
    for i in range(len(gains) + 1):
        for k in range(len(gains) + 1):
            brute = sum(math.prod(c) for c in itertools.combinations(gains[i:], k))
            assert e[i, k] == pytest.approx(brute, rel=1e-12, abs=1e-15)


def test_a_draw_has_the_probability_its_weight_says():
    """Conditional Poisson draws mixed with uniform ones: each 2-subset of 5 blocks comes up as
    often as (1 − λ)·Πg / e₂ + λ / C(5, 2) says (20,000 draws, within 4.5 binomial SEs)."""
    gains = np.array([0.3, 1.0, 0.05, 0.7, 0.9])
    e = paths._symmetric(gains)
    rng = np.random.default_rng(3)
    draws = 20_000
    seen: dict[tuple[int, ...], int] = {}
    for _ in range(draws):
        mask = paths._draw(e, gains, 2, rng)
        assert mask.sum() == 2
        key = tuple(np.flatnonzero(mask).tolist())
        seen[key] = seen.get(key, 0) + 1
    weight = sum(math.prod(gains[list(c)]) for c in itertools.combinations(range(5), 2))
    lam = paths.DEFENSIVE
    for c in itertools.combinations(range(5), 2):
        p = (1 - lam) * math.prod(gains[list(c)]) / weight + lam / math.comb(5, 2)
        se = math.sqrt(p * (1 - p) / draws)
        assert abs(seen.get(c, 0) / draws - p) < 4.5 * se


def _chain(net: Network, taken: np.ndarray) -> float:
    """One path's gradient norm, block by block, one autograd call at a time."""
    v = net.top
    for i in range(len(net.inputs) - 1, -1, -1):
        out = net.branches[i] if taken[i] else net.shortcuts[i]
        if out is not net.inputs[i]:
            v = torch.autograd.grad(out, net.inputs[i], v, retain_graph=True)[0]
        if i > 0 and net.gates[i - 1] is not None:
            v = v * (net.gates[i - 1] > 0)
    return float(v.double().norm())


def test_batched_paths_equal_a_chain_of_single_products():
    """follow() shares the blocks above and batches the products; each path's norm equals the
    cotangent taken down block by block, one autograd call at a time."""
    net = _network("demo_basic", 64)
    n = len(net.inputs)
    every = np.array(list(itertools.product((0, 1), repeat=n)), dtype=np.int64)  # (16, 4)
    batched = follow(net, every)
    for taken, norm in zip(every, batched, strict=True):
        assert float(norm) == pytest.approx(_chain(net, taken), rel=1e-5)
    exact = walk_paths(net)
    for k in range(n + 1):
        assert float(batched[torch.as_tensor(every.sum(1) == k)].sum()) == pytest.approx(
            float(exact.magnitude[k]), rel=1e-5)  # fmt: skip


@pytest.mark.parametrize("name,size", [("resnet20", 32), ("resnet18", 64)])
def test_paths_in_any_order_and_repeated_equal_single_products(name, size):
    """Paths in no order, some repeated, through the projection (or padding) shortcuts of a
    stage's first block: each norm equals its chain of single products."""
    net = _network(name, size, seed=2)
    n = len(net.inputs)
    rng = np.random.default_rng(5)
    taken = (rng.random((30, n)) < rng.random((30, 1))).astype(np.int64)
    taken = np.concatenate([taken, taken[[3, 0, 7]], np.eye(n, dtype=np.int64)[::-1]])
    for path, norm in zip(taken, follow(net, taken), strict=True):
        assert float(norm) == pytest.approx(_chain(net, path), rel=1e-5)


def test_sampled_lengths_are_unbiased_and_their_errors_are_the_spread(monkeypatch):
    """ResNet-20 (9 blocks, 512 paths) walked exactly, then sampled with 40 seeds: each length's
    mean estimate lies within 4 of its standard errors of the exact share, and the errors the
    report gives match the spread across seeds within a factor of two where a length matters."""
    net = _network("resnet20", 32, seed=4)
    exact, _ = shares(walk_paths(net))
    monkeypatch.setattr(paths, "MAX_ENUMERATED", 0)
    runs = [shares(walk_paths(net, 12, seed=s)) for s in range(40)]
    estimates = np.array([s for s, _ in runs])  # (40, 10)
    errors = np.array([e for _, e in runs])
    assert np.allclose(estimates.sum(1), 1.0)
    spread = estimates.std(0, ddof=1)
    for k, truth in enumerate(exact):
        mean = estimates[:, k].mean()
        assert abs(mean - truth) <= 4 * spread[k] / math.sqrt(len(runs)) + 1e-9, k
        if truth > 0.05:
            assert 0.5 < errors[:, k].mean() / spread[k] < 2.0, k


def test_the_shares_error_follows_the_delta_method():
    """Two lengths, only the second uncertain: s₀ = m₀ / T moves by −m₀ / T² per unit of m₁."""
    walk = paths.Walk(torch.tensor([1.0, 3.0], dtype=torch.float64),
                      torch.tensor([0.0, 0.04], dtype=torch.float64),
                      torch.tensor([1.0, 2.0]), None)  # fmt: skip
    s, se = shares(walk)
    assert s == pytest.approx((0.25, 0.75))
    assert se[0] == pytest.approx(1.0 / 16 * 0.2) and se[1] == pytest.approx(se[0])


def test_the_drawn_paths_are_the_budget():
    """Exactly `paths` draws whatever the lengths' floors, the largest predicted lengths first,
    and the rest in proportion to magnitude over √(length)."""
    predicted = np.array([1.0, 5.0, 50.0, 20.0, 0.001])
    lengths = np.arange(2, 7)
    assert paths._allocate(predicted, lengths, 2).tolist() == [0, 0, 1, 1, 0]
    count = paths._allocate(predicted, lengths, 40)
    assert count.sum() == 40 and count[4] == 0 and count[2] == count.max()
    assert paths._allocate(predicted, lengths, 0).sum() == 0
