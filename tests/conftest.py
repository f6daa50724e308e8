"""Shared fixtures: a migrated database per test (SQLite, or PostgreSQL when
KIOSK_TEST_DATABASE_URL is set), the app on it, the demo station, a staff user."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import text

from kiosk import clock as kiosk_clock
from kiosk import create_app, migrate
from kiosk.db import Database, make_engine, normalise_url
from kiosk.domain.id_number import check_character
from kiosk.routes import limiter
from kiosk.services.staff import Role, create_staff
from kiosk.services.station import DEMO_STATION_FILE, install_station, load_station, read_settings_file

pytest_plugins = ["tests.two_stations"]

POSTGRES_URL = os.environ.get("KIOSK_TEST_DATABASE_URL")
STAFF_PASSWORD = "correct horse battery"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def make_id(prefix17: str) -> str:
    """A valid 18-digit number from its first 17 digits."""
    return prefix17 + check_character(prefix17)


# Demo people: local (Zhejiang, province 33) and from Jiangxi (36).
LOCAL_ID = make_id("33040219800315123")
JIANGXI_ID = make_id("36010219900521432")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """One migrated SQLite file, copied for each test (faster than migrating each time)."""
    path = tmp_path_factory.mktemp("template") / "kiosk.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_migrated():
    if not POSTGRES_URL:
        return None
    engine = make_engine(POSTGRES_URL)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(engine)
    engine.dispose()
    return POSTGRES_URL


def _truncate_postgres(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        tables = (
            connection.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'")
            )
            .scalars()
            .all()
        )
        connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    engine.dispose()


def empty_database_url(tmp_path: Path, sqlite_template: Path, postgres_migrated: str | None) -> str:
    """A migrated database with nothing in it: a copy of the SQLite template in `tmp_path`, or
    the PostgreSQL test database emptied."""
    if postgres_migrated:
        _truncate_postgres(postgres_migrated)
        return normalise_url(postgres_migrated)
    path = tmp_path / "kiosk.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


def demo_station_database(url: str) -> Database:
    """The database at `url` with the demo station installed."""
    database = Database(make_engine(url, busy_timeout_ms=2000))
    doc, settings = read_settings_file(DEMO_STATION_FILE)
    install_station(database, doc, settings, DEMO_STATION_FILE.read_text(encoding="utf-8"))
    return database


@pytest.fixture
def database_url(tmp_path, sqlite_template, postgres_migrated) -> str:
    return empty_database_url(tmp_path, sqlite_template, postgres_migrated)


@pytest.fixture
def database(database_url) -> Database:
    database = demo_station_database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def station(database):
    return load_station(database, "330402")


@pytest.fixture
def app_config(tmp_path, database_url) -> dict:
    return {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "BUSY_TIMEOUT_MS": 2000,
    }


@pytest.fixture
def app(app_config, database):
    app = create_app(app_config)
    limiter.reset()  # the limiter's memory is per process: each test starts with none used
    yield app
    app.extensions["kiosk_db"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def staff_user(database):
    return create_staff(
        database,
        station_code="330402",
        username="zhang",
        display_name="张警官",
        role=Role.WINDOW,
        password=STAFF_PASSWORD,
    )


@pytest.fixture
def staff_client(client, staff_user):
    response = client.post("/staff/login", data={"username": "zhang", "password": STAFF_PASSWORD})
    assert response.status_code == 303
    return client


def aware(year: int, month: int, day: int, hour: int = 10) -> dt.datetime:
    """A moment in Beijing time, as the aware UTC datetime services take."""
    return dt.datetime(year, month, day, hour, tzinfo=dt.timezone(dt.timedelta(hours=8))).astimezone(dt.UTC)


def pytest_report_header(config):
    return [
        f"database under test: {'PostgreSQL ' + POSTGRES_URL if POSTGRES_URL else 'SQLite (temporary files)'}",
        f"clock starts at: {TEST_NOW.isoformat()} (KIOSK_TEST_NOW={TEST_NOW.isoformat()} runs it again)",
    ]


def _start_of_the_run() -> dt.datetime:
    text = os.environ.get("KIOSK_TEST_NOW")
    return kiosk_clock.parse_moment(text) if text else dt.datetime.now(dt.UTC)


# The moment every test's clock starts at: KIOSK_TEST_NOW (an ISO moment with its offset; CI's date
# sweep sets it, and a failure seen on one day is replayed with it), else the time the run started.
TEST_NOW = _start_of_the_run()


@pytest.fixture(autouse=True)
def clock():
    """The app's clock for this test, starting at TEST_NOW and running on. `clock.set(moment)`
    stops it at a moment; `clock.server_env()` sets a server started in another process the same."""

    class Clock:
        def set(self, moment: dt.datetime) -> None:
            kiosk_clock.freeze(moment)

        def now(self) -> dt.datetime:
            return kiosk_clock.utcnow()

        def server_env(self) -> dict[str, str]:
            return {"KIOSK_CLOCK": self.now().isoformat()}

    kiosk_clock.start_at(TEST_NOW)
    yield Clock()
    kiosk_clock.reset()
