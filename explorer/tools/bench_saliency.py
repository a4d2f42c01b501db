"""`python -m explorer.tools.bench saliency`: each saliency method's cost as a ratio to its floor,
what it must compute, measured in one run at batch 1 on resnet50:

- the CAMs, Guided Backprop and Guided Grad-CAM: one forward and one backward pass to the input;
- Integrated Gradients with n steps and SmoothGrad with n samples: n of those, one after another;
- Occlusion: one forward pass per patch (and one of the image).

Target: at most 1.2× the floor; batching IG's steps, SmoothGrad's samples and Occlusion's patches
should beat it. Then the three CAMs shown together against Grad-CAM alone (one pass, not three),
and the cascading sanity check against the sum of its maps' floors (at most 1.2×).
"""

from __future__ import annotations

import torch

from .timing import interleaved, seconds


def _floor(model: torch.nn.Module, x: torch.Tensor) -> None:
    """One forward and one backward pass to the input, of the top score."""
    x = x.detach().clone().requires_grad_(True)
    torch.autograd.grad(model(x).max(), x)


def _forward(model: torch.nn.Module, x: torch.Tensor) -> None:
    with torch.no_grad():
        model(x)


def saliency(runs: int) -> None:
    from explorer.inspect.attribution import (
        CAMS,
        METHODS,
        attribute,
        compare,
        method_options,
        windows,
    )
    from explorer.inspect.sanity import sanity_check, units_of
    from explorer.models.loading import load_model

    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; medians of {runs} runs")
    model = load_model("resnet50", None)
    x = torch.rand(1, 3, 224, 224)
    steps, samples = 16, 16
    occ = method_options("occlusion", {}, 224)
    patches = windows(224, occ["patch"], occ["stride"]) ** 2
    options = {"integrated_gradients": {"steps": steps}, "smoothgrad": {"samples": samples}}
    calls = {m: (lambda m=m: attribute(x, model, m, **options.get(m, {}))) for m in METHODS}
    t = interleaved({"floor": lambda: _floor(model, x), "forward": lambda: _forward(model, x),
                     **calls}, runs)  # fmt: skip
    floors = {m: t["floor"] for m in METHODS}
    floors["integrated_gradients"] = steps * t["floor"]
    floors["smoothgrad"] = samples * t["floor"]
    floors["occlusion"] = (patches + 1) * t["forward"]
    ms = 1000
    print("\nresnet50, 224 px, random weights, batch 1")
    print(f"  floor: forward + backward to x {t['floor'] * ms:.1f} ms; "
          f"forward {t['forward'] * ms:.1f} ms")  # fmt: skip
    for m in METHODS:
        what = {"integrated_gradients": f" ({steps} steps)", "smoothgrad": f" ({samples} samples)",
                "occlusion": f" ({patches} patches of {occ['patch']} px)"}.get(m, "")  # fmt: skip
        print(f"  {m + what:<36} {t[m] * ms:9.1f} ms   {t[m] / floors[m]:.2f}× its floor "
              f"(target ≤ 1.2)")  # fmt: skip

    trio = interleaved({"gradcam": lambda: attribute(x, model, "gradcam"),
                        "trio": lambda: compare(x, model, CAMS)}, runs)  # fmt: skip
    print(f"\n  Grad-CAM, Grad-CAM++ and LayerCAM together {trio['trio'] * ms:.1f} ms, "
          f"Grad-CAM alone {trio['gradcam'] * ms:.1f} ms: {trio['trio'] / trio['gradcam']:.2f}× "
          f"(one pass, not three)")  # fmt: skip

    # The cascading check on resnet18: the original and one map set per unit randomised.
    small = load_model("resnet18", None)
    opts = {"steps": 8, "samples": 8, "patch": 56}
    occ = method_options("occlusion", {"patch": 56}, 224)
    patches = windows(224, occ["patch"], occ["stride"]) ** 2
    f = interleaved({"floor": lambda: _floor(small, x), "forward": lambda: _forward(small, x)},
                    runs)  # fmt: skip
    # the three CAMs: one floor (they share one pass); Guided Backprop and Guided Grad-CAM: one
    # each; IG and SmoothGrad: 8 each; Occlusion: a forward per patch and one of the image
    per_set = (1 + 2 + 8 + 8) * f["floor"] + (patches + 1) * f["forward"]
    steps_run = len(units_of(small)) + 1
    sanity_check(x, small, METHODS, **opts)  # warm-up
    took = min(seconds(lambda: sanity_check(x, small, METHODS, **opts))
               for _ in range(max(1, runs // 5)))  # fmt: skip
    print(
        f"\nresnet18 cascading sanity check, 8 methods, {steps_run} map sets "
        f"(IG 8 steps, SmoothGrad 8 samples, {patches} patches)"
    )
    print(f"  sanity_check {took:.2f} s; the sum of its maps' floors {steps_run * per_set:.2f} s: "
          f"{took / (steps_run * per_set):.2f}× (target ≤ 1.2)")  # fmt: skip
