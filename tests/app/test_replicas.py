"""Participant servers behind haproxy (``bash lab.sh serve-study 2``): new browsers spread over the replicas, each
stays on its own, and a dead replica's browsers are served by the other."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

from app.replicas import haproxy_config, start
from survey.store.db import open_database
from tests.conftest import ROOT
from tests.survey.conftest import db_url  # noqa: F401 - the fixture, a fresh PostgreSQL schema

pytestmark = [pytest.mark.slow]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(url: str, replica: str | None = None) -> tuple[int, str | None]:
    """Status and the replica the balancer's cookie names (the one sent back, or kept)."""
    request = urllib.request.Request(url, headers={"Cookie": f"LAB_REPLICA={replica}"} if replica else {})
    with urllib.request.urlopen(request, timeout=10) as response:
        cookie: SimpleCookie = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie.load(header)
        return response.status, cookie["LAB_REPLICA"].value if "LAB_REPLICA" in cookie else replica


def replicas_seen(base: str) -> set[str | None]:
    """The replicas four new browsers are sent to (none while haproxy or the replicas are still starting)."""
    try:
        return {get(f"{base}/_stcore/health")[1] for _ in range(4)}
    except OSError:
        return set()


def skip_without_postgresql_and_haproxy(url: str) -> None:
    if not url.startswith("postgresql") or shutil.which("haproxy") is None:
        pytest.skip("replicas share PostgreSQL and sit behind haproxy (bash lab.sh test installs both)")


@pytest.fixture
def balanced(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, list]]:  # noqa: F811
    skip_without_postgresql_and_haproxy(db_url)
    open_database(db_url)  # migrated once, before the replicas start
    monkeypatch.setenv("DATABASE_URL", db_url)
    port = free_port()
    processes = start(2, port, tmp_path)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while replicas_seen(base) != {"r1", "r2"}:
            assert time.monotonic() < deadline, "the replicas did not come up behind haproxy"
            time.sleep(1)
        yield base, processes
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=30)


def test_new_browsers_spread_and_each_stays_on_its_replica(balanced: tuple[str, list]) -> None:
    base, _ = balanced
    assert [get(f"{base}/study", "r1")[1] for _ in range(5)] == ["r1"] * 5
    assert [get(f"{base}/study", "r2")[1] for _ in range(5)] == ["r2"] * 5


def test_a_dead_replicas_browsers_are_served_by_the_other(balanced: tuple[str, list]) -> None:
    base, processes = balanced
    os.kill(processes[0].pid, signal.SIGKILL)  # replica r1, mid-study for its browsers
    deadline = time.monotonic() + 30
    while True:
        try:
            status, replica = get(f"{base}/study", "r1")
            if status == 200 and replica == "r2":
                break
        except OSError:
            pass
        assert time.monotonic() < deadline, "r1's browsers were not sent to r2"
        time.sleep(0.5)


def test_the_config_keeps_browsers_on_a_replica_and_checks_health() -> None:
    config = haproxy_config(8502, [8503, 8504])
    assert "cookie LAB_REPLICA insert" in config and "option redispatch" in config
    assert "server r2 127.0.0.1:8504 check cookie r2" in config and "timeout tunnel" in config


def children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def test_serve_study_stopped_by_its_service_manager_takes_replicas_and_haproxy_along(
        db_url: str, tmp_path: Path) -> None:  # noqa: F811
    skip_without_postgresql_and_haproxy(db_url)
    open_database(db_url)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": db_url, "LAB_DATA_DIR": str(tmp_path)}
    serve = subprocess.Popen([sys.executable, "-m", "app.replicas", "2", "--port", str(port)], cwd=ROOT, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    started: list[int] = []
    try:
        deadline = time.monotonic() + 120
        while replicas_seen(f"http://127.0.0.1:{port}") != {"r1", "r2"}:
            assert time.monotonic() < deadline, "the replicas did not come up behind haproxy"
            time.sleep(1)
        started = children(serve.pid)
        assert len(started) == 3
        serve.send_signal(signal.SIGTERM)  # as systemd or docker stop do
        assert serve.wait(timeout=60) == 0
        assert [pid for pid in started if Path(f"/proc/{pid}").exists()] == []
    finally:
        for pid in [serve.pid, *started]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
