"""Shared by the benchmarks and tests/cluster: run a WSGI app under gunicorn on a free port, nginx
in front of several, and time HTTP calls."""

from __future__ import annotations

import math
import os
import pwd
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
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
    with gunicorns(app, [env], workers, log) as [(base, _process)]:
        yield base


@contextmanager
def gunicorns(app: str, envs: list[dict[str, str]], workers: int = 5, log=None):
    """One server of `app` per environment in `envs`, started together; yields [(base URL, the
    master's process)]. Each master and its workers form a process group of their own, which
    `kill_server` ends at once as a crash would."""
    started = []
    try:
        for env in envs:
            port = free_port()
            command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
            command += ["--log-level", "warning", app]
            process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stderr=log, start_new_session=True)
            started.append((f"http://127.0.0.1:{port}", process))
        for base, _process in started:
            _wait_until_it_answers(base + "/healthz", app)
        yield started
    finally:
        for _base, process in started:
            if process.poll() is None:
                process.terminate()
        for _base, process in started:
            process.wait(timeout=10)


def kill_server(process: subprocess.Popen) -> None:
    """SIGKILL to a `gunicorns` master and its workers: no request in progress finishes."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def _wait_until_it_answers(url: str, what: str) -> None:
    for _ in range(100):
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return  # an answer, if not a happy one
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not start")


NGINX_PROXY_SETTINGS = ROOT / "deploy" / "nginx-kiosk-proxy.conf"


@contextmanager
def nginx(upstreams: list[str], log=None):
    """Debian's nginx on a free port in front of `upstreams` (base URLs) as deploy/nginx-kiosk.conf
    puts it in front of a station's app servers (round robin, `max_fails`, the proxy settings of
    deploy/nginx-kiosk-proxy.conf), over plain HTTP; yields its base URL. Every answer says which
    app server gave it (`X-Upstream`), for the tests."""
    port = free_port()
    servers = "".join(f"server {url.split('://', 1)[1]} max_fails=3 fail_timeout=10s;\n" for url in upstreams)
    with tempfile.TemporaryDirectory(prefix="kiosk-nginx-") as folder:
        config = Path(folder) / "nginx.conf"
        config.write_text(
            f"""user {pwd.getpwuid(os.geteuid()).pw_name};
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    upstream kiosk {{
        {servers}
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 10m;
        add_header X-Upstream $upstream_addr always;
        location / {{
            proxy_pass http://kiosk;
            include {NGINX_PROXY_SETTINGS};
        }}
    }}
}}
"""
        )
        command = ["nginx", "-e", f"{folder}/error.log", "-c", str(config), "-g", "daemon off;"]
        process = subprocess.Popen(command, stderr=log)
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_it_answers(base + "/healthz", "nginx")
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
