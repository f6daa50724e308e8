"""ID photos taken at the kiosk: candidate shots while the citizen chooses, the chosen one kept
with the application.

Photos have random names and are never served statically. They are kept as files under
`<instance>/photos/` (mode 0600) by the functions here, or in the database (`photo_store`).
Until the application is submitted, the wizard's answers name them (the candidate shots, then
the chosen one); the unchosen and abandoned ones are deleted. On submission
`submit_application` records the chosen one and its check results (`ApplicationPhoto`).
"""

from __future__ import annotations

import fcntl
import math
import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import select

from photo import Report, UnreadableImage, analyse

from ..db import Database
from ..models import ApplicationPhoto

PHOTO_FOLDER = "photos"
# Live hint frames are at most 640 px on the long side (photo.js); anything needing more than
# four times that area decoded is refused before decoding (JPEG is reduced while decoding).
HINT_MAX_DECODED_PIXELS = 4 * 640 * 640
FULL_SEARCH_EVERY = 3  # about once a second at the kiosk's 3 hints a second
_NAME = re.compile(r"^[0-9a-f]{32}\.jpg$")


class PhotoMissing(LookupError):
    pass


@dataclass(frozen=True)
class Shot:
    """One picture the camera took, checked: the compliant photo when it passed."""

    report: Report
    jpeg: bytes | None  # the 358 x 441 ID photo, None when a check failed

    @property
    def ok(self) -> bool:
        return self.jpeg is not None


def folder(instance_path: str | os.PathLike) -> Path:
    path = Path(instance_path) / PHOTO_FOLDER
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


@dataclass(frozen=True)
class Hint:
    """The checks on a live camera frame, and the note to send back with the next frame."""

    report: Report
    track: str | None  # where the face was and how many frames followed it: "x,y,w,h,followed"


def check_frame(image: bytes, track: str | None = None) -> Hint:
    """The checks on a reduced camera frame, for live hints. Raises `UnreadableImage`, also for
    a picture that would need more than HINT_MAX_DECODED_PIXELS decoded.

    With the `track` of the previous hint the face is followed from where it was (cheap), except
    every FULL_SEARCH_EVERY-th frame, which is searched whole to notice a second person.
    """
    last_face, followed = _parse_track(track)
    if followed >= FULL_SEARCH_EVERY - 1:
        last_face, followed = None, -1
    report = analyse(image, last_face=last_face, max_decoded_pixels=HINT_MAX_DECODED_PIXELS)
    if report.face_box is None:
        return Hint(report=report, track=None)
    return Hint(report=report, track=",".join([*(f"{v:.1f}" for v in report.face_box), str(followed + 1)]))


def _parse_track(track: str | None) -> tuple[tuple[float, float, float, float] | None, int]:
    """The face box and the count of frames it was followed, from the kiosk's (untrusted) note."""
    try:
        *box, followed = (track or "").split(",")
        values, count = tuple(float(v) for v in box), int(followed)
        if len(values) == 4 and all(math.isfinite(v) for v in values) and count >= 0:
            return values, count
    except ValueError:
        pass
    return None, FULL_SEARCH_EVERY


def take_shot(image: bytes) -> Shot:
    """Check a full camera frame and cut the ID photo from it when it passes (one analysis).
    Raises `UnreadableImage`."""
    report = analyse(image)
    return Shot(report=report, jpeg=report.id_photo() if report.ok else None)


def store(directory: Path, jpeg: bytes, *, name: str | None = None) -> str:
    """Write a photo under a new random name, or `name` from `new_name` (readable by this user
    only); returns the name."""
    name = name or new_name()
    fd = os.open(directory / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(jpeg)
    except BaseException:
        (directory / name).unlink()  # never leave a half-written photo behind (e.g. the disk is full)
        raise
    return name


def new_name() -> str:
    return f"{secrets.token_hex(16)}.jpg"


def read(directory: Path, name: str) -> bytes:
    if not _NAME.match(name or ""):
        raise PhotoMissing(name)
    try:
        return (directory / name).read_bytes()
    except FileNotFoundError as error:
        raise PhotoMissing(name) from error


def delete(directory: Path, names) -> None:
    for name in names:
        if name and _NAME.match(name):
            (directory / name).unlink(missing_ok=True)


def is_photo_name(name: str) -> bool:
    """Whether `name` is one `store` gives (a photo file, not a path or anything else)."""
    return bool(_NAME.match(name or ""))


@contextmanager
def folder_lock(directory: Path, *, shared: bool = False) -> Iterator[None]:
    """Held exclusively while kept photos (those named by ApplicationPhoto rows) are deleted,
    and shared while the folder is copied, so a backup never loses a file its snapshot names.
    Blocks until it is free; released when the block ends or the process dies."""
    fd = os.open(directory / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def photo_of(db: Database, application_id: int) -> ApplicationPhoto | None:
    with db.reading() as session:
        return session.exec(select(ApplicationPhoto).where(ApplicationPhoto.application_id == application_id)).first()


__all__ = [
    "PHOTO_FOLDER",
    "Hint",
    "PhotoMissing",
    "Shot",
    "UnreadableImage",
    "check_frame",
    "delete",
    "folder",
    "folder_lock",
    "is_photo_name",
    "new_name",
    "photo_of",
    "read",
    "store",
    "take_shot",
]
