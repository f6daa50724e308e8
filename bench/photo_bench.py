"""How long the kiosk's camera waits on the server: the capture and the live hints.

Prints one JSON object with medians, each against a floor measured in the same run:

- capture, on a 1280x720 and a 1920x1080 JPEG frame: `analyse` once, then `report.id_photo()`
  (the 358x441 JPEG cut from the full-resolution pixels without detecting again);
- live hint, on a 640x360 JPEG frame (what photo.js sends): `analyse` following the face from the
  previous frame's box (`tracked`, most hints), and searching the whole frame (`full_search`).

The floor is Pillow alone on the same frame: decode, cut the photo's rectangle, resize it to
358x441, encode (no face detection, no checks); `ratio` is ours over it.

    .venv/bin/python bench/photo_bench.py [--rounds 30]
    .venv/bin/python bench/photo_bench.py --hints-load [--kiosks 4] [--seconds 30]

`--hints-load` instead serves the app under gunicorn (as `kiosk serve` does) and lets kiosks at
the photo step post live hints as photo.js does, 3 a second each, one at a time, sending back
the face track; it reports the server's time per hint (p50/p95/p99, from `Server-Timing`) and,
as the baseline, a bare Flask endpoint served the same way at the same pace.

Needs the test extras (scikit-image builds the frames).
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from functools import partial
from pathlib import Path

import cv2
from _clients import Browser, Recorder, lost_card_citizen, walk_to_photo
from _serve import gunicorn, init_instance, server_ms, summary
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from kiosk.cli import default_workers  # noqa: E402
from photo import analyse  # noqa: E402
from photo.idphoto import JPEG_QUALITY  # noqa: E402
from tests.photo.scenes import FRAME_720P, FRAME_1080P, portrait  # noqa: E402

HINT_FRAME = (640, 360)
HINTS_PER_SECOND = 3
WARM_UP_SECONDS = 3
TARGET_CAPTURE_RATIO = 6
TARGET_HINT_RATIO = 3
TARGET_HINTS_LOAD_P95_MS = 30


def camera_frame(size: tuple[int, int]) -> bytes:
    return portrait(frame=size, face_width=250 * size[0] / 1280).jpeg(quality=90)


def timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def pillow_floor(frame: bytes, box: tuple[int, int, int, int]) -> None:
    x, y, w, h = box
    with Image.open(io.BytesIO(frame)) as image:
        photo = image.crop((x, y, x + w, y + h)).resize((358, 441), Image.Resampling.BILINEAR)
    photo.save(io.BytesIO(), "JPEG", quality=JPEG_QUALITY)


def milliseconds(values: list[float]) -> float:
    return round(1000 * statistics.median(values), 2)


def measure_capture(size: tuple[int, int], rounds: int) -> dict:
    frame = camera_frame(size)
    report = analyse(frame)  # also the warm-up: networks loaded, caches filled
    report.id_photo()
    work = {
        "capture": lambda: analyse(frame).id_photo(),
        "floor": lambda: pillow_floor(frame, report.crop),
    }
    times = interleaved(work, rounds)
    result = {
        "frame_kb": round(len(frame) / 1024, 1),
        "analyse_ms": milliseconds(interleaved({"analyse": lambda: analyse(frame)}, rounds)["analyse"]),
        "capture_ms": milliseconds(times["capture"]),
        "pillow_floor_ms": milliseconds(times["floor"]),
    }
    result["ratio"] = round(result["capture_ms"] / result["pillow_floor_ms"], 1)
    return result


def measure_hint(rounds: int) -> dict:
    frame = camera_frame(HINT_FRAME)
    report = analyse(frame)
    work = {
        "tracked": lambda: analyse(frame, last_face=report.face_box),
        "full_search": lambda: analyse(frame),
        "floor": lambda: pillow_floor(frame, report.crop),
    }
    times = interleaved(work, rounds)
    floor = milliseconds(times["floor"])
    result = {"frame_kb": round(len(frame) / 1024, 1), "pillow_floor_ms": floor}
    for name in ("tracked", "full_search"):
        result[f"{name}_ms"] = milliseconds(times[name])
        result[f"{name}_ratio"] = round(result[f"{name}_ms"] / floor, 1)
    return result


def interleaved(work: dict, rounds: int) -> dict[str, list[float]]:
    """Each piece of work once a round, so that the machine's noise hits all alike."""
    times: dict[str, list[float]] = {name: [] for name in work}
    for _ in range(rounds):
        for name, run in work.items():
            times[name].append(timed(run))
    return times


