"""Benchmarks that print what they measure in one run:
`python -m explorer.tools.bench analysis|startup|ui|predict|shortcuts`.

Cold timings run in fresh interpreters (nothing cached, first-call costs included), interleaved so
that a busy machine slows every contender alike; medians are reported. Not part of the test suite:
speed targets live here, never in timed unit tests.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence

MODEL = "resnet152"
SIZE = 224


def _time(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _cold(kind: str) -> float:
    """One cold measurement in this (fresh) interpreter; imports are not timed."""
    import torch
    from torchvision import models as tvm

    from explorer.arch.analysis import analyze, summarize
    from explorer.arch.registry import get_entry

    if kind == "explorer":
        return _time(lambda: analyze(MODEL, SIZE))
    if kind == "torchinfo":
        import torchinfo

        model = tvm.get_model(MODEL).eval()  # built before the clock starts: torchinfo's favour
        return _time(lambda: torchinfo.summary(model, input_size=(1, 3, SIZE, SIZE), verbose=0))
    entry = get_entry(MODEL)
    if kind == "meta-forward":
        return _time(lambda: summarize(entry.build("meta"), SIZE, MODEL, MODEL))

    def real_forward() -> None:  # the alternative: uninitialised CPU weights, zeroed, real convs
        model = entry.build("meta").to_empty(device="cpu")
        with torch.no_grad():
            for tensor in [*model.parameters(), *model.buffers()]:
                tensor.zero_()
        summarize(model, SIZE, MODEL, MODEL)

    return _time(real_forward)


def _fresh(kind: str) -> float:
    out = subprocess.run(
        [sys.executable, "-m", "explorer.tools.bench", "_cold", kind],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return float(out.stdout.strip().splitlines()[-1])


def analysis(runs: int) -> None:
    from explorer.arch.analysis import analyze

    kinds = ("explorer", "torchinfo", "meta-forward", "cpu-forward")
    times: dict[str, list[float]] = {k: [] for k in kinds}
    for _ in range(runs):
        for kind in kinds:
            times[kind].append(_fresh(kind))
    med = {k: statistics.median(v) for k, v in times.items()}

    analyze(MODEL, SIZE)
    warm_calls = 1000
    warm = _time(lambda: [analyze(MODEL, SIZE) for _ in range(warm_calls)]) / warm_calls
    summary = analyze(MODEL, SIZE)
    to_dict = min(_time(summary.to_dict) for _ in range(20))

    print(f"analysis benchmark: {MODEL} at {SIZE}×{SIZE}, {runs} fresh interpreters per "
          f"contender, medians")  # fmt: skip
    print(f"  cold explorer.analyze          {med['explorer'] * 1e3:8.1f} ms")
    print(f"  cold torchinfo.summary         {med['torchinfo'] * 1e3:8.1f} ms  "
          "(model built before timing)")  # fmt: skip
    print(f"  ratio analyze / torchinfo      {med['explorer'] / med['torchinfo']:8.2f} ×  "
          "(target ≤ 1.5)")  # fmt: skip
    print(f"  method: meta-device forward    {med['meta-forward'] * 1e3:8.1f} ms")
    print(f"  method: real CPU forward       {med['cpu-forward'] * 1e3:8.1f} ms  "
          f"(meta is {med['cpu-forward'] / med['meta-forward']:.2f}× faster)")  # fmt: skip
    print(f"  warm analyze (cached)          {warm * 1e3:8.4f} ms  (target < 5 ms)")
    print(f"  to_dict of the cached summary  {to_dict * 1e3:8.2f} ms")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _call(url: str, api_name: str, data: list[object]) -> None:
    """One request through Gradio's queue over plain HTTP, read until its result arrives."""
    import httpx

    with httpx.Client(timeout=60) as http:
        event = http.post(f"{url}/gradio_api/call/{api_name}", json={"data": data}).json()
        with http.stream("GET", f"{url}/gradio_api/call/{api_name}/{event['event_id']}") as r:
            for line in r.iter_lines():
                if line.startswith("event: complete"):
                    return
                if line.startswith("event: error"):
                    raise RuntimeError(f"{api_name} failed")
    raise RuntimeError(f"{api_name}: no result")


