"""A study at panel scale: N participant servers (``LAB_PAGES=study``) behind haproxy, sharing one PostgreSQL.

``bash lab.sh serve-study N`` runs :func:`main`. Streamlit keeps a websocket and its media files per browser session
in the process that served it, so the balancer is sticky: haproxy inserts a cookie naming the replica, and every
later request of that browser (the websocket handshake included) goes there. When a replica dies, haproxy's health
check takes it out within two seconds and ``option redispatch`` sends its browsers to another: their sessions start
afresh there, and the participation resumes from the link's token or the browser's cookie (``app.remember``), since
every answer is already in the database. Quotas and the design's rows are decided by the database's row lock
(``survey.collect.participants``), so no replica's memory matters.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from app.places import ROOT, data_dir

HEALTH = "/_stcore/health"


def haproxy_config(port: int, replica_ports: list[int]) -> str:
    """The balancer: round robin for new browsers, a cookie keeping each on its replica, health checks every second."""
    servers = "\n".join(f"    server r{i + 1} 127.0.0.1:{p} check cookie r{i + 1} inter 1s fall 2 rise 2"
                        for i, p in enumerate(replica_ports))
    return f"""global
    maxconn 4096
    # 4096 connections (two per participant: the page and its websocket) fit the usual open-file limit;
    # raise it with the limit (ulimit -n) for more than about 2,000 participants at once.

defaults
    mode http
    option redispatch
    retries 3
    timeout connect 5s
    timeout client 1h
    timeout server 1h
    timeout tunnel 1h

frontend participants
    bind 0.0.0.0:{port}
    default_backend replicas

backend replicas
    balance roundrobin
    cookie LAB_REPLICA insert indirect nocache httponly
    option httpchk GET {HEALTH}
    http-check expect status 200
{servers}
"""


def wait_healthy(base: str, seconds: float = 60.0) -> bool:
    """Whether the Streamlit server at ``base`` answers its health check within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}{HEALTH}", timeout=2)
            return True
        except OSError:
            time.sleep(0.5)
    return False


def replica_command(port: int) -> list[str]:
    return [sys.executable, "-m", "streamlit", "run", str(ROOT / "app" / "main.py"), "--server.port", str(port),
            "--server.headless", "true", "--browser.gatherUsageStats", "false"]


def start(replicas: int, port: int, folder: Path) -> list[subprocess.Popen[bytes]]:
    """Start the replicas and haproxy; returns their processes (haproxy last)."""
    if not os.environ.get("DATABASE_URL", "").startswith("postgresql"):
        raise SystemExit("serve-study: set DATABASE_URL to the PostgreSQL database the replicas share "
                         "(postgresql+psycopg://USER:PASSWORD@HOST/DB); SQLite is one process's database.")
    folder.mkdir(parents=True, exist_ok=True)
    ports = [port + 1 + i for i in range(replicas)]
    env = {**os.environ, "LAB_PAGES": "study", "LAB_DEMO": "0"}
    processes = [subprocess.Popen(replica_command(p), cwd=ROOT, env=env) for p in ports]
    config = folder / "haproxy.cfg"
    config.write_text(haproxy_config(port, ports))
    processes.append(subprocess.Popen(["haproxy", "-f", str(config)], cwd=folder))
    return processes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="serve-study", description="Participant servers behind haproxy.")
    parser.add_argument("replicas", type=int, nargs="?", default=2, help="participant servers (default 2)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8502)),
                        help="where participants connect (default 8502); replicas take the ports after it")
    args = parser.parse_args(argv)
    if not 1 <= args.replicas <= 64:
        parser.error(f"replicas must be between 1 and 64, got {args.replicas}")
    # A service manager stops with SIGTERM: end as Ctrl-C does, taking the replicas and haproxy along.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    processes = start(args.replicas, args.port, data_dir() / "replicas")
    print(f"serve-study: {args.replicas} replicas behind http://0.0.0.0:{args.port} (Ctrl-C stops them all)")
    try:
        while all(p.poll() is None for p in processes[-1:]):
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
