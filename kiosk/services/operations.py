"""What /healthz reports beyond the schema: whether the database takes writes, the print queue,
and what the kiosk terminals last said about their cameras.

The camera reports live in the database (`CameraReport`, one row per station and terminal
address), so every worker process and every app server of the station reports the same state.
"""

from __future__ import annotations

import datetime as dt
import weakref
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import col, func, select

from ..clock import utcnow
from ..db import Database, DatabaseUnavailable
from ..domain.states import PrintState
from ..models import CameraReport, PrintJob

CAMERA_WORKING, NO_CAMERA = "working", "no_camera"
CAMERA_STATES = (CAMERA_WORKING, NO_CAMERA)
# A terminal reporting the same state again (live hints, several a second) rewrites its entry
# at most this often: enough to tell how long ago its camera was last seen working.
CAMERA_REFRESH = dt.timedelta(minutes=1)
# What this process last read or wrote of a terminal's entry is trusted this long without asking the
# database again (the hints come several times a second): a change another worker or server
# wrote meanwhile is seen at most this late.
CAMERA_CONFIRMED_FOR = dt.timedelta(seconds=10)
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
                PrintJob.station_id == station_id, PrintJob.state == PrintState.QUEUED
            )
        ).one()
        failed = session.exec(
            select(func.count()).where(
                PrintJob.station_id == station_id,
                PrintJob.state == PrintState.FAILED,
                col(PrintJob.updated_at) >= now - RECENT_FAILURES,
            )
        ).one()
    return PrintQueue(queued=queued, oldest_queued=oldest, failed_recently=failed)


def camera_status(db: Database, station_id: int) -> dict[str, dict]:
    """Terminal address → {"state", "reason", "at" (ISO time)}; empty when none has reported."""
    with db.reading() as session:
        reports = session.exec(select(CameraReport).where(CameraReport.station_id == station_id)).all()
    return {r.terminal: {"state": r.state, "reason": r.reason, "at": r.at.isoformat()} for r in reports}


def record_camera(
    db: Database, station_id: int, terminal: str, state: str, reason: str = "", *, now: dt.datetime | None = None
) -> bool:
    """Note what a terminal's camera did: `working`, or `no_camera` with the browser's reason.
    Returns whether the report was written (a repeated state only after CAMERA_REFRESH)."""
    if state not in CAMERA_STATES:
        raise ValueError(f"unknown camera state {state!r}")
    now = now or utcnow()
    key = (station_id, terminal)
    known = _confirmed.setdefault(db, {}).get(key)
    if known and now - known.confirmed_at < CAMERA_CONFIRMED_FOR and _still_current(known, state, reason, now):
        return False
    written, _confirmed[db][key] = _refresh_camera_report(db, key, state, reason, now)
    return written


@dataclass(frozen=True)
class _Confirmed:
    """A terminal's entry as this process last read or wrote it."""

    state: str
    reason: str
    at: dt.datetime
    confirmed_at: dt.datetime


# Per Database object (one an app; tests make several), forgotten with it.
_confirmed: weakref.WeakKeyDictionary[Database, dict[tuple[int, str], _Confirmed]] = weakref.WeakKeyDictionary()


def _refresh_camera_report(
    db: Database, key: tuple[int, str], state: str, reason: str, now: dt.datetime
) -> tuple[bool, _Confirmed]:
    """Write the report unless the database holds it already, current: whether it was written, and
    the entry as it now stands."""
    written = _Confirmed(state, reason, now, confirmed_at=now)
    with db.reading() as session:
        report = session.get(CameraReport, key)
        if _still_current(report, state, reason, now):
            return False, _Confirmed(report.state, report.reason, report.at, confirmed_at=now)
    try:
        with db.transaction() as session:
            report = session.get(CameraReport, key, with_for_update=True)
            if _still_current(report, state, reason, now):  # another worker or server wrote it meanwhile
                return False, _Confirmed(report.state, report.reason, report.at, confirmed_at=now)
            report = report or CameraReport(station_id=key[0], terminal=key[1])
            report.state, report.reason, report.at = state, reason, now
            session.add(report)
    except IntegrityError:
        return False, written  # another worker or server reported this terminal first, at the same moment
    return True, written


def _still_current(report: CameraReport | _Confirmed | None, state: str, reason: str, now: dt.datetime) -> bool:
    if report is None or report.state != state or report.reason != reason:
        return False
    return now - report.at < CAMERA_REFRESH
