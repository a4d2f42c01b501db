"""The Gradio web app: page layout, events and server settings. The only module importing gradio.

It shows records computed by the API and holds no maths. Until the full architecture browser
lands, the page shows the CLI's summary of any registry model or custom spec.
"""

from __future__ import annotations

import argparse
import logging
import os
import threading
from collections.abc import Sequence

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # before gradio is imported

import gradio as gr

from .analysis import analyze, warm_cache
from .errors import ExplorerError
from .registry import list_models
from .report import summary_text

log = logging.getLogger(__name__)
MAX_UPLOAD = "10mb"
QUEUE_SIZE = 64  # waiting requests beyond this are refused with a message, not left to pile up
DELETE_CACHE = (600, 3600)  # every 10 min, drop Gradio temp files older than an hour


def summary(name: str, input_size: float) -> str:
    """Text summary of one model, for the page and for `/summary`."""
    try:
        return summary_text(analyze(name, int(input_size)), blocks=True)
    except ExplorerError as err:
        raise gr.Error(str(err)) from None
    except Exception:  # the user sees a message, the log keeps the traceback
        log.exception("summary failed for %r at %r", name, input_size)
        raise gr.Error("Something went wrong on the server; the log has details.") from None


def build() -> gr.Blocks:
    with gr.Blocks(title="ResNet Explorer", delete_cache=DELETE_CACHE) as demo:
        gr.Markdown(
            "# ResNet Explorer\nThe block structure of every ResNet, computed from the "
            "real torchvision modules."
        )
        with gr.Row():
            model = gr.Dropdown(
                list_models(),
                value="resnet50",
                label="Model",
                allow_custom_value=True,
                info="a registry name or a custom spec like bottleneck-2-2-2-2",
            )
            size = gr.Number(224, label="Input size", precision=0, minimum=32, maximum=4096)
        out = gr.Code(label="Summary", language=None)
        inputs = [model, size]
        demo.load(summary, inputs, out, api_name="summary")
        gr.on([model.change, size.submit], summary, inputs, out, api_visibility="private")
    return demo


def _credentials(text: str) -> tuple[str, str]:
    user, sep, password = text.partition(":")
    if not (sep and user and password):
        raise argparse.ArgumentTypeError("expected USER:PASS, e.g. --auth teacher:s3cret")
    return user, password


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python app.py", description="Launch ResNet Explorer.")
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="interface to bind (default 127.0.0.1; 0.0.0.0 serves your LAN)",
    )
    parser.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    parser.add_argument(
        "--auth",
        metavar="USER:PASS",
        type=_credentials,
        help="ask for this login before showing the page (use it with --host 0.0.0.0)",
    )
    parser.add_argument(
        "--share", action="store_true", help="also open a public gradio.live link (off by default)"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    threading.Thread(target=warm_cache, name="warm-analysis", daemon=True).start()
    demo = build()
    demo.queue(api_open=False, max_size=QUEUE_SIZE)
    demo.launch(
        server_name=args.host,
        server_port=args.port,
        share=args.share,
        auth=args.auth,
        max_file_size=MAX_UPLOAD,
        show_error=True,
    )
