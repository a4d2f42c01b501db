"""`python -m explorer.tools.bench scale`: beyond one process, measured in one run.

- the static site of the whole registry: export time, pages, files and size;
- `batch` over generated images: images per second in this process, in local worker processes
  and on a Ray started here (when Ray is installed), and whether their rows are equal;
- two one-thread replicas behind nginx against one alone (when nginx is installed), each on a
  core of its own as `deploy nginx` starts them: the closed-loop load test's throughput on
  Predict & Explain with ResNet-50 at 224 pixels.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import pyarrow.parquet as pq
from PIL import Image

from ..batch.run import run_batch
from ..demo.data import sample
from . import launch, loadtest


def site(folder: Path) -> None:
    from ..web.site import export_site

    export = export_site(folder / "site")
    print(f"export-site, whole registry: {len(export.models)} models, {len(export.presets)} "
          f"presets, {export.pages} pages, {export.files} files, {export.bytes / 2**20:.1f} MiB "
          f"in {export.seconds:.1f} s")  # fmt: skip
    plotly = (folder / "site" / "assets" / "plotly.min.js").stat().st_size
    print(f"  of which plotly.min.js {plotly / 2**20:.1f} MiB, once for the whole site")


def batch(folder: Path, images: int, task: str, model: str) -> None:
    data = folder / "images"
    data.mkdir()
    for i in range(images):
        img, _, _ = sample(5, i)
        Image.fromarray(img).save(data / f"img-{i:05d}.png")
    runs = [("this process", {"workers": 1}), ("2 processes", {"workers": 2})]
    if importlib.util.find_spec("ray") is not None:
        runs.append(("Ray here, 2 actors", {"ray": "local", "workers": 2}))
    else:
        print("  (Ray is not installed: pip install 'resnet-explorer[ray]' to measure it)")
    rows = []
    for name, options in runs:
        out = folder / f"{name.split()[0].lower()}-{len(rows)}.parquet"
        run = run_batch(task, str(data), model, out, **options)
        rows.append(pq.read_table(out).to_pylist())
        start_up = ", Ray start-up included" if "ray" in options else ""
        print(f"batch {task} {model}, {images} images, {name}: {run.rate:.1f} images/s "
              f"({run.seconds:.1f} s in all{start_up})")  # fmt: skip
    print(f"  rows equal across the engines: {all(r == rows[0] for r in rows)}")


def replicas(clients: int, seconds: float) -> None:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        print("nginx is not installed (apt-get install nginx): replicas not measured")
        return
    from ..deploy.nginx import pinned, write_nginx

    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:  # nginx stops first
        commands = [(*pinned(i, 1, 2), *launch.SERVE) for i in range(2)]  # a core each
        servers = [stack.enter_context(launch.launched("--threads", "1", command=command))
                   for command in commands]  # fmt: skip
        ports = [int(s.url.rsplit(":", 1)[1]) for s in servers]
        plan = write_nginx(Path(tmp) / "lb", 2, launch.free_port(), ports=ports)
        proc = subprocess.Popen([nginx, "-p", str(plan.folder), "-c", "nginx.conf", "-g",
                                 "daemon off;"])  # fmt: skip
        stack.callback(lambda: (proc.terminate(), proc.wait(10)))
        time.sleep(1)
        pids = [s.process.pid for s in servers]
        one = loadtest.run(servers[0].url, pids, clients, seconds, imagenet=True)
        two = loadtest.run(plan.url, pids, clients, seconds, imagenet=True,
                           reference=servers[0].url)  # fmt: skip
        r1, r2 = one.requests / one.seconds, two.requests / two.seconds
        pin = "pinned to a core each" if plan.pinned else "not pinned (too few cores)"
        print(f"replicas ({pin}), /predict ResNet-50 at 224 px, {clients} students in a closed "
              f"loop for {seconds:.0f} s: "
              f"one 1-thread replica {r1:.1f} requests/s, two behind nginx {r2:.1f} requests/s "
              f"= {r2 / r1:.2f}x; errors {len(one.errors) + len(two.errors)}, answers "
              f"different from a replica alone {len(two.mismatches)}")  # fmt: skip


def scale(images: int = 200, clients: int = 8, seconds: float = 12) -> None:
    with tempfile.TemporaryDirectory(prefix="explorer-scale-") as tmp:
        folder = Path(tmp)
        site(folder)
        batch(folder, images, "shortcuts", "demo_bottleneck")
        replicas(clients, seconds)
