"""How long the kiosk waits for the ID photo: `analyse` then `make_id_photo` on camera frames.

Prints one JSON object with the median times for a 1280x720 and a 1920x1080 JPEG frame (the
astronaut's face placed as a seated person's, see tests/photo/scenes.py), and, as the floor
measured in the same run, Pillow alone decoding the frame, cutting the photo's rectangle,
resizing it to 358x441 and encoding it; `ratio` is our time over that floor.

    .venv/bin/python bench/photo_bench.py [--rounds 30]

Needs the test extras (scikit-image builds the frames).
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from photo import analyse, make_id_photo  # noqa: E402
from photo.idphoto import JPEG_QUALITY  # noqa: E402
from tests.photo.scenes import FRAME_720P, FRAME_1080P, portrait  # noqa: E402

TARGET_720P_MS = 100


def camera_frame(size: tuple[int, int]) -> bytes:
    return portrait(frame=size, face_width=250 * size[0] / 1280).jpeg(quality=90)


def ours(frame: bytes) -> tuple[float, float]:
    started = time.perf_counter()
    analyse(frame)
    analysed = time.perf_counter()
    make_id_photo(frame)
    return analysed - started, time.perf_counter() - analysed


def pillow_floor(frame: bytes, box: tuple[int, int, int, int]) -> float:
    started = time.perf_counter()
    x, y, w, h = box
    with Image.open(io.BytesIO(frame)) as image:
        photo = image.crop((x, y, x + w, y + h)).resize((358, 441), Image.Resampling.BILINEAR)
    photo.save(io.BytesIO(), "JPEG", quality=JPEG_QUALITY)
    return time.perf_counter() - started


def measure(size: tuple[int, int], rounds: int) -> dict:
    frame = camera_frame(size)
    box = analyse(frame).crop  # also the warm-up: networks loaded, caches filled
    pillow_floor(frame, box)
    analyse_s, make_s, floor_s = [], [], []
    for _ in range(rounds):  # interleaved, so that the machine's noise hits both alike
        analysed, made = ours(frame)
        analyse_s.append(analysed)
        make_s.append(made)
        floor_s.append(pillow_floor(frame, box))
    total_ms = 1000 * statistics.median(a + m for a, m in zip(analyse_s, make_s, strict=True))
    floor_ms = 1000 * statistics.median(floor_s)
    return {
        "frame_kb": round(len(frame) / 1024, 1),
        "analyse_ms": round(1000 * statistics.median(analyse_s), 1),
        "make_id_photo_ms": round(1000 * statistics.median(make_s), 1),
        "analyse_plus_make_id_photo_ms": round(total_ms, 1),
        "pillow_floor_ms": round(floor_ms, 1),
        "ratio": round(total_ms / floor_ms, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    rounds = parser.parse_args().rounds
    results = {f"{w}x{h}": measure((w, h), rounds) for w, h in (FRAME_720P, FRAME_1080P)}
    print(
        json.dumps(
            {
                "benchmark": "photo: analyse + make_id_photo per camera frame (median)",
                "rounds": rounds,
                "frames": results,
                "target_1280x720_ms": TARGET_720P_MS,
                "meets_target": results["1280x720"]["analyse_plus_make_id_photo_ms"] <= TARGET_720P_MS,
            }
        )
    )


if __name__ == "__main__":
    main()
