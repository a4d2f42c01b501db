"""A classroom at once:
`python -m explorer.tools.loadtest [--clients 30] [--seconds 60] [--think S] [--url URL]`.

Every request of a fixed pool (architecture views, predictions with Grad-CAM and shortcut
analyses on the demo models) is first served alone to record its answer, then alone once more
to time one client on its own. Then N students send random requests from the pool for T seconds,
and every answer must equal the one served alone (probabilities to 1e-4: a batch may round
differently than a single image). A student does what the page does over HTTP: upload the
image, join the queue, read the event stream, fetch every returned file, and by default send
the next request at once (a closed loop, the hardest case); with --think a student first looks at
the answer for a random 0 to 2·S seconds, as a class does. (Thirty gradio_client instances in one
process took a whole core here, more than the server they were testing.)
Prints errors, mismatches, p50/p95 latency against the one-client medians of the same run,
throughput and the server's resident memory. Without --url it starts `python -m explorer serve`
on a free port and stops it afterwards. Exits 1 on an error, a mismatch or memory growth.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import secrets
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from PIL import Image

from ..demo.data import sample
from .launch import launched

MEMORY_GROWTH_MB = 300  # allowed growth of the server's resident memory during the run
TOLERANCE = 1e-4


@dataclass
class LoadResult:
    requests: int = 0
    errors: list[str] = field(default_factory=list)
    mismatches: list[str] = field(default_factory=list)
    latencies: dict[str, list[float]] = field(default_factory=dict)
    alone: dict[str, list[float]] = field(default_factory=dict)  # one client, in turn
    seconds: float = 0.0
    think_s: float = 0.0  # mean pause between a student's answer and their next request
    rss_before_mb: float = 0.0
    rss_after_mb: float = 0.0
    ended: list[tuple[float, bool]] = field(default_factory=list)  # (s from the start, answered)
    midway_s: float | None = None  # when `midway` ran

    @property
    def ok(self) -> bool:
        growth = self.rss_after_mb - self.rss_before_mb
        return not self.errors and not self.mismatches and growth <= MEMORY_GROWTH_MB

    def report(self, clients: int) -> str:
        every = [x for values in self.latencies.values() for x in values]
        rate = self.requests / self.seconds
        pause = f", thinking {self.think_s:g} s on average" if self.think_s else ", no pause"
        lines = [f"load test: {clients} clients for {self.seconds:.0f} s{pause}, {self.requests} "
                 f"requests, {rate:.1f} requests/s"]  # fmt: skip
        lines.append(f"  errors {len(self.errors)}, answers different from alone "
                     f"{len(self.mismatches)}")  # fmt: skip
        for name, values in [*sorted(self.latencies.items()), ("all", every)]:
            if values:
                alone = self.alone.get(name)
                against = f"   alone p50 {_pct(alone, 0.5):5.0f} ms" if alone else ""
                lines.append(f"  {name:<13} n={len(values):<5} p50 {_pct(values, .5):6.0f} ms   "
                             f"p95 {_pct(values, .95):6.0f} ms{against}")  # fmt: skip
        if self.latencies.get("/predict") and self.alone.get("/predict"):
            ratio = _pct(self.latencies["/predict"], 0.95) / _pct(self.alone["/predict"], 0.5)
            lines.append(f"  /predict p95 under load = {ratio:.1f} × one client's median round "
                         "trip (target ≤ 8)")  # fmt: skip
        if every and not self.think_s:
            # Little's law for a closed loop: every client always waits on one request, so the
            # mean latency is the clients divided by the throughput, whatever the server does.
            mean = sum(every) / len(every)
            lines.append(
                f"  closed loop: mean latency {mean * 1e3:.0f} ms; Little's law: {clients} "
                f"clients / {rate:.1f} requests/s = {clients / rate * 1e3:.0f} ms"
            )
        lines.append(f"  server memory: {self.rss_before_mb:.0f} MB after warm-up, "
                     f"{self.rss_after_mb:.0f} MB after the run "
                     f"({self.rss_after_mb - self.rss_before_mb:+.0f} MB; limit "
                     f"+{MEMORY_GROWTH_MB} MB)")  # fmt: skip
        lines += [f"  error: {e}" for e in self.errors[:5]]
        lines += [f"  mismatch: {m}" for m in self.mismatches[:5]]
        return "\n".join(lines)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1e3


def rss_mb(pid: int) -> float:
    """Resident memory of a process (Linux /proc), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def request_pool(folder: Path, imagenet: bool = False) -> list[tuple[str, tuple[Any, ...]]]:
    """The requests a class would send: every tab, the demo models, a few images. `imagenet`:
    instead, Predict & Explain on ResNet-50 (random weights: offline) at 224 pixels, where the
    servers' arithmetic outweighs the students' own work (for throughput across replicas)."""
    images = []
    for i in range(6):
        img, _, _ = sample(99, i)
        path = folder / f"student-{i}.png"
        Image.fromarray(img).save(path)
        images.append(str(path))
    if imagenet:
        return [("/predict", (path, "resnet50", "top-1", "layer4", "random", 0.5, "Jet", "en",
                              None)) for path in images]  # fmt: skip
    pool: list[tuple[str, tuple[Any, ...]]] = [
        ("/architecture", (name, size, lang))
        for name, size, lang in [("resnet18", 224, "en"), ("resnet50", 224, "zh"),
                                 ("demo_bottleneck", 64, "en"), ("bottleneck-2-2-2-2", 160, "en")]
    ]  # fmt: skip
    for i, path in enumerate(images):
        model = ("demo_basic", "demo_bottleneck")[i % 2]
        layer = ("layer4", "layer3", "layer2.0")[i % 3]
        # every input the page sends, the (empty) checkpoint upload last
        pool.append(("/predict", (path, model, "top-1", layer, "DEFAULT", 0.5, "Jet", "en", None)))
        if i < 3:
            pool.append(("/shortcuts", (path, model, "top-1", "DEFAULT", "en", None)))
    return pool


