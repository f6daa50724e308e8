"""`kiosk backup` and `kiosk restore` on the embedded SQLite instance: a backup taken while the
kiosk keeps submitting applications restores every record of its snapshot, each photo row with
its file; damaged or altered archives and occupied instances are refused; an older backup is
upgraded. (PostgreSQL has its own tools: both commands refuse it.)"""

from __future__ import annotations

import fcntl
import io
import json
import os
import shutil
import sqlite3
import stat
import sys
import tarfile
import threading
import time
import urllib.request
import uuid
from contextlib import closing
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from click.testing import CliRunner

from kiosk import migrate
from kiosk.cli import main
from kiosk.db import Database, make_engine
from kiosk.domain.catalogue import ApplicationType
from kiosk.domain.id_number import parse_id_number
from kiosk.services import photos
from kiosk.services.applications import submit_application
from kiosk.services.assessment import NewApplication
from kiosk.services.backup import BackupRefused, create_backup, restore_backup
from kiosk.services.station import load_station
from tests.conftest import make_id

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from _serve import gunicorn  # noqa: E402

CONFIG = 'PRINTER_BACKEND = "file"\n'


def _url(instance: Path) -> str:
    return f"sqlite:///{instance / 'kiosk.db'}"


def kiosk(instance: Path, *args: str):
    """Run the `kiosk` command on an instance folder (its secret key generated there, as in production)."""
    env = {"KIOSK_INSTANCE_PATH": str(instance), "KIOSK_DATABASE_URL": _url(instance), "KIOSK_SECRET_KEY": None}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def source(tmp_path, sqlite_template) -> Path:
    """A station's instance folder: migrated database, demo station, secret key, kiosk.cfg."""
    instance = tmp_path / "source"
    instance.mkdir()
    shutil.copy(sqlite_template, instance / "kiosk.db")
    (instance / "kiosk.cfg").write_text(CONFIG)
    assert kiosk(instance, "init").exit_code == 0
    return instance


def _database(instance: Path) -> Database:
    return Database(make_engine(_url(instance), busy_timeout_ms=5000), busy_timeout_ms=5000)


def _apply(database: Database, station, folder: Path, n: int) -> None:
    """What the kiosk does on submission: the chosen photo is on disk, then the application names it."""
    new = NewApplication(
        id_number=parse_id_number(make_id(f"33040219800315{n % 1000:03d}")),
        app_type=ApplicationType.LOST,
        registered_province="33",
        idempotency_key=uuid.uuid4().hex,
        name="王小明",
        phone="13812345678",
        photo_file=photos.store(folder, os.urandom(3000)),
    )
    submit_application(database, station, new, actor="kiosk:330402")


class Writer(threading.Thread):
    """A kiosk submitting applications with photos, one after another, until stopped."""

    def __init__(self, instance: Path):
        super().__init__()
        self.database, self.folder = _database(instance), photos.folder(instance)
        self.submitted, self.error, self.halt = 0, None, threading.Event()

    def run(self) -> None:
        station = load_station(self.database, "330402")
        try:
            while not self.halt.is_set():
                _apply(self.database, station, self.folder, self.submitted)
                self.submitted += 1
        except BaseException as error:  # reported by the test
            self.error = error
        finally:
            self.database.dispose()

    def wait_for(self, count: int) -> None:
        deadline = time.monotonic() + 120
        while self.submitted < count and self.error is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert self.error is None and self.submitted >= count, self.error


