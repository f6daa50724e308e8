"""Backing up an embedded (SQLite) instance into one archive, and restoring it into a fresh one.

The archive is a gzip'd tar, written with mode 0600 (it holds personal data):

- `kiosk.db`: a snapshot through SQLite's online backup API, copied in one step: a WAL
  reader's consistent view, taken while the app keeps writing;
- `photos/<name>`: the file of every `ApplicationPhoto` row in that snapshot, and no other
  (photos kept in the database are in the snapshot);
- `secret_key` and `kiosk.cfg` when the instance folder has them;
- `manifest.json`, last: the schema revision, the rows per table, the SHA-256 and size of
  every other member, when it was made.

Photo files are written before the row naming them is committed, and kept photos are deleted
only by the retention purge under the photo folder's lock, which a backup holds (shared) from
the snapshot until the last photo is in the archive: so every photo row of the snapshot has its
file, and a photo written after the snapshot (its row is not in it) stays out.

Restoring checks every member against the manifest before anything is written, refuses an
instance that already has a database or photos unless forced, installs photos, key and
database, and upgrades the schema. PostgreSQL is refused: it has its own tools (`PG_GUIDANCE`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
import zlib
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.util import CommandError

from .. import migrate
from ..clock import utcnow
from ..db import Database
from . import photos

FORMAT = "kiosk-backup"
VERSION = 1
MANIFEST = "manifest.json"
DATABASE = "kiosk.db"
SECRET_KEY = "secret_key"
CONFIG = "kiosk.cfg"
PHOTOS = "photos/"
BACKUP_FOLDER = "backups"
_CHUNK = 1 << 20

PG_GUIDANCE = (
    "kiosk backup and kiosk restore handle the embedded SQLite database only. For PostgreSQL, "
    "dump the database with its own tool (pg_dump -Fc -f kiosk.dump DBNAME; restore with "
    "pg_restore -d DBNAME kiosk.dump); with PHOTO_STORE = \"database\" the photos are in the dump. "
    "Then copy the instance folder's secret_key and kiosk.cfg, and with photo files its photos/, "
    "not while 'kiosk purge' runs, so every photo row in the dump has its file."
)


class BackupRefused(Exception):
    """The backup or restore cannot be done; the message says why, for the operator."""


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    schema_revision: str | None
    tables: dict[str, int]
    photos: int
    size: int  # bytes


@dataclass(frozen=True)
class RestoreSummary:
    database: Path
    created_at: str  # when the backup was made
    archived_revision: str | None
    revision: str | None  # after the upgrade
    tables: dict[str, int]  # rows per table, after the upgrade
    photos: int
    secret_key: bool
    config: str  # "restored", "unchanged", "kept" (this instance's; the archived one beside it) or "none"
    integrity: str


def database_file(db: Database) -> Path:
    """The SQLite file behind `db`; PostgreSQL (or an in-memory database) is refused."""
    if db.dialect != "sqlite":
        raise BackupRefused(PG_GUIDANCE)
    name = db.engine.url.database
    if not name or name == ":memory:":
        raise BackupRefused("an in-memory database has nothing to back up")
    return Path(name)


# --- backup ------------------------------------------------------------------------------------


def create_backup(
    db: Database, instance: Path, output: Path | None = None, *, now: dt.datetime | None = None
) -> BackupSummary:
    """Write the archive to `output` (a file, or a folder for a dated name; default
    `<instance>/backups/`). An existing file is not overwritten."""
    source = database_file(db)
    now = now or utcnow()
    instance = Path(instance)
    target = _archive_path(instance, output, now)
    if target.exists():
        raise BackupRefused(f"{target} exists already")
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    photo_folder = photos.folder(instance)
    staging = Path(tempfile.mkdtemp(prefix=".kiosk-backup-", dir=target.parent))  # mode 0700
    try:
        with photos.folder_lock(photo_folder, shared=True):
            snapshot = staging / DATABASE
            _snapshot(source, snapshot)
            revision, tables, names, integrity = _describe(snapshot)
            if integrity != "ok":
                raise BackupRefused(f"the database fails its integrity check: {integrity}")
            missing = [n for n in names if not photos.is_photo_name(n) or not (photo_folder / n).is_file()]
            if missing:
                raise BackupRefused(
                    f"{len(missing)} photo file(s) named in the database are missing from {photo_folder}, "
                    f"e.g. {missing[0]!r}; the backup would not restore them"
                )
            members = [(DATABASE, snapshot), *((PHOTOS + name, photo_folder / name) for name in names)]
            members += [(name, instance / name) for name in (SECRET_KEY, CONFIG) if (instance / name).is_file()]
            draft = staging / "archive.tar.gz"
            manifest = {
                "format": FORMAT,
                "version": VERSION,
                "created_at": now.isoformat(),
                "database": "sqlite",
                "schema_revision": revision,
                "tables": tables,
            }
            _write_archive(draft, members, manifest, now)
        os.replace(draft, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return BackupSummary(target, revision, tables, len(names), target.stat().st_size)


def _archive_path(instance: Path, output: Path | None, now: dt.datetime) -> Path:
    name = f"kiosk-backup-{now.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}.tar.gz"
    if output is None:
        return instance / BACKUP_FOLDER / name
    output = Path(output)
    return output / name if output.is_dir() else output


def _snapshot(source: Path, target: Path) -> None:
    """Copy the live database in one step of the online backup API (no restart by writers),
    into a self-contained file (rollback journal, not WAL)."""
    with closing(sqlite3.connect(source, timeout=30)) as live, closing(sqlite3.connect(target)) as copy:
        live.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")


def _describe(database: Path) -> tuple[str | None, dict[str, int], list[str], str]:
    """The schema revision, rows per table, photo files named (not in the database), and integrity
    check of a database file."""
    with closing(sqlite3.connect(database)) as connection:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        tables = {name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}
        revision = None
        if "alembic_version" in tables:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
        files = []
        if "applicationphoto" in tables:
            # Photos kept in the database (PHOTO_STORE = "database") are in the snapshot already.
            in_database = "AND file NOT IN (SELECT name FROM photoblob)" if "photoblob" in tables else ""
            query = f"SELECT file FROM applicationphoto WHERE true {in_database} ORDER BY id"
            files = [row[0] for row in connection.execute(query)]
        integrity = "; ".join(row[0] for row in connection.execute("PRAGMA integrity_check"))
    return revision, tables, files, integrity


class _Hashing:
    """A file read through to tarfile, hashed on the way."""

    def __init__(self, handle):
        self.handle, self.digest, self.size = handle, hashlib.sha256(), 0

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data


def _write_archive(path: Path, members: Iterable[tuple[str, Path]], manifest: dict, now: dt.datetime) -> None:
    checksums = {}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as raw:
        with tarfile.open(fileobj=raw, mode="w:gz", format=tarfile.PAX_FORMAT) as tar:
            for name, source in members:
                with source.open("rb") as handle:
                    reader = _Hashing(handle)
                    tar.addfile(_entry(name, os.fstat(handle.fileno()).st_size, now), reader)
                checksums[name] = {"sha256": reader.digest.hexdigest(), "size": reader.size}
            body = json.dumps({**manifest, "members": checksums}, indent=1, sort_keys=True).encode()
            tar.addfile(_entry(MANIFEST, len(body), now), io.BytesIO(body))
        raw.flush()
        os.fsync(raw.fileno())


def _entry(name: str, size: int, now: dt.datetime) -> tarfile.TarInfo:
    entry = tarfile.TarInfo(name)
    entry.size, entry.mode, entry.mtime = size, 0o600, int(now.timestamp())
    return entry


# --- restore -----------------------------------------------------------------------------------


def restore_backup(db: Database, instance: Path, archive: Path, *, force: bool = False) -> RestoreSummary:
    """Restore `archive` into this instance (its database, photo folder, secret key, kiosk.cfg),
    then upgrade the schema. Stop the service first when forcing over a live instance."""
    target = database_file(db)
    instance = Path(instance)
    photo_folder = photos.folder(instance)
    staging = Path(tempfile.mkdtemp(prefix=".kiosk-restore-", dir=instance))
    try:
        manifest = _unpack(Path(archive), staging)
        archived_revision, _tables, _files, integrity = _describe(staging / DATABASE)
        if integrity != "ok":
            raise BackupRefused(f"the archived database fails its integrity check: {integrity}")
        if archived_revision is not None and not _known(archived_revision):
            raise BackupRefused(
                f"the backup's schema {archived_revision} is newer than this version of the kiosk knows "
                f"({migrate.head_revision()}); restore it with the version that made it"
            )
        in_the_way = _existing_data(target, photo_folder)
        if in_the_way and not force:
            raise BackupRefused(
                f"this instance already has {' and '.join(in_the_way)}; restore into a fresh instance folder, "
                "or add --force to replace them"
            )
        db.dispose()
        archived = {path.name for path in (staging / PHOTOS).glob("*")}
        with photos.folder_lock(photo_folder):
            if force:  # what the archive does not have would be left without a row
                photos.delete(photo_folder, [p.name for p in photo_folder.iterdir() if p.name not in archived])
            for name in archived:
                shutil.move(staging / PHOTOS / name, photo_folder / name)  # the folder may be another mount
        secret_key = (staging / SECRET_KEY).is_file()
        if secret_key:
            os.replace(staging / SECRET_KEY, instance / SECRET_KEY)
        config = _restore_config(staging / CONFIG, instance / CONFIG)
        _install_database(staging / DATABASE, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    migrate.upgrade(db.engine)
    db.dispose()
    revision, tables, _files, integrity = _describe(target)
    return RestoreSummary(
        database=target,
        created_at=manifest.get("created_at", "?"),
        archived_revision=archived_revision,
        revision=revision,
        tables=tables,
        photos=len(archived),
        secret_key=secret_key,
        config=config,
        integrity=integrity,
    )


def _known(revision: str) -> bool:
    try:
        ScriptDirectory(str(migrate.MIGRATIONS)).get_revision(revision)
    except CommandError:
        return False
    return True


def _allowed(name: str) -> bool:
    if name in (MANIFEST, DATABASE, SECRET_KEY, CONFIG):
        return True
    return name.startswith(PHOTOS) and photos.is_photo_name(name[len(PHOTOS) :])


def _unpack(archive: Path, staging: Path) -> dict:
    """Extract the members into `staging`, hashing them; return the manifest once every member
    matches it (else BackupRefused, and nothing outside `staging` was written)."""
    found: dict[str, dict] = {}
    manifest = None
    (staging / PHOTOS).mkdir(mode=0o700)
    try:
        with tarfile.open(archive, "r|gz") as tar:
            for member in tar:
                name = member.name
                if (
                    not member.isfile()
                    or not _allowed(name)
                    or name in found
                    or (name == MANIFEST and manifest is not None)
                ):
                    raise BackupRefused(f"{archive} holds an unexpected entry {name!r}; it is not a kiosk backup")
                source = tar.extractfile(member)
                if name == MANIFEST:
                    manifest = json.loads(source.read())
                    continue
                digest, size = hashlib.sha256(), 0
                fd = os.open(staging / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as out:
                    while chunk := source.read(_CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
                found[name] = {"sha256": digest.hexdigest(), "size": size}
    except (tarfile.TarError, OSError, EOFError, zlib.error, ValueError) as error:
        raise BackupRefused(f"{archive} cannot be read as a kiosk backup ({error})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupRefused(f"{archive} has no kiosk backup manifest")
    if manifest.get("version") != VERSION:
        raise BackupRefused(
            f"{archive} is a backup of format version {manifest.get('version')}; this kiosk reads {VERSION}"
        )
    listed = manifest.get("members")
    if not isinstance(listed, dict) or DATABASE not in listed:
        raise BackupRefused(f"{archive}: the manifest lists no database")
    differing = sorted(name for name in listed.keys() | found.keys() if listed.get(name) != found.get(name))
    if differing:
        raise BackupRefused(
            f"{archive} does not match its manifest ({len(differing)} member(s) differ, e.g. {differing[0]}): "
            "it is damaged or was altered; nothing was restored"
        )
    return manifest


def _existing_data(database: Path, photo_folder: Path) -> list[str]:
    """What a restore would overwrite: a database with tables, photo files."""
    found = []
    if database.is_file() and database.stat().st_size:
        with closing(sqlite3.connect(database)) as connection:
            tables = connection.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
        if tables:
            found.append(f"a database ({database})")
    pictures = sum(1 for path in photo_folder.iterdir() if photos.is_photo_name(path.name))
    if pictures:
        found.append(f"{pictures} photo(s)")
    return found


def _restore_config(archived: Path, current: Path) -> str:
    """The archived kiosk.cfg goes in place unless this instance has its own (set up for this
    machine): that one is kept and the archived one put beside it to compare."""
    if not archived.is_file():
        return "none"
    if not current.exists():
        os.replace(archived, current)
        return "restored"
    if current.read_bytes() == archived.read_bytes():
        return "unchanged"
    os.replace(archived, current.with_name(CONFIG + ".from-backup"))
    return "kept"


def _install_database(snapshot: Path, target: Path) -> None:
    """Copy the snapshot into the target file through the backup API (SQLite writes its own
    pages, journal and WAL index: nothing stale survives a forced restore)."""
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))  # an empty database file
    with closing(sqlite3.connect(snapshot)) as source, closing(sqlite3.connect(target, timeout=30)) as destination:
        source.backup(destination)
        destination.execute("PRAGMA journal_mode=WAL")