class Student:
    """One browser tab over HTTP: its own session, the page's queue protocol (join, then read the
    session's event stream), every returned file fetched as the page fetches its pictures."""

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=300)
        config = self.http.get("/config").json()  # what the page reads once when it opens
        self.fn_index = {f"/{d['api_name']}": d["id"] for d in config["dependencies"]
                         if d.get("api_name")}  # fmt: skip
        self.session = secrets.token_hex(8)

    def _upload(self, path: str) -> dict[str, Any]:
        with open(path, "rb") as f:
            response = self.http.post("/gradio_api/upload", files={"files": (Path(path).name, f)})
        response.raise_for_status()
        stored = response.json()[0]
        return {"path": stored, "orig_name": Path(path).name, "meta": {"_type": "gradio.FileData"}}

    def call(self, api: str, args: tuple[Any, ...], files: bool = True) -> list[Any]:
        """The answer's data; `files`: also fetch every file it names, as the page does."""
        data = list(args)
        if api in ("/predict", "/shortcuts"):
            data[0] = self._upload(args[0])
        joined = self.http.post("/gradio_api/queue/join", json={
            "data": data, "fn_index": self.fn_index[api], "session_hash": self.session,
            "event_data": None})  # fmt: skip
        joined.raise_for_status()
        event_id, done = joined.json()["event_id"], None
        with self.http.stream("GET", "/gradio_api/queue/data",
                              params={"session_hash": self.session}) as stream:  # fmt: skip
            for line in stream.iter_lines():
                if line.startswith("data:"):
                    message = json.loads(line[5:])
                    if (
                        message.get("event_id") == event_id
                        and message["msg"] == "process_completed"
                    ):
                        done = message
                        break
        if not done or not done.get("success"):
            raise RuntimeError(f"{api} failed: {(done or {}).get('output')}")
        answer = done["output"]["data"]
        for url in _file_urls(answer) if files else []:
            self.http.get(url).raise_for_status()
        return answer

    def close(self) -> None:
        self.http.close()


def _file_urls(value: Any) -> list[str]:
    if isinstance(value, dict):
        if value.get("meta", {}).get("_type") == "gradio.FileData" and value.get("url"):
            return [value["url"]]
        return [u for v in value.values() for u in _file_urls(v)]
    if isinstance(value, list):
        return [u for v in value for u in _file_urls(v)]
    return []


def _key(api: str, answer: Any) -> Any:
    """The part of an answer that must not change under load (file paths do, by design)."""
    if api == "/architecture":
        return answer[0], answer[1]  # formula and stage table HTML
    if api == "/predict":
        return answer[0], answer[4]  # top-5 with probabilities, the note
    return answer[3]  # the shortcut records


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, abs_tol=TOLERANCE)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, str) and isinstance(b, str) and a != b:
        return _same_numbers(a, b)
    return bool(a == b)


