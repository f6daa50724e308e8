"""Logs: a request id on every line of a request, JSON or text lines, access lines without query
strings or link tokens, and no personal data anywhere, even at DEBUG."""

from __future__ import annotations

import json
import logging
import re

import pytest
from sqlmodel import select

from kiosk import create_app, logs
from kiosk.models import Application, Booking
from tests.conftest import JIANGXI_ID, LOCAL_ID, STAFF_PASSWORD, aware
from tests.helpers import apply, photo_and_fee_at_window
from tests.routes.test_booking import PHONE, _book, _first_slot


@pytest.fixture
def json_app(app_config, database):
    app = create_app(app_config | {"LOG_FORMAT": "json"})
    yield app
    app.extensions["kiosk_db"].dispose()


def json_lines(capsys) -> list[dict]:
    """Every line written to standard error since the last call, each parsed as JSON."""
    return json_lines_of(capsys.readouterr().err)


def json_lines_of(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines()]


def access_lines(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line["logger"] == "kiosk.access"]


def test_every_line_of_a_request_carries_its_id(app_config, database, capsys):
    # The receipt waits for a printer that is not there: the printing service logs a warning.
    app = create_app(app_config | {"LOG_FORMAT": "json", "PRINTER_BACKEND": "cups", "PRINTER_QUEUE": "no-such-queue"})
    kiosk = app.test_client()
    apply(kiosk)
    capsys.readouterr()
    response = kiosk.post("/apply/done/print", headers={"X-Request-ID": "kiosk-7.print_1"})
    assert response.headers["X-Request-ID"] == "kiosk-7.print_1"
    lines = json_lines(capsys)
    assert {line["request_id"] for line in lines} == {"kiosk-7.print_1"}
    warning = next(line for line in lines if line["logger"] == "kiosk.services.printing")
    assert warning["level"] == "WARNING" and "queued" in warning["message"]
    [access] = access_lines(lines)
    assert access | {"time": None, "duration_ms": None} == {
        "time": None,
        "level": "INFO",
        "logger": "kiosk.access",
        "message": access["message"],
        "request_id": "kiosk-7.print_1",
        "method": "POST",
        "path": "/apply/done/print",
        "status": 200,
        "duration_ms": None,
    }
    assert access["duration_ms"] >= 0 and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", access["time"])


@pytest.mark.parametrize("incoming", [None, "", "has space", "x" * 65, "a/b", 'q"uote', "semi;colon"])
def test_without_a_well_formed_incoming_id_one_is_made(json_app, capsys, incoming):
    headers = {"X-Request-ID": incoming} if incoming is not None else {}
    response = json_app.test_client().get("/", headers=headers)
    made = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    assert access_lines(json_lines(capsys))[0]["request_id"] == made


def test_ids_differ_from_request_to_request(json_app):
    client = json_app.test_client()
    assert client.get("/").headers["X-Request-ID"] != client.get("/").headers["X-Request-ID"]


def test_text_lines_name_the_request_too(client, capsys):
    capsys.readouterr()
    request_id = client.get("/track/", headers={"X-Request-ID": "abc123"}).headers["X-Request-ID"]
    [line] = capsys.readouterr().err.splitlines()
    assert re.fullmatch(rf"\S+Z INFO kiosk\.access \[{request_id}\] GET /track/ 200 \d+\.\d ms", line)


def test_access_lines_leave_out_the_query_string_and_the_link_token(json_app, capsys):
    kiosk = json_app.test_client()
    apply(kiosk)
    with json_app.extensions["kiosk_db"].reading() as session:
        application = session.exec(select(Application)).one()
    capsys.readouterr()
    kiosk.get("/book/?phone=13812345678&name=王小明")
    kiosk.get(f"/track/{application.number}/{application.track_token}")
    output = capsys.readouterr().err
    paths = [line["path"] for line in access_lines([json.loads(line) for line in output.splitlines()])]
    assert paths == ["/book/", f"/track/{application.number}/***"]
    assert application.track_token not in output and "13812345678" not in output and "王小明" not in output


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_id_and_mobile_numbers_in_paths_are_masked(app_config, database, capsys, log_format):
    client = create_app(app_config | {"LOG_FORMAT": log_format}).test_client()
    capsys.readouterr()
    client.get(f"/apply/{LOCAL_ID}")
    client.get("/track/13812345678/x")
    output = capsys.readouterr().err
    assert LOCAL_ID not in output and "13812345678" not in output
    masked = [f"/apply/{LOCAL_ID[:6]}********{LOCAL_ID[-4:]}", "/track/138****5678/***"]
    if log_format == "json":
        assert [line["path"] for line in access_lines(json_lines_of(output))] == masked
    else:
        assert [line.split()[5] for line in output.splitlines()] == masked


