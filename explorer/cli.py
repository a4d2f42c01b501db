"""The command line: `python -m explorer models | summary NAME | diagram NAME | shortcuts IMAGE |
attribute IMAGE | fetch NAME | serve | export-site OUT |
deploy nginx | batch TASK`.

A user's mistake (unknown model, bad size, bad flag) prints one line on stderr and exits with
status 2; no traceback. Only rendering and dispatch here; the numbers come from the API. Each
command imports what it needs when it runs, so `serve` answers HTTP before torch has loaded.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from .arch.registry import CUSTOM_SPEC_HELP, get_entry, list_models
from .errors import ExplorerError
from .render.report import fmt_count, fmt_macs, layers_csv, summary_text, text_table

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # as a shell reports Ctrl-C


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        print(f"error: {message} (see {self.prog} --help)", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _parser() -> _Parser:
    parser = _Parser(
        prog="python -m explorer",
        description="ResNet Explorer: exact block structure, shapes, params and MACs of ResNets.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    models = sub.add_parser("models", help="list the registry with depth, block type and params")
    models.add_argument("--format", choices=("text", "json"), default="text")

    summary = sub.add_parser(
        "summary",
        help="depth formula, stage table and totals of one model",
        epilog=f"NAME is a registry name (see `models`) or {CUSTOM_SPEC_HELP}.",
    )
    summary.add_argument(
        "name",
        metavar="NAME",
        help="a registry name, timm/NAME, or your code: FILE.py:CALLABLE or MODULE:CALLABLE "
        "(a class or function that needs no arguments)",
    )
    summary.add_argument(
        "--input-size",
        type=int,
        default=None,
        metavar="N",
        help="square input side in pixels, 32-4096 (default: the model's own, 224 for ImageNet "
        "networks, 32 for CIFAR-10's)",
    )
    summary.add_argument(
        "--format",
        choices=("text", "json", "csv"),
        default="text",
        help="text: formula and stage table; json: the full summary; csv: one row per layer",
    )
    summary.add_argument("--blocks", action="store_true", help="text: add a row per block")

    diagram = sub.add_parser(
        "diagram",
        help="the whole network as the paper's Figure 3 draws it (SVG or PNG)",
        epilog=f"NAME is a registry name (see `models`), {CUSTOM_SPEC_HELP}, or vgg19 (the "
        "figure's left column).",
    )
    diagram.add_argument(
        "name",
        metavar="NAME",
        help="as for summary: a registry name, timm/NAME or FILE.py:CALLABLE",
    )
    diagram.add_argument("--plain", action="store_true", help="the plain twin: no shortcuts")
    diagram.add_argument("--figure3", action="store_true",
                         help="Figure 3 whole: VGG-19, the plain twin and NAME")  # fmt: skip
    diagram.add_argument("--format", choices=("svg", "png"), default="svg")
    diagram.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        default=None,
        help="where to write it (default: SVG to stdout, PNG to NAME.png)",
    )
    diagram.add_argument(
        "--input-size",
        type=int,
        default=None,
        metavar="N",
        help="square input side in pixels, 32-4096 (default: the model's own, 224 for ImageNet "
        "networks, 32 for CIFAR-10's)",
    )
    diagram.add_argument(
        "--expand",
        choices=("auto", "stages", "blocks", "layers"),
        default="auto",
        help="auto: every layer up to 50, deeper as blocks",
    )
    diagram.add_argument("--orientation", choices=("vertical", "horizontal"), default="vertical")
    diagram.add_argument("--lang", choices=("en", "zh"), default="en")

    sc = sub.add_parser("shortcuts", help="what each residual connection carries for an image")
    sc.add_argument("image", metavar="IMAGE")
    sc.add_argument("--model", default="demo_bottleneck", help="registry name, timm/NAME or "
                    "FILE.py:CALLABLE (default: the offline demo model)")  # fmt: skip
    sc.add_argument("--weights", default="DEFAULT", help="DEFAULT, a weights name, a file, or "
                    "random")  # fmt: skip
    sc.add_argument("--target", default=None, help="class index or label (default: top-1)")
    sc.add_argument("--paths", type=int, default=None, help="paths drawn beyond the exact "
                    "lengths, for a model of more than 10 blocks (default: 24)")  # fmt: skip
    sc.add_argument("--format", choices=("text", "json"), default="text")

    at = sub.add_parser("attribute", help="a saliency map of an image by one of eight methods")
    at.add_argument("image", metavar="IMAGE")
    at.add_argument("--model", default="demo_bottleneck", help="registry name, timm/NAME or "
                    "FILE.py:CALLABLE (default: the offline demo model)")  # fmt: skip
    at.add_argument("--weights", default="DEFAULT", help="DEFAULT, a weights name, a file, or "
                    "random")  # fmt: skip
    at.add_argument("--method", default="gradcam", metavar="METHOD",
                    help="gradcam (default), gradcam++, layercam, integrated_gradients, "
                         "smoothgrad, guided_backprop, guided_gradcam or occlusion")  # fmt: skip
    at.add_argument("--layer", default=None, help="stage or block for the CAMs and "
                    "guided_gradcam (default: the last stage)")  # fmt: skip
    at.add_argument("--target", default=None, help="class index or label (default: top-1)")
    at.add_argument("--option", action="append", default=[], metavar="NAME=VALUE",
                    help="a method's option, e.g. steps=64, samples=32, noise=0.1, patch=16, "
                         "stride=8 (repeatable)")  # fmt: skip
    at.add_argument(
        "-o",
        "--output",
        default=None,
        metavar="FILE.png",
        help="write the map over the image as a PNG (default: print numbers only)",
    )

    fetch_cmd = sub.add_parser(
        "fetch",
        help="download a model's torchvision weights into the "
        "torch hub cache (needs internet once)",
    )
    fetch_cmd.add_argument("name", metavar="NAME")
    fetch_cmd.add_argument("--weights", default="DEFAULT", help="weights name (default DEFAULT)")

    site = sub.add_parser(
        "export-site",
        help="every registry model's Architecture view, the Compare presets, Figure 3 and Why "
        "shortcuts as a static site (HTML, SVG, Plotly JSON; both languages)",
        epilog="Serve OUT with any static host, or open OUT/index.html from disk. Deep links work "
        "on OUT/index.html: ?tab=architecture&model=resnet152&lang=zh.",
    )
    site.add_argument("out", metavar="OUT", help="a new folder for the site")
    site.add_argument("--models", action="append", default=[], metavar="NAME[,NAME...]",
                      help="only these registry models (comma-separated or repeated; default: "
                           "all)")  # fmt: skip
    site.add_argument(
        "--live-url",
        default=None,
        metavar="URL",
        help="where the live app runs: each page links to its view there",
    )
    site.add_argument("--quiet", action="store_true", help="no progress bar")

    batch = sub.add_parser(
        "batch",
        help="one analysis over a folder of images into a Parquet file (resumable), then its "
        "aggregate as a table and a chart; --ray for a cluster",
    )
    batch.add_argument("task", choices=("predict", "shortcuts", "attribute", "lesions"))
    batch.add_argument("--images", required=True, metavar="DIR|GLOB",
                       help="a folder (searched recursively) or a glob such as "
                            "'photos/**/*.jpg'")  # fmt: skip
    batch.add_argument("--model", required=True, help="registry name, timm/NAME or "
                       "FILE.py:CALLABLE")  # fmt: skip
    batch.add_argument("--out", required=True, metavar="FILE.parquet",
                       help="one row per image; the chart goes beside it (FILE.html)")  # fmt: skip
    batch.add_argument("--weights", default="DEFAULT", help="DEFAULT, a weights name, a file, "
                       "or random")  # fmt: skip
    batch.add_argument("--target", default=None, help="class index or label (default: top-1)")
    batch.add_argument("--method", default="gradcam", help="attribute: the saliency method")
    batch.add_argument("--layer", default=None, help="attribute: the CAM layer")
    batch.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="local processes (default: the cores, up to 8) or Ray actors",
    )
    batch.add_argument("--threads", type=int, default=1, metavar="T",
                       help="torch threads per worker (default 1)")  # fmt: skip
    batch.add_argument("--chunk", type=int, default=16, metavar="K",
                       help="images per part written (default 16)")  # fmt: skip
    batch.add_argument("--ray", default=None, metavar="local|auto|ADDRESS",
                       help="run on Ray Data: a Ray started here (local), the cluster `ray "
                            "start` runs (auto), or its address; pip install "
                            "'resnet-explorer[ray]'")  # fmt: skip
    batch.add_argument("--quiet", action="store_true", help="no progress bar")

    deploy = sub.add_parser("deploy", help="serve a school: replicas behind a load balancer")
    how = deploy.add_subparsers(dest="engine", required=True, metavar="ENGINE")
    ngx = how.add_parser(
        "nginx",
        help="write an nginx configuration for N replicas with sticky sessions, and print the "
        "commands that start them",
    )
    ngx.add_argument("--replicas", type=int, required=True, metavar="N",
                     help="serve processes (about one per core, each with --threads)")  # fmt: skip
    ngx.add_argument("--port", type=int, required=True, metavar="P",
                     help="where nginx listens (the students' address)")  # fmt: skip
    ngx.add_argument("--first-port", type=int, default=None, metavar="Q",
                     help="the replicas listen on 127.0.0.1:Q, Q+1, ... (default P+1)")  # fmt: skip
    ngx.add_argument("--threads", type=int, default=1, metavar="T",
                     help="torch threads per replica (default 1)")  # fmt: skip
    ngx.add_argument("--host", default="127.0.0.1",
                     help="nginx's interface (default 127.0.0.1; 0.0.0.0: the school's "
                          "network)")  # fmt: skip
    ngx.add_argument("--out", default="explorer-nginx", metavar="FOLDER",
                     help="a new folder for nginx.conf, its logs and pid (default "
                          "./explorer-nginx)")  # fmt: skip

    serve = sub.add_parser("serve", help="start the web app (default http://127.0.0.1:7860)")
    serve.add_argument("--host", default="127.0.0.1",
                       help="interface to bind (default 127.0.0.1; 0.0.0.0: LAN)")  # fmt: skip
    serve.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    serve.add_argument("--auth", metavar="USER:PASS", type=_credentials,
                       help="ask for this login first (use it with --host 0.0.0.0)")  # fmt: skip
    serve.add_argument("--device", default=None,
                       help="auto (default: CUDA, then MPS, then CPU), cpu, cuda, cuda:1, mps; "
                            "also $EXPLORER_DEVICE")  # fmt: skip
    serve.add_argument("--autocast", choices=("bf16", "fp16", "off"), default=None,
                       help="mixed precision on any device (default: bf16 on CUDA, off "
                            "elsewhere); also $EXPLORER_AUTOCAST")  # fmt: skip
    serve.add_argument("--model", action="append", default=[], metavar="FILE.py:CALLABLE",
                       help="add a model of yours to every tab's menus (repeatable; also "
                            "MODULE:CALLABLE); only code named here is ever imported")  # fmt: skip
    serve.add_argument("--threads", type=int, default=None, metavar="N",
                       help="torch threads (default: one per core; behind a load balancer, "
                            "one per replica); also $EXPLORER_THREADS")  # fmt: skip
    serve.add_argument("--share", action="store_true",
                       help="also open a public gradio.live link (off by default)")  # fmt: skip
    return parser


def _credentials(text: str) -> tuple[str, str]:
    user, sep, password = text.partition(":")
    if not (sep and user and password):
        raise argparse.ArgumentTypeError("expected USER:PASS, e.g. --auth teacher:s3cret")
    return user, password


def _weights_status(name: str) -> str:
    from .models.bundled import bundled_weights
    from .models.weights import hub_file

    entry = get_entry(name)
    if entry.shipped:
        return "bundled" if bundled_weights(name).is_file() else "missing: see README"
    if entry.weights_enum is None:
        return "none published"
    default = entry.weights("DEFAULT")
    where = "cached" if hub_file(default).exists() else "not downloaded"
    return f"{default.name} ({where})"


def _models(fmt: str) -> str:
    from .arch.analysis import analyze

    records = []
    for name in list_models():
        entry = get_entry(name)
        s = analyze(name, entry.input_size)
        records.append(
            {
                "name": name,
                "title": entry.title,
                "depth": s.depth,
                "block": next(b.type for st in s.stages for b in st.block_rows),
                "layers": list(entry.layers),
                "params": s.total_params,
                "input_size": entry.input_size,
                "macs": s.total_macs,
                "weights": _weights_status(name),
                "note": entry.note,
            }
        )
    if fmt == "json":
        return json.dumps(records, indent=2, ensure_ascii=False) + "\n"
    rows = [
        [
            r["name"],
            str(r["depth"]),
            r["block"],
            "-".join(map(str, r["layers"])),
            fmt_count(r["params"]),
            str(r["input_size"]),
            fmt_macs(r["macs"]),
            r["weights"],
        ]
        for r in records
    ]
    header = ["name", "depth", "block", "stages", "params", "input", "MACs", "weights"]
    lines = text_table(header, rows, right={1, 4, 5, 6})
    lines += ["", f"Also accepted: {CUSTOM_SPEC_HELP}."]
    return "\n".join(lines) + "\n"


def _summary(name: str, input_size: int, fmt: str, blocks: bool) -> str:
    from .arch.analysis import analyze

    s = analyze(name, input_size)
    if fmt == "json":
        return json.dumps(s.to_dict(), indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        return layers_csv(s)
    return summary_text(s, blocks=blocks)


def _fetch(name: str, weights: str) -> str:
    from .models.weights import fetch

    entry = get_entry(name)
    path = fetch(entry.weights(weights.strip().upper()), progress=True)
    return f"{entry.name}: weights in {path}\n"


def _shortcuts(image: str, model: str, weights: str, target: str | None, fmt: str,
               paths: int | None = None) -> str:  # fmt: skip
    from .inspect.contributions import shortcut_report
    from .inspect.paths import PATHS
    from .models.loading import load_model

    if paths is not None and paths < 0:
        raise ExplorerError(f"--paths takes a count of 0 or more, got {paths}.")
    chosen = None if weights == "random" else weights
    module = load_model(model, chosen)
    wanted: int | str | None = int(target) if target and target.isdigit() else target
    report = shortcut_report(image, module, wanted, paths=PATHS if paths is None else paths)
    if fmt == "json":
        return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"
    rows = [[r.block, r.shortcut, f"{r.residual_norm:.1f}",
             f"{r.shortcut_norm:.1f}", f"{r.ratio:.3f}", f"{r.cosine:+.3f}",
             f"{r.grad_share_shortcut:.1%}", f"{r.grad_share_residual:.1%}",
             f"{r.lesion_delta:+.4f}",
             "yes" if r.lesion_top1_changed else "no"] for r in report.records]  # fmt: skip
    header = ["block", "shortcut", "‖F‖", "‖S‖", "‖F‖/‖S‖", "cos", "g via S", "g via F",
              "lesion Δp", "top-1 flips"]  # fmt: skip
    lines = [
        f"{report.title}, target “{report.target_label}” (p = {report.prob:.3f})"
        + ("" if report.trained else "  [untrained weights: numbers mean nothing]"),
        "",
    ]
    lines += text_table(header, rows, right={2, 3, 4, 5, 6, 7, 8})
    lines += ["", "g via S, g via F: the parts of the class score's gradient at the block's "
              "input that came back through the shortcut and through the residual branch, "
              "⟨g_S, g⟩ / ‖g‖² and ⟨g_F, g⟩ / ‖g‖² (they sum to 100%; when the two oppose, one "
              "is above 100% and the other below 0)."]  # fmt: skip
    n = len(report.records)
    followed = f"{report.paths_followed:,}"
    how = (f"all {followed} paths followed" if report.paths_exact else
           f"{followed} of the 2^{n} paths followed; ± one standard error")  # fmt: skip
    lengths = [[str(k), f"{count:.1%}", f"{share:.1%} ± {se:.1%}", f"{followed:,}"]
               for k, (count, share, se, followed) in enumerate(zip(
                   report.path_counts, report.gradient_by_length, report.gradient_by_length_se,
                   report.paths_by_length, strict=True))]  # fmt: skip
    lines += ["", f"The gradient by path length k (residual branches taken), {how}:", ""]
    lines += text_table(["k", "paths", "Σ‖g‖ share", "followed"], lengths, right={0, 1, 2, 3})
    return "\n".join(lines) + "\n"


def _option(text: str) -> tuple[str, float]:
    name, sep, value = text.partition("=")
    try:
        if not sep:
            raise ValueError
        number = float(value)
    except ValueError:
        raise ExplorerError(f"--option takes NAME=VALUE (e.g. steps=64), got {text!r}.") from None
    return name.strip(), int(number) if number.is_integer() and "." not in value else number


def _attribute(args: argparse.Namespace) -> str:
    from .inspect.attribution import attribute
    from .models.loading import load_model

    module = load_model(args.model, None if args.weights == "random" else args.weights)
    wanted: int | str | None = (int(args.target) if args.target and args.target.isdigit()
                                else args.target)  # fmt: skip
    a = attribute(args.image, module, args.method, args.layer, wanted,
                  **dict(_option(o) for o in args.option))  # fmt: skip
    where = f" at {a.layer}" if a.layer else ""
    peak = tuple(int(i) for i in divmod(int(abs(a.map).argmax()), a.map.shape[1]))
    opts = ", ".join(f"{k}={v}" for k, v in a.options)
    lines = [
        f"{a.title}: {a.method}{where}" + (f" ({opts})" if opts else "")
        + ("" if a.trained else "  [untrained weights: the map means nothing]"),
        f"class “{a.target_label}” (index {a.target}, p = {a.target_prob:.3f})",
        f"cost: {a.cost.forward} forward and {a.cost.backward} backward passes, "
        f"{a.cost.ms:.0f} ms",
        f"map: {a.map.shape[0]}×{a.map.shape[1]}, min {a.map.min():.4g}, max {a.map.max():.4g}, "
        f"peak |map| at (row, col) {peak}",
    ]  # fmt: skip
    if args.output:
        from .web.overlay import overlay

        path = Path(args.output)
        try:
            overlay(a.image, a.drawn, 0.5).save(path, format="PNG")
        except (OSError, ValueError) as err:
            raise ExplorerError(f"cannot write {path}: {err}") from None
        lines.append(f"wrote {path}")
    return "\n".join(lines) + "\n"


def _size(name: str, given: int | None) -> int:
    """--input-size, or the model's own input size (VGG-19's: 224)."""
    if given is not None:
        return given
    from .arch.stack import STACKS

    return 224 if name in STACKS else get_entry(name).input_size


def _diagram(args: argparse.Namespace) -> str:
    """The SVG itself for stdout, or a line saying where the file went."""
    from .render.network import network_diagram, network_figure3, png

    options = {"input_size": _size(args.name, args.input_size), "expand": args.expand,
               "orientation": args.orientation, "lang": args.lang}  # fmt: skip
    if args.figure3:
        svg = network_figure3(args.name, **options)
    else:
        svg = network_diagram(args.name, plain=args.plain, **options)
    if args.format == "svg" and args.output is None:
        return svg
    suffix = "-figure3" if args.figure3 else "-plain" if args.plain else ""
    stem = args.name.replace("/", "_") + suffix
    path = Path(args.output or f"{stem}.{args.format}")
    try:
        if args.format == "png":
            path.write_bytes(png(svg))
        else:
            path.write_text(svg, encoding="utf-8")
    except OSError as err:
        raise ExplorerError(f"cannot write {path}: {err.strerror or err}") from None
    return f"wrote {path}\n"


def _export_site(args: argparse.Namespace) -> str:
    from .progress import Reported
    from .web.site import export_site

    wanted = [m.strip() for given in args.models for m in given.split(",") if m.strip()]
    bar = Reported("pages", quiet=args.quiet)
    try:
        # --models that names nothing ("," say) reaches export_site as [], which refuses it
        site = export_site(args.out, wanted if args.models else None, live_url=args.live_url,
                           progress=bar)  # fmt: skip
    finally:
        bar.close()
    return (f"wrote {site.folder}: {len(site.models)} models, {len(site.presets)} presets, "
            f"{site.pages} pages, {site.files} files, {site.bytes / 2**20:.1f} MiB in "
            f"{site.seconds:.1f} s\nopen {site.folder / 'index.html'} or serve the folder, e.g. "
            f"python -m http.server -d {site.folder}\n")  # fmt: skip


def _batch(args: argparse.Namespace) -> str:
    from .batch.run import run_batch
    from .batch.summary import summarize
    from .progress import Reported

    bar = Reported("images", quiet=args.quiet)
    wanted: int | str | None = (int(args.target) if args.target and args.target.isdigit()
                                else args.target)  # fmt: skip

    def heard(done: int, total: int, errors: int) -> None:
        bar(done, total, f"{errors} unreadable" if errors else "")

    try:
        run = run_batch(args.task, args.images, args.model, args.out,
                        weights=None if args.weights == "random" else args.weights,
                        target=wanted, method=args.method, layer=args.layer,
                        workers=args.workers, threads=args.threads, chunk=args.chunk,
                        ray=args.ray, progress=heard)  # fmt: skip
    finally:
        bar.close()
    if run.images and run.errors == run.images:
        raise ExplorerError(f"no image could be analysed (the rows in {run.out} say why): check "
                            "--images.")  # fmt: skip
    summary = summarize(run.out)
    lines = [f"wrote {run.out}: {run.images} images ({run.resumed} from an interrupted run), "
             f"{run.errors} with an error, on {run.engine}: {run.analysed} analysed in "
             f"{run.seconds:.1f} s, {run.rate:.1f} images/s", ""]  # fmt: skip
    lines += _summary_table(summary)
    from .web.figures import batch_chart

    chart = run.out.with_suffix(".html")
    try:
        batch_chart(summary).write_html(chart, include_plotlyjs=True)
        lines += ["", f"chart: {chart}"]
    except OSError as err:
        lines += ["", f"could not write the chart {chart}: {err.strerror or err}"]
    return "\n".join(lines) + "\n"


def _summary_table(summary: object) -> list[str]:
    from .batch.summary import BatchSummary

    assert isinstance(summary, BatchSummary)
    lines: list[str] = []
    if summary.blocks:
        keys = [s.name for s in summary.blocks[0][1]]
        rows = [[block, *(f"{s.mean:+.4f} ± {s.std:.4f}" for s in stats)]
                for block, stats in summary.blocks]  # fmt: skip
        lines += [f"per block, mean ± standard deviation over {summary.blocks[0][1][0].n} images:",
                  ""]  # fmt: skip
        lines += text_table(["block", *keys], rows, right=set(range(1, len(keys) + 1)))
    if summary.path_lengths:
        rows = [[s.name, f"{s.mean:.1%} ± {s.std:.1%}"] for s in summary.path_lengths]
        lines += ["", "the gradient's share by path length k (residual branches taken):", ""]
        lines += text_table(["k", "Σ‖g‖ share"], rows, right={1})
    if summary.classes:
        rows = [[label, str(n)] for label, n in summary.classes[:20]]
        lines += text_table(["top-1 class", "images"], rows, right={1})
    if summary.peak:
        row, col = summary.peak
        lines += [f"the map peaks at row {row.mean:.1f} ± {row.std:.1f}, column {col.mean:.1f} "
                  f"± {col.std:.1f} (over {row.n} images)"]  # fmt: skip
    if summary.prob and summary.prob.n:
        lines += ["", f"the target's probability: {summary.prob.mean:.3f} ± "
                  f"{summary.prob.std:.3f}"]  # fmt: skip
    return lines


def _deploy_nginx(args: argparse.Namespace) -> str:
    from .deploy.nginx import write_nginx

    plan = write_nginx(args.out, args.replicas, args.port, args.first_port, args.threads,
                       args.host)  # fmt: skip
    lines = [f"wrote {plan.config} (checked with nginx -t)", "",
             f"1. start the {len(plan.replicas)} replicas, {plan.threads} torch thread"
             f"{'s' if plan.threads > 1 else ''} each, on 127.0.0.1"
             + (", each on cores of its own:" if plan.pinned else " (more threads than cores: "
                "not pinned to cores):"), "",
             *(f"   {c}" for c in plan.commands[:-1]), "",
             "2. start nginx:", "", f"   {plan.commands[-1]}", "",
             f"3. students open {plan.url}", "",
             "Each replica takes serve's other options too: --auth USER:PASS for a login, "
             "--device cuda on a GPU.", "",
             f"stop: {plan.stop_command()}, then the replicas (kill %1 %2 ...)"]  # fmt: skip
    return "\n".join(lines) + "\n"


def _yours(name: str) -> str:
    """A registry name as it is; code named on this command line imported and registered."""
    from .models.yours import is_target, load_target

    return load_target(name).name if is_target(name) else name


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "serve":  # the one command that is the web page (explorer/web)
        from .web.server import serve

        try:
            for target in args.model:
                _yours(target)
            serve(host=args.host, port=args.port, auth=args.auth, device=args.device,
                  autocast=args.autocast, share=args.share, threads=args.threads)  # fmt: skip
        except ExplorerError as err:  # a --device this machine lacks
            print(f"error: {err}", file=sys.stderr)
            return EXIT_USAGE
        except OSError as err:  # the port is taken, or the host is not this machine's
            print(f"error: cannot serve on {args.host}:{args.port} ({err.strerror or err}); "
                  "choose another --port or --host.", file=sys.stderr)  # fmt: skip
            return EXIT_USAGE
        return 0
    try:
        if getattr(args, "name", None):
            args.name = _yours(args.name)
        if getattr(args, "model", None):
            args.model = _yours(args.model)
        if args.command == "models":
            text = _models(args.format)
        elif args.command == "summary":
            text = _summary(args.name, _size(args.name, args.input_size), args.format,
                            args.blocks)  # fmt: skip
        elif args.command == "shortcuts":
            text = _shortcuts(
                args.image, args.model, args.weights, args.target, args.format, args.paths
            )
        elif args.command == "attribute":
            text = _attribute(args)
        elif args.command == "diagram":
            text = _diagram(args)
        elif args.command == "export-site":
            text = _export_site(args)
        elif args.command == "deploy":
            text = _deploy_nginx(args)
        elif args.command == "batch":
            text = _batch(args)
        else:
            text = _fetch(args.name, args.weights)
    except ExplorerError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        if args.command != "batch":
            raise
        print(f"interrupted: the images analysed so far are kept in {args.out}.parts; run the "
              "same command again to go on.", file=sys.stderr)  # fmt: skip
        return EXIT_INTERRUPTED
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:  # `... | head` closed the pipe; that is not an error
        sys.stderr.close()
    return 0
