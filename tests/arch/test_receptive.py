"""Receptive-field arithmetic against closed forms."""

from __future__ import annotations

from torch import nn

from explorer.arch.receptive import Geometry
from explorer.arch.trace import Call


def _path(*modules: nn.Module) -> tuple[list[tuple[str, nn.Module]], dict[str, list[Call]]]:
    names = [(f"m{i}", m) for i, m in enumerate(modules)]
    return names, {n: [Call(i, None, None)] for i, (n, _) in enumerate(names)}


def test_stacked_3x3_convs_grow_by_two():
    for n in range(1, 6):  # n stacked 3×3 stride-1 convs see 2n + 1 pixels
        path, calls = _path(*(nn.Conv2d(1, 1, 3, padding=1) for _ in range(n)))
        assert Geometry().along(path, calls) == Geometry(2 * n + 1, 1)


def test_strides_multiply_the_jump_and_dilation_widens_the_kernel():
    path, calls = _path(nn.Conv2d(1, 1, 7, stride=2), nn.MaxPool2d(3, 2, 1), nn.Conv2d(1, 1, 3))
    # centres: the unpadded 7×7 moves position 0 to pixel 3, the padded pool keeps it, the
    # unpadded 3×3 moves it one step of 4 pixels further
    assert Geometry().along(path, calls) == Geometry(7 + 2 * 2 + 2 * 4, 2 * 2 * 1, 3 + 0 + 4)
    path, calls = _path(nn.Conv2d(1, 1, 3, dilation=2))
    assert Geometry().along(path, calls) == Geometry(5, 1, 2)
    path, calls = _path(nn.Conv2d(1, 1, 3, padding=1), nn.Conv2d(1, 1, 5, padding="same"))
    assert Geometry().along(path, calls) == Geometry(7, 1, 0)


def test_global_pooling_sees_every_position():
    pool = nn.AdaptiveAvgPool2d(1)
    g = Geometry(435, 32).through(pool, Call(0, (1, 512, 7, 7), (1, 512, 1, 1)))
    assert g == Geometry(435 + 6 * 32, 224, 3 * 32)


def test_modules_that_never_ran_are_skipped():
    conv = nn.Conv2d(1, 1, 3)
    assert Geometry().along([("unused", conv)], {}) == Geometry()


def test_the_box_of_a_position_is_centred_on_it():
    g = Geometry(35, 4, 1.5)
    assert g.centre(2, 3) == (9.5, 13.5)
    assert g.box(2, 3) == (9.5 - 17, 13.5 - 17, 9.5 + 17, 13.5 + 17)
    assert g.nearest(9.5, 13.5, (5, 5)) == (2, 3) and g.nearest(11.4, 15.6, (5, 5)) == (2, 4)
    assert g.nearest(-50, 500, (5, 5)) == (0, 4)  # off the grid: its nearest edge
