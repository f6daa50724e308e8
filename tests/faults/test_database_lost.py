"""The database goes away in the middle of a citizen's request, and comes back.

PostgreSQL: the app reaches the server through a TCP relay that the test cuts, as a failed
network would (every open connection dies, new ones are refused). SQLite: an open database
file cannot vanish under the process using it (a moved or deleted file keeps working through
its open descriptors), so its failure is the storage's: the database lives on a small
filesystem that the test fills up, and the write fails. Either way the fault strikes at an
exact statement of the request, with rows already written in its transaction.
"""

from __future__ import annotations

import shutil
import socket
import threading
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy.engine import make_url
from sqlmodel import select

from kiosk import create_app
from kiosk.models import Applicant, Application, ApplicationMaterial, AuditEvent, KioskSession, PhotoBlob
from tests.consistency import problems
from tests.faults.tools import at_statement, fill, small_filesystem
from tests.helpers import idempotency_key, walk_to_check
from tests.routes.test_photo import answers, compliant_frame, photo_files, shoot, upload, walk_to_photo

BUSY = "系統繁忙，剛才的內容沒有儲存"  # the zh_Hant page the citizen chose: nothing was saved


class Relay:
    """A TCP relay to the PostgreSQL server of `database_url` that can be cut (every connection
    dropped, new ones refused) and restored; `url` reaches the database through it."""

    def __init__(self, database_url: str):
        url = make_url(database_url)
        self.upstream = (url.host, url.port or 5432)
        self.server = socket.create_server(("127.0.0.1", 0))
        self.url = url.set(host="127.0.0.1", port=self.server.getsockname()[1]).render_as_string(hide_password=False)
        self.down = threading.Event()
        self.lock = threading.Lock()
        self.open: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return  # closed: the test is over
            if self.down.is_set():
                client.close()
                continue
            server = socket.create_connection(self.upstream)
            with self.lock:
                self.open += [client, server]
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            _hang_up(source, target)

    def cut(self) -> None:
        self.down.set()
        with self.lock:
            dropped, self.open = self.open, []
        _hang_up(*dropped)

    def restore(self) -> None:
        self.down.clear()

    def close(self) -> None:
        self.server.close()
        self.cut()


def _hang_up(*sockets: socket.socket) -> None:
    for sock in sockets:
        try:
            sock.shutdown(socket.SHUT_RDWR)  # wakes the pump blocked in recv on it
        except OSError:
            pass
        sock.close()


class FullDisk:
    """The SQLite database's own filesystem, filled up and freed again."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.ballast: Path | None = None

    def cut(self) -> None:
        self.ballast = fill(self.folder)

    def restore(self) -> None:
        self.ballast.unlink()


@pytest.fixture
def database_url(database_url, tmp_path):
    """SQLite: the test database moved onto a small filesystem of its own."""
    if not database_url.startswith("sqlite"):
        yield database_url
        return
    with small_filesystem(tmp_path / "storage", "8m") as storage:
        path = storage / "kiosk.db"
        shutil.move(database_url.removeprefix("sqlite:///"), path)
        yield f"sqlite:///{path}"


@pytest.fixture
def outage(database_url):
    if database_url.startswith("sqlite"):
        yield FullDisk(Path(database_url.removeprefix("sqlite:///")).parent)
        return
    relay = Relay(database_url)
    yield relay
    relay.close()


@pytest.fixture
def app_config(app_config, outage):
    """The app reaches PostgreSQL through the relay; the test's own `database` does not."""
    return app_config | {"DATABASE_URL": outage.url} if isinstance(outage, Relay) else app_config


