"""The app in a child process on a free port, for the tools and the tests: started, waited for
until it answers HTTP, and stopped afterwards. Its output is kept for inspection.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

SERVE = (sys.executable, "-m", "explorer", "serve")  # the installed package's own command
START_TIMEOUT_S = 120.0


@dataclass
class Server:
    url: str
    process: subprocess.Popen[str]
    started_s: float  # from starting the process to the first HTTP answer
    lines: list[str] = field(default_factory=list)  # its output so far, appended as it comes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@contextmanager
def launched(*args: str, command: Sequence[str] = SERVE, cwd: str | Path | None = None,
             env: dict[str, str] | None = None, poll_s: float = 0.05
             ) -> Iterator[Server]:  # fmt: skip
    """`command --port P *args` on a free port, yielded once GET / answers 200."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    environment = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", **(env or {})}
    began = time.perf_counter()
    proc = subprocess.Popen(
        [*command, "--port", str(port), *args], cwd=cwd, env=environment, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    server = Server(url, proc, 0.0)

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            server.lines.append(line)

    threading.Thread(target=read, daemon=True).start()
    try:
        while not answers(url + "/"):
            if proc.poll() is not None:
                time.sleep(0.2)  # let the reader thread collect the last lines
                raise RuntimeError(f"{' '.join(command)} exited:\n" + "".join(server.lines))
            if time.perf_counter() - began > START_TIMEOUT_S:
                raise RuntimeError(f"no answer within {START_TIMEOUT_S:.0f} s:\n"
                                   + "".join(server.lines))  # fmt: skip
            time.sleep(poll_s)
        server.started_s = time.perf_counter() - began
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
