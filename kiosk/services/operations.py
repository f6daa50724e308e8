"""What /healthz reports beyond the schema: whether the database takes writes, the print queue,
and what the kiosk terminals last said about their cameras.

The camera reports live in a small JSON file in the instance folder, one entry per terminal
address, so every worker process reads and writes the same state (no table needed). Writers
take turns on a lock file and replace the file atomically: a reader never sees half of it.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import col, func, select

from ..clock import utcnow
from ..db import Database, DatabaseUnavailable
from ..models import PrintJob
from .printing import FAILED, QUEUED

CAMERA_STATUS_FILE = "camera-status.json"
CAMERA_WORKING, NO_CAMERA = "working", "no_camera"
CAMERA_STATES = (CAMERA_WORKING, NO_CAMERA)
# A terminal reporting the same state again (live hints, several a second) rewrites its entry
# at most this often: enough to tell how long ago its camera was last seen working.
CAMERA_REFRESH = dt.timedelta(minutes=1)
RECENT_FAILURES = dt.timedelta(days=1)


def check_writable(db: Database) -> None:
    """Raise DatabaseUnavailable unless the database takes a write now (a read-only file, disk or
    server does not): its schema's revision row is rewritten as it is, and the change rolled back."""
    try:
        with db.transaction() as session:
            session.execute(text("UPDATE alembic_version SET version_num = version_num"))
            session.rollback()
    except (DBAPIError, OSError) as error:  # PostgreSQL's read-only refusal; SQLite's writer lock file
        raise DatabaseUnavailable(str(getattr(error, "orig", None) or error)) from error


@dataclass(frozen=True)
class PrintQueue:
    queued: int  # waiting for the printer
    oldest_queued: dt.datetime | None
    failed_recently: int  # could not be rendered, in the last RECENT_FAILURES


def print_queue(db: Database, station_id: int, *, now: dt.datetime | None = None) -> PrintQueue:
    now = now or utcnow()
    with db.reading() as session:
        queued, oldest = session.exec(
            select(func.count(), func.min(PrintJob.created_at)).where(
                PrintJob.station_id == station_id, PrintJob.state == QUEUED
            )
        ).one()
        failed = session.exec(
            select(func.count()).where(
                PrintJob.station_id == station_id,
                PrintJob.state == FAILED,
                col(PrintJob.updated_at) >= now - RECENT_FAILURES,
            )
        ).one()
    return PrintQueue(queued=queued, oldest_queued=oldest, failed_recently=failed)


def camera_status(instance: str | os.PathLike[str]) -> dict[str, dict]:
    """Terminal address → {"state", "reason", "at" (ISO time)}; empty when none has reported."""
    try:
        entries = json.loads((Path(instance) / CAMERA_STATUS_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        return {}  # damaged: the next report writes it anew
    return entries if isinstance(entries, dict) else {}


def record_camera(
    instance: str | os.PathLike[str], terminal: str, state: str, reason: str = "", *, now: dt.datetime | None = None
) -> bool:
    """Note what a terminal's camera did: `working`, or `no_camera` with the browser's reason.
    Returns whether the file was written (a repeated state only after CAMERA_REFRESH)."""
    if state not in CAMERA_STATES:
        raise ValueError(f"unknown camera state {state!r}")
    now = now or utcnow()
    if _still_current(camera_status(instance).get(terminal), state, reason, now):
        return False
    with _turn(Path(instance)):
        entries = camera_status(instance)
        if _still_current(entries.get(terminal), state, reason, now):
            return False  # another worker wrote it meanwhile
        entries[terminal] = {"state": state, "reason": reason, "at": now.isoformat()}
        _replace(Path(instance) / CAMERA_STATUS_FILE, json.dumps(entries, indent=1, sort_keys=True))
    return True


def _still_current(entry: dict | None, state: str, reason: str, now: dt.datetime) -> bool:
    if not entry or entry.get("state") != state or entry.get("reason", "") != reason:
        return False
    try:
        return now - dt.datetime.fromisoformat(entry["at"]) < CAMERA_REFRESH
    except (KeyError, TypeError, ValueError):
        return False


@contextmanager
def _turn(instance: Path) -> Iterator[None]:
    fd = os.open(instance / f".{CAMERA_STATUS_FILE}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _replace(path: Path, text: str) -> None:
    fd, draft = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(draft, path)
    except BaseException:
        Path(draft).unlink(missing_ok=True)
        raise
