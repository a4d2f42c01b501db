"""Linear imputation against pytorch-grad-cam's NoisyLinearImputer with noise 0 (scipy's spsolve
of the same system), on random masks and on the large holes a saliency map cuts."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from pytorch_grad_cam.metrics.road import NoisyLinearImputer

from explorer.inspect.imputation import linear_impute


def _masks(kind: str, n: int, h: int, w: int, share: float, g: torch.Generator) -> torch.Tensor:
    """Keep masks (n, h, w): scattered pixels, or smooth blobs as an upsampled CAM cuts them."""
    if kind == "scattered":
        score = torch.rand(n, h, w, generator=g)
    else:
        score = F.interpolate(torch.rand(n, 1, 5, 5, generator=g), (h, w), mode="bilinear")[:, 0]
    return score < torch.quantile(score.flatten(1), share, dim=1)[:, None, None]


# grad-cam hands torch tensors to numpy functions
pytestmark = pytest.mark.filterwarnings("ignore:__array_wrap__:DeprecationWarning")


@pytest.mark.parametrize("kind", ["scattered", "blobs"])
@pytest.mark.parametrize(("h", "w"), [(16, 16), (23, 37), (64, 64)])
@pytest.mark.parametrize("share", [0.1, 0.5, 0.9])  # of the pixels kept; 0.1 cuts large holes
def test_equals_grad_cams_spsolve(kind, h, w, share):
    g = torch.Generator().manual_seed(h * w)
    x = torch.randn(2, 3, h, w, generator=g) * 2
    keep = _masks(kind, 2, h, w, share, g)
    ours = linear_impute(x, keep)
    for image, mask, got in zip(x, keep, ours, strict=True):
        want = NoisyLinearImputer(noise=0)(image, mask.float())
        assert torch.allclose(got, want, atol=1e-5, rtol=0)
        assert torch.equal(got[:, mask], image[:, mask])  # kept pixels untouched


def test_nothing_kept_is_zero_and_everything_kept_is_the_image():
    x = torch.randn(2, 3, 9, 7)
    keep = torch.zeros(2, 9, 7, dtype=torch.bool)
    keep[1] = True
    out = linear_impute(x, keep)
    assert torch.equal(out[0], torch.zeros(3, 9, 7)) and torch.equal(out[1], x[1])
