"""The figures /healthz reports: the print queue, and the cameras' last reports (a shared file)."""

from __future__ import annotations

import datetime as dt
import json

from kiosk.clock import utcnow
from kiosk.models import PrintJob
from kiosk.services import operations
from kiosk.services.operations import CAMERA_REFRESH, CAMERA_WORKING, NO_CAMERA, PrintQueue, print_queue
from kiosk.services.printing import DONE, FAILED, QUEUED

HOUR = dt.timedelta(hours=1)


def test_the_print_queue_counts_this_stations_waiting_and_recently_failed_jobs(database, station):
    now = utcnow()
    with database.transaction() as session:
        for state, age in [(QUEUED, 3 * HOUR), (QUEUED, HOUR), (FAILED, 2 * HOUR), (FAILED, 72 * HOUR), (DONE, HOUR)]:
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


def test_a_camera_report_is_kept_per_terminal_and_a_repeat_only_refreshes_it_now_and_then(tmp_path):
    now = utcnow()
    assert operations.camera_status(tmp_path) == {}
    assert operations.record_camera(tmp_path, "10.0.0.21", CAMERA_WORKING, now=now)
    assert not operations.record_camera(tmp_path, "10.0.0.21", CAMERA_WORKING, now=now + dt.timedelta(seconds=5))
    assert operations.record_camera(tmp_path, "10.0.0.22", NO_CAMERA, "NotAllowedError", now=now)
    assert operations.record_camera(tmp_path, "10.0.0.21", CAMERA_WORKING, now=now + CAMERA_REFRESH)
    assert operations.camera_status(tmp_path) == {
        "10.0.0.21": {"state": "working", "reason": "", "at": (now + CAMERA_REFRESH).isoformat()},
        "10.0.0.22": {"state": "no_camera", "reason": "NotAllowedError", "at": now.isoformat()},
    }
    # A change of state is written at once.
    assert operations.record_camera(tmp_path, "10.0.0.21", NO_CAMERA, "NotReadableError", now=now + CAMERA_REFRESH)
    assert operations.camera_status(tmp_path)["10.0.0.21"]["state"] == "no_camera"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".camera-status.json.lock", "camera-status.json"]


def test_a_damaged_status_file_is_replaced_by_the_next_report(tmp_path):
    (tmp_path / operations.CAMERA_STATUS_FILE).write_text("{not json")
    assert operations.camera_status(tmp_path) == {}
    operations.record_camera(tmp_path, "10.0.0.21", NO_CAMERA, "NotFoundError")
    assert json.loads((tmp_path / operations.CAMERA_STATUS_FILE).read_text())["10.0.0.21"]["state"] == "no_camera"
