"""Where ID photos and the camera's candidate shots are kept, chosen by `PHOTO_STORE`:

- "folder" (the default, one station on one machine): files under `<instance>/photos/`
  (`kiosk.services.photos`);
- "database" (several app servers on one PostgreSQL): one `PhotoBlob` row per photo, in the
  database that holds the rows naming it. Every app server then sees every photo, and the
  database's own backup, restore and the retention purge (which deletes a case's photo in the
  transaction that blanks the case) cover them; nothing is kept on one server's disk.

Either way a photo has a random name (`photos.is_photo_name`) that the wizard's answers and
`ApplicationPhoto.file` refer to, and is served only by the routes that check who asks.
`move_folder_to_database` moves a station's files into the database (`kiosk photos-to-database`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from sqlalchemy import delete
from sqlmodel import Session, col

from ..clock import utcnow
from ..db import Database
from ..models import PhotoBlob
from . import photos
from .photos import PhotoMissing

STORES = ("folder", "database")


class PhotoStore(Protocol):
    def put(self, jpeg: bytes) -> str:
        """Keep a new photo; returns its name."""

    def put_in(self, session: Session, name: str, jpeg: bytes) -> None:
        """Keep a new photo named `name` (`photos.new_name`) with the transaction of `session`:
        in the database, committed or rolled back with the row naming it; a file, written at
        once, which `abandon` deletes should that transaction fail."""

    def abandon(self, name: str) -> None:
        """Undo `put_in` after its transaction failed."""

    def get(self, name: str) -> bytes:
        """The photo's JPEG; raises PhotoMissing."""

    def delete(self, names: Iterable[str]) -> None:
        """Delete these photos now (names that are not photos are ignored)."""

    def delete_in(self, session: Session, names: Iterable[str]) -> list[str]:
        """Delete these photos with the transaction of `session`; returns those left to `delete`
        once it is committed (files, which no transaction covers)."""

    def lock(self, *, shared: bool = False) -> AbstractContextManager:
        """Held while kept photos are deleted (exclusive) or copied into a backup (shared)."""


@dataclass(frozen=True)
class FolderStore:
    directory: Path

    def put(self, jpeg: bytes) -> str:
        return photos.store(self.directory, jpeg)

    def put_in(self, session: Session, name: str, jpeg: bytes) -> None:
        photos.store(self.directory, jpeg, name=name)  # before the row: a row never names a missing file

    def abandon(self, name: str) -> None:
        photos.delete(self.directory, [name])

    def get(self, name: str) -> bytes:
        return photos.read(self.directory, name)

    def delete(self, names: Iterable[str]) -> None:
        photos.delete(self.directory, names)

    def delete_in(self, session: Session, names: Iterable[str]) -> list[str]:
        return list(names)  # after the commit: a rolled-back transaction keeps its files

    def lock(self, *, shared: bool = False) -> AbstractContextManager:
        return photos.folder_lock(self.directory, shared=shared)


@dataclass(frozen=True)
class DatabaseStore:
    db: Database

    def put(self, jpeg: bytes) -> str:
        name = photos.new_name()
        with self.db.transaction() as session:
            self.put_in(session, name, jpeg)
        return name

    def put_in(self, session: Session, name: str, jpeg: bytes) -> None:
        session.add(PhotoBlob(name=name, data=jpeg, created_at=utcnow()))

    def abandon(self, name: str) -> None:
        pass  # rolled back with its transaction

    def get(self, name: str) -> bytes:
        if not photos.is_photo_name(name):
            raise PhotoMissing(name)
        with self.db.reading() as session:
            blob = session.get(PhotoBlob, name)
        if blob is None:
            raise PhotoMissing(name)
        return blob.data

    def delete(self, names: Iterable[str]) -> None:
        names = list(names)
        if names:
            with self.db.transaction() as session:
                self.delete_in(session, names)

    def delete_in(self, session: Session, names: Iterable[str]) -> list[str]:
        wanted = [name for name in names if photos.is_photo_name(name)]
        if wanted:
            session.execute(delete(PhotoBlob).where(col(PhotoBlob.name).in_(wanted)))
        return []

    def lock(self, *, shared: bool = False) -> AbstractContextManager:
        return nullcontext()  # the database's transactions keep rows and photos together


def store_from_config(config: Mapping, instance_path: str | os.PathLike, db: Database) -> PhotoStore:
    kind = config.get("PHOTO_STORE") or "folder"
    if kind == "folder":
        return FolderStore(photos.folder(instance_path))
    if kind == "database":
        return DatabaseStore(db)
    raise ValueError(f"PHOTO_STORE must be one of {', '.join(STORES)}, not {kind!r}")


@dataclass(frozen=True)
class Moved:
    moved: int  # written into the database, then their files deleted
    already: int  # in the database already (an earlier, interrupted run): their files deleted
    refused: list[str]  # in the database with other content: the file is kept, for a person to look at


def move_folder_to_database(db: Database, directory: Path) -> Moved:
    """Move every photo file of `directory` into the database. A file is deleted only once its
    row is committed and holds the same bytes, so an interrupted run loses nothing and running
    it again finishes the work."""
    moved, already, refused = 0, 0, []
    for path in sorted(directory.iterdir()):
        if not photos.is_photo_name(path.name):
            continue
        jpeg = path.read_bytes()
        with db.transaction() as session:
            blob = session.get(PhotoBlob, path.name)
            if blob is None:
                session.add(PhotoBlob(name=path.name, data=jpeg, created_at=utcnow()))
        if blob is None:
            moved += 1
        elif blob.data == jpeg:
            already += 1
        else:
            refused.append(path.name)
            continue
        path.unlink()  # its row is committed
    return Moved(moved=moved, already=already, refused=refused)