def count(database, model) -> int:
    with database.reading() as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_the_database_lost_mid_submit_saves_nothing_and_the_retry_makes_one_application(
    client, app, database, outage
):
    client.post("/language", data={"lang": "zh_Hant"})
    check = walk_to_check(client, app_type="lost")
    key = idempotency_key(check)

    # The application, its applicant and materials are written; the audit rows come next.
    with at_statement(app.extensions["kiosk_db"].engine, "INSERT INTO auditevent", outage.cut) as fired:
        response = client.post("/apply/check", data={"idempotency_key": key})
    assert fired, "the submit never reached its audit rows"
    assert response.status_code == 503
    assert BUSY in response.get_data(as_text=True)

    # Still away: a second tap gets the same message.
    again = client.post("/apply/check", data={"idempotency_key": key})
    assert again.status_code == 503 and BUSY in again.get_data(as_text=True)

    outage.restore()
    for model in (Application, Applicant, ApplicationMaterial, AuditEvent):
        assert count(database, model) == 0, model.__name__
    assert count(database, KioskSession) == 1  # the answers are still there for the retry
    assert problems(database, app.instance_path) == []

    retry = client.post("/apply/check", data={"idempotency_key": key})
    assert retry.status_code == 303 and retry.headers["Location"].endswith("/apply/done")
    assert 'id="application-number"' in client.get("/apply/done").get_data(as_text=True)
    with database.reading() as session:
        [application] = session.exec(select(Application)).all()
        assert application.idempotency_key == key
        assert session.exec(select(ApplicationMaterial.material)).all() == ["household_register"]
    assert count(database, Applicant) == 1 and count(database, KioskSession) == 0
    assert problems(database, app.instance_path) == []
    # A double tap on the retry changes nothing.
    client.post("/apply/check", data={"idempotency_key": key})
    assert count(database, Application) == 1


def test_the_database_lost_while_a_shot_is_saved_leaves_no_photo_behind(client, app, database, outage):
    walk_to_photo(client)
    # The photo file is written; then the answers that would name it cannot be saved.
    with at_statement(app.extensions["kiosk_db"].engine, "UPDATE kiosksession", outage.cut) as fired:
        response = upload(client, "/apply/photo/shots", compliant_frame())
    assert fired and response.status_code == 503
    outage.restore()
    assert photo_files(app) == []
    assert answers(app).get("photo_count", 0) == 0 and "photo_shots" not in answers(app)
    assert problems(database, app.instance_path) == []

    body = shoot(client, compliant_frame())
    assert body["ok"] and [path.name for path in photo_files(app)] == [answers(app)["photo_shots"][0]["file"]]
    assert problems(database, app.instance_path) == []


def test_the_database_lost_while_a_shot_is_saved_keeps_no_photo_in_the_database(app_config, database, outage):
    """With the photos in the database the new shot is written in the answers' transaction: it
    goes with them."""
    app = create_app(app_config | {"PHOTO_STORE": "database"})
    client = app.test_client()
    walk_to_photo(client)
    with at_statement(app.extensions["kiosk_db"].engine, "UPDATE kiosksession", outage.cut) as fired:
        response = upload(client, "/apply/photo/shots", compliant_frame())
    assert fired and response.status_code == 503
    outage.restore()
    assert count(database, PhotoBlob) == 0 and "photo_shots" not in answers(app)
    assert problems(database, app.instance_path) == []

    assert shoot(client, compliant_frame())["ok"]
    with database.reading() as session:
        assert session.exec(select(PhotoBlob.name)).all() == [answers(app)["photo_shots"][0]["file"]]
    assert photo_files(app) == [] and problems(database, app.instance_path) == []
    app.extensions["kiosk_db"].dispose()


@pytest.mark.parametrize("choice", ["a shot", "the window"])
def test_the_database_lost_while_the_citizen_chooses_keeps_every_shot(client, app, database, outage, choice):
    walk_to_photo(client)
    shots = [shoot(client, compliant_frame())["shot"] for _ in range(2)]
    kept = answers(app)
    with at_statement(app.extensions["kiosk_db"].engine, "UPDATE kiosksession", outage.cut) as fired:
        if choice == "a shot":
            response = client.post("/apply/photo/choose", data={"shot": shots[0]["id"]})
        else:
            response = client.post("/apply/photo", data={"photo": "window"})
    assert fired and response.status_code == 503
    outage.restore()
    assert answers(app) == kept and len(photo_files(app)) == 2  # the answers still name both, and both are there
    assert problems(database, app.instance_path) == []
