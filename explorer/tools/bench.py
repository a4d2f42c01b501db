"""Benchmarks that print what they measure in one run:
`python -m explorer.tools.bench analysis|startup|ui|network|predict|live|shortcuts|block|
saliency|browser|scale`.

Cold timings run in fresh interpreters (nothing cached, first-call costs included), interleaved so
that a busy machine slows every contender alike; medians are reported. Not part of the test suite:
speed targets live here, never in timed unit tests.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from collections.abc import Sequence

from .timing import percentile, seconds

MODEL = "resnet152"
SIZE = 224


def _cold(kind: str) -> float:
    """One cold measurement in this (fresh) interpreter; imports are not timed."""
    import torch
    from torchvision import models as tvm

    from explorer.arch.analysis import analyze, summarize
    from explorer.arch.registry import get_entry

    if kind == "explorer":
        return seconds(lambda: analyze(MODEL, SIZE))
    if kind == "explorer-timm":
        import timm  # imported before the clock, as for torchinfo below

        assert timm.is_model(MODEL)

        return seconds(lambda: analyze(f"timm/{MODEL}", SIZE))
    if kind == "torchinfo-timm":
        import timm
        import torchinfo

        model = timm.create_model(MODEL).eval()  # built before the clock starts
        return seconds(lambda: torchinfo.summary(model, input_size=(1, 3, SIZE, SIZE), verbose=0))
    if kind == "network":
        from explorer.render.network import network_diagram

        return seconds(lambda: network_diagram(MODEL, input_size=SIZE))
    if kind == "torchinfo":
        import torchinfo

        model = tvm.get_model(MODEL).eval()  # built before the clock starts: torchinfo's favour
        return seconds(lambda: torchinfo.summary(model, input_size=(1, 3, SIZE, SIZE), verbose=0))
    entry = get_entry(MODEL)
    if kind == "meta-forward":
        return seconds(lambda: summarize(entry.build("meta"), SIZE, MODEL, MODEL))

    def real_forward() -> None:  # the alternative: uninitialised CPU weights, zeroed, real convs
        model = entry.build("meta").to_empty(device="cpu")
        with torch.no_grad():
            for tensor in [*model.parameters(), *model.buffers()]:
                tensor.zero_()
        summarize(model, SIZE, MODEL, MODEL)

    return seconds(real_forward)


def _fresh(kind: str) -> float:
    out = subprocess.run(
        [sys.executable, "-m", "explorer.tools.bench", "_cold", kind],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return float(out.stdout.strip().splitlines()[-1])


def analysis(runs: int) -> None:
    import importlib.util

    from explorer.arch.analysis import analyze

    timm = importlib.util.find_spec("timm") is not None
    kinds = ("explorer", "torchinfo", "meta-forward", "cpu-forward",
             *(("explorer-timm", "torchinfo-timm") if timm else ()))  # fmt: skip
    times: dict[str, list[float]] = {k: [] for k in kinds}
    for _ in range(runs):
        for kind in kinds:
            times[kind].append(_fresh(kind))
    med = {k: statistics.median(v) for k, v in times.items()}

    analyze(MODEL, SIZE)
    warm_calls = 1000
    warm = seconds(lambda: [analyze(MODEL, SIZE) for _ in range(warm_calls)]) / warm_calls
    summary = analyze(MODEL, SIZE)
    to_dict = min(seconds(summary.to_dict) for _ in range(20))

    print(f"analysis benchmark: {MODEL} at {SIZE}×{SIZE}, {runs} fresh interpreters per "
          f"contender, medians")  # fmt: skip
    print(f"  cold explorer.analyze          {med['explorer'] * 1e3:8.1f} ms")
    print(f"  cold torchinfo.summary         {med['torchinfo'] * 1e3:8.1f} ms  "
          "(model built before timing)")  # fmt: skip
    print(f"  ratio analyze / torchinfo      {med['explorer'] / med['torchinfo']:8.2f} ×  "
          "(target ≤ 1.0)")  # fmt: skip
    print(f"  method: meta-device forward    {med['meta-forward'] * 1e3:8.1f} ms")
    print(f"  method: real CPU forward       {med['cpu-forward'] * 1e3:8.1f} ms  "
          f"(meta is {med['cpu-forward'] / med['meta-forward']:.2f}× faster)")  # fmt: skip
    if timm:  # read from its dataflow: no class or attribute name of timm is known
        ratio = med["explorer-timm"] / med["torchinfo-timm"]
        print(f"  cold analyze timm/{MODEL}    {med['explorer-timm'] * 1e3:8.1f} ms")
        print(f"  cold torchinfo of timm's       {med['torchinfo-timm'] * 1e3:8.1f} ms")
        print(f"  ratio timm analyze/torchinfo   {ratio:8.2f} ×  (target ≤ 1.5)")
    else:
        print("  timm/… rows: pip install 'resnet-explorer[timm]'")
    print(f"  warm analyze (cached)          {warm * 1e3:8.4f} ms  (target < 5 ms)")
    print(f"  to_dict of the cached summary  {to_dict * 1e3:8.2f} ms")


def ui(rounds: int) -> None:
    """Server time of the Architecture tab's handler, and the round trip through the API."""
    from gradio_client import Client

    from explorer.arch.analysis import warm_cache
    from explorer.arch.registry import list_models
    from explorer.web.shared import engine
    from explorer.web.tab_architecture import architecture

    from .launch import launched
    from .loadtest import Student

    names = list_models()
    engine()  # the imports, which the server does in the background, are not the handler's time
    cold = seconds(lambda: architecture(MODEL, SIZE, "en"))
    warm_cache()
    first = [seconds(lambda n=n: architecture(n, SIZE, "en")) for n in names if n != MODEL]
    cached = [seconds(lambda n=n: architecture(n, SIZE, "en")) for n in names * rounds]

    with launched() as server:
        url = server.url
        client = Client(url, verbose=False)
        for n in names:  # the app warms its caches in the background; make sure it is done
            client.predict(n, SIZE, "en", api_name="/architecture")
        trips = [seconds(lambda n=n: client.predict(n, SIZE, "en", api_name="/architecture"))
                 for n in names * rounds]  # fmt: skip
        student = Student(url)
        raw = [seconds(lambda n=n: student.call("/architecture", (n, SIZE, "en"), files=False))
               for n in names * rounds]  # fmt: skip

    ms = 1e3
    print(f"ui benchmark: /architecture at {SIZE}×{SIZE}, {len(names)} registry models, "
          f"{rounds} rounds")  # fmt: skip
    print(f"  handler, nothing cached ({MODEL})   {cold * ms:8.1f} ms")
    print(f"  handler, analysis cached (median)    {statistics.median(first) * ms:8.1f} ms  "
          f"(max {max(first) * ms:.1f})")  # fmt: skip
    print(f"  handler, page cached (median)        {statistics.median(cached) * ms:8.3f} ms  "
          f"(p95 {percentile(cached, 0.95) * ms:.3f}; target < 100 ms)")  # fmt: skip
    print(f"  HTTP queue → complete (median)       {statistics.median(raw) * ms:8.1f} ms  "
          f"(p95 {percentile(raw, 0.95) * ms:.1f}; Gradio's processing + transfer)")  # fmt: skip
    print(f"  gradio_client round trip (median)    {statistics.median(trips) * ms:8.1f} ms  "
          f"(p95 {percentile(trips, 0.95) * ms:.1f}; + downloading the 2 files)")  # fmt: skip


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
    for name, took in med.items():
        ratio = took / med[baseline]
        versus = "" if name == baseline else f"  {ratio:5.2f} × the minimal app (target ≤ 1.5)"
        print(f"  {name:<26} {took:6.2f} s{versus}")


