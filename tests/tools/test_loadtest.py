"""A short classroom (8 clients for 10 s) against the running app, and what must stay bounded
after many requests: hooks, temporary files, the queue."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from explorer import load_model
from explorer.arch.hooks import hook_count
from explorer.demo import make_samples
from explorer.tools.loadtest import run
from explorer.web import limits, tab_predict, tab_shortcuts
from explorer.web.tab_shortcuts import SHORTCUT_SLOTS


@pytest.mark.slow
def test_eight_clients_for_ten_seconds(served_process):
    url, proc = served_process.url, served_process.process
    result = run(url, proc.pid, clients=8, seconds=10)
    print(result.report(8))
    assert result.requests > 10
    assert not result.errors, result.errors[:3]
    assert not result.mismatches, result.mismatches[:3]  # every answer as when served alone
    assert result.rss_after_mb - result.rss_before_mb <= 300


def test_hooks_stay_at_zero_after_200_requests(tmp_path):
    images, _, _ = make_samples(4, seed=71)
    paths = []
    for i, img in enumerate(images):
        paths.append({"path": str(tmp_path / f"{i}.png")})
        img.save(paths[-1]["path"])
    models = [load_model(n, weights="DEFAULT") for n in ("demo_basic", "demo_bottleneck")]
    before = [hook_count(m) for m in models]
    for k in range(200):
        name = ("demo_basic", "demo_bottleneck")[k % 2]
        if k % 10 == 0:
            tab_shortcuts.shortcuts(paths[k % 4], name)
        else:
            tab_predict.predict(paths[k % 4], name, "top-1", ("layer4", "layer2")[k % 2])
    assert [hook_count(m) for m in models] == before == [0, 0]


def test_the_queue_tells_a_waiting_student_their_place(served):
    """What the page does: join the queue, then read the session's event stream."""
    url, _ = served
    config = httpx.get(f"{url}/config").json()
    fn_index = next(d["id"] for d in config["dependencies"] if d.get("api_name") == "plain")
    session = "test-queue-place"
    # Three uncached requests on the one model slot (concurrency_id "model", one at a time): the
    # last waits behind the others and is told where it stands.
    events = []
    for name in ("resnet50", "resnet101", "resnet152"):
        joined = httpx.post(f"{url}/gradio_api/queue/join",
                            json={"data": [name, "en"], "fn_index": fn_index,
                                  "session_hash": session, "event_data": None}).json()  # fmt: skip
        events.append(joined["event_id"])
    messages = []
    with httpx.stream("GET", f"{url}/gradio_api/queue/data", params={"session_hash": session},
                      timeout=120) as stream:  # fmt: skip
        for line in stream.iter_lines():
            if line.startswith("data:"):
                messages.append(json.loads(line[5:]))
                done = [m for m in messages if m.get("msg") == "process_completed"]
                if len(done) == len(events):
                    break
    last = [m for m in messages if m.get("event_id") == events[-1]]
    places = [m for m in last if m["msg"] == "estimation"]
    assert places and places[0]["rank"] >= 1 and places[0]["queue_size"] >= 2, last
    assert all(m["success"] for m in done)  # and all three are answered


def test_a_full_queue_refuses_with_a_message_and_loses_nothing(served, tmp_path):
    url, _ = served
    image = tmp_path / "shape.png"
    make_samples(1, seed=9)[0][0].save(image)
    with image.open("rb") as f:
        uploaded = httpx.post(f"{url}/gradio_api/upload", files={"files": f}).json()[0]
    payload = {"path": uploaded, "meta": {"_type": "gradio.FileData"}}

    def send(model: str, weights: str) -> httpx.Response:
        data = [payload, model, "top-1", weights, "en", None]
        return httpx.post(f"{url}/gradio_api/call/shortcuts", json={"data": data}, timeout=60)

    # A slow analysis takes the compute thread; meanwhile a class sends more than the queue and
    # the analyses' slots hold.
    assert send("resnet152", "random").status_code == 200
    with ThreadPoolExecutor(8) as pool:
        replies = list(pool.map(lambda _: send("demo_basic", "DEFAULT"),
                                range(limits.QUEUE_SIZE + SHORTCUT_SLOTS + 10)))  # fmt: skip
    refused = [r for r in replies if r.status_code == 503]
    accepted = [r.json()["event_id"] for r in replies if r.status_code == 200]
    assert refused and len(accepted) + len(refused) == len(replies)
    assert f"Queue is full. Max size is {limits.QUEUE_SIZE}" in refused[0].json()["detail"]
    for event in accepted:  # every request the queue took is answered
        with httpx.stream("GET", f"{url}/gradio_api/call/shortcuts/{event}", timeout=120) as r:
            stream = "".join(r.iter_text())
        assert "event: complete" in stream and "Measured for" in stream


@pytest.mark.slow
def test_students_who_think_send_fewer_requests_and_the_report_says_so(served_process):
    url, proc = served_process.url, served_process.process
    result = run(url, proc.pid, clients=4, seconds=6, think_s=2.0)
    report = result.report(4)
    assert "thinking 2 s on average" in report and "Little's law" not in report
    # Each student sends at most one request per pause (mean 2 s), plus the one it starts with.
    assert 4 <= result.requests <= 4 * 8
    assert not result.errors and not result.mismatches
