"""The instance folder holds personal data: whatever the umask, what the app makes there is
readable by its own user only (folders 0700, files 0600)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from kiosk import create_app, migrate
from kiosk.services import backup, photos
from kiosk.services.notifications import deliver_queued, sender_from_config
from kiosk.services.station import load_station
from tests.conftest import demo_station_database
from tests.helpers import apply
from tests.services.test_verification import forward_a_case


@pytest.fixture
def umask_022():
    earlier = os.umask(0o022)  # what a login shell running scripts/serve usually has
    yield
    os.umask(earlier)


def _modes(folder: Path) -> dict[str, str]:
    """Every folder and file under `folder` (itself included), relative name → its mode in octal."""
    found = {".": oct(stat.S_IMODE(folder.stat().st_mode))}
    for path in folder.rglob("*"):
        found[str(path.relative_to(folder))] = oct(stat.S_IMODE(path.lstat().st_mode))
    return found



def test_what_the_app_writes_is_private_whatever_the_umask(tmp_path, umask_022):
    instance = tmp_path / "instance"
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(instance), "WTF_CSRF_ENABLED": False})
    database = app.extensions["kiosk_db"]
    migrate.upgrade(database.engine)
    demo_station_database(app.config["DATABASE_URL"]).dispose()

    kiosk = app.test_client()
    apply(kiosk)  # the database, its WAL and the session key
    kiosk.post("/apply/done/print")  # a receipt under prints/
    assert deliver_queued(database, sender_from_config(app.config, instance)) == (1, 0)  # messages.log
    forward_a_case(database, load_station(database, "330402"), instance / "keys", instance / "outbox" / "verification")
    photos.store(photos.folder(instance), b"jpeg")
    backup.create_backup(database, instance)

    modes = _modes(instance)
    expected = {"kiosk.db", "kiosk.db-wal", "kiosk.db-shm", "secret_key", "messages.log", "keys/station.pem"}
    assert expected <= modes.keys()
    assert any(name.startswith("prints/") and name.endswith(".pdf") for name in modes)
    assert any(name.startswith("outbox/verification/") for name in modes)
    opened = {name: mode for name, mode in modes.items() if mode not in (oct(0o700), oct(0o600))}
    assert opened == {}, "readable by others"
    folders = {name for name in modes if (instance / name).is_dir()}
    assert {".", "prints", "keys", "outbox", "outbox/verification", "photos", "backups"} <= folders
    assert all(modes[name] == oct(0o700) for name in folders)
    database.dispose()


def test_an_instance_folder_open_to_all_is_closed(tmp_path, umask_022):
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o755)
    create_app({"INSTANCE_PATH": str(instance), "SECRET_KEY": "x"}).extensions["kiosk_db"].dispose()
    assert stat.S_IMODE(instance.stat().st_mode) == 0o700
