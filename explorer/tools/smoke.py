"""`python -m explorer.tools.smoke [--outside DIR]`: the installed package checks itself as a new
user would use it, from any folder: the import, the demo weights read from inside the package, a
demo prediction that must be right on generated images, the console script, export-site, the
nginx template and batch, and the server
(`python -m explorer serve`) answering HTTP and one /predict call through gradio_client.

CI runs it against the wheel in a fresh environment, from a folder outside the checkout, with
`--outside <checkout>` so that an editable install cannot fill in what the wheel lacks.
Prints one line per check; exits 1 on the first failure.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

SAMPLES, SEED = 8, 2  # held-out generated images (the evaluation seed: no model trained on it)


class SmokeError(Exception):
    pass


def _check(ok: bool, what: str) -> None:
    if not ok:
        raise SmokeError(what)
    print(f"ok  {what}", flush=True)


def _package(outside: Path | None) -> Path:
    import explorer

    where = Path(explorer.__file__).resolve().parent
    _check(outside is None or not where.is_relative_to(outside.resolve()),
           f"import explorer {explorer.__version__} from {where}")  # fmt: skip
    return where


def _demo_prediction(where: Path) -> None:
    import explorer
    from explorer.demo import CLASSES, make_samples
    from explorer.models.bundled import bundled_weights

    for name in ("demo_basic", "demo_bottleneck"):
        path = bundled_weights(name)
        _check(path.is_file() and path.resolve().is_relative_to(where),
               f"{name} weights inside the package ({path.relative_to(where)})")  # fmt: skip
        images, labels, _ = make_samples(SAMPLES, seed=SEED)
        got = [explorer.predict(img, name, k=1)[0].label for img in images]
        want = [CLASSES[i] for i in labels]
        _check(got == want, f"{name} names {SAMPLES} generated shapes right: {', '.join(got)}")


def _experiment(where: Path) -> None:
    import explorer
    from explorer.experiments.degradation import MODELS, SHIPPED

    shipped = where / "experiments" / SHIPPED
    points = explorer.degradation_curves()
    _check(shipped.is_file() and {p.model for p in points} == set(MODELS),
           f"the degradation curves ship inside the package ({len(points)} records of "
           f"{', '.join(MODELS)})")  # fmt: skip
    from explorer.models.bundled import TRAINED_CARD, bundled_weights, trained_file

    for name in MODELS:
        path = bundled_weights(name)
        inside = path.is_file() and path.resolve().is_relative_to(where)
        _check(inside, f"{name}'s trained weights inside the package ({path.relative_to(where)})")
    _check(trained_file(TRAINED_CARD).is_file(), "their model card inside the package")
    curve = explorer.lesion_curve("resnet20", 1, repeats=1)
    card = trained_file(TRAINED_CARD).read_text(encoding="utf-8")
    _check(
        f"| {curve[0].mean_error:.1%} |" in card,
        f"resnet20 from the wheel: {curve[0].mean_error:.1%} held-out error, as its card says",
    )


def _console_script() -> None:
    script = Path(sys.executable).with_name("resnet-explorer")
    out = subprocess.run([str(script), "summary", "resnet18"], capture_output=True, text=True,
                         timeout=120, check=False)  # fmt: skip
    _check(out.returncode == 0 and "18 = 1 + 2·(2+2+2+2) + 1" in out.stdout,
           "resnet-explorer summary resnet18 prints the depth formula")  # fmt: skip
    out = subprocess.run([str(script), "summary", "resnet56", "--input-size", "32"],
                         capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    cifar = "56 = 1 + 2·(9+9+9) + 1" in out.stdout and "853,018" in out.stdout
    _check(
        out.returncode == 0 and cifar,
        "resnet-explorer summary resnet56 prints the CIFAR-10 formula and 853,018 parameters",
    )
    with tempfile.TemporaryDirectory() as folder:
        picture = Path(folder) / "figure3.png"
        out = subprocess.run([str(script), "diagram", "resnet34", "--figure3", "--format", "png",
                              "-o", str(picture)], capture_output=True, text=True, timeout=120,
                             check=False)  # fmt: skip
        drawn = picture.is_file() and picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        _check(out.returncode == 0 and drawn,
               "resnet-explorer diagram resnet34 --figure3 draws VGG-19, plain-34 and ResNet-34 "
               "as PNG")  # fmt: skip


def _served() -> None:
    from gradio_client import Client, handle_file

    from explorer.web.files import examples

    from .launch import launched

    with tempfile.TemporaryDirectory() as folder, launched(cwd=folder) as server:
        _check(True, f"python -m explorer serve answers HTTP after {server.started_s:.1f} s")
        example = examples()[0]  # "<n>-<class>.png", generated by the installed package
        client = Client(server.url, verbose=False)
        labels = client.predict(handle_file(example), "demo_bottleneck", "top-1", "layer4",
                                api_name="/predict")[0]  # fmt: skip
        want = Path(example).stem.split("-", 1)[1]
        _check(labels["label"] == want, f"/predict through gradio_client: {labels['label']}")
        shown = client.predict("resnet34", 224, False, "vertical", "en", True, api_name="/network")
        panels = [shown.count(f'data-model="{m}"') for m in ("vgg19", "resnet34")]
        _check(panels == [1, 2] and shown.count("data-layer=") == 19 + 34 + 34,
               "/network draws Figure 3 through gradio_client")  # fmt: skip
        *maps, twin, stats = client.predict(handle_file(example), "resnet20", "layer2.0", None,
                                            "DEFAULT", "en", api_name="/block")  # fmt: skip
        drawn = len(maps) == 4 and twin is not None and "layer2.0 of resnet20" in stats
        _check(drawn, "/block draws a block's four maps and plain20's F(x) through gradio_client")
        _, sentence = client.predict("zh", api_name="/degradation")
        _check("plain56" in sentence and "resnet56" in sentence,
               "/degradation answers with the shipped curves' sentence, in Chinese")  # fmt: skip


def _beyond() -> None:
    """export-site, the nginx template and batch, from the installed package."""
    from PIL import Image

    from explorer.demo.data import CLASSES, sample
    from explorer.deploy.nginx import nginx_config

    script = Path(sys.executable).with_name("resnet-explorer")
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder) / "site"
        out = subprocess.run([str(script), "export-site", str(site), "--models", "resnet18",
                              "--quiet"], capture_output=True, text=True, timeout=300,
                             check=False)  # fmt: skip
        page = site / "zh" / "architecture" / "resnet18.html"
        written = page.is_file() and (site / "assets" / "plotly.min.js").stat().st_size > 10**6
        _check(out.returncode == 0 and written and "18 = " in page.read_text("utf-8"),
               "resnet-explorer export-site writes resnet18's pages with plotly.js")  # fmt: skip
        text = nginx_config(Path(folder), [7861, 7862], 8080)
        _check("hash $rx_key consistent;" in text and "@" not in text.replace("$remote", ""),
               "deploy nginx's template is inside the package")  # fmt: skip
        images = Path(folder) / "images"
        images.mkdir()
        want = []
        for i in range(4):
            img, label, _ = sample(SEED, i)
            Image.fromarray(img).save(images / f"{i}.png")
            want.append(label)
        result = Path(folder) / "r.parquet"
        out = subprocess.run([str(script), "batch", "predict", "--images", str(images),
                              "--model", "demo_bottleneck", "--out", str(result), "--workers",
                              "1", "--quiet"], capture_output=True, text=True, timeout=300,
                             check=False)  # fmt: skip
        import pyarrow.parquet as pq

        got = pq.read_table(result).column("label").to_pylist() if result.is_file() else []
        names = [CLASSES[label] for label in want]
        _check(out.returncode == 0 and got == names,
               f"resnet-explorer batch predict names 4 shapes right: {', '.join(got)}")  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m explorer.tools.smoke")
    parser.add_argument(
        "--outside", type=Path, metavar="DIR", help="fail if explorer is imported from under DIR"
    )
    args = parser.parse_args(argv)
    try:
        where = _package(args.outside)
        _demo_prediction(where)
        _experiment(where)
        _console_script()
        _beyond()
        _served()
    except SmokeError as err:
        print(f"FAILED  {err}", file=sys.stderr)
        return 1
    print("smoke test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