def _tables(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table of a SQLite file, in storage order."""
    with closing(sqlite3.connect(path)) as connection:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {name: connection.execute(f'SELECT * FROM "{name}" ORDER BY rowid').fetchall() for name in names}


def _query(path: Path, sql: str) -> list[tuple]:
    with closing(sqlite3.connect(path)) as connection:
        return connection.execute(sql).fetchall()


def _members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive, "r:gz") as tar:
        return {member.name: tar.extractfile(member).read() for member in tar.getmembers()}


def _repack(archive: Path, members: dict[str, bytes]) -> None:
    with tarfile.open(archive, "w:gz") as tar:
        for name, body in members.items():
            entry = tarfile.TarInfo(name)
            entry.size = len(body)
            tar.addfile(entry, io.BytesIO(body))


def _photo_files(instance: Path) -> set[str]:
    return {path.name for path in (instance / "photos").iterdir() if photos.is_photo_name(path.name)}


def test_a_backup_taken_while_the_kiosk_writes_restores_its_snapshot_whole(source, tmp_path):
    writer = Writer(source)
    writer.start()
    try:
        writer.wait_for(20)
        before = writer.submitted
        result = kiosk(source, "backup", "--output", str(tmp_path / "station.tar.gz"))
        after = writer.submitted
        writer.wait_for(after + 10)  # and it goes on writing after the snapshot
    finally:
        writer.halt.set()
        writer.join()
    assert writer.error is None
    assert result.exit_code == 0, result.output
    archive = tmp_path / "station.tar.gz"
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600

    members = _members(archive)
    manifest = json.loads(members["manifest.json"])
    snapshot = tmp_path / "snapshot.db"
    snapshot.write_bytes(members["kiosk.db"])
    archived = _tables(snapshot)
    taken = len(archived["application"])
    assert before <= taken <= after + 1 and taken < writer.submitted
    assert manifest["tables"] == {name: len(rows) for name, rows in archived.items()}
    assert manifest["schema_revision"] == migrate.head_revision()
    # A snapshot of whole transactions: every case with its audit rows, its photo row and its message.
    assert _query(snapshot, "SELECT count(*) FROM auditevent WHERE action IN ('create', 'submit')") == [(2 * taken,)]
    assert len(archived["applicationphoto"]) == len(archived["notification"]) == taken
    # ...and a past state of the live database: its rows are there unchanged.
    live = _tables(source / "kiosk.db")
    for table in ("applicant", "application", "applicationphoto", "auditevent", "notification"):
        assert live[table][: len(archived[table])] == archived[table]
    # Only the snapshot's photos are in the archive, though more were on disk by the end.
    named = {row[0] for row in _query(snapshot, "SELECT file FROM applicationphoto")}
    assert {name.removeprefix("photos/") for name in members if name.startswith("photos/")} == named
    assert named < _photo_files(source)

    target = tmp_path / "restored"
    restored = kiosk(target, "restore", str(archive))
    assert restored.exit_code == 0, restored.output
    assert "integrity check: ok" in restored.output

    assert _tables(target / "kiosk.db") == archived
    assert _query(target / "kiosk.db", "PRAGMA integrity_check") == [("ok",)]
    assert _photo_files(target) == named
    for name in named:
        assert (target / "photos" / name).read_bytes() == (source / "photos" / name).read_bytes()
        assert stat.S_IMODE((target / "photos" / name).stat().st_mode) == 0o600
    assert (target / "secret_key").read_text() == (source / "secret_key").read_text()
    assert (target / "kiosk.cfg").read_text() == CONFIG

    env = {"KIOSK_INSTANCE_PATH": str(target), "KIOSK_DATABASE_URL": _url(target)}
    with gunicorn("kiosk.wsgi:app", env, workers=1) as base:
        with urllib.request.urlopen(base + "/healthz", timeout=10) as response:
            health = json.load(response)
    # 200 with the database usable and current ("degraded" would only be about disk, printer or camera).
    assert health["database"]["ok"] and health["database"]["revision"] == migrate.head_revision()


@pytest.fixture
def archive(source, tmp_path) -> Path:
    database = _database(source)
    station = load_station(database, "330402")
    for n in range(3):
        _apply(database, station, photos.folder(source), n)
    path = create_backup(database, source, tmp_path).path
    database.dispose()
    return path


def test_a_damaged_or_altered_archive_is_refused_and_nothing_is_written(archive, tmp_path):
    members = _members(archive)
    photo = next(name for name in members if name.startswith("photos/"))
    changes = {
        "altered photo": {**members, photo: members[photo][:-1] + bytes([members[photo][-1] ^ 1])},
        "altered database": {**members, "kiosk.db": members["kiosk.db"].replace(b"13812345678", b"13812345679")},
        "photo removed": {name: body for name, body in members.items() if name != photo},
        "entry outside": {**members, "../outside.jpg": b"x"},
    }
    for case, body in changes.items():
        tampered = tmp_path / f"{case}.tar.gz"
        _repack(tampered, body)
        target = tmp_path / case
        result = kiosk(target, "restore", str(tampered))
        assert result.exit_code == 1, (case, result.output)
        assert "manifest" in result.output or "unexpected entry" in result.output, (case, result.output)
        assert not (target / "kiosk.db").exists() and not _photo_files(target), case
        assert sorted(path.name for path in target.iterdir()) == ["photos", "secret_key"], case
    assert not (tmp_path / "outside.jpg").exists()
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[:-100])
    result = kiosk(tmp_path / "other", "restore", str(truncated))
    assert result.exit_code == 1 and "cannot be read" in result.output


def test_restore_refuses_an_instance_with_data_unless_forced(archive, tmp_path):
    target = tmp_path / "target"
    assert kiosk(target, "restore", str(archive)).exit_code == 0
    expected = _tables(target / "kiosk.db")
    database = _database(target)
    _apply(database, load_station(database, "330402"), photos.folder(target), 99)  # the instance moves on
    database.dispose()
    stray = _photo_files(target) - {n.removeprefix("photos/") for n in _members(archive) if n.startswith("photos/")}
    assert len(stray) == 1

    again = kiosk(target, "restore", str(archive))
    assert again.exit_code == 1 and "already has a database" in again.output and "--force" in again.output
    assert _tables(target / "kiosk.db") != expected

    forced = kiosk(target, "restore", "--force", str(archive))
    assert forced.exit_code == 0, forced.output
    assert _tables(target / "kiosk.db") == expected
    assert not stray & _photo_files(target)
    assert _photo_files(target) == {row[0] for row in _query(target / "kiosk.db", "SELECT file FROM applicationphoto")}


def test_an_existing_kiosk_cfg_is_kept_and_the_archived_one_put_beside_it(archive, tmp_path):
    target = tmp_path / "target"
    target.mkdir()
    (target / "kiosk.cfg").write_text('PRINTER_BACKEND = "cups"\n')
    result = kiosk(target, "restore", str(archive))
    assert result.exit_code == 0 and "kiosk.cfg.from-backup" in result.output
    assert (target / "kiosk.cfg").read_text() == 'PRINTER_BACKEND = "cups"\n'
    assert (target / "kiosk.cfg.from-backup").read_text() == CONFIG


def test_an_older_backup_is_upgraded_on_restore(tmp_path):
    older = tmp_path / "older"
    older.mkdir()
    database = _database(older)
    with database.engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(migrate.MIGRATIONS))
        config.attributes["connection"] = connection
        command.upgrade(config, "0010")
    with closing(sqlite3.connect(older / "kiosk.db")) as connection, connection:
        connection.execute(
            "INSERT INTO station (code, name, province_code, settings, settings_text, updated_at)"
            " VALUES ('330402', 'old station', '33', '{}', '', '2026-01-01 00:00:00')"
        )
    summary = create_backup(database, older, tmp_path / "older.tar.gz")
    database.dispose()
    assert summary.schema_revision == "0010"

    target = tmp_path / "target"
    result = kiosk(target, "restore", str(tmp_path / "older.tar.gz"))
    assert result.exit_code == 0, result.output
    assert f"schema 0010 -> {migrate.head_revision()}" in result.output
    assert _query(target / "kiosk.db", "SELECT code, name FROM station") == [("330402", "old station")]
    assert _query(target / "kiosk.db", "SELECT version_num FROM alembic_version") == [(migrate.head_revision(),)]


def test_a_backup_from_a_newer_version_is_refused(source, tmp_path):
    with closing(sqlite3.connect(source / "kiosk.db")) as connection, connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    assert kiosk(source, "backup", "--output", str(tmp_path / "newer.tar.gz")).exit_code == 0
    result = kiosk(tmp_path / "target", "restore", str(tmp_path / "newer.tar.gz"))
    assert result.exit_code == 1 and "schema 9999 is newer" in result.output
    assert not (tmp_path / "target" / "kiosk.db").exists()


def lock_is_free(folder: Path, flags: int) -> bool:
    """Whether another holder could take the photo folder's lock (shared or exclusive) now."""
    fd = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, flags | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def test_the_backup_keeps_photo_deletions_out_from_snapshot_to_archive(archive, source, tmp_path, monkeypatch):
    """A purge deleting photos (exclusive lock) waits while the backup snapshots and copies."""
    from kiosk.services import backup

    seen = []
    for step in ("_snapshot", "_write_archive"):
        original = getattr(backup, step)

        def checked(*args, original=original, step=step):
            seen.append((step, lock_is_free(source / "photos", fcntl.LOCK_EX)))
            return original(*args)

        monkeypatch.setattr(backup, step, checked)
    assert kiosk(source, "backup", "--output", str(tmp_path / "locked.tar.gz")).exit_code == 0
    assert seen == [("_snapshot", False), ("_write_archive", False)]
    assert lock_is_free(source / "photos", fcntl.LOCK_EX)


def test_a_photo_row_without_its_file_stops_the_backup(source, tmp_path):
    database = _database(source)
    _apply(database, load_station(database, "330402"), photos.folder(source), 1)
    database.dispose()
    (name,) = _photo_files(source)
    (source / "photos" / name).unlink()
    result = kiosk(source, "backup", "--output", str(tmp_path))
    assert result.exit_code == 1 and "missing" in result.output
    assert not list(tmp_path.glob("*.tar.gz")) and not list(tmp_path.glob(".kiosk-backup-*"))


def test_the_default_archive_goes_to_the_instance_backups_folder_and_is_never_overwritten(source):
    first = kiosk(source, "backup")
    assert first.exit_code == 0, first.output
    (archive,) = (source / "backups").glob("kiosk-backup-*.tar.gz")
    assert stat.S_IMODE((source / "backups").stat().st_mode) == 0o700
    again = kiosk(source, "backup", "--output", str(archive))
    assert again.exit_code == 1 and "exists already" in again.output


def test_postgresql_is_refused_with_the_way_to_back_it_up(tmp_path):
    database = Database(make_engine("postgresql://postgres@127.0.0.1:1/kiosk"))
    with pytest.raises(BackupRefused, match="pg_dump -Fc"):
        create_backup(database, tmp_path)
    with pytest.raises(BackupRefused, match="pg_restore"):
        restore_backup(database, tmp_path, tmp_path / "any.tar.gz")
    env = {"KIOSK_INSTANCE_PATH": str(tmp_path), "KIOSK_DATABASE_URL": "postgresql://postgres@127.0.0.1:1/kiosk"}
    result = CliRunner().invoke(main, ["backup"], env=env, catch_exceptions=False)
    assert result.exit_code == 1 and "pg_dump -Fc" in result.output
    assert not list(tmp_path.rglob("*.tar.gz"))
