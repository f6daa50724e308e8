"""The migrations and the models describe the same schema, on the backend under test."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

import kiosk.models  # noqa: F401
from kiosk import migrate


def test_models_match_the_migrated_schema(database):
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []
        assert migrate.current_revision(connection) == migrate.head_revision()


def test_upgrade_is_idempotent(database):
    migrate.upgrade(database.engine)
    migrate.upgrade(database.engine)


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    from kiosk.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()
