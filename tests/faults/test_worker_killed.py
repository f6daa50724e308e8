"""A gunicorn worker is killed (SIGKILL) while it submits a citizen's application, and the
kiosk sends the same submit again.

The test holds a lock on the database so the submit stops inside its transaction: on
PostgreSQL after the applicant and the application are written (a lock on the materials
table); on SQLite once the worker has its turn among the writers and waits for the write
lock. It finds the worker serving the request from the operating system (/proc), kills it,
lets the database go, and retries with the same cookie and idempotency key.
"""

from __future__ import annotations

import fcntl
import os
import re
import signal
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from http.cookiejar import CookieJar
from pathlib import Path

from sqlalchemy import func, text
from sqlmodel import select

from kiosk.models import Applicant, Application, ApplicationMaterial, AuditEvent, KioskSession
from tests.consistency import problems
from tests.helpers import idempotency_key, walk_to_check
from tests.services.test_applications import _hold_write_lock
from tests.services.test_booking_http_race import _NoRedirect

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from _serve import gunicorn  # noqa: E402

PATIENCE_S = 30  # the longest the test waits for the server to reach a state


class Page:
    """An HTTP answer, read the way tests/helpers.py reads the Flask test client's."""

    def __init__(self, status: int, headers, body: bytes):
        self.status_code, self.headers, self.data = status, headers, body

    def get_data(self, as_text: bool = False):
        return self.data.decode() if as_text else self.data


class Kiosk:
    """The kiosk's browser over real HTTP: its cookies, and the CSRF token of its session."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect())

    def _open(self, path: str, body: bytes | None = None, headers: dict | None = None) -> Page:
        request = urllib.request.Request(self.base + path, data=body, headers=headers or {})
        try:
            response = self.opener.open(request, timeout=120)
        except urllib.error.HTTPError as error:  # 3xx (not followed), 4xx, 5xx
            response = error
        with response:
            return Page(response.code, response.headers, response.read())

    def get(self, path: str) -> Page:
        return self._open(path)

    def post(self, path: str, data: dict | None = None) -> Page:
        # The session's token, as every page carries it (the wizard clears the session at the start).
        token = re.search(r'"X-CSRFToken": "([^"]+)"', self.get("/").get_data(as_text=True))[1]
        body = urllib.parse.urlencode(data or {}, doseq=True).encode()
        return self._open(path, body, {"X-CSRFToken": token})


def _parent(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as stat:
        return int(stat.read().rsplit(")", 1)[1].split()[1])


def _children(parent: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if _parent(int(entry)) == parent:
                    found.append(int(entry))
            except (FileNotFoundError, ProcessLookupError):
                continue  # gone meanwhile
    return found


def _workers(port: int) -> list[int]:
    """The worker processes of the gunicorn serving `port` (a child of this test)."""
    for pid in _children(os.getpid()):
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            command = cmdline.read()
        if b"gunicorn" in command and f"127.0.0.1:{port}".encode() in command:
            return _children(pid)
    raise AssertionError(f"no gunicorn serving port {port}")


def _serving(port: int) -> int:
    """The worker holding an accepted connection on `port`: the one serving the request."""
    sockets = set()
    with open("/proc/net/tcp") as table:
        for line in table.readlines()[1:]:
            fields = line.split()
            if int(fields[1].split(":")[1], 16) == port and fields[3] == "01":  # ESTABLISHED
                sockets.add(f"socket:[{fields[9]}]")
    for pid in _workers(port):
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") in sockets:
                    return pid
            except FileNotFoundError:
                continue
    raise AssertionError("no worker holds the request's connection")


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + PATIENCE_S
    while not condition():
        assert time.monotonic() < deadline, f"the server never {what}"
        time.sleep(0.02)


def _submit_stuck_inside(database_url: str, database) -> Callable[[], bool]:
    """Whether a submit now waits inside its transaction for the lock the test holds."""
    if database_url.startswith("sqlite"):
        queue = database_url.removeprefix("sqlite:///") + ".writers"

        def holds_the_writers_turn() -> bool:
            fd = os.open(queue, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return False
            except BlockingIOError:
                return True  # a worker took its turn and waits for SQLite's write lock
            finally:
                os.close(fd)

        return holds_the_writers_turn

    def waits_for_the_materials_table() -> bool:
        with database.engine.connect() as connection:
            return bool(
                connection.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                        " AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO applicationmaterial%'"
                    )
                ).scalar()
            )

    return waits_for_the_materials_table


def count(database, model) -> int:
    with database.reading() as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_a_worker_killed_inside_the_submit_loses_nothing_and_the_retry_makes_one_application(
    tmp_path, database_url, database
):
    env = {
        "KIOSK_INSTANCE_PATH": str(tmp_path / "instance"),
        "KIOSK_DATABASE_URL": database_url,
        "KIOSK_SECRET_KEY": "fault-secret",
        "KIOSK_BUSY_TIMEOUT_MS": "60000",  # the stopped submit waits for the lock, not for a timeout
    }
    with gunicorn("kiosk.wsgi:app", env, workers=2) as base:
        port = urllib.parse.urlsplit(base).port
        kiosk = Kiosk(base)
        key = idempotency_key(walk_to_check(kiosk, app_type="lost"))

        release = _hold_write_lock(database_url, table="applicationmaterial")
        outcome: list[BaseException | Page] = []

        def submit() -> None:
            try:
                outcome.append(kiosk.post("/apply/check", {"idempotency_key": key}))
            except BaseException as error:  # noqa: BLE001 - the connection dies with the worker
                outcome.append(error)

        try:
            request = threading.Thread(target=submit)
            request.start()
            _wait_for(_submit_stuck_inside(database_url, database), "stopped inside the submit")
            worker = _serving(port)
            os.kill(worker, signal.SIGKILL)
            request.join(PATIENCE_S)
        finally:
            release()
        [killed] = outcome
        assert isinstance(killed, OSError), killed  # no answer: the worker died mid-request
        # The arbiter reaps the dead worker when it next wakes: until then it is still its child.
        _wait_for(lambda: worker not in _workers(port), "reaped the killed worker")

        for model in (Application, Applicant, ApplicationMaterial, AuditEvent):
            assert count(database, model) == 0, model.__name__
        assert count(database, KioskSession) == 1
        assert problems(database, tmp_path / "instance") == []

        retry = kiosk.post("/apply/check", {"idempotency_key": key})
        assert retry.status_code == 303 and retry.headers["Location"].endswith("/apply/done")
        done = kiosk.get("/apply/done").get_data(as_text=True)
        again = kiosk.post("/apply/check", {"idempotency_key": key})  # a double tap after the retry
        assert again.status_code == 303 and again.headers["Location"].endswith("/apply/done")  # the same one

    with database.reading() as session:
        [application] = session.exec(select(Application)).all()
        trail = session.exec(select(AuditEvent.action).where(AuditEvent.application_id == application.id)).all()
    assert f'id="application-number">{application.number}<' in done
    assert application.idempotency_key == key and trail == ["create", "submit"]
    assert count(database, ApplicationMaterial) == 1 and count(database, KioskSession) == 0
    assert problems(database, tmp_path / "instance") == []