def _same_numbers(a: str, b: str) -> bool:
    """Notes quote probabilities ("95.7%"): equal text, or text whose numbers differ by rounding."""
    split = re.compile(r"(\d+\.\d+)")
    pa, pb = split.split(a), split.split(b)
    if len(pa) != len(pb):
        return False
    for x, y in zip(pa, pb, strict=True):
        if x != y and not (split.fullmatch(x) and split.fullmatch(y)
                           and abs(float(x) - float(y)) <= 0.1 + 1e-9):  # fmt: skip
            return False
    return True


def run(url: str, pid: int | Sequence[int], clients: int, seconds: float, seed: int = 0,
        think_s: float = 0.0, reference: str | None = None, apis: Sequence[str] = (),
        midway: Callable[[], None] | None = None, imagenet: bool = False
        ) -> LoadResult:  # fmt: skip
    """`clients` students on `url` for `seconds`. `pid`: the server's process, or the replicas'
    behind a load balancer (their memory is summed). `reference`: where the answers served alone
    come from (default `url`; a replica's own address to check a load balancer against it).
    `apis`: only these requests of the pool (`imagenet`: request_pool's other pool). `midway`:
    called once, half-way through the run (the deployment test kills a replica there); every
    request's end is timed from the start."""
    pids = [pid] if isinstance(pid, int) else list(pid)
    with tempfile.TemporaryDirectory(prefix="explorer-load-") as tmp:
        pool = [(api, args) for api, args in request_pool(Path(tmp), imagenet)
                if not apis or api in apis]  # fmt: skip
        judge = Student(reference or url)
        expected = [_key(api, judge.call(api, args)) for api, args in pool]
        judge.close()
        alone = Student(url)
        for api, args in pool:  # warms up every replica a student reaches through `url`
            alone.call(api, args)
        result = LoadResult(rss_before_mb=sum(map(rss_mb, pids)), think_s=think_s)
        for api, args in pool:  # one client on its own: what the class is compared with
            start = time.perf_counter()
            alone.call(api, args)
            result.alone.setdefault(api, []).append(time.perf_counter() - start)
        lock = threading.Lock()
        stop = time.monotonic() + seconds

        def student(number: int) -> None:
            rng = random.Random(seed * 1000 + number)
            client = Student(url)
            while time.monotonic() < stop:
                i = rng.randrange(len(pool))
                api, args = pool[i]
                start = time.perf_counter()
                try:
                    answer = _key(api, client.call(api, args))
                except Exception as err:
                    with lock:
                        result.errors.append(f"{api}: {type(err).__name__}: {err}"[:300])
                        result.ended.append((time.monotonic() - began, False))
                    continue
                took = time.perf_counter() - start
                with lock:
                    result.requests += 1
                    result.ended.append((time.monotonic() - began, True))
                    result.latencies.setdefault(api, []).append(took)
                    if not _same(answer, expected[i]):
                        result.mismatches.append(f"{api} {args[1:3]}")
                if think_s:
                    time.sleep(min(rng.uniform(0, 2 * think_s), max(0.0, stop - time.monotonic())))
            client.close()

        began = time.monotonic()
        threads = [threading.Thread(target=student, args=(n,)) for n in range(clients)]
        for th in threads:
            th.start()
        if midway is not None:
            time.sleep(seconds / 2)
            result.midway_s = time.monotonic() - began
            midway()
        for th in threads:
            th.join()
        result.seconds = time.monotonic() - began
        result.rss_after_mb = sum(rss_mb(p) for p in pids if Path(f"/proc/{p}").exists())
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m explorer.tools.loadtest")
    parser.add_argument("--clients", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=0.0, metavar="S",
                        help="mean seconds a student looks at an answer before the next request "
                             "(default 0: a closed loop)")  # fmt: skip
    parser.add_argument("--url", help="a running app (default: start one on a free port)")
    parser.add_argument("--pid", type=int, help="the running app's process, for its memory")
    args = parser.parse_args(argv)
    if args.url:
        if args.pid is None:
            parser.error("--pid is needed with --url, to read the server's memory")
        result = run(args.url, args.pid, args.clients, args.seconds, think_s=args.think)
    else:
        with launched() as server:
            result = run(
                server.url, server.process.pid, args.clients, args.seconds, think_s=args.think
            )
    print(result.report(args.clients))
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
