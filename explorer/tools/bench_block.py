"""`python -m explorer.tools.bench block`: the Inside-a-block tab's costs as ratios measured in one
run, each against the bare computation it must at least do.

- block_view against a bare forward pass of the same model (target: at most 1.5×);
- one effective receptive field against a bare forward and backward to the input (at most 1.2×);
- resnet56's lesion curve (k = 0 … 10, 5 draws, 300 images) against the same number of bare
  batched forward passes, 51 of 300 images (at most 1×).
"""

from __future__ import annotations

import torch

from .timing import interleaved, seconds


def _bare_backward(model: torch.nn.Module, x: torch.Tensor) -> None:
    x = x.detach().clone().requires_grad_(True)
    torch.autograd.grad(model(x).sum(), x)


def block(runs: int) -> None:
    from explorer.experiments.lesions import HELDOUT, heldout_batch, lesion_curve
    from explorer.inspect.blockview import block_view
    from explorer.inspect.erf import effective_receptive_field
    from explorer.models.loading import load_model

    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; medians of {runs} runs")
    for name, weights, block_name, layer in (("resnet56", "DEFAULT", "layer2.0", "layer3"),
                                             ("resnet50", None, "layer2.0", "layer4")):  # fmt: skip
        model = load_model(name, weights)
        size = model.explorer_info.preprocess.crop_size[0]
        x = torch.rand(1, 3, size, size)

        def forward(model: torch.nn.Module = model, x: torch.Tensor = x) -> None:
            with torch.no_grad():
                model(x)

        t = interleaved({
            "forward": forward,
            "block_view": lambda m=model, x=x, b=block_name: block_view(x, m, b),
            "forward+backward": lambda m=model, x=x: _bare_backward(m, x),
            "erf": lambda m=model, x=x, lay=layer: effective_receptive_field(x, m, lay),
        }, runs)  # fmt: skip
        ms = 1000
        print(f"\n{name} ({size} px, {weights or 'random'} weights)")
        print(f"  bare forward                   {t['forward'] * ms:8.2f} ms")
        print(f"  block_view({block_name})         {t['block_view'] * ms:8.2f} ms   "
              f"{t['block_view'] / t['forward']:.2f}× the forward (target ≤ 1.5)")  # fmt: skip
        print(f"  bare forward + backward to x   {t['forward+backward'] * ms:8.2f} ms")
        print(f"  ERF at {layer} (centre unit)   {t['erf'] * ms:8.2f} ms   "
              f"{t['erf'] / t['forward+backward']:.2f}× (target ≤ 1.2)")  # fmt: skip

    model = load_model("resnet56", "DEFAULT")
    x, _ = heldout_batch(model)
    lesion_curve(model, 1, 1)  # warm-up: the held-out images and oneDNN's primitives

    def bare() -> None:
        with torch.no_grad():
            for _ in range(51):
                model(x)

    curve_s, bare_s = [], []
    for _ in range(max(1, runs // 5)):
        curve_s.append(seconds(lambda: lesion_curve(model, 10, 5)))
        bare_s.append(seconds(bare))
    curve, plain = min(curve_s), min(bare_s)
    print(f"\nresnet56 lesion curve, k = 0…10, 5 draws, {HELDOUT} images (best of {len(curve_s)})")
    print(f"  lesion_curve                   {curve:8.2f} s")
    print(f"  51 bare forwards of {HELDOUT} images  {plain:8.2f} s   {curve / plain:.2f}× "
          f"(target ≤ 1)")  # fmt: skip