def ui(rounds: int) -> None:
    """Server time of the Architecture tab's handler, and the round trip through the API."""
    from gradio_client import Client

    from explorer.arch.analysis import warm_cache
    from explorer.arch.registry import list_models
    from explorer.web.shared import engine
    from explorer.web.tab_architecture import architecture

    from .launch import launched

    names = list_models()
    engine()  # the imports, which the server does in the background, are not the handler's time
    cold = _time(lambda: architecture(MODEL, SIZE, "en"))
    warm_cache()
    first = [_time(lambda n=n: architecture(n, SIZE, "en")) for n in names if n != MODEL]
    cached = [_time(lambda n=n: architecture(n, SIZE, "en")) for n in names * rounds]

    with launched() as server:
        url = server.url
        client = Client(url, verbose=False)
        for n in names:  # the app warms its caches in the background; make sure it is done
            client.predict(n, SIZE, "en", api_name="/architecture")
        trips = [_time(lambda n=n: client.predict(n, SIZE, "en", api_name="/architecture"))
                 for n in names * rounds]  # fmt: skip
        raw = [_time(lambda n=n: _call(url, "architecture", [n, SIZE, "en"]))
               for n in names * rounds]  # fmt: skip

    ms = 1e3
    print(f"ui benchmark: /architecture at {SIZE}×{SIZE}, {len(names)} registry models, "
          f"{rounds} rounds")  # fmt: skip
    print(f"  handler, nothing cached ({MODEL})   {cold * ms:8.1f} ms")
    print(f"  handler, analysis cached (median)    {statistics.median(first) * ms:8.1f} ms  "
          f"(max {max(first) * ms:.1f})")  # fmt: skip
    print(f"  handler, page cached (median)        {statistics.median(cached) * ms:8.3f} ms  "
          f"(p95 {_percentile(cached, 0.95) * ms:.3f}; target < 100 ms)")  # fmt: skip
    print(f"  HTTP queue → complete (median)       {statistics.median(raw) * ms:8.1f} ms  "
          f"(p95 {_percentile(raw, 0.95) * ms:.1f}; Gradio's processing + transfer)")  # fmt: skip
    print(f"  gradio_client round trip (median)    {statistics.median(trips) * ms:8.1f} ms  "
          f"(p95 {_percentile(trips, 0.95) * ms:.1f}; + downloading the 2 files)")  # fmt: skip


MINIMAL_APP = """import argparse
import gradio as gr

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int)
with gr.Blocks() as demo:
    gr.Markdown("A minimal Gradio app: one Markdown block.")
demo.launch(server_port=parser.parse_args().port)
"""


def startup(runs: int) -> None:
    """Seconds from starting a process to its first HTTP answer: the app against a minimal Gradio
    app (one Markdown block), taking turns, medians."""
    import tempfile
    from pathlib import Path

    from .launch import SERVE, launched

    with tempfile.TemporaryDirectory() as tmp:
        minimal = Path(tmp) / "minimal_app.py"
        minimal.write_text(MINIMAL_APP)
        commands = {"minimal Gradio app": (sys.executable, str(minimal)),
                    "python -m explorer serve": SERVE}  # fmt: skip
        if Path("app.py").is_file():  # in a checkout: the Hugging Face Spaces entry point too
            commands["python app.py"] = (sys.executable, "app.py")
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(runs):
            for name, command in commands.items():
                with launched(command=command) as server:
                    times[name].append(server.started_s)
    med = {name: statistics.median(values) for name, values in times.items()}
    baseline = "minimal Gradio app"
    print(f"start-up benchmark: process start → first HTTP answer, {runs} runs each, taking "
          "turns, medians")  # fmt: skip
    for name, seconds in med.items():
        ratio = seconds / med[baseline]
        versus = "" if name == baseline else f"  {ratio:5.2f} × the minimal app (target ≤ 1.5)"
        print(f"  {name:<26} {seconds:6.2f} s{versus}")


def _interleaved(contenders: dict[str, Callable[[], object]], runs: int) -> dict[str, float]:
    """Median seconds per call, the contenders taking turns so that noise hits all alike."""
    for fn in contenders.values():  # warm-up: allocator, oneDNN primitives, lazy imports
        fn()
        fn()
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(runs):
        for name, fn in contenders.items():
            times[name].append(_time(fn))
    return {name: statistics.median(values) for name, values in times.items()}


def predict(runs: int) -> None:
    """explain() against a bare forward pass and against pytorch-grad-cam, same model and image."""
    import torch
    from pytorch_grad_cam import GradCAM

    from explorer.demo import make_samples
    from explorer.inspect.explain import explain
    from explorer.models.loading import load_model, model_info

    model = load_model("resnet50")  # random weights: the same arithmetic as trained ones
    image = make_samples(1, seed=0)[0][0].resize((256, 256))
    x = model_info(model).preprocess(image)[None]  # (1, 3, 224, 224)

    def bare() -> object:
        with torch.inference_mode():
            return model(x)

    library = GradCAM(model=model, target_layers=[model.layer4[-1]])
    contenders = {
        "bare torchvision forward": bare,
        "explorer.explain (top-5 + Grad-CAM layer4)": lambda: explain(x, model, 5, "layer4"),
        "pytorch-grad-cam GradCAM (layer4)": lambda: library(input_tensor=x, targets=None),
    }
    med = _interleaved(contenders, runs)
    names = list(med)
    print(f"predict benchmark: resnet50, one 224×224 image, CPU ({torch.get_num_threads()} "
          f"threads), median of {runs} interleaved runs")  # fmt: skip
    for name in names:
        print(f"  {name:<44} {med[name] * 1e3:8.1f} ms")
    ours, bare_t, theirs = med[names[1]], med[names[0]], med[names[2]]
    print(f"  explain / bare forward                       {ours / bare_t:8.2f} ×  (target ≤ 1.3)")
    print(f"  pytorch-grad-cam / explain                   {theirs / ours:8.2f} ×  (target ≥ 2)")
    if torch.cuda.is_available():
        _gpu(runs)
    else:
        print("  GPU: no CUDA device on this machine; not measured")


