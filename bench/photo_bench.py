"""How long the kiosk's camera waits on the server: the capture and the live hints.

Prints one JSON object with medians, each against a floor measured in the same run:

- capture, on a 1280x720 and a 1920x1080 JPEG frame: `analyse` once, then `report.id_photo()`
  (the 358x441 JPEG cut from the full-resolution pixels without detecting again);
- live hint, on a 640x360 JPEG frame (what photo.js sends): `analyse` following the face from the
  previous frame's box (`tracked`, most hints), and searching the whole frame (`full_search`).

The floor is Pillow alone on the same frame: decode, cut the photo's rectangle, resize it to
358x441, encode (no face detection, no checks); `ratio` is ours over it.

    .venv/bin/python bench/photo_bench.py [--rounds 30] [--old-path REV]

`--old-path REV` also times the photo package as it was at git revision REV (analyse, then
make_id_photo analysing again), interleaved in the same rounds. Needs the test extras
(scikit-image builds the frames).
"""

from __future__ import annotations

import argparse
import importlib
import io
import json
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from photo import analyse  # noqa: E402
from photo.idphoto import JPEG_QUALITY  # noqa: E402
from tests.photo.scenes import FRAME_720P, FRAME_1080P, portrait  # noqa: E402

HINT_FRAME = (640, 360)
TARGET_CAPTURE_RATIO = 6
TARGET_HINT_RATIO = 3


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


def old_package(revision: str):
    """The photo package at `revision`, importable beside today's as `photo_before`."""
    archive = subprocess.run(["git", "-C", ROOT, "archive", revision, "photo"], capture_output=True, check=True)
    folder = Path(tempfile.mkdtemp(prefix="photo-before-"))
    tarfile.open(fileobj=io.BytesIO(archive.stdout)).extractall(folder, filter="data")
    package = (folder / "photo").rename(folder / "photo_before")
    for module in package.glob("*.py"):
        module.write_text(re.sub(r"\bfrom photo\b", "from photo_before", module.read_text()))
    sys.path.insert(0, str(folder))
    return importlib.import_module("photo_before")


def milliseconds(values: list[float]) -> float:
    return round(1000 * statistics.median(values), 2)


def measure_capture(size: tuple[int, int], rounds: int, old) -> dict:
    frame = camera_frame(size)
    report = analyse(frame)  # also the warm-up: networks loaded, caches filled
    report.id_photo()
    work = {
        "capture": lambda: analyse(frame).id_photo(),
        "floor": lambda: pillow_floor(frame, report.crop),
    }
    if old is not None:
        work["old_capture"] = lambda: (old.analyse(frame), old.make_id_photo(frame))
    times = interleaved(work, rounds)
    result = {
        "frame_kb": round(len(frame) / 1024, 1),
        "analyse_ms": milliseconds(interleaved({"analyse": lambda: analyse(frame)}, rounds)["analyse"]),
        "capture_ms": milliseconds(times["capture"]),
        "pillow_floor_ms": milliseconds(times["floor"]),
    }
    result["ratio"] = round(result["capture_ms"] / result["pillow_floor_ms"], 1)
    if old is not None:
        result["old_capture_ms"] = milliseconds(times["old_capture"])
        result["old_ratio"] = round(result["old_capture_ms"] / result["pillow_floor_ms"], 1)
    return result


def measure_hint(rounds: int, old) -> dict:
    frame = camera_frame(HINT_FRAME)
    report = analyse(frame)
    work = {
        "tracked": lambda: analyse(frame, last_face=report.face_box),
        "full_search": lambda: analyse(frame),
        "floor": lambda: pillow_floor(frame, report.crop),
    }
    if old is not None:
        old.analyse(frame)
        work["old"] = lambda: old.analyse(frame)
    times = interleaved(work, rounds)
    floor = milliseconds(times["floor"])
    result = {"frame_kb": round(len(frame) / 1024, 1), "pillow_floor_ms": floor}
    for name in work.keys() - {"floor"}:
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--old-path", metavar="REV", help="also time the photo package of this git revision")
    args = parser.parse_args()
    old = old_package(args.old_path) if args.old_path else None
    captures = {f"{w}x{h}": measure_capture((w, h), args.rounds, old) for w, h in (FRAME_720P, FRAME_1080P)}
    hint = measure_hint(args.rounds, old)
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
    if old is not None:
        result["old_path"] = args.old_path
    print(json.dumps(result))


if __name__ == "__main__":
    main()
