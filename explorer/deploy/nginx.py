"""`python -m explorer deploy nginx --replicas N --port P`: an nginx configuration that balances N
`python -m explorer serve` processes with sticky sessions, and the commands that start them.

Gradio keeps a user's queue, event stream and uploads in the process that served the page, so a
second replica only works if every request of one browser reaches the same one: the template
(nginx.conf.template, beside this file) gives each new browser a random key in a cookie and hashes
it onto the replicas. The configuration runs unprivileged from its own folder (pid, logs and
temporary files inside it) and is checked with `nginx -t` when it is written.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..errors import ExplorerError
from ..web.limits import MAX_UPLOAD

TEMPLATE = "nginx.conf.template"
MAX_REPLICAS = 64
FORM_SLACK_MB = 1  # a multipart form around the largest upload


@dataclass(frozen=True)
class NginxDeployment:
    """What `write_nginx` wrote, and how to start it."""

    folder: Path
    config: Path
    url: str  # where the students go
    replicas: tuple[int, ...]  # their ports, on 127.0.0.1
    threads: int  # torch threads of each replica
    pinned: bool  # each replica on cores of its own (taskset)
    commands: tuple[str, ...]  # start the replicas, then nginx

    def stop_command(self) -> str:
        return f"{shlex.join(nginx_command(self.folder))} -s quit"


def nginx_binary() -> str:
    """Debian's nginx, or one say why not."""
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )
    if not found:
        raise ExplorerError("nginx is not installed: install it (sudo apt-get install nginx on "
                            "Debian or Ubuntu) and run this again.")  # fmt: skip
    return found


def nginx_command(folder: Path) -> list[str]:
    return [nginx_binary(), "-p", str(folder), "-c", "nginx.conf"]


def pinned(replica: int, threads: int, replicas: int) -> list[str]:
    """`taskset -c CORES` for replica `replica` (0-based): `threads` cores of its own, so that
    the replicas do not share a core (a Gradio server runs several requests at once, and each
    can take a core). Nothing when taskset is missing or the cores are too few."""
    cores = sorted(os.sched_getaffinity(0))  # the cores this process may use (a container's)
    if shutil.which("taskset") is None or replicas * threads > len(cores):
        return []
    mine = cores[replica * threads : (replica + 1) * threads]
    return ["taskset", "-c", ",".join(map(str, mine))]


def serve_command(port: int, threads: int, replica: int = 0, replicas: int = 1) -> list[str]:
    return [*pinned(replica, threads, replicas), sys.executable, "-m", "explorer", "serve",
            "--port", str(port), "--threads", str(threads)]  # fmt: skip


def nginx_config(folder: Path, ports: list[int], port: int, host: str = "127.0.0.1") -> str:
    """The configuration text: the template with this deployment's values."""
    template = resources.files(__package__).joinpath(TEMPLATE).read_text("utf-8")
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=3 fail_timeout=10s;"
                        for p in ports)  # fmt: skip
    listen = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    values = {"@PREFIX@": str(folder), "@REPLICAS@": str(len(ports)), "@SERVERS@": servers,
              "@LISTEN@": listen,
              "@MAX_BODY@": f"{_megabytes(MAX_UPLOAD) + FORM_SLACK_MB}m"}  # fmt: skip
    for key, value in values.items():
        template = template.replace(key, value)
    return template


def _megabytes(limit: str) -> int:
    """Gradio's "256mb" as nginx's megabytes."""
    number = limit.lower().removesuffix("mb")
    return int(number)


def _check_host(host: str) -> None:
    """An address or a host name, nothing nginx would read as more."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if not re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?", host):
            raise ExplorerError(
                f"--host takes an address such as 127.0.0.1 or 0.0.0.0 (every "
                f"interface), got {host!r}."
            ) from None


def _check_port(port: int, what: str) -> None:
    if not 1 <= port <= 65535:
        raise ExplorerError(f"{what} must be a port from 1 to 65535, got {port}.")


def write_nginx(folder: str | os.PathLike[str], replicas: int, port: int,
                first_port: int | None = None, threads: int = 1, host: str = "127.0.0.1",
                ports: list[int] | None = None) -> NginxDeployment:  # fmt: skip
    """Write `folder`/nginx.conf for `replicas` servers on 127.0.0.1:`first_port`… (or `ports`),
    behind nginx on `host`:`port`, and check it with `nginx -t`. `folder` must not exist."""
    binary = nginx_binary()
    if not 1 <= replicas <= MAX_REPLICAS:
        raise ExplorerError(f"--replicas takes 1 to {MAX_REPLICAS}, got {replicas}.")
    if threads < 1:
        raise ExplorerError(f"--threads takes 1 or more torch threads per replica, got {threads}.")
    _check_port(port, "--port")
    if ports is None:
        first = port + 1 if first_port is None else first_port
        ports = list(range(first, first + replicas))
    for p in ports:
        _check_port(p, "--first-port + replicas")
    if len(ports) != replicas or len(set(ports)) != replicas or port in ports:
        raise ExplorerError(f"the replicas' ports {ports} must be {replicas} different ports, "
                            f"none of them nginx's --port {port}.")  # fmt: skip
    _check_host(host)
    target = Path(folder).absolute()
    if any(c in str(target) for c in '"\\;{}$') or not str(target).isprintable():
        raise ExplorerError(f"{target}: choose a folder whose path has no quotes, backslashes, "
                            "semicolons, braces or dollar signs (nginx reads it).")  # fmt: skip
    if target.exists():
        raise ExplorerError(f"{target} already exists: choose a new folder with --out, or "
                            "delete this one first.")  # fmt: skip
    if not target.parent.is_dir():
        raise ExplorerError(f"{target.parent} is not a folder: create it first.")
    (target / "tmp").mkdir(parents=True)
    config = target / "nginx.conf"
    try:
        config.write_text(nginx_config(target, ports, port, host), encoding="utf-8")
        checked = subprocess.run([binary, "-t", "-q", "-p", str(target), "-c", "nginx.conf"],
                                 capture_output=True, text=True, timeout=30)  # fmt: skip
        if checked.returncode != 0:
            said = (checked.stderr or checked.stdout).strip().splitlines()
            raise ExplorerError(f"nginx refused the configuration: {said[-1] if said else '?'}")
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    shown = "<this machine's address>" if host in ("0.0.0.0", "::") else \
        host if ":" not in host else f"[{host}]"  # fmt: skip
    commands = tuple(shlex.join(serve_command(p, threads, i, len(ports))) + " &"
                     for i, p in enumerate(ports))  # fmt: skip
    return NginxDeployment(folder=target, config=config, url=f"http://{shown}:{port}",
                           replicas=tuple(ports), threads=threads,
                           pinned=bool(pinned(0, threads, len(ports))),
                           commands=(*commands, shlex.join(nginx_command(target))))  # fmt: skip
