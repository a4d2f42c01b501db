"""`python -m explorer batch`: one row per image, the same rows in this process, in worker
processes and on Ray Data; an interrupted run resumes without duplicates; a damaged image is a
row with its error; the aggregate is the images' mean and spread.

Ray runs in .ci/run (pip install ".[test,ray]"; EXPLORER_REQUIRE_RAY=1 there: its absence
fails); elsewhere its tests are skipped when Ray is not installed.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pyarrow.parquet as pq
import pytest
from PIL import Image

from explorer.batch.analyze import SCHEMAS
from explorer.batch.run import find_images, parts_folder, run_batch
from explorer.batch.summary import summarize
from explorer.demo.data import sample
from explorer.errors import ExplorerError
from explorer.inspect.lesions import predict_without
from explorer.models.loading import load_model

HAS_RAY = importlib.util.find_spec("ray") is not None
needs_ray = pytest.mark.skipif(
    not HAS_RAY and os.environ.get("EXPLORER_REQUIRE_RAY") != "1",
    reason="Ray is not installed (pip install 'resnet-explorer[ray]')",
)


def _images(folder, n, broken=True):
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        img, _, _ = sample(11, i)
        Image.fromarray(img).save(folder / f"img-{i:04d}.png")
    if broken:
        (folder / "sub").mkdir(exist_ok=True)
        (folder / "sub" / "broken.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    return folder


def _rows(path):
    return pq.read_table(path).to_pylist()


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    return _images(tmp_path_factory.mktemp("batch") / "images", 12)


def test_a_damaged_image_is_a_row_with_its_error(images, tmp_path):
    run = run_batch("predict", str(images), "demo_basic", tmp_path / "r.parquet", workers=1)
    rows = _rows(tmp_path / "r.parquet")
    assert [r["image"] for r in rows] == sorted(r["image"] for r in rows)
    assert len(rows) == run.images == 13 and run.errors == 1 and run.analysed == 13
    broken = next(r for r in rows if r["image"] == "sub/broken.jpg")
    assert "not an image" in broken["error"] and broken["label"] is None
    assert pq.read_schema(tmp_path / "r.parquet") == SCHEMAS["predict"]
    assert not parts_folder(tmp_path / "r.parquet").exists()
    model = load_model("demo_basic", "DEFAULT")
    for row in rows[:3]:  # the probabilities are those of the model's own forward pass
        if row["error"]:
            continue
        import torch

        from explorer.inspect.explain import prepare

        x, _ = prepare(images / row["image"], model)
        with torch.no_grad():
            p = model(x).softmax(1)[0]
        assert row["top5_index"][0] == int(p.argmax())
        np.testing.assert_allclose(row["top5_prob"], p.sort(descending=True).values[:5].numpy(),
                                   rtol=1e-5)  # fmt: skip


def test_each_lesion_is_the_network_run_without_that_block(images, tmp_path):
    """The batched lesions against inspect.lesions.predict_without, which runs the network with
    the block deleted (another code path), one block at a time."""
    run_batch("lesions", str(images / "img-000[0-2].png"), "demo_basic", tmp_path / "l.parquet",
              workers=1)  # fmt: skip
    model = load_model("demo_basic", "DEFAULT")
    for row in _rows(tmp_path / "l.parquet"):
        for block, prob in zip(row["blocks"], row["lesion_prob"], strict=True):
            without = predict_without(images / row["image"], model, [block], k=8)
            said = {p.index: p.prob for p in without.predictions}
            assert prob == pytest.approx(said[row["target"]], abs=1e-5), (row["image"], block)


def test_attribute_keeps_each_map_and_the_aggregate_averages_them(images, tmp_path):
    from explorer.inspect.attribution import attribute

    run_batch("attribute", str(images / "img-000[0-3].png"), "demo_basic",
              tmp_path / "a.parquet", method="gradcam", layer="layer3", workers=1)  # fmt: skip
    rows = _rows(tmp_path / "a.parquet")
    model = load_model("demo_basic", "DEFAULT")
    maps = []
    for row in rows:
        a = attribute(images / row["image"], model, "gradcam", "layer3")
        stored = np.asarray(row["map"], np.float32).reshape(row["map_shape"])
        np.testing.assert_array_equal(stored, a.map.astype(np.float32))
        assert (row["peak_row"], row["peak_col"]) == np.unravel_index(abs(a.map).argmax(),
                                                                      a.map.shape)  # fmt: skip
        maps.append(np.abs(stored) / np.abs(stored).max())
    summary = summarize(tmp_path / "a.parquet")
    np.testing.assert_allclose(summary.mean_map, np.mean(maps, axis=0), rtol=1e-5, atol=1e-6)


def test_worker_processes_give_the_same_rows(images, tmp_path):
    one = run_batch("shortcuts", str(images), "demo_bottleneck", tmp_path / "a.parquet",
                    workers=1, chunk=4)  # fmt: skip
    two = run_batch("shortcuts", str(images), "demo_bottleneck", tmp_path / "b.parquet",
                    workers=2, chunk=4)  # fmt: skip
    assert one.engine == "this process" and two.engine == "2 processes"
    assert _rows(tmp_path / "a.parquet") == _rows(tmp_path / "b.parquet")


def test_an_interrupted_run_resumes_without_duplicates(tmp_path):
    folder = _images(tmp_path / "many", 40, broken=False)
    out = tmp_path / "r.parquet"
    command = [sys.executable, "-m", "explorer", "batch", "shortcuts", "--images", str(folder),
               "--model", "demo_bottleneck", "--out", str(out), "--workers", "1", "--chunk", "2",
               "--quiet"]  # fmt: skip
    killed = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    parts = parts_folder(out)
    deadline = time.monotonic() + 120
    while len(list(parts.glob("part-*.parquet"))) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    killed.send_signal(signal.SIGKILL)  # no chance to tidy up: the worst interruption
    killed.wait()
    kept = len(list(parts.glob("part-*.parquet")))
    assert 3 <= kept < 20 and not out.exists()
    again = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert f"({2 * kept} from an interrupted run)" in again.stdout
    rows = _rows(out)
    assert [r["image"] for r in rows] == [f"img-{i:04d}.png" for i in range(40)]  # once each
    whole = run_batch("shortcuts", str(folder), "demo_bottleneck", tmp_path / "w.parquet",
                      workers=1)  # fmt: skip
    assert whole.resumed == 0 and rows == _rows(tmp_path / "w.parquet")


def test_the_aggregate_is_the_images_mean_and_spread(images, tmp_path):
    run_batch("shortcuts", str(images), "demo_bottleneck", tmp_path / "s.parquet", workers=1)
    summary = summarize(tmp_path / "s.parquet")
    table = pq.read_table(tmp_path / "s.parquet").to_pandas()
    ok = table[table["error"].isna()]
    assert summary.images == 13 and summary.errors == 1
    for i, (_block, stats) in enumerate(summary.blocks):
        deltas = np.array([d[i] for d in ok["lesion_delta"]])
        stat = next(s for s in stats if s.name == "lesion_delta")
        assert stat.n == 12 and stat.mean == pytest.approx(deltas.mean())
        assert stat.std == pytest.approx(deltas.std(ddof=1))
    shares = np.stack(ok["gradient_by_length"].to_numpy())
    assert [s.mean for s in summary.path_lengths] == pytest.approx(shares.mean(0))


def test_the_command_prints_the_aggregate_and_writes_the_chart(images, tmp_path, capsys):
    from explorer.cli import main

    assert main(["batch", "lesions", "--images", str(images), "--model", "demo_basic",
                 "--out", str(tmp_path / "r.parquet"), "--workers", "1"]) == 0  # fmt: skip
    out, err = capsys.readouterr()
    assert out.startswith(f"wrote {tmp_path / 'r.parquet'}: 13 images (0 from an interrupted "
                          "run), 1 with an error, on this process")  # fmt: skip
    assert "per block, mean ± standard deviation over 12 images" in out and "layer4.0" in out
    assert "13/13 images" in err and (tmp_path / "r.html").stat().st_size > 1_000_000


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"images": "/nowhere/*.jpg"}, "no images found at '/nowhere/*.jpg'"),
        ({"task": "dance"}, "unknown task 'dance'"),
        ({"out": "r.csv"}, "--out names a Parquet file"),
        ({"model": "nope"}, "unknown model 'nope'"),
    ],
)
def test_bad_input_is_one_sentence(images, tmp_path, change, says):
    kwargs = {"task": "predict", "images": str(images), "model": "demo_basic",
              "out": tmp_path / "r.parquet", **change}  # fmt: skip
    if kwargs["out"] == "r.csv":
        kwargs["out"] = tmp_path / "r.csv"
    with pytest.raises(ExplorerError, match=says.replace("*", r"\*").replace("(", r"\(")):
        run_batch(kwargs.pop("task"), kwargs.pop("images"), kwargs.pop("model"),
                  kwargs.pop("out"), workers=1)  # fmt: skip
    assert list(tmp_path.iterdir()) == []


def test_an_existing_output_or_another_runs_parts_are_refused(images, tmp_path):
    (tmp_path / "r.parquet").write_bytes(b"mine")
    with pytest.raises(ExplorerError, match="already exists"):
        run_batch("predict", str(images), "demo_basic", tmp_path / "r.parquet")
    assert (tmp_path / "r.parquet").read_bytes() == b"mine"
    parts = parts_folder(tmp_path / "s.parquet")
    parts.mkdir()
    (parts / "run.json").write_text('{"task": "lesions"}')
    with pytest.raises(ExplorerError, match="interrupted run with other settings"):
        run_batch("predict", str(images), "demo_basic", tmp_path / "s.parquet")


def test_a_wrong_option_is_one_sentence_before_any_image(images, tmp_path):
    for kwargs, says in (({"target": "unicorn"}, "no class called 'unicorn'"),
                         ({"method": "astrology"}, "unknown --method 'astrology'"),
                         ({"layer": "layer9"}, "no layer 'layer9'")):  # fmt: skip
        with pytest.raises(ExplorerError, match=says):
            run_batch("attribute", str(images), "demo_basic", tmp_path / "r.parquet", **kwargs)
        assert not parts_folder(tmp_path / "r.parquet").exists()


def test_a_resumed_run_must_name_the_same_images(images, tmp_path):
    """Keys are paths under the folder or as a glob matched them: another --images would list
    every image twice."""
    parts = parts_folder(tmp_path / "r.parquet")
    parts.mkdir()
    import json

    record = {"task": "predict", "model": "demo_basic", "weights": "DEFAULT", "target": None,
              "method": "gradcam", "layer": None, "images": str(images)}  # fmt: skip
    (parts / "run.json").write_text(json.dumps(record))
    with pytest.raises(ExplorerError, match="interrupted run with other settings"):
        run_batch("predict", str(images / "*.png"), "demo_basic", tmp_path / "r.parquet")
    run = run_batch("predict", str(images), "demo_basic", tmp_path / "r.parquet", workers=1)
    assert run.resumed == 0 and run.analysed == 13  # the same run, its parts empty


def test_a_run_where_no_image_can_be_read_says_so(tmp_path, capsys):
    from explorer.cli import main

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.png").write_bytes(b"nothing")
    assert main(["batch", "predict", "--images", str(tmp_path / "in"), "--model", "demo_basic",
                 "--out", str(tmp_path / "r.parquet"), "--quiet"]) == 2  # fmt: skip
    assert "no image could be analysed" in capsys.readouterr().err


def test_without_ray_the_option_says_what_to_install(images, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray now fails as if absent
    with pytest.raises(ExplorerError, match=r"pip install 'resnet-explorer\[ray\]'"):
        run_batch("predict", str(images), "demo_basic", tmp_path / "r.parquet", ray="local")


def test_the_images_a_folder_or_a_glob_names(images):
    assert [k for k, _ in find_images(str(images))][-1] == "sub/broken.jpg"
    assert next(k for k, _ in find_images(str(images / "*.png"))) == str(images / "img-0000.png")


@needs_ray
def test_ray_data_gives_the_same_rows_as_the_local_path(tmp_path):
    folder = _images(tmp_path / "set", 240)
    local = run_batch("lesions", str(folder), "demo_basic", tmp_path / "local.parquet",
                      workers=1)  # fmt: skip
    ray = run_batch("lesions", str(folder), "demo_basic", tmp_path / "ray.parquet", ray="local",
                    workers=2)  # fmt: skip
    print(f"local {local.rate:.1f} images/s, Ray {ray.rate:.1f} images/s ({ray.engine})")
    assert ray.engine.startswith("a Ray started here, 2 actors")
    assert ray.images == local.images == 241 and ray.errors == 1
    assert _rows(tmp_path / "ray.parquet") == _rows(tmp_path / "local.parquet")