def network(runs: int) -> None:
    """Figure 3: drawing ResNet-152's SVG cold and cached, and the page's figure event (SVG, PNG
    and both files) beside the tab's own answer, which it follows."""
    import re

    from explorer.render.network import network_diagram, network_figure3
    from explorer.web.shared import engine
    from explorer.web.tab_architecture import architecture, network_anew

    cold = statistics.median(_fresh("network") for _ in range(runs))
    engine()
    svg = network_diagram(MODEL, input_size=SIZE)
    drawn = statistics.median(seconds(lambda: network_diagram(MODEL, input_size=SIZE))
                              for _ in range(runs * 4))  # fmt: skip
    three = statistics.median(seconds(lambda: network_figure3(MODEL, input_size=SIZE))
                              for _ in range(runs))  # fmt: skip
    event = statistics.median(seconds(lambda: network_anew(MODEL, SIZE, "residual", "vertical",
                                                           "en")) for _ in range(runs))  # fmt: skip
    architecture(MODEL, SIZE, "en")
    tab = statistics.median(seconds(lambda: architecture(MODEL, SIZE, "en"))
                            for _ in range(runs))  # fmt: skip
    elements = len(re.findall(r"<(?!/)", svg))
    ms = 1e3
    print(f"network benchmark: Figure 3 of {MODEL} at {SIZE}×{SIZE}, folded to blocks, medians "
          f"of {runs}+ runs")  # fmt: skip
    print(f"  cold network_diagram, analysis included    {cold * ms:8.1f} ms  "
          "(fresh interpreter; target < 1000 ms)")  # fmt: skip
    print(f"  network_diagram, analysis cached           {drawn * ms:8.2f} ms")
    print(f"  network_figure3 (VGG-19, plain twin, it)   {three * ms:8.2f} ms")
    print(f"  the page's figure event (SVG, PNG, files)  {event * ms:8.1f} ms")
    print(f"  the tab's own answer before it (cached)    {tab * ms:8.3f} ms")
    print(f"  SVG: {len(svg.encode()) / 1024:.0f} KiB, {elements} elements, "
          f"{len(re.findall('data-layer=', svg))} data-layer")  # fmt: skip


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
    lv = sub.add_parser("live", help="/predict: compute, handler and gradio_client round trip")
    lv.add_argument("--runs", type=int, default=8, help="images (at most the 8 examples)")
    les = sub.add_parser("shortcuts", help="the Shortcuts report in forward passes, its paths' "
                         "precision, the lesions' shared prefix vs naive")  # fmt: skip
    les.add_argument("--runs", type=int, default=5)
    net = sub.add_parser("network", help="Figure 3 of ResNet-152: SVG, PNG and the page's event")
    net.add_argument("--runs", type=int, default=5)
    blk = sub.add_parser("block", help="block view, ERF and lesion curve vs bare passes")
    blk.add_argument("--runs", type=int, default=10)
    sal = sub.add_parser("saliency", help="each saliency method and the sanity check vs floors")
    sal.add_argument("--runs", type=int, default=5)
    web = sub.add_parser("browser", help="Chromium: the page against a minimal Gradio app")
    web.add_argument("--runs", type=int, default=5)
    big = sub.add_parser("scale", help="static site, batch (local and Ray), nginx replicas")
    big.add_argument("--images", type=int, default=200)
    big.add_argument("--clients", type=int, default=8)
    big.add_argument("--seconds", type=float, default=12)
    cold = sub.add_parser("_cold")  # internal: one measurement in a fresh interpreter
    cold.add_argument("kind")
    args = parser.parse_args(argv)
    if args.which == "_cold":
        print(_cold(args.kind))
    elif args.which == "startup":
        startup(args.runs)
    elif args.which == "ui":
        ui(args.rounds)
    elif args.which == "network":
        network(args.runs)
    elif args.which == "saliency":
        from .bench_saliency import saliency

        saliency(args.runs)
    elif args.which == "scale":
        from .bench_scale import scale

        scale(args.images, args.clients, args.seconds)
    elif args.which == "browser":
        from .bench_browser import browser

        browser(args.runs)
    elif args.which == "block":
        from .bench_block import block

        block(args.runs)
    elif args.which == "shortcuts":
        from . import bench_inference
        from .bench_shortcuts import shortcuts

        shortcuts(args.runs)
        bench_inference.lesions(args.runs)
    elif args.which in ("predict", "live"):
        from . import bench_inference

        run = {"predict": bench_inference.predict, "live": bench_inference.live}[args.which]
        run(args.runs)
    else:
        analysis(args.runs)


if __name__ == "__main__":
    main()
