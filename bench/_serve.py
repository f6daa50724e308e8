"""Shared by the benchmarks: run a WSGI app under gunicorn on a free port, and time HTTP calls."""

from __future__ import annotations

import math
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(app: str, env: dict[str, str], workers: int = 5, log=None):
    """Serve `app` (module:attribute); yields the base URL; stops the server afterwards.
    `log`: an open file for the server's standard error (default: this process's)."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        app,
    ]
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"{app} did not start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def init_instance(env: dict[str, str]) -> None:
    """A fresh instance as `kiosk init` makes it (schema, demo station) for the settings in `env`."""
    init = [sys.executable, "-c", "from kiosk.cli import main; main()", "init"]
    subprocess.run(init, cwd=ROOT, env={**os.environ, **env}, check=True, capture_output=True)


def server_ms(headers) -> float:
    """The app's own time for a request, from its Server-Timing header."""
    return float(headers["Server-Timing"].split("dur=")[1])


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[max(0, math.ceil(len(ordered) * 0.95) - 1)], 2),  # nearest rank
        "p99_ms": round(ordered[max(0, math.ceil(len(ordered) * 0.99) - 1)], 2),
    }
