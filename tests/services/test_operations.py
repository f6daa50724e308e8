"""The figures /healthz reports: the print queue, and the cameras' last reports (in the database)."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from kiosk.clock import utcnow
from kiosk.db import Database, make_engine
from kiosk.domain.states import PrintState
from kiosk.models import PrintJob, Station
from kiosk.services import operations
from kiosk.services.operations import CAMERA_REFRESH, CAMERA_WORKING, NO_CAMERA, PrintQueue, print_queue

HOUR = dt.timedelta(hours=1)


def test_the_print_queue_counts_this_stations_waiting_and_recently_failed_jobs(database, station):
    now = utcnow()
    with database.transaction() as session:
        queued, failed, done = PrintState.QUEUED, PrintState.FAILED, PrintState.DONE
        for state, age in [(queued, 3 * HOUR), (queued, HOUR), (failed, 2 * HOUR), (failed, 72 * HOUR), (done, HOUR)]:
            session.add(
                PrintJob(
                    station_id=station.id,
                    kind="receipt",
                    printer="file",
                    requested_by="test",
                    progress_url="",
                    state=state,
                    created_at=now - age,
                    updated_at=now - age,
                )
            )
    assert print_queue(database, station.id, now=now) == PrintQueue(
        queued=2, oldest_queued=now - 3 * HOUR, failed_recently=1
    )
    assert print_queue(database, station.id + 1, now=now) == PrintQueue(0, None, 0)  # another station's


def test_a_camera_report_is_kept_per_terminal_and_a_repeat_only_refreshes_it_now_and_then(database, station):
    now = utcnow()
    assert operations.camera_status(database, station.id) == {}
    assert operations.record_camera(database, station.id, "10.0.0.21", CAMERA_WORKING, now=now)
    later = now + dt.timedelta(seconds=5)
    assert not operations.record_camera(database, station.id, "10.0.0.21", CAMERA_WORKING, now=later)
    assert operations.record_camera(database, station.id, "10.0.0.22", NO_CAMERA, "NotAllowedError", now=now)
    assert operations.record_camera(database, station.id, "10.0.0.21", CAMERA_WORKING, now=now + CAMERA_REFRESH)
    assert operations.camera_status(database, station.id) == {
        "10.0.0.21": {"state": "working", "reason": "", "at": (now + CAMERA_REFRESH).isoformat()},
        "10.0.0.22": {"state": "no_camera", "reason": "NotAllowedError", "at": now.isoformat()},
    }
    # A change of state is written at once.
    changed = now + CAMERA_REFRESH
    assert operations.record_camera(database, station.id, "10.0.0.21", NO_CAMERA, "NotReadableError", now=changed)
    assert operations.camera_status(database, station.id)["10.0.0.21"]["state"] == "no_camera"


def test_camera_reports_are_shared_by_every_server_of_the_station_and_kept_apart_per_station(database, station):
    """Another server on the same database (a second Database object) sees the report at once; a
    terminal with the same address at another station is another terminal."""
    other_server = Database(make_engine(str(database.engine.url.render_as_string(hide_password=False))))
    try:
        operations.record_camera(database, station.id, "127.0.0.1", NO_CAMERA, "NotFoundError")
        assert operations.camera_status(other_server, station.id)["127.0.0.1"]["state"] == "no_camera"
        with database.transaction() as session:
            session.add(Station(code="330403", name="Other", province_code="33", settings={}))
        other = load_station_id(database, "330403")
        assert operations.camera_status(database, other) == {}
        assert operations.record_camera(other_server, other, "127.0.0.1", CAMERA_WORKING)
        assert operations.camera_status(database, station.id)["127.0.0.1"]["state"] == "no_camera"
    finally:
        other_server.dispose()


def load_station_id(database, code: str) -> int:
    with database.reading() as session:
        return session.exec(select(Station.id).where(Station.code == code)).one()


def test_a_repeated_report_is_taken_from_memory_for_a_few_seconds_then_checked_again(database, station):
    """Hints report the camera several times a second: the database is asked at most every
    CAMERA_CONFIRMED_FOR, and a change written by another server is seen after that."""
    now = utcnow()
    assert operations.record_camera(database, station.id, "10.0.0.21", CAMERA_WORKING, now=now)
    other_server = Database(make_engine(str(database.engine.url.render_as_string(hide_password=False))))
    try:
        changed = now + dt.timedelta(seconds=2)
        assert operations.record_camera(other_server, station.id, "10.0.0.21", NO_CAMERA, "NotReadable", now=changed)
        soon = now + operations.CAMERA_CONFIRMED_FOR - dt.timedelta(seconds=1)
        assert not operations.record_camera(database, station.id, "10.0.0.21", CAMERA_WORKING, now=soon)
        assert operations.camera_status(database, station.id)["10.0.0.21"]["state"] == "no_camera"
        later = now + operations.CAMERA_CONFIRMED_FOR
        assert operations.record_camera(database, station.id, "10.0.0.21", CAMERA_WORKING, now=later)
        assert operations.camera_status(other_server, station.id)["10.0.0.21"]["state"] == "working"
    finally:
        other_server.dispose()
