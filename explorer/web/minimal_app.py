"""The browser benchmark's baseline: `python -m explorer.web.minimal_app --port P`, a minimal
Gradio app that calls what the page's /predict calls (the same explanation, the same pictures, the
same model and weights) with plain components: an image in; a top-5 label and four images out.
It answers before torch loads, as the page does; it has no languages, menus or tabs.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import gradio as gr

from .files import examples
from .theme import COLORMAPS

TITLE = "Minimal Gradio app: the page's /predict with plain components"
LAYER = "layer4"  # the Predict tab's layer for the ImageNet-shaped and demo models alike
OPACITY, COLORMAP = 0.5, COLORMAPS[0]  # the Predict tab's opening values


def predict(image: str) -> tuple[dict[str, float], str, str, str, str]:
    """Top-5, the Grad-CAM overlay, the maps at every stage, the strongest feature maps and the
    raw map: the page's own computation and pictures, for the model the Predict tab opens on."""
    from . import pages  # torch, on the first request, as on the page
    from .checks import weight_choices

    name = pages.default_predict_model()
    weights = weight_choices(name, "en")[0][1]
    chosen = None if weights == "random" else weights
    [ex] = pages.explanations(name, chosen, pages.select_device(), [image], [None], LAYER)
    if isinstance(ex, Exception):
        raise gr.Error(str(ex))
    view = pages.predict_view(ex, OPACITY, COLORMAP, "en")
    return (view.labels, str(view.overlay), str(view.stages), str(view.features),
            str(view.raw_map))  # fmt: skip


def build() -> gr.Blocks:
    with gr.Blocks(title="minimal app") as demo:
        gr.Markdown(f"# {TITLE}", elem_id="minimal-title")
        with gr.Row():
            with gr.Column():
                image = gr.Image(type="filepath", label="Image", elem_id="minimal-image")
                gr.Examples(examples(), inputs=image, examples_per_page=8)
                button = gr.Button("Explain", variant="primary")
            with gr.Column():
                top5 = gr.Label(num_top_classes=5, label="Predictions", elem_id="minimal-top5")
                overlay = gr.Image(type="filepath", label="Overlay", elem_id="cam-overlay")
        stages = gr.Image(type="filepath", label="Stages", elem_id="stage-cams")
        features = gr.Image(type="filepath", label="Feature maps", elem_id="feature-maps")
        raw = gr.Image(type="filepath", label="Raw map", elem_id="raw-map")
        button.click(predict, image, [top5, overlay, stages, features, raw], api_name="predict")
    return demo


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m explorer.web.minimal_app")
    parser.add_argument("--port", type=int, default=7861)
    args = parser.parse_args(argv)
    build().launch(server_name="127.0.0.1", server_port=args.port, share=False)


if __name__ == "__main__":
    main()
