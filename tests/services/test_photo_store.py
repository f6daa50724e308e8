"""Photos kept in the database (PHOTO_STORE = "database") for several app servers: every server
sees them, the purge and the sweep delete them in their transactions, backups carry them in the
snapshot, and `kiosk photos-to-database` moves a station's files, safely run twice."""

from __future__ import annotations

import datetime as dt
import os
import uuid

import pytest
from click.testing import CliRunner
from sqlmodel import select

from kiosk import create_app
from kiosk.cli import main
from kiosk.clock import utcnow
from kiosk.db import Database, make_engine
from kiosk.domain.catalogue import ApplicationType
from kiosk.domain.id_number import parse_id_number
from kiosk.domain.states import Action
from kiosk.models import ApplicationPhoto, PhotoBlob
from kiosk.services import photos, retention
from kiosk.services.applications import change_state, submit_application
from kiosk.services.assessment import NewApplication
from kiosk.services.backup import create_backup
from kiosk.services.photo_store import DatabaseStore, move_folder_to_database
from kiosk.services.wizard import purge_idle, save_answers
from tests.conftest import STAFF_PASSWORD, make_id
from tests.routes.test_photo import compliant_frame, finish, photo_files, shoot, walk_to_photo

OLD = dt.datetime(2026, 1, 5, 2, tzinfo=dt.UTC)  # long before the demo station's 365 days
NOW = dt.datetime(2027, 12, 1, 3, tzinfo=dt.UTC)


def _blobs(database) -> set[str]:
    with database.reading() as session:
        return set(session.exec(select(PhotoBlob.name)).all())


def _another_server(database) -> Database:
    return Database(make_engine(database.engine.url.render_as_string(hide_password=False)))


def test_a_photo_put_through_one_server_is_read_through_another_and_deleted_for_both(database):
    other = _another_server(database)
    try:
        name = DatabaseStore(database).put(b"\xff\xd8 jpeg")
        assert photos.is_photo_name(name) and DatabaseStore(other).get(name) == b"\xff\xd8 jpeg"
        DatabaseStore(other).delete([name, "../kiosk.db", ""])
        for server in (database, other):
            with pytest.raises(photos.PhotoMissing):
                DatabaseStore(server).get(name)
        with pytest.raises(photos.PhotoMissing):
            DatabaseStore(database).get("../secret_key")
    finally:
        other.dispose()


def test_the_purge_deletes_a_database_photo_with_its_case(database, station):
    store = DatabaseStore(database)
    new = NewApplication(
        id_number=parse_id_number(make_id("33040219800315123")),
        app_type=ApplicationType.LOST,
        registered_province="33",
        idempotency_key=uuid.uuid4().hex,
        name="王小明",
        phone="13812345678",
        photo_file=store.put(os.urandom(2000)),
    )
    application = submit_application(database, station, new, actor="kiosk:330402", now=OLD)
    change_state(database, station, application.id, Action.WITHDRAW, actor="staff:zhang", reason="", now=OLD)
    kept = store.put(b"a candidate of someone still at the kiosk")

    report = retention.purge(database, station, photo_store=store, now=NOW)
    assert report.photos == 1 and _blobs(database) == {kept}


def test_the_sweep_deletes_the_database_photos_of_abandoned_answers(database):
    store = DatabaseStore(database)
    shots = [store.put(b"one"), store.put(b"two")]
    save_answers(database, "abandoned-token", {"photo_shots": [{"file": name} for name in shots]})
    later = utcnow() + dt.timedelta(hours=2)
    assert purge_idle(database, max_idle=dt.timedelta(hours=1), now=later, photo_store=store) == 1
    assert _blobs(database) == set()


