"""`python -m explorer.tools.bench shortcuts`: the whole Shortcuts report in its model's own
forward passes (norms, gradient split, lesions, path statistics), its parts, and the path
statistics' precision against the walk it replaced (5 s of uniform draws, every length each
round), whose standard errors are estimated here from uniform draws of the same network.
"""

from __future__ import annotations

import math
import time

import numpy as np

TARGET = 30  # forward passes for the whole report
OLD_BUDGET_S = 5.0  # the replaced walk: rounds of one uniform path per length, for 5 seconds
SPREAD_DRAWS = 4  # uniform draws per length to estimate the old walk's spread


def _old_walk_errors(net, seed: int = 0) -> tuple[np.ndarray, float, int]:
    """The replaced walk's standard error per length's share, its seconds and paths: one round
    (a uniform path of every length) is timed, the rounds 5 s allowed are counted (it checked the
    clock after each round), and each length's spread comes from SPREAD_DRAWS uniform draws."""
    from explorer.inspect.paths import follow

    n = len(net.inputs)
    rng = np.random.default_rng(seed)
    lengths = list(range(1, n))  # 0 and n have one path: exact in both walks

    def draw(k: int) -> np.ndarray:
        mask = np.zeros(n, dtype=np.int64)
        mask[rng.choice(n, size=k, replace=False)] = 1
        return mask

    start = time.perf_counter()
    for k in lengths:
        follow(net, draw(k)[None])
    round_s = time.perf_counter() - start
    rounds = max(1, math.ceil(OLD_BUDGET_S / round_s))
    values = np.array([[float(follow(net, draw(k)[None])[0]) for _ in range(SPREAD_DRAWS)]
                       for k in lengths])  # fmt: skip
    counts = np.array([math.comb(n, k) for k in lengths], dtype=np.float64)
    totals = counts * values.mean(1)
    spread = counts * values.std(1, ddof=1)
    whole = totals.sum()
    share = totals / whole
    variance = (spread**2) / rounds  # of each length's magnitude estimate
    others = variance.sum() - variance
    errors = np.sqrt((1 - share) ** 2 * variance + share**2 * others) / whole
    return np.concatenate([[0.0], errors, [0.0]]), rounds * round_s, rounds * (n + 1)


def shortcuts(runs: int, models: tuple[str, ...] = ("resnet50", "resnet152")) -> None:
    import torch

    from explorer.arch.structure import network_parts
    from explorer.inspect.contributions import _linearised, lesion_logits, shortcut_report
    from explorer.inspect.paths import PATHS, walk_paths
    from explorer.models.loading import load_model

    from .timing import forward_pass, interleaved, seconds

    print(f"Shortcuts report benchmark: one 224×224 image, random weights, CPU "
          f"({torch.get_num_threads()} threads), medians of {runs} interleaved runs")  # fmt: skip
    torch.manual_seed(0)
    x = torch.rand(1, 3, 224, 224)
    for name in models:
        model = load_model(name)
        parts = network_parts(model)
        n = len(parts.blocks)
        forward = forward_pass(model, x)

        med = interleaved({"forward": forward,
                           "report": lambda m=model: shortcut_report(x, m),
                           "lesions": lambda p=parts: lesion_logits(p, x)}, runs)  # fmt: skip
        report = shortcut_report(x, model)
        with torch.enable_grad():
            net = _linearised(parts, x, None)[-1]  # the network the report's walk followed
            walk_s = min(seconds(lambda net=net: walk_paths(net)) for _ in range(runs))
            old_errors, old_s, old_paths = _old_walk_errors(net)
        fwd = med["forward"]
        ratio = med["report"] / fwd
        new_errors = np.array(report.gradient_by_length_se)
        print(f"  {name} ({n} blocks, 2^{n} paths): forward {fwd * 1e3:.1f} ms")
        print(f"    shortcut_report        {med['report'] * 1e3:7.0f} ms = {ratio:5.1f} forward "
              f"passes (target ≤ {TARGET})  {'PASS' if ratio <= TARGET else 'over'}")  # fmt: skip
        print(f"      lesions              {med['lesions'] * 1e3:7.0f} ms = "
              f"{med['lesions'] / fwd:5.1f}")  # fmt: skip
        print(f"      path walk            {walk_s * 1e3:7.0f} ms = {walk_s / fwd:5.1f}  "
              f"({report.paths_followed} paths: {n + 2} exact + {PATHS} drawn)")  # fmt: skip
        rest = med["report"] - med["lesions"] - walk_s
        print(f"      forward, backward, norms {rest * 1e3:5.0f} ms = {rest / fwd:5.1f}")
        print(f"    the replaced walk: {old_s:.1f} s = {old_s / fwd:.0f} forward passes, "
              f"{old_paths} uniform paths")  # fmt: skip
        print(f"    standard error of a length's share: largest {new_errors.max():.4f} "
              f"(replaced walk {old_errors.max():.4f}); summed variance "
              f"{(new_errors**2).sum():.2e} (replaced {(old_errors**2).sum():.2e}), "
              f"{(old_errors**2).sum() / max((new_errors**2).sum(), 1e-30):.1f}× less")  # fmt: skip
