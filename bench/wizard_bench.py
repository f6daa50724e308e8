"""Many kiosks walking the whole wizard at once against the app under gunicorn.

Prints one JSON object: requests/s, the server time (p50/p95) per step, and the
same run's figures for a bare Flask endpoint served the same way as the baseline.

    .venv/bin/python bench/wizard_bench.py [--kiosks 50] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections import defaultdict
from http.cookiejar import CookieJar

from _serve import ROOT, gunicorn, server_ms, summary

sys.path.insert(0, str(ROOT))
from kiosk.cli import default_workers  # noqa: E402
from kiosk.domain.id_number import check_character  # noqa: E402

NO_SITUATION = {
    "can_travel": "yes",
    "special_group": "none",
    "urgent": "none",
    "blocking": "none",
    "out_of_hours": "no",
    "exemption": "none",
}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects come back as they are, so each request is timed on its own."""

    def redirect_request(self, *args, **kwargs):
        return None


class Kiosk:
    """One simulated kiosk: a browser with its own cookies, timing every request."""

    def __init__(self, base: str, timings: dict[str, list[float]], errors: list[str]):
        self.base, self.timings, self.errors = base, timings, errors
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect())
        self.csrf = ""

    def _open(self, path: str, body: bytes | None = None) -> tuple[int, object, str]:
        """One request, redirects not followed: (status, headers, page)."""
        try:
            response = self.opener.open(urllib.parse.urljoin(self.base, path), data=body, timeout=30)
        except urllib.error.HTTPError as error:  # 3xx (not followed), 4xx, 5xx
            response = error
        with response:
            return response.code, response.headers, response.read().decode()

    def request(self, path: str, data: dict | None = None) -> str:
        """POST the answers to `path` (or GET it without data), then follow a redirect to the
        next page as a browser does. Each request is timed on its own, as "METHOD path"."""
        body = None if data is None else urllib.parse.urlencode({**data, "csrf_token": self.csrf}, doseq=True).encode()
        status, headers, page = self._open(path, body)
        self.timings[("POST " if body else "GET ") + path].append(server_ms(headers))
        if status in (302, 303):
            path = urllib.parse.urlsplit(headers["Location"]).path
            status, headers, page = self._open(path)
            self.timings["GET " + path].append(server_ms(headers))
        if status >= 400:
            self.errors.append(f"{path}: {status}")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        if token:
            self.csrf = token[1]
        return page

    def apply(self, number: int) -> None:
        id_number = f"33040219800315{number % 1000:03d}"
        id_number += check_character(id_number)
        self.request("/")
        self.request("/start", {})
        self.request("/apply/type", {"app_type": "lost"})
        self.request("/apply/id_number", {"id_number": id_number})
        self.request("/apply/name", {"name": "王小明"})
        self.request("/apply/registration", {"registered_province": "33"})
        self.request("/apply/situation", NO_SITUATION)
        self.request("/apply/materials", {"held": ["household_register"]})
        self.request("/apply/plan", {})
        self.request("/apply/photo", {})
        self.request("/apply/contact", {"phone": "13812345678"})
        page = self.request("/apply/collection", {"method": "station"})
        key = re.search(r'name="idempotency_key" value="(\w+)"', page)
        if key is None:
            self.errors.append("check: no idempotency key")
            return
        self.request("/apply/check", {"idempotency_key": key[1]})


def run_kiosks(base: str, kiosks: int, rounds: int) -> tuple[dict, list[str], float, int]:
    timings: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []

    def one(index: int) -> None:
        kiosk = Kiosk(base, timings, errors)
        for round_number in range(rounds):
            kiosk.apply(index * rounds + round_number)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(kiosks)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return timings, errors, elapsed, sum(len(v) for v in timings.values())


def run_baseline(base: str, kiosks: int, requests_each: int) -> tuple[list[float], float]:
    timings: list[float] = []

    def one() -> None:
        for _ in range(requests_each):
            with urllib.request.urlopen(base + "/", timeout=30) as response:
                timings.append(server_ms(response.headers))
                response.read()

    threads = [threading.Thread(target=one) for _ in range(kiosks)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timings, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kiosks", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=2, help="applications per kiosk")
    parser.add_argument(
        "--workers",
        type=int,
        default=default_workers(),
        help="gunicorn sync workers for both servers (default: as `kiosk serve`)",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as instance:
        env = {"KIOSK_INSTANCE_PATH": instance, "KIOSK_SECRET_KEY": "bench"}
        init = [sys.executable, "-c", "from kiosk.cli import main; main()", "init"]
        subprocess.run(init, cwd=ROOT, env={**os.environ, **env}, check=True, capture_output=True)
        with gunicorn("kiosk.wsgi:app", env, workers=args.workers) as base:
            timings, errors, elapsed, count = run_kiosks(base, args.kiosks, args.rounds)
        with gunicorn("bench.bare_app:app", {}, workers=args.workers) as base:
            bare, bare_elapsed = run_baseline(base, args.kiosks, count // args.kiosks)

    all_steps = [t for values in timings.values() for t in values]
    result = {
        "benchmark": f"kiosk wizard under gunicorn ({args.workers} sync workers, SQLite)",
        "kiosks": args.kiosks,
        "applications": args.kiosks * args.rounds,
        "errors": len(errors),
        "error_samples": errors[:5],
        "requests": count,
        "requests_per_s": round(count / elapsed, 1),
        "server_time_all_steps": summary(all_steps),
        "server_time_per_step": {step: summary(values) for step, values in timings.items()},
        "baseline_bare_flask": summary(bare) | {"requests_per_s": round(len(bare) / bare_elapsed, 1)},
    }
    result["ratio_p95_all_steps_to_baseline"] = round(
        result["server_time_all_steps"]["p95_ms"] / max(result["baseline_bare_flask"]["p95_ms"], 0.01), 1
    )
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
