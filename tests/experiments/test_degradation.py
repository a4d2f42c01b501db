"""The degradation experiment: its shipped record, a short run of the command, reproducibility,
the data it trains on, and the sentence and chart the page makes of a record."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest

import explorer
from explorer.experiments import data
from explorer.experiments.degradation import (
    MODELS,
    CurvePoint,
    DegradationRun,
    Recipe,
    finding,
    load,
    run,
)

from ..conftest import ROOT

TINY = Recipe(steps=3, batch=16, train_samples=64, test_samples=32, record_every=1)


def test_shipped_curves_four_models_monotone_steps_errors_in_range():
    points = explorer.degradation_curves()
    assert all(isinstance(p, CurvePoint) for p in points)
    shipped = load()
    assert shipped.models == MODELS == ("plain20", "plain56", "resnet20", "resnet56")
    steps = None
    for model in MODELS:
        curve = shipped.curve(model)
        mine = [p.step for p in curve]
        assert mine == sorted(set(mine)) and mine[-1] == shipped.recipe.steps
        assert steps is None or mine == steps  # every model recorded at the same steps
        steps = mine
        assert all(0.0 <= p.train_error <= 1.0 and 0.0 <= p.test_error <= 1.0 for p in curve)
        assert curve[0].train_error > 0.7  # 10 classes: 90% error by chance, where all start
    for model in ("plain20", "resnet20", "resnet56"):  # these learned the shapes
        assert shipped.final(model).train_error < 0.1 and shipped.final(model).test_error < 0.1
    # the record says where and how long: at most the hour the issue allows on 2 CPU cores
    assert shipped.device and sum(shipped.seconds.values()) <= 3600
    assert shipped.versions["torch"]


def test_the_command_runs_a_few_steps_and_writes_readable_curves(tmp_path):
    out = tmp_path / "curves.json"
    done = subprocess.run(
        [sys.executable, "-m", "explorer.experiments", "degradation", "--steps", "2",
         "--record-every", "1", "--batch", "8", "--train-samples", "32", "--test-samples", "16",
         "--out", str(out)],
        capture_output=True, text=True, cwd=ROOT, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "8/8 steps" in done.stderr  # the progress bar reached the end
    points = explorer.degradation_curves(out)
    assert [(p.model, p.step) for p in points] == [(m, s) for m in MODELS for s in (1, 2)]
    assert json.loads(out.read_text())["recipe"]["steps"] == 2
    for line in done.stdout.splitlines()[:4]:
        assert line.split()[0] in MODELS


def test_a_bad_recipe_is_refused_with_a_clear_message(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "explorer.experiments", "degradation", "--steps", "2",
         "--record-every", "5", "--out", str(tmp_path / "x.json")],
        capture_output=True, text=True, cwd=ROOT, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 2 and "record_every" in done.stderr and "Traceback" not in done.stderr


def test_fixed_seeds_make_a_run_reproducible():
    recipe = replace(TINY, models=("plain20", "resnet20"))
    first, second = run(recipe), run(recipe)
    assert first.points == second.points
    again = DegradationRun.from_dict(json.loads(json.dumps(first.to_dict())))
    assert again.points == first.points and again.recipe == recipe


def test_data_is_a_pure_function_of_seed_and_index():
    x, y = data.make_arrays(200, seed=5)
    assert x.shape == (200, 32, 32, 3) and x.dtype == np.uint8
    assert set(y.tolist()) == set(range(len(data.CLASSES))) and len(data.CLASSES) == 10
    again, label = data.sample(5, 17)
    assert np.array_equal(again, x[17]) and label == y[17]
    assert not np.array_equal(x[0], data.sample(6, 0)[0])


def _run(errors: dict[str, float]) -> DegradationRun:
    """Two records per model: the given final errors at step 200, and at step 100 the same plus
    30 points (resnet56 plus 35: above resnet20 there)."""
    points = tuple(CurvePoint(m, s, errors[m] + (0.0 if s == 200 else 0.35 if m == "resnet56"
                                                 else 0.3), 0.5)
                   for m in MODELS for s in (100, 200))  # fmt: skip
    return DegradationRun(replace(Recipe(), steps=200), points, "cpu (2 threads)",
                          dict.fromkeys(MODELS, 60.0))  # fmt: skip


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_sentence_is_computed_from_the_last_records(lang):
    from explorer.web.views import degradation_html

    shows = _run({"plain20": 0.10, "plain56": 0.20, "resnet20": 0.08, "resnet56": 0.05})
    f = finding(shows)
    assert f.plain_degrades and f.residual_holds and f.steps == 200
    html = degradation_html(shows, lang)
    for number in ("20.0%", "10.0%", "5.0%", "8.0%", "200"):
        assert number in html
    assert f.lead == 1 and f.records == 2  # resnet56 at most resnet20 at step 200, not 100
    hides = _run({"plain20": 0.20, "plain56": 0.10, "resnet20": 0.05, "resnet56": 0.08})
    assert not finding(hides).plain_degrades and not finding(hides).residual_holds
    assert not finding(hides).residual_close  # the plain pair shows no gap to close
    other = degradation_html(hides, lang)
    close = _run({"plain20": 0.02, "plain56": 0.82, "resnet20": 0.014, "resnet56": 0.016})
    f = finding(close)
    assert f.plain_degrades and not f.residual_holds and f.residual_close
    near = degradation_html(close, lang)
    assert "0.2" in near and "80.0" in near  # the gaps, as the shown errors differ
    assert len({html, other, near}) == 3
    if lang == "en":
        assert "did not appear" in other and "not overfitting" in html
        assert "the degradation is gone" in near and "Not lower at the end" in near
    else:
        assert "没有出现" in other and "不是过拟合" in html and "退化已经消失" in near


def test_the_chart_draws_train_bold_and_test_thin_for_each_model():
    from explorer.web.figures import degradation_chart

    shipped = load()
    fig = degradation_chart(shipped, "zh")
    assert len(fig.data) == 8
    for trace in fig.data:
        model = trace.name.split(" · ")[0]
        train = trace.name.endswith("训练误差")
        assert trace.line.width == (3.2 if train else 1.2)
        field = "train_error" if train else "test_error"
        assert list(trace.y) == [getattr(p, field) for p in shipped.curve(model)]
