"""Two replicas behind Debian's nginx, as `python -m explorer deploy nginx` writes it: on
loopback, one torch thread each. The load test through nginx answers as a replica alone does,
with no error; two replicas serve at least 1.6× the requests of one; a replica killed mid-run
costs its clients at most the requests in flight (a clear error), the other serves the rest.

nginx comes from apt in .ci/run (EXPLORER_REQUIRE_NGINX=1 there: its absence fails); elsewhere
the test is skipped when nginx is not installed.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from contextlib import ExitStack
from pathlib import Path

import pytest

from explorer.deploy.nginx import nginx_config, pinned, write_nginx
from explorer.errors import ExplorerError
from explorer.tools import launch, loadtest

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
if not Path(NGINX).exists() and os.environ.get("EXPLORER_REQUIRE_NGINX") != "1":
    pytest.skip("nginx is not installed (apt-get install nginx)", allow_module_level=True)

CLEAR = re.compile(r"502|Bad Gateway|failed|RemoteProtocolError|ReadError|incomplete|closed")


def _answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def school(tmp_path_factory):
    """nginx on a free loopback port in front of two `serve --threads 1` replicas."""
    with ExitStack() as stack:
        # started as the printed commands start them: one torch thread, a core of its own
        replicas = [stack.enter_context(launch.launched(
            "--threads", "1", env={"EXPLORER_OFFLINE": "1"},
            command=(*pinned(i, 1, 2), *launch.SERVE))) for i in range(2)]  # fmt: skip
        ports = [int(r.url.rsplit(":", 1)[1]) for r in replicas]
        port = launch.free_port()
        plan = write_nginx(tmp_path_factory.mktemp("nginx") / "lb", 2, port, ports=ports)
        nginx = subprocess.Popen([NGINX, "-p", str(plan.folder), "-c", "nginx.conf", "-g",
                                  "daemon off;"], stderr=subprocess.PIPE, text=True)  # fmt: skip
        stack.callback(lambda: (nginx.terminate(), nginx.wait(10)))
        for _ in range(100):
            if _answers(port):
                break
            time.sleep(0.1)
        else:
            pytest.fail(f"nginx did not start: {nginx.stderr.read() if nginx.poll() else ''}")
        yield plan, replicas


def test_the_written_configuration(tmp_path):
    text = nginx_config(tmp_path, [7861, 7862], 8080)
    assert "hash $rx_key consistent;" in text and "listen 127.0.0.1:8080;" in text
    assert text.count("server 127.0.0.1:786") == 2 and "proxy_buffering off;" in text
    assert "@" not in text.replace("$remote_addr", "")  # every placeholder filled


@pytest.mark.parametrize(
    ("kwargs", "says"),
    [
        ({"replicas": 0, "port": 8080}, "--replicas takes 1 to 64"),
        ({"replicas": 2, "port": 8080, "threads": 0}, "--threads takes 1 or more"),
        ({"replicas": 2, "port": 70000}, "--port must be a port"),
        ({"replicas": 2, "port": 8080, "first_port": 8079}, "different ports"),
        ({"replicas": 2, "port": 8080, "host": "0.0.0.0; evil on"}, "--host takes an address"),
    ],
)
def test_bad_input_is_one_sentence(tmp_path, kwargs, says):
    with pytest.raises(ExplorerError, match=re.escape(says)):
        write_nginx(tmp_path / "lb", **kwargs)
    assert not (tmp_path / "lb").exists()


def test_a_folder_with_spaces_in_its_path(tmp_path):
    plan = write_nginx(tmp_path / "school lb", 2, 8080, host="0.0.0.0")  # nginx -t passed
    assert plan.url == "http://<this machine's address>:8080"
    assert 'pid "' + str(tmp_path / "school lb") + '/nginx.pid";' in plan.config.read_text()


def test_without_nginx_one_sentence_says_what_to_install(tmp_path, monkeypatch):
    from explorer.deploy import nginx

    monkeypatch.setattr(nginx.shutil, "which", lambda name: None)
    monkeypatch.setattr(nginx.os, "access", lambda path, mode: False)
    with pytest.raises(ExplorerError, match=r"nginx is not installed: install it \(sudo apt-get "
                                            r"install nginx"):  # fmt: skip
        write_nginx(tmp_path / "lb", 2, 8080)
    assert not (tmp_path / "lb").exists()


def test_an_existing_folder_is_refused(tmp_path):
    (tmp_path / "lb").mkdir()
    with pytest.raises(ExplorerError, match="already exists"):
        write_nginx(tmp_path / "lb", 2, 8080)


def test_through_nginx_every_answer_is_the_one_a_replica_gives_alone(school):
    plan, replicas = school
    result = loadtest.run(plan.url, [r.process.pid for r in replicas], clients=6, seconds=8,
                          reference=replicas[0].url)  # fmt: skip
    print(result.report(6))
    assert result.requests > 0 and result.errors == [] and result.mismatches == []
    served = re.findall(r"upstream=127\.0\.0\.1:(\d+)", (plan.folder / "access.log").read_text())
    assert {int(p) for p in served} == set(plan.replicas)  # both replicas took students


def test_two_one_thread_replicas_serve_at_least_1_6_times_one(school):
    plan, replicas = school
    pids = [r.process.pid for r in replicas]
    # ResNet-50 at 224 pixels: the servers' arithmetic, not the students' own work (they share
    # this machine's cores), decides the throughput
    one = loadtest.run(replicas[0].url, pids, clients=8, seconds=12, imagenet=True)
    two = loadtest.run(plan.url, pids, clients=8, seconds=12, imagenet=True,
                       reference=replicas[0].url)  # fmt: skip
    rate_one, rate_two = one.requests / one.seconds, two.requests / two.seconds
    print(f"one replica {rate_one:.1f} requests/s, two behind nginx {rate_two:.1f}: "
          f"{rate_two / rate_one:.2f}x")  # fmt: skip
    assert one.ok and two.errors == [] and two.mismatches == []
    assert rate_two >= 1.6 * rate_one


def test_a_replica_killed_mid_run_costs_only_what_it_was_doing(school):
    plan, replicas = school
    victim, survivor = replicas[1], replicas[0]
    result = loadtest.run(plan.url, [survivor.process.pid], clients=8, seconds=10,
                          reference=survivor.url, midway=victim.process.kill)  # fmt: skip
    print(result.report(8))
    assert result.mismatches == []  # nothing wrong was ever answered
    for error in result.errors:  # each one a clear failure of a request in flight
        assert CLEAR.search(error), error
    assert len(result.errors) <= 8  # at most one per student, the one in flight
    assert result.midway_s is not None
    failed_late = [t for t, ok in result.ended if not ok and t > result.midway_s + 3]
    served_after = [t for t, ok in result.ended if ok and t > result.midway_s + 1]
    assert failed_late == [] and len(served_after) > 0  # the survivor took every student
    assert survivor.process.poll() is None
    after = loadtest.Student(plan.url)  # and it still answers as before
    assert after.call("/architecture", ("resnet18", 224, "en"))[0].count("18") >= 1


def test_the_command_prints_how_to_start_it(tmp_path, capsys):
    from explorer.cli import main

    assert main(["deploy", "nginx", "--replicas", "3", "--port", "8080", "--threads", "2",
                 "--out", str(tmp_path / "lb")]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "checked with nginx -t" in out
    for port in (8081, 8082, 8083):
        assert f"-m explorer serve --port {port} --threads 2 &" in out
    if len(os.sched_getaffinity(0)) < 6:  # 3 replicas × 2 threads: more than the cores
        assert "taskset" not in out and "not pinned to cores" in out
    else:
        assert "taskset -c" in out
    assert f"-p {tmp_path / 'lb'} -c nginx.conf" in out and "http://127.0.0.1:8080" in out
    assert main(["deploy", "nginx", "--replicas", "3", "--port", "8080", "--out",
                 str(tmp_path / "lb")]) == 2  # fmt: skip
    assert "already exists" in capsys.readouterr().err
