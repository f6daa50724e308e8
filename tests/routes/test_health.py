import logging
from pathlib import Path

from sqlalchemy import event

import kiosk
from kiosk import create_app, migrate, warn_if_no_public_url
from kiosk.routes import health
from kiosk.services import operations
from tests.helpers import apply


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True and body["database"]["revision"] == migrate.head_revision()
    assert body["database"]["writable"] is True


def test_healthz_when_the_database_is_down(app_config):
    app = create_app(app_config | {"DATABASE_URL": "postgresql://postgres@127.0.0.1:1/test"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"]["ok"] is False


def _health(app) -> tuple[int, dict]:
    response = app.test_client().get("/healthz")
    return response.status_code, response.get_json()


def test_low_disk_space_is_degraded_not_down(app_config, database):
    status, body = _health(create_app(app_config))
    assert body["disk"]["ok"] is True and body["disk"]["free_bytes"] > 0 and 0 < body["disk"]["free_percent"] <= 100
    status, body = _health(create_app(app_config | {"DISK_MIN_FREE_MB": 10**12}))  # more than any disk holds
    assert status == 200 and body["status"] == "degraded"
    assert body["disk"]["ok"] is False and body["disk"]["min_free_bytes"] == 10**12 * 1024 * 1024
    assert body["database"]["ok"] is True


def test_a_document_waiting_for_the_printer_is_degraded(app_config, database):
    # A CUPS queue that does not exist: lpstat refuses it, the receipt waits in the queue.
    app = create_app(app_config | {"PRINTER_BACKEND": "cups", "PRINTER_QUEUE": "no-such-queue"})
    kiosk = app.test_client()
    apply(kiosk)
    assert 'id="print-result"' in kiosk.post("/apply/done/print").get_data(as_text=True)
    status, body = _health(app)
    assert status == 200 and body["status"] == "degraded"
    printer = body["printer"]
    assert printer["ok"] is False and printer["available"] is False and printer["backend"] == "cups:no-such-queue"
    assert printer["queued"] == 1 and printer["oldest_queued_seconds"] >= 0 and printer["error"]


def test_a_printed_document_leaves_the_printer_ok(app, client):
    apply(client)
    client.post("/apply/done/print")
    status, body = _health(app)
    assert status == 200 and body["status"] == "ok"
    assert body["printer"] == {
        "backend": "file",
        "available": True,
        "ok": True,
        "queued": 0,
        "oldest_queued_seconds": None,
        "failed_last_day": 0,
    }


def test_the_printer_check_is_kept_briefly(app_config, database, tmp_path, monkeypatch):
    monkeypatch.setattr(health, "PRINTER_CHECK_SECONDS", 3600)
    prints = tmp_path / "instance" / "prints"
    app = create_app(app_config)
    assert _health(app)[1]["printer"]["available"] is True
    prints.rmdir()
    prints.write_text("not a folder")  # the file printer can no longer write there...
    assert _health(app)[1]["printer"]["available"] is True  # ...which the cached answer does not know yet
    assert _health(create_app(app_config))[1]["printer"]["available"] is False  # a fresh check does


def test_a_kiosk_without_its_camera_is_degraded(app, client, station):
    assert _health(app)[1]["camera"] == {"ok": True, "terminals": {}}
    database = app.extensions["kiosk_db"]
    operations.record_camera(database, station.id, "127.0.0.1", operations.NO_CAMERA, "NotFoundError")
    status, body = _health(app)
    assert status == 200 and body["status"] == "degraded" and body["camera"]["ok"] is False
    terminal = body["camera"]["terminals"]["127.0.0.1"]
    assert terminal["state"] == "no_camera" and terminal["reason"] == "NotFoundError" and terminal["age_seconds"] >= 0
    operations.record_camera(database, station.id, "127.0.0.1", operations.CAMERA_WORKING)
    status, body = _health(app)
    assert body["status"] == "ok" and body["camera"]["terminals"]["127.0.0.1"]["state"] == "working"


def test_healthz_when_the_database_is_down_still_reports_the_rest(app_config):
    app = create_app(app_config | {"DATABASE_URL": "postgresql://postgres@127.0.0.1:1/test"})
    status, body = _health(app)
    assert status == 503 and body["status"] == "unavailable"
    assert body["disk"]["ok"] is True and body["camera"]["ok"] is True
    assert body["printer"]["available"] is True and "queued" not in body["printer"]


def _read_only(app) -> None:
    """The app's connections from now on refuse every write, as a read-only database file (or a
    PostgreSQL server in read-only mode) does, while reads go on."""
    engine = app.extensions["kiosk_db"].engine
    if engine.dialect.name == "sqlite":
        statement = "PRAGMA query_only = ON"
    else:
        statement = "SET default_transaction_read_only = on"

    @event.listens_for(engine, "connect")
    def _refuse_writes(dbapi_connection, _record):
        dbapi_connection.cursor().execute(statement)
        dbapi_connection.commit()

    engine.dispose()


def test_a_database_that_cannot_be_written_is_unavailable(app_config, database):
    app = create_app(app_config)
    _read_only(app)
    status, body = _health(app)
    assert status == 503 and body["status"] == "unavailable"
    assert body["database"]["ok"] is False and body["database"]["writable"] is False
    assert body["database"]["revision"] == migrate.head_revision()  # it can still be read
    assert body["database"]["error"].startswith("cannot be written: ")
    assert "readonly" in body["database"]["error"] or "read-only" in body["database"]["error"]


def test_the_write_check_is_kept_briefly(app_config, database, monkeypatch):
    monkeypatch.setattr(health, "WRITE_CHECK_SECONDS", 3600)
    app = create_app(app_config)
    assert _health(app)[1]["database"]["writable"] is True
    _read_only(app)
    assert _health(app)[1]["database"]["writable"] is True  # the kept answer does not know yet
    monkeypatch.setattr(health, "WRITE_CHECK_SECONDS", 0)
    assert _health(app)[1]["database"]["writable"] is False


def test_healthz_says_where_qr_codes_point_without_a_public_url(app_config, database):
    """Unset, the QR codes point to the address the request came to: said, without degrading."""
    status, body = _health(create_app(app_config))
    assert status == 200 and body["status"] == "ok"
    assert body["public_url"]["configured"] is False and body["public_url"]["qr_codes_point_to"] == "http://localhost"
    assert "KIOSK_PUBLIC_URL is not set" in body["public_url"]["warning"]
    status, body = _health(create_app(app_config | {"PUBLIC_URL": "https://330402.kiosk.example.org"}))
    assert body["public_url"] == {"configured": True, "qr_codes_point_to": "https://330402.kiosk.example.org"}


def test_the_served_app_warns_at_start_without_a_public_url(app_config, database, caplog):
    with caplog.at_level(logging.WARNING):
        warn_if_no_public_url(create_app(app_config))
        warn_if_no_public_url(create_app(app_config | {"PUBLIC_URL": "https://330402.kiosk.example.org"}))
    assert [record.getMessage() for record in caplog.records if "PUBLIC_URL" in record.getMessage()] == [
        kiosk.PUBLIC_URL_UNSET
    ]
    # gunicorn's app (kiosk.wsgi, which loads the face networks: read, not imported) says it as it starts.
    assert "warn_if_no_public_url(app)" in (Path(kiosk.__file__).parent / "wsgi.py").read_text(encoding="utf-8")
