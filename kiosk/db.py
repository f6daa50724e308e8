"""The engine, sessions and transactions.

SQLite (the embedded default) runs in WAL mode with foreign keys and a busy
timeout; write transactions start with BEGIN IMMEDIATE so two writers queue on
the busy timeout instead of failing on a lock upgrade. PostgreSQL is reached
through psycopg 3. Services open one transaction per use case with
`Database.transaction()`; a locked or unreachable database surfaces as
`DatabaseUnavailable`, after the transaction was rolled back.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.types import DateTime, TypeDecorator
from sqlmodel import Session, create_engine

from .keyfiles import open_private


class DatabaseUnavailable(RuntimeError):
    """The database is locked by another writer, or cannot be reached."""


class UTCDateTime(TypeDecorator):
    """Timezone-aware datetimes stored as UTC on every backend (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware one")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def insert(session: Session, table):
    """An INSERT that takes `on_conflict_do_nothing` / `on_conflict_do_update` on the session's
    database: SQLite and PostgreSQL share the SQL, not SQLAlchemy's construct for it."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


# SQLite's errors name a unique index by its columns only ("UNIQUE constraint failed:
# booking.code"): the indexes the services tell apart, named as PostgreSQL names them.
_SQLITE_UNIQUE_INDEXES = {
    "booking.code": "booking_code_key",
    "booking.station_id, booking.id_number, booking.local_day": "ux_booking_person_day",
}


def violated_constraint(error: IntegrityError) -> str | None:
    """The name of the constraint or unique index an IntegrityError broke, on either database
    (None: one SQLite does not name and `_SQLITE_UNIQUE_INDEXES` does not list)."""
    diagnostics = getattr(error.orig, "diag", None)  # psycopg
    if diagnostics is not None:
        return diagnostics.constraint_name
    columns = str(error.orig).removeprefix("UNIQUE constraint failed: ")
    return _SQLITE_UNIQUE_INDEXES.get(columns)


def normalise_url(url: str) -> str:
    """postgres:// and postgresql:// mean psycopg 3 here."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, *, busy_timeout_ms: int = 5000) -> Engine:
    """The engine; its errors never show the statement's parameters (they are personal data, and
    an error's text ends up in the logs)."""
    url = normalise_url(url)
    if make_url(url).get_backend_name() != "sqlite":
        # A lock held too long fails like SQLite's busy timeout instead of hanging the request.
        return create_engine(
            url,
            hide_parameters=True,
            pool_pre_ping=True,
            connect_args={"connect_timeout": 5, "options": f"-c lock_timeout={int(busy_timeout_ms)}"},
        )

    engine = create_engine(
        url, hide_parameters=True, connect_args={"timeout": busy_timeout_ms / 1000, "check_same_thread": False}
    )
    database_file = make_url(url).database
    if database_file and database_file != ":memory:":

        @event.listens_for(engine, "do_connect")
        def _private_file(_dialect, _record, _args, _params):
            if not os.path.exists(database_file):
                _create_private(database_file)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(connection):
        mode = "IMMEDIATE" if connection.get_execution_options().get("kiosk_write") else "DEFERRED"
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _create_private(database_file: str) -> None:
    """The SQLite database file made (empty) readable by this user only, when the first connection
    would make it with the umask's mode: its WAL and shared-memory files take the file's mode."""
    try:
        with open_private(Path(database_file), "ab"):
            pass
    except OSError:
        pass  # a folder that does not exist or cannot be written: SQLite says so when it is used


class _WriterQueue:
    """Writers of every process take turns on an advisory lock beside the SQLite file.

    SQLite lets one writer in at a time and makes the others poll with sleeps that grow to
    100 ms, which gives a busy hall long tails; a waiter here checks again within a few
    milliseconds instead. The lock is released when the holder's file is closed, also when
    its process dies. Waiting longer than the busy timeout is DatabaseUnavailable.
    """

    LONGEST_NAP_S = 0.004

    def __init__(self, path: Path, timeout_s: float):
        self.path = path
        self.timeout_s = timeout_s

    @contextmanager
    def turn(self) -> Iterator[None]:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)  # one per turn: threads queue too
        try:
            deadline, nap = time.monotonic() + self.timeout_s, 0.0002
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise DatabaseUnavailable("database is locked (waited for other writers)") from None
                    time.sleep(nap)
                    nap = min(nap * 2, self.LONGEST_NAP_S)
            yield
        finally:
            os.close(fd)


class Database:
    def __init__(self, engine: Engine, busy_timeout_ms: int = 5000):
        self.engine = engine
        self._writer = engine.execution_options(kiosk_write=True)
        database_file = engine.url.database if engine.dialect.name == "sqlite" else None
        self._queue = (
            _WriterQueue(Path(database_file + ".writers"), busy_timeout_ms / 1000)
            if database_file and database_file != ":memory:"
            else None
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One write transaction: committed when the block ends, rolled back on any error."""
        if self._queue is None:
            with self._session(self._writer) as session:
                yield session
            return
        with self._queue.turn(), self._session(self._writer) as session:
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only session (nothing is committed)."""
        with self._session(self.engine, commit=False) as session:
            yield session

    @contextmanager
    def _session(self, bind, commit: bool = True) -> Iterator[Session]:
        session = Session(bind, expire_on_commit=False)
        try:
            yield session
            if commit:
                session.commit()
        except (OperationalError, InterfaceError) as error:
            try:
                session.rollback()
            except (OperationalError, InterfaceError):
                pass  # the connection is gone; the server has dropped the transaction
            raise DatabaseUnavailable(str(error.orig or error)) from error
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
