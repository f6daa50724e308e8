"""Print jobs: written first, rendered from the database, masked, and never lost."""

from __future__ import annotations

import logging

import pytest

from kiosk.domain.masking import mask_id_number
from kiosk.domain.states import PrintState
from kiosk.services.applications import submit_application
from kiosk.services.printing import (
    NamedPrinter,
    Subject,
    get_job,
    printer_from_config,
    request_print,
    retry_queued,
)
from printing import CupsPrinter, FilePrinter, Paper
from tests import when
from tests.conftest import LOCAL_ID
from tests.printing.pdf_tools import fonts, page_texts, squeezed
from tests.services.test_applications import NOW, new

URL = "http://kiosk.test/track/x/token"


def receipt_of(application):
    return Subject.receipt(application.station_id, application.id)


@pytest.fixture
def application(database, station):
    return submit_application(database, station, new(phone="13812345678"), actor="kiosk:330402", now=NOW)


@pytest.fixture
def file_printer(tmp_path):
    return printer_from_config({}, tmp_path / "instance")


def test_a_receipt_prints_to_the_file_backend_masked(database, application, file_printer, tmp_path):
    outcome = request_print(database, receipt_of(application), "kiosk:330402", file_printer, URL)
    assert outcome.printed and not outcome.repeated
    job = get_job(database, outcome.job.id)
    assert (job.state, job.attempts, job.printer, job.last_error) == (PrintState.DONE, 1, "file", "")
    pdf = (tmp_path / "instance" / "prints" / job.backend_job).read_bytes()
    text = squeezed("".join(page_texts(pdf)))
    assert application.number in text
    assert mask_id_number(LOCAL_ID) in text
    assert LOCAL_ID not in text and "13812345678" not in text


def test_a_repeated_request_prints_once(database, application, file_printer, tmp_path):
    first = request_print(database, receipt_of(application), "kiosk", file_printer, URL)
    second = request_print(database, receipt_of(application), "kiosk", file_printer, URL)
    assert second.repeated and second.job.id == first.job.id
    assert len(list((tmp_path / "instance" / "prints").glob("*.pdf"))) == 1


