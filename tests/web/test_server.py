"""Start-up: the page is built and served before torch is imported, and `python -m explorer
serve` is the same server as app.py. (How fast, against a minimal Gradio app, is measured by
`python -m explorer.tools.bench startup`, not here.)"""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import httpx
from gradio_client import Client

from explorer.tools.launch import launched

HEAVY = ("torch", "torchvision", "captum", "plotly")


def test_building_the_page_imports_no_model_library():
    code = (
        "import sys\n"
        "from explorer.cli import main\n"  # what `python -m explorer serve` and app.py import
        "import explorer.web.server\n"
        "demo = explorer.web.server.build()\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_serve_command_answers_from_any_folder(tmp_path):
    with launched(cwd=tmp_path, env={"EXPLORER_OFFLINE": "1"}) as server:
        assert httpx.get(server.url).status_code == 200
        client = Client(server.url, verbose=False)
        assert "18 = 1 + 2·(2+2+2+2) + 1" in client.predict("resnet18", 224, api_name="/summary")


def test_a_missing_device_stops_the_server_before_it_serves(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "explorer", "serve", "--device", "tpu", "--port", "1"],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert out.returncode == 2
    assert out.stderr.strip() == "error: unknown device 'tpu'; use auto, cpu, cuda or mps."


def test_a_taken_port_is_one_line_not_a_traceback(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = subprocess.run(
            [sys.executable, "-m", "explorer", "serve", "--port", str(port)],
            capture_output=True, text=True, cwd=tmp_path, timeout=120,
        )  # fmt: skip
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert out.stderr.startswith(f"error: cannot serve on 127.0.0.1:{port} (Cannot find empty port")
    assert out.stderr.strip().endswith("choose another --port or --host.")


def test_an_unknown_precision_stops_the_server_before_it_serves(tmp_path):
    env = {**os.environ, "EXPLORER_AUTOCAST": "int8"}
    out = subprocess.run(
        [sys.executable, "-m", "explorer", "serve", "--port", "1"],
        capture_output=True, text=True, cwd=tmp_path, timeout=120, env=env,
    )  # fmt: skip
    assert out.returncode == 2
    assert out.stderr.startswith("error: unknown autocast 'int8'; use bf16, fp16 or off")


def test_the_server_names_the_same_switches_as_the_models():
    """server.py repeats two environment variables' names so as not to import torch early."""
    from explorer.models import device
    from explorer.web import server

    assert (server.DEVICE_ENV, server.AUTOCAST_ENV) == (device.DEVICE_ENV, device.AUTOCAST_ENV)