def test_the_kiosk_and_the_window_work_on_database_photos_with_nothing_on_disk(app_config, database, staff_user):
    app = create_app(app_config | {"PHOTO_STORE": "database"})
    client = app.test_client()
    walk_to_photo(client)
    shot = shoot(client, compliant_frame())["shot"]
    assert client.get(shot["url"]).status_code == 200
    client.post("/apply/photo/choose", data={"shot": shot["id"]})
    finish(client)
    assert photo_files(app) == [] and len(_blobs(database)) == 1

    window = app.test_client()
    assert window.post("/staff/login", data={"username": "zhang", "password": STAFF_PASSWORD}).status_code == 303
    with database.reading() as session:
        kept = session.exec(select(ApplicationPhoto)).one()
    assert window.get(f"/staff/photos/{kept.application_id}.jpg").data == DatabaseStore(database).get(kept.file)
    app.extensions["kiosk_db"].dispose()


def test_an_unknown_photo_store_is_refused_when_the_app_starts(app_config):
    with pytest.raises(ValueError, match="PHOTO_STORE"):
        create_app(app_config | {"PHOTO_STORE": "nfs"})


def test_moving_the_files_into_the_database_is_safe_to_run_twice(database, tmp_path):
    folder = photos.folder(tmp_path)
    names = [photos.store(folder, os.urandom(1000)) for _ in range(3)]
    contents = {name: (folder / name).read_bytes() for name in names}
    (folder / "notes.txt").write_text("not a photo")
    # An earlier run was cut off after committing one photo and before deleting its file.
    with database.transaction() as session:
        session.add(PhotoBlob(name=names[0], data=contents[names[0]], created_at=OLD))

    first = move_folder_to_database(database, folder)
    assert (first.moved, first.already, first.refused) == (2, 1, [])
    assert sorted(p.name for p in folder.iterdir() if photos.is_photo_name(p.name)) == []
    assert (folder / "notes.txt").exists()
    assert {name: DatabaseStore(database).get(name) for name in names} == contents

    again = move_folder_to_database(database, folder)
    assert (again.moved, again.already, again.refused) == (0, 0, [])


def test_a_file_that_differs_from_its_database_photo_is_kept(database, tmp_path):
    folder = photos.folder(tmp_path)
    name = photos.store(folder, b"the file")
    with database.transaction() as session:
        session.add(PhotoBlob(name=name, data=b"another picture", created_at=OLD))
    moved = move_folder_to_database(database, folder)
    assert moved.refused == [name] and (folder / name).read_bytes() == b"the file"
    assert DatabaseStore(database).get(name) == b"another picture"


def test_the_command_moves_a_stations_files_and_says_what_it_did(app_config, database, tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    names = [photos.store(photos.folder(instance), os.urandom(500)) for _ in range(2)]
    monkeypatch.setenv("KIOSK_INSTANCE_PATH", str(instance))
    monkeypatch.setenv("KIOSK_DATABASE_URL", app_config["DATABASE_URL"])
    result = CliRunner().invoke(main, ["photos-to-database"])
    assert result.exit_code == 0, result.output
    assert "2 photos moved into the database, 0 were there already" in result.output
    assert _blobs(database) == set(names) and not any(photos.folder(instance).glob("*.jpg"))
    again = CliRunner().invoke(main, ["photos-to-database"])
    assert again.exit_code == 0 and "0 photos moved into the database, 0 were there already" in again.output


def test_a_backup_of_an_instance_keeping_photos_in_the_database_needs_no_files(database, station, tmp_path):
    if database.dialect != "sqlite":
        pytest.skip("kiosk backup is for the embedded SQLite database; PostgreSQL has pg_dump")
    new = NewApplication(
        id_number=parse_id_number(make_id("33040219800315123")),
        app_type=ApplicationType.LOST,
        registered_province="33",
        idempotency_key=uuid.uuid4().hex,
        name="王小明",
        phone="13812345678",
        photo_file=DatabaseStore(database).put(os.urandom(2000)),
    )
    submit_application(database, station, new, actor="kiosk:330402")
    summary = create_backup(database, tmp_path, tmp_path / "backup.tar.gz")
    assert summary.photos == 0 and summary.tables["photoblob"] == 1