def test_id_and_mobile_numbers_in_any_message_are_masked(json_app, capsys):
    log = logging.getLogger("kiosk.anything")
    log.warning("applicant %s, phone %s", LOCAL_ID, "13812345678")
    try:
        raise ValueError(f"bad number {JIANGXI_ID}")
    except ValueError:
        log.exception("failed")
    output = capsys.readouterr().err
    assert LOCAL_ID not in output and JIANGXI_ID not in output and "13812345678" not in output
    [first, second] = [json.loads(line) for line in output.splitlines()]
    assert first["message"] == f"applicant {LOCAL_ID[:6]}********{LOCAL_ID[-4:]}, phone 138****5678"
    assert first["request_id"] is None
    assert "ValueError: bad number 360102********" in second["exception"]


@pytest.fixture
def every_logger_at_debug():
    """Every logger at DEBUG, but those the app holds back whatever the level (kiosk.logs: SQL
    statements carry parameters and rows); restored afterwards."""
    loggers = [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)]
    levels = {logger: logger.level for logger in [logging.getLogger(), *loggers]}
    for logger in loggers:
        if not any(logger.name == held or logger.name.startswith(held + ".") for held in logs._QUIET):
            logger.setLevel(logging.DEBUG)
    yield
    for logger, level in levels.items():
        logger.setLevel(level)


def test_a_whole_journey_at_debug_leaves_no_personal_data_in_the_logs(
    app_config, database, staff_user, clock, capsys, caplog, every_logger_at_debug
):
    """A citizen applies at the kiosk and follows the case; another books from a phone, looks the
    booking up and checks in; an officer works the case."""
    caplog.set_level(logging.DEBUG)
    app = create_app(app_config | {"LOG_FORMAT": "json", "LOG_LEVEL": "DEBUG"})
    clock.set(aware(2026, 11, 24, 9))
    people = {
        "id numbers": [LOCAL_ID, JIANGXI_ID],
        "names": ["王小明", "李四海"],
        "phones": ["13812345678", "13900001111"],
    }

    kiosk = app.test_client()
    apply(kiosk, id_number=LOCAL_ID, name="王小明", phone="13812345678")
    kiosk.post("/apply/done/print")
    with app.extensions["kiosk_db"].reading() as session:
        application = session.exec(select(Application)).one()

    phone = app.test_client()
    assert phone.post("/track/", data={"number": application.number, "phone_tail": "5678"}).status_code == 200
    assert phone.get(f"/track/{application.number}/{application.track_token}").status_code == 200
    booked = _book(phone, _first_slot(phone), name="李四海", id_number=JIANGXI_ID, phone="13900001111")
    assert booked.status_code == 303
    assert phone.get("/book/confirmation", environ_base=PHONE).status_code == 200
    phone.get("/book/appointment.ics", environ_base=PHONE)
    with app.extensions["kiosk_db"].reading() as session:
        code = session.exec(select(Booking.code)).one()
    looked_up = phone.post("/book/manage", data={"code": code, "phone_tail": "1111"}, environ_base=PHONE)
    assert looked_up.status_code == 303
    assert phone.get("/book/manage/booking", environ_base=PHONE).status_code == 200
    assert app.test_client().post("/book/check-in", data={"code": code}).status_code == 200

    officer = app.test_client()
    officer.post("/staff/login", data={"username": "zhang", "password": "wrong password"})
    assert officer.post("/staff/login", data={"username": "zhang", "password": STAFF_PASSWORD}).status_code == 303
    assert officer.get("/staff/").status_code == 200
    case = officer.get(f"/staff/applications/{application.id}")
    assert LOCAL_ID in case.get_data(as_text=True)  # the officer sees it; the logs must not
    photo_and_fee_at_window(officer, application.id)
    acted = officer.post(
        f"/staff/applications/{application.id}/act", data={"action": "approve"}, follow_redirects=True
    )
    assert acted.status_code == 200
    assert officer.get("/staff/prints").status_code == 200

    output = capsys.readouterr().err
    records = "\n".join(f"{record.getMessage()}\n{record.exc_text or ''}" for record in caplog.records)
    assert len(access_lines([json.loads(line) for line in output.splitlines()])) >= 30
    assert logging.getLogger().level == logging.DEBUG
    for kind, values in people.items():
        for value in values:
            assert value not in output, f"{kind}: {value} in the log output"
            assert value not in records, f"{kind}: {value} in a log record"
