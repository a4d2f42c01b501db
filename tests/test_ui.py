"""The Gradio app: handlers, and the real `python app.py` served on 127.0.0.1."""

from __future__ import annotations

import gradio as gr
import httpx
import pytest
from gradio_client import Client

from explorer import ui


def test_summary_handler():
    text = ui.summary("resnet18", 224.0)
    assert "18 = 1 + 2·(2+2+2+2) + 1" in text


def test_summary_handler_turns_user_errors_into_messages():
    with pytest.raises(gr.Error, match="unknown model 'resnet19'"):
        ui.summary("resnet19", 224)
    with pytest.raises(gr.Error, match="input size must be from 32"):
        ui.summary("resnet18", 8)


def test_server_defaults():
    args = ui.parse_args([])
    assert (args.host, args.port, args.share, args.auth) == ("127.0.0.1", 7860, False, None)
    args = ui.parse_args(["--host", "0.0.0.0", "--auth", "teacher:s3:cret"])
    assert args.auth == ("teacher", "s3:cret")
    with pytest.raises(SystemExit):
        ui.parse_args(["--auth", "nopassword"])


def test_app_binds_localhost_without_share_link(served):
    url, log = served
    banner = next(line for line in log if "Running on local URL" in line)
    assert banner.split()[-1].startswith("http://127.0.0.1:")
    assert not any("gradio.live" in line for line in log)
    assert httpx.get(url).status_code == 200


def test_api_summary_through_gradio_client(served):
    url, _ = served
    client = Client(url, verbose=False)
    text = client.predict("resnet50", 224, api_name="/summary")
    assert "50 = 1 + 3·(3+4+6+3) + 1" in text
    with pytest.raises(Exception, match="unknown model 'resnet19'") as err:
        client.predict("resnet19", 224, api_name="/summary")
    assert "Traceback" not in str(err.value)
    assert httpx.get(url).status_code == 200  # still serving


def test_direct_posts_cannot_skip_the_queue(served):
    url, _ = served
    response = httpx.post(f"{url}/gradio_api/run/summary", json={"data": ["resnet18", 224]})
    assert response.status_code == 404
    assert "join the queue" in response.text