def paced(base: str, kiosks: int, seconds: float, walk, ask) -> tuple[list[float], list[float], list[str]]:
    """`kiosks` threads, each through the wizard to the photo step (`walk(browser)`), then
    calling `ask(connection, headers, state)` HINTS_PER_SECOND times a second (never two at once)
    for WARM_UP_SECONDS, not counted (every worker loads its networks), then for `seconds`;
    server and client milliseconds of each call, and the errors. Each kiosk starts at a random
    moment within the first interval, as independent kiosks do (in step, all four would search
    whole frames at the same instants)."""
    server: list[float] = []
    client: list[float] = []
    errors: list[str] = []

    def one(phase: float) -> None:
        browser = Browser(base, Recorder())
        walk(browser)
        cookie = "; ".join(f"{name}={value}" for name, value in browser.cookies.items())
        headers = {"Cookie": cookie, "X-CSRFToken": browser.csrf}
        state: dict = {}
        started = time.perf_counter() + phase
        warm_up = round(WARM_UP_SECONDS * HINTS_PER_SECOND)
        for number in range(warm_up + round(seconds * HINTS_PER_SECOND)):
            time.sleep(max(0.0, started + number / HINTS_PER_SECOND - time.perf_counter()))
            sent = time.perf_counter()
            try:
                response, body = ask(browser.connection, headers, state)
            except (OSError, http.client.HTTPException) as error:
                browser.connection.close()
                errors.append(f"{type(error).__name__}: {error}")
                continue
            if response.status != 200:
                errors.append(f"{response.status}: {body[:200]!r}")
            elif number >= warm_up:
                client.append(1000 * (time.perf_counter() - sent))
                server.append(server_ms(response.headers))

    phases = random.Random(kiosks).uniform  # the same phases every run
    threads = [threading.Thread(target=one, args=(phases(0, 1 / HINTS_PER_SECOND),)) for _ in range(kiosks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return server, client, errors


def ask_for_hint(frame: bytes):
    def ask(connection, headers, state):
        sent = headers | {"Content-Type": "image/jpeg", "X-Frame-Scale": "2"}
        if state.get("track"):
            sent["X-Face-Track"] = state["track"]
        connection.request("POST", "/apply/photo/hints", frame, sent)
        response = connection.getresponse()
        body = response.read()
        state["track"] = response.headers.get("X-Face-Track")
        if response.status == 200 and json.loads(body) != {"ok": True, "face": True, "messages": []}:
            raise http.client.HTTPException(f"unexpected hint {body[:200]!r}")
        return response, body

    return ask


def ask_bare(connection, headers, state):
    connection.request("GET", "/", headers=headers)
    response = connection.getresponse()
    return response, response.read()


def measure_hints_load(kiosks: int, seconds: float, workers: int) -> dict:
    frame = camera_frame(HINT_FRAME)
    load_before = round(os.getloadavg()[0], 2)  # what else the machine is doing
    with tempfile.TemporaryDirectory() as instance:
        env = {"KIOSK_INSTANCE_PATH": instance, "KIOSK_SECRET_KEY": "bench"}
        init_instance(env)
        with open(Path(instance) / "server.log", "w") as log:
            with gunicorn("kiosk.wsgi:app", env, workers=workers, log=log) as base:
                walk = partial(walk_to_photo, citizen=lost_card_citizen(1))
                server, client, errors = paced(base, kiosks, seconds, walk, ask_for_hint(frame))
            with gunicorn("bench.bare_app:app", {}, workers=workers, log=log) as base:
                bare, _, bare_errors = paced(base, kiosks, seconds, lambda browser: None, ask_bare)
    result = {
        "load_average_1min_before_after": [load_before, round(os.getloadavg()[0], 2)],
        "kiosks": kiosks,
        "hints_per_second_each": HINTS_PER_SECOND,
        "seconds": seconds,
        "workers": workers,
        "errors": len(errors) + len(bare_errors),
        "error_samples": (errors + bare_errors)[:5],
        "server_time": summary(server),
        "client_time": summary(client),
        "baseline_bare_flask_server_time": summary(bare),
        "target_p95_ms": TARGET_HINTS_LOAD_P95_MS,
    }
    result["ratio_p95_to_baseline"] = round(
        result["server_time"]["p95_ms"] / max(result["baseline_bare_flask_server_time"]["p95_ms"], 0.01), 1
    )
    result["meets_target"] = result["server_time"]["p95_ms"] <= TARGET_HINTS_LOAD_P95_MS and not result["errors"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--hints-load", action="store_true", help="live hints from several kiosks under gunicorn")
    parser.add_argument("--kiosks", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=default_workers(), help="gunicorn workers (as `kiosk serve`)")
    args = parser.parse_args()
    cv2.setNumThreads(1)  # as in the app's workers (kiosk/wsgi.py)
    if args.hints_load:
        result = measure_hints_load(args.kiosks, args.seconds, args.workers)
        print(json.dumps({"benchmark": "photo: live hints under gunicorn", **result}))
        return
    captures = {f"{w}x{h}": measure_capture((w, h), args.rounds) for w, h in (FRAME_720P, FRAME_1080P)}
    hint = measure_hint(args.rounds)
    result = {
        "benchmark": "photo: capture (analyse once + ID photo) and live hint per camera frame (median)",
        "rounds": args.rounds,
        "capture": captures,
        "hint_640x360": hint,
        "target_capture_ratio": TARGET_CAPTURE_RATIO,
        "target_hint_ratio": TARGET_HINT_RATIO,
        "meets_targets": captures["1280x720"]["ratio"] <= TARGET_CAPTURE_RATIO
        and hint["tracked_ratio"] <= TARGET_HINT_RATIO,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