def _gpu(runs: int) -> None:
    """Latency and throughput of explain() on CUDA for batch 1 and 32."""
    import torch

    from explorer.inspect.explain import explain_many
    from explorer.models.loading import load_model

    name = torch.cuda.get_device_name()
    for model_name in ("resnet18", "resnet50", "resnet152"):
        model = load_model(model_name, device="cuda")
        for batch in (1, 32):
            xs = [torch.randn(1, 3, 224, 224) for _ in range(batch)]

            def step(xs: list = xs, model: torch.nn.Module = model) -> None:
                explain_many(xs, model, 5, "layer4")
                torch.cuda.synchronize()

            seconds = _interleaved({"gpu": step}, runs)["gpu"]
            print(f"  GPU {name}: {model_name} batch {batch:>2}: {seconds * 1e3:7.1f} ms per "
                  f"batch, {batch / seconds:8.1f} images/s")  # fmt: skip


def lesions(runs: int) -> None:
    """All blocks' lesions with the shared prefix, in forward-pass equivalents."""
    import torch

    from explorer.arch.structure import network_parts
    from explorer.inspect.contributions import lesion_logits, residual_branch, shortcut_path
    from explorer.models.loading import load_model

    print(f"lesion benchmark: one 224×224 image, CPU ({torch.get_num_threads()} threads), "
          f"median of {runs} interleaved runs")  # fmt: skip
    x = torch.randn(1, 3, 224, 224)
    for name in ("resnet50", "resnet152"):
        model = load_model(name)
        parts = network_parts(model)
        n = len(parts.blocks)

        def forward(model: torch.nn.Module = model) -> object:
            with torch.inference_mode():
                return model(x)

        def one_by_one(parts: object = parts) -> None:
            """The naive study: a whole forward pass per lesioned block."""
            with torch.inference_mode():
                for lesioned in range(len(parts.blocks)):
                    a = x
                    for _, m in parts.stem:
                        a = m(a)
                    for i, (_, block) in enumerate(parts.blocks):
                        s = shortcut_path(block, a)
                        a = torch.relu(s if i == lesioned else residual_branch(block, a) + s)
                    for _, m in parts.head:
                        a = m(a)

        med = _interleaved({"forward": forward, "shared": lambda p=parts: lesion_logits(p, x),
                            "naive": one_by_one}, runs)  # fmt: skip
        shared, naive = med["shared"] / med["forward"], med["naive"] / med["forward"]
        print(f"  {name} ({n} blocks): forward {med['forward'] * 1e3:.1f} ms")
        ms_shared, ms_naive = med["shared"] * 1e3, med["naive"] * 1e3
        print(f"    all lesions, shared prefix: {ms_shared:.0f} ms = {shared:.1f} forward passes "
              f"(bound N/2 + 2 = {n / 2 + 2:.0f})")  # fmt: skip
        print(f"    one whole pass per lesion:  {ms_naive:.0f} ms = {naive:.1f} forward passes")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m explorer.tools.bench")
    sub = parser.add_subparsers(dest="which", required=True)
    bench = sub.add_parser("analysis", help="cold and warm analyze() vs torchinfo")
    bench.add_argument("--runs", type=int, default=5)
    start = sub.add_parser("startup", help="time to the first HTTP answer vs a minimal Gradio app")
    start.add_argument("--runs", type=int, default=5)
    page = sub.add_parser("ui", help="server time of switching models in the Architecture tab")
    page.add_argument("--rounds", type=int, default=3)
    pred = sub.add_parser("predict", help="explain() vs a bare forward and pytorch-grad-cam")
    pred.add_argument("--runs", type=int, default=15)
    les = sub.add_parser("shortcuts", help="the lesion study with a shared prefix vs naive")
    les.add_argument("--runs", type=int, default=5)
    cold = sub.add_parser("_cold")  # internal: one measurement in a fresh interpreter
    cold.add_argument("kind")
    args = parser.parse_args(argv)
    if args.which == "_cold":
        print(_cold(args.kind))
    elif args.which == "startup":
        startup(args.runs)
    elif args.which == "ui":
        ui(args.rounds)
    elif args.which == "predict":
        predict(args.runs)
    elif args.which == "shortcuts":
        lesions(args.runs)
    else:
        analysis(args.runs)


if __name__ == "__main__":
    main()
