"""Inference benchmarks: explain against a bare forward pass and pytorch-grad-cam, /predict live
(compute, handler, round trips through the page's protocol and through gradio_client), the GPU
when there is one, and the lesion study's shared prefix. Run through
`python -m explorer.tools.bench predict|live|shortcuts`.
"""

from __future__ import annotations

import statistics

from .timing import forward_pass, interleaved, seconds


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
    med = interleaved(contenders, runs)
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


def live(runs: int) -> None:
    """/predict one client at a time: what it computes, the handler around it, and two round trips,
    taking turns: the page's own protocol over HTTP (upload, queue join, event stream, every
    returned file fetched) and gradio_client doing the same."""
    import torch
    from gradio_client import Client, handle_file

    from explorer.arch.registry import list_models
    from explorer.inspect.explain import explain_many
    from explorer.models.loading import load_model
    from explorer.web import tab_predict
    from explorer.web.files import examples
    from explorer.web.shared import engine

    from .launch import launched
    from .loadtest import Student

    engine()
    images = examples()  # the page's generated examples, one per class
    cases = {"demo_bottleneck": "DEFAULT", "resnet50": "random"}
    models = {name: load_model(name, None if w == "random" else w) for name, w in cases.items()}

    def handler(name: str, path: str) -> object:
        return tab_predict.predict({"path": path}, name, "top-1", "layer4", cases[name])

    contenders = {}
    for name, model in models.items():
        for k, path in enumerate(images[:runs]):
            contenders[f"{name} compute {k}"] = lambda m=model, p=path: explain_many(
                [p], m, 5, "layer4", stage_cams=True
            )
            contenders[f"{name} handler {k}"] = lambda n=name, p=path: handler(n, p)
    single = interleaved(contenders, 3)
    compute = {n: statistics.median(v for k, v in single.items() if k.startswith(f"{n} compute"))
               for n in models}  # fmt: skip
    handle = {n: statistics.median(v for k, v in single.items() if k.startswith(f"{n} handler"))
              for n in models}  # fmt: skip

    with launched(env={"EXPLORER_OFFLINE": "1"}) as server:
        client = Client(server.url, verbose=False)
        page = Student(server.url)
        for n in list_models():  # the background warm-up, done before timing, as in a class
            for lang in ("en", "zh"):
                client.predict(n, 224, lang, api_name="/architecture")

        def upload(name: str, path: str) -> object:
            return client.predict(handle_file(path), name, "top-1", "layer4", cases[name],
                                  api_name="/predict")  # fmt: skip

        def browse(name: str, path: str) -> object:
            return page.call("/predict", (path, name, "top-1", "layer4", cases[name], 0.5, "Jet",
                                          "en", None))  # fmt: skip

        def text() -> object:
            return client.predict("resnet18", 224, api_name="/summary")

        def text_page() -> object:
            return page.call("/summary", ("resnet18", 224))

        trips: dict[str, list[float]] = {n: [] for n in [*models, "/summary"]}
        pages: dict[str, list[float]] = {n: [] for n in [*models, "/summary"]}
        for _ in range(3):
            for name in cases:
                for path in images[:runs]:
                    trips[name].append(seconds(lambda n=name, p=path: upload(n, p)))
                    pages[name].append(seconds(lambda n=name, p=path: browse(n, p)))
            trips["/summary"].append(seconds(text))
            pages["/summary"].append(seconds(text_page))
        page.close()
    trip = {n: statistics.median(v) for n, v in trips.items()}
    by_page = {n: statistics.median(v) for n, v in pages.items()}

    ms = 1e3
    print(f"live /predict benchmark: one client at a time, CPU ({torch.get_num_threads()} "
          f"threads), {min(runs, len(images))} generated images, medians")  # fmt: skip
    print("                     compute    handler  handler/   round trip (÷ handler)")
    print("                                          compute    page's protocol    gradio_client")
    targets = {"demo_bottleneck": ("≤ 2", "≤ 3"), "resnet50": ("", "≤ 1.5")}
    for name in models:
        h, c, t, b = handle[name], compute[name], trip[name], by_page[name]
        goal, trip_goal = targets[name]
        print(f"  {name:<16} {c * ms:6.1f} ms  {h * ms:6.1f} ms  {h / c:4.2f} × {goal:<4}  "
              f"{b * ms:4.0f} ms ({b / h:4.2f} ×)   {t * ms:4.0f} ms ({t / h:4.2f} ×)   "
              f"target {trip_goal} (page's)")  # fmt: skip
    print(f"  a text answer from memory (/summary): page's protocol {by_page['/summary'] * ms:.0f}"
          f" ms, gradio_client {trip['/summary'] * ms:.0f} ms")  # fmt: skip
    print("  gradio_client is held to a minimal Gradio app's round trip: python -m "
          "explorer.tools.bench browser")  # fmt: skip
    print(
        "  compute: explain with the maps at every stage; handler: /predict's function in the "
        "process (compute, pictures, files);\n  round trip: upload to the last file fetched, "
        "over the page's HTTP protocol and through gradio_client"
    )


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

            seconds = interleaved({"gpu": step}, runs)["gpu"]
            print(f"  GPU {name}: {model_name} batch {batch:>2}: {seconds * 1e3:7.1f} ms per "
                  f"batch, {batch / seconds:8.1f} images/s")  # fmt: skip


def lesions(runs: int) -> None:
    """All blocks' lesions with the shared prefix, in forward-pass equivalents."""
    import torch

    from explorer.arch.structure import network_parts, run_block
    from explorer.inspect.contributions import lesion_logits
    from explorer.models.loading import load_model

    print(f"lesion benchmark: one 224×224 image, CPU ({torch.get_num_threads()} threads), "
          f"median of {runs} interleaved runs")  # fmt: skip
    x = torch.randn(1, 3, 224, 224)
    for name in ("resnet50", "resnet152"):
        model = load_model(name)
        parts = network_parts(model)
        n = len(parts.blocks)
        forward = forward_pass(model, x)

        def one_by_one(parts: object = parts) -> None:
            """The naive study: a whole forward pass per lesioned block."""
            with torch.inference_mode():
                for lesioned in range(len(parts.blocks)):
                    a = x
                    for _, m in parts.stem:
                        a = m(a)
                    for i, (name, block) in enumerate(parts.blocks):
                        join = (lambda f, s: s) if i == lesioned else (lambda f, s: f + s)
                        a = run_block(block, parts.block(name), a, join).output
                    for _, m in parts.head:
                        a = m(a)

        med = interleaved({"forward": forward, "shared": lambda p=parts: lesion_logits(p, x),
                            "naive": one_by_one}, runs)  # fmt: skip
        shared, naive = med["shared"] / med["forward"], med["naive"] / med["forward"]
        print(f"  {name} ({n} blocks): forward {med['forward'] * 1e3:.1f} ms")
        ms_shared, ms_naive = med["shared"] * 1e3, med["naive"] * 1e3
        print(f"    all lesions, shared prefix: {ms_shared:.0f} ms = {shared:.1f} forward passes "
              f"(bound N/2 + 2 = {n / 2 + 2:.0f})")  # fmt: skip
        print(f"    one whole pass per lesion:  {ms_naive:.0f} ms = {naive:.1f} forward passes")
