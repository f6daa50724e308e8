"""Two stations in one database, as a PostgreSQL shared by several stations holds them: the app
under test serves 330402, and station 330411 has a case of its own, made on its own server, that
nothing of 330402 may show or touch (a plugin of tests/conftest.py). A test module using it tells
its app which station it serves, with `app_config` below."""

from __future__ import annotations

import pytest
from sqlmodel import select

from kiosk.models import Application
from tests.helpers import apply
from tests.security.conftest import _install_second_station


@pytest.fixture
def other_station_case(app_config, database, tmp_path):
    """A case at station 330411, applied for on that station's own server, in the same database."""
    from kiosk import create_app

    _install_second_station(database)
    other = create_app(app_config | {"STATION_CODE": "330411", "INSTANCE_PATH": str(tmp_path / "instance-330411")})
    apply(other.test_client(), app_type="lost", name="甄乙某")
    with database.reading() as session:
        case = session.exec(select(Application).where(Application.number.startswith("330411-"))).one()
    yield case
    other.extensions["kiosk_db"].dispose()
