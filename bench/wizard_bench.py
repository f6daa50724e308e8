"""Many kiosks walking the whole wizard at once against the app under gunicorn.

Prints one JSON object: requests/s, the server time (p50/p95) per step, and the
same run's figures for a bare Flask endpoint served the same way as the baseline.

    .venv/bin/python bench/wizard_bench.py [--kiosks 50] [--rounds 2] [--boosted]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
import urllib.request

from _clients import Browser, Recorder, RequestFailed, lost_card_citizen, walk_wizard
from _serve import ROOT, gunicorn, init_instance, server_ms, summary

sys.path.insert(0, str(ROOT))
from kiosk.cli import default_workers  # noqa: E402


def run_kiosks(base: str, kiosks: int, rounds: int, boosted: bool) -> tuple[Recorder, float]:
    recorder = Recorder()

    def one(index: int) -> None:
        browser = Browser(base, recorder, boosted=boosted)
        for round_number in range(rounds):
            try:
                walk_wizard(browser, lost_card_citizen(index * rounds + round_number))
            except RequestFailed:
                pass  # counted by the recorder; the next application starts afresh

    threads = [threading.Thread(target=one, args=(i,)) for i in range(kiosks)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return recorder, time.perf_counter() - started


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
    parser.add_argument(
        "--boosted",
        action="store_true",
        help="request pages as htmx does in a browser (hx-boost), each keypad key checked as typed",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as instance:
        env = {"KIOSK_INSTANCE_PATH": instance, "KIOSK_SECRET_KEY": "bench"}
        init_instance(env)
        with gunicorn("kiosk.wsgi:app", env, workers=args.workers) as base:
            recorder, elapsed = run_kiosks(base, args.kiosks, args.rounds, args.boosted)
        count = recorder.requests
        with gunicorn("bench.bare_app:app", {}, workers=args.workers) as base:
            bare, bare_elapsed = run_baseline(base, args.kiosks, count // args.kiosks)

    timings = recorder.server
    all_steps = [t for values in timings.values() for t in values]
    result = {
        "benchmark": f"kiosk wizard under gunicorn ({args.workers} sync workers, SQLite)",
        "requested_as": "htmx boosted pages" if args.boosted else "whole pages",
        "kiosks": args.kiosks,
        "applications": args.kiosks * args.rounds,
        "errors": recorder.errors,
        "error_samples": recorder.error_samples,
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