def test_an_unavailable_printer_keeps_the_job_queued_and_a_retry_prints_it(database, application, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    broken = NamedPrinter("file", FilePrinter(blocker / "prints"))
    outcome = request_print(database, receipt_of(application), "kiosk", broken, URL)
    assert not outcome.printed
    job = get_job(database, outcome.job.id)
    assert (job.state, job.attempts) == (PrintState.QUEUED, 1) and job.last_error

    # Tapped again while the printer is still broken: the same job, one attempt more.
    again = request_print(database, receipt_of(application), "kiosk", broken, URL)
    assert again.job.id == job.id and get_job(database, job.id).attempts == 2

    assert retry_queued(database, broken)[0].job.state == PrintState.QUEUED
    working = NamedPrinter("file", FilePrinter(tmp_path / "prints"))
    [retried] = retry_queued(database, working)
    assert retried.printed
    job = get_job(database, job.id)
    assert (job.state, job.attempts) == (PrintState.DONE, 4)
    assert (tmp_path / "prints" / job.backend_job).is_file()
    assert retry_queued(database, working) == []


def test_the_backend_comes_from_the_config(tmp_path):
    cups = printer_from_config({"PRINTER_BACKEND": "cups"}, tmp_path)
    assert cups.name == "cups:kioskpdf" and isinstance(cups.backend, CupsPrinter)
    assert printer_from_config({"PRINTER_BACKEND": "cups", "PRINTER_QUEUE": "q2"}, tmp_path).name == "cups:q2"
    with pytest.raises(ValueError):
        printer_from_config({"PRINTER_BACKEND": "fax"}, tmp_path)


def test_the_paper_is_the_printers_own_unless_the_config_names_one(tmp_path):
    assert printer_from_config({}, tmp_path).backend.paper is Paper.A4
    assert printer_from_config({"PRINTER_BACKEND": "cups"}, tmp_path).backend.paper is Paper.ROLL_80MM
    assert printer_from_config({"PRINTER_PAPER": "roll80"}, tmp_path).backend.paper is Paper.ROLL_80MM
    assert printer_from_config({"PRINTER_BACKEND": "cups", "PRINTER_PAPER": "a4"}, tmp_path).backend.paper is Paper.A4
    with pytest.raises(ValueError):
        printer_from_config({"PRINTER_PAPER": "letter"}, tmp_path)


def test_documents_are_set_in_the_print_font_setting(database, application, tmp_path, caplog):
    """PRINT_FONT (KIOSK_PRINT_FONT) reaches the documents through the printer, as a setting."""
    not_a_font = tmp_path / "not-a-font.ttf"
    not_a_font.write_text("hello")
    printer = printer_from_config({"PRINT_FONT": str(not_a_font)}, tmp_path / "instance")
    assert printer.font == str(not_a_font)
    with caplog.at_level(logging.WARNING, logger="printing"):
        outcome = request_print(database, receipt_of(application), "kiosk", printer, URL)
    assert outcome.printed and str(not_a_font) in caplog.text
    pdf = (tmp_path / "instance" / "prints" / outcome.job.backend_job).read_bytes()
    assert "STSong-Light" in "".join(fonts(pdf))


def test_the_print_retry_command_prints_queued_jobs(database, application, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from kiosk.cli import main

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    request_print(database, receipt_of(application), "kiosk", NamedPrinter("file", FilePrinter(blocker)), URL)
    monkeypatch.setenv("KIOSK_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("KIOSK_DATABASE_URL", str(database.engine.url.render_as_string(hide_password=False)))
    monkeypatch.setenv("KIOSK_SECRET_KEY", "cli-test")
    result = CliRunner().invoke(main, ["print-retry"], catch_exceptions=False)
    assert result.exit_code == 0 and "1 printed" in result.output
    assert len(list((tmp_path / "instance" / "prints").glob("*.pdf"))) == 1


def test_the_receipt_lists_what_is_missing_and_by_when(database, station, tmp_path):
    """docs/domain.md "The receipt": missing materials and their deadline for time-limited cases."""
    import uuid

    from pypdf import PdfReader

    from kiosk.domain.catalogue import ApplicationType
    from kiosk.domain.id_number import parse_id_number
    from kiosk.services.applications import submit_application
    from kiosk.services.assessment import NewApplication
    from printing import FilePrinter
    from tests.conftest import LOCAL_ID

    application = submit_application(
        database,
        station,
        NewApplication(
            id_number=parse_id_number(LOCAL_ID),
            app_type=ApplicationType.LOST,
            registered_province="33",
            idempotency_key=uuid.uuid4().hex,
            name="王小明",
            phone="13812345678",
        ),
        actor="test",
    )
    printer = NamedPrinter("file", FilePrinter(tmp_path))
    request_print(database, receipt_of(application), "test", printer, "http://kiosk.test/track/x/y")
    text = "".join(page.extract_text() for pdf in tmp_path.glob("*.pdf") for page in PdfReader(pdf).pages)
    assert "户口簿" in text
    assert f"{application.materials_deadline:%Y}" in text


def test_a_booking_confirmation_is_a_print_job_with_its_code_and_time(database, station, file_printer, tmp_path):
    import datetime as dt

    from kiosk.domain.id_number import parse_id_number
    from kiosk.services import booking as bookings
    from kiosk.services import slot_times
    from tests.printing.pdf_tools import qr_codes, render_pages

    now = NOW - dt.timedelta(hours=1)
    day = station.today(now) + dt.timedelta(days=2)
    slot = next(iter(slot_times.free_slots(database, station, first=day, days=5, channel="kiosk", now=now).values()))[0]
    booking = bookings.book(
        database,
        station,
        slot_id=slot.id,
        service="lost",
        channel="kiosk",
        id_number=parse_id_number(LOCAL_ID),
        name="王小明",
        phone="13812345678",
        idempotency_key="print-booking",
        actor="kiosk",
        now=now,
    )
    subject = Subject.booking(station.id, booking.id)
    outcome = request_print(database, subject, "kiosk:330402", file_printer, "http://kiosk.test/book/manage")
    assert outcome.printed and request_print(database, subject, "kiosk", file_printer).repeated
    pdf = (tmp_path / "instance" / "prints" / outcome.job.backend_job).read_bytes()
    text = squeezed("".join(page_texts(pdf)))
    assert booking.code in text and f"{slot.starts:%H:%M}" in text and "丢失补领" in text
    assert mask_id_number(LOCAL_ID) in text and LOCAL_ID not in text and "13812345678" not in text
    assert "户口簿" in text  # what to bring, from the service and the person's age
    images = render_pages(pdf, tmp_path, dpi=200)
    assert [code.text for image in images for code in qr_codes(image)] == [booking.code]  # scanned to check in


@pytest.mark.dated
def test_a_round_is_one_print_job_and_staff_can_print_it_again(database, station, file_printer, tmp_path):
    from kiosk.services import visits
    from kiosk.services.printing import PrintJobNotFound, recent_jobs, reprint
    from kiosk.services.staff import Role, create_staff
    from tests.services.test_visits import _home_visit_case

    application = _home_visit_case(database, station)
    officer = create_staff(
        database, station_code="330402", username="li", display_name="李", role=Role.VISIT_OFFICER, password="x" * 12
    )
    day = when.visit_day(database, station)
    visit = visits.assign(database, station, application.id, officer.id, day, actor="staff:boss")
    subject = Subject.round_of(station.id, officer.id, day)
    outcome = request_print(database, subject, "staff:li", file_printer)
    assert outcome.printed
    pdf = (tmp_path / "instance" / "prints" / outcome.job.backend_job).read_bytes()
    text = squeezed("".join(page_texts(pdf)))
    assert application.number in text and visit.code in text and LOCAL_ID not in text
    again = reprint(database, outcome.job.id, "staff:li", file_printer, station)
    assert again.printed and again.job.id != outcome.job.id and again.job.kind == "round"
    rows = recent_jobs(database, station)
    assert [(row.job.kind, row.reference, row.round_date) for row in rows] == [("round", "李", day)] * 2

    with pytest.raises(PrintJobNotFound):  # the officer belongs to another station
        request_print(database, Subject.round_of(station.id + 1, officer.id, day), "staff:li", file_printer)


@pytest.mark.parametrize(
    ("app_type", "printed"),
    [("temporary", "临时居民身份证"), ("lost", "居民身份证 · 丢失补领"), ("first", "居民身份证 · 首次申领")],
)
def test_the_receipt_names_the_document_applied_for(database, station, app_type, printed):
    """A temporary ID is a document of its own: 临时居民身份证, not "居民身份证 · 临时居民身份证"."""
    from kiosk.domain.catalogue import ApplicationType
    from kiosk.models import Applicant
    from kiosk.services.printed_documents import receipt_data

    if app_type == "temporary":  # issued only while a main application is pending
        submit_application(database, station, new(app_type=ApplicationType.LOST), actor="kiosk", now=NOW)
    application = submit_application(database, station, new(app_type=ApplicationType(app_type)), actor="kiosk", now=NOW)
    with database.reading() as session:
        applicant = session.get(Applicant, application.applicant_id)
    receipt = receipt_data(application, applicant, station, URL)
    assert receipt.service == printed
    ready = application.expected_ready
    assert receipt.promise == f"预计{ready.year}年{ready.month}月{ready.day}日前可领证"  # no zero before a month or day
