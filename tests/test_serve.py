"""`kiosk serve` under the real gunicorn: its standard error is JSON lines, gunicorn's own
included; one access line per request, from the app, with the request id and no query string."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from _serve import free_port  # noqa: E402


def _wait_until_served(base: str, server: subprocess.Popen) -> None:
    for _ in range(300):
        assert server.poll() is None, "kiosk serve stopped"
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("kiosk serve did not answer")


def test_kiosk_serve_writes_json_lines_and_one_access_line_per_request(database_url, database, tmp_path, monkeypatch):
    monkeypatch.delenv("KIOSK_LOG_FORMAT", raising=False)  # the default under kiosk serve: JSON
    kiosk = shutil.which("kiosk", path=str(Path(sys.executable).parent))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        "KIOSK_INSTANCE_PATH": str(tmp_path / "instance"),
        "KIOSK_DATABASE_URL": database_url,
        "KIOSK_SECRET_KEY": "serve-test",
    }
    log = tmp_path / "stderr.log"
    with log.open("wb") as stderr:
        server = subprocess.Popen(
            [kiosk, "serve", "--port", str(port), "--workers", "1"],
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        try:
            _wait_until_served(base, server)
            asked = urllib.request.Request(base + "/book/?phone=13812345678", headers={"X-Request-ID": "serve-1"})
            with urllib.request.urlopen(asked, timeout=10) as response:
                assert response.status == 200 and response.headers["X-Request-ID"] == "serve-1"
            with urllib.request.urlopen(base + "/track/", timeout=10) as response:
                generated = response.headers["X-Request-ID"]
        finally:
            server.terminate()
            server.wait(timeout=20)

    text = log.read_text(encoding="utf-8")
    entries = [json.loads(line) for line in text.splitlines()]  # every line, gunicorn's too
    assert any(entry["logger"] == "gunicorn.error" and "Booting worker" in entry["message"] for entry in entries)
    assert not any(entry["logger"] == "gunicorn.access" for entry in entries)
    [booking] = [entry for entry in entries if entry["request_id"] == "serve-1"]
    assert (booking["logger"], booking["method"], booking["path"], booking["status"]) == (
        "kiosk.access",
        "GET",
        "/book/",
        200,
    )
    [track] = [entry for entry in entries if entry["request_id"] == generated]
    assert track["path"] == "/track/" and track["duration_ms"] >= 0
    assert "13812345678" not in text and "phone=" not in text


def test_a_worker_loads_the_face_networks_before_its_first_request(database_url, database, tmp_path):
    probe = "import kiosk.wsgi, photo.detection as d; print(d.default_detector.cache_info().currsize)"
    env = {**os.environ, "KIOSK_DATABASE_URL": database_url, "KIOSK_INSTANCE_PATH": str(tmp_path / "instance")}
    result = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "1"
