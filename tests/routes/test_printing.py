"""Printing the receipt from the kiosk's done page, and the staff's list of print jobs."""

from __future__ import annotations

import subprocess

from sqlmodel import select

from kiosk.domain.states import PrintState
from kiosk.models import Application, PrintJob
from kiosk.services.printing import printer_from_config, retry_queued
from tests.conftest import STAFF_PASSWORD
from tests.helpers import apply
from tests.printing.test_backends import QUEUE, cups_pdf_folder, existing, take_printed, wait_until_done  # noqa: F401

PRINTED = "Please take your receipt"
PRINTER_DOWN = "The printer is not working. Please collect your receipt at the window."


def jobs(app) -> list[PrintJob]:
    with app.extensions["kiosk_db"].reading() as session:
        return list(session.exec(select(PrintJob).order_by(PrintJob.id)))


def print_receipt(client) -> str:
    response = client.post("/apply/done/print")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def english(client) -> None:
    client.post("/language", data={"lang": "en", "back": "/apply/done"})


def test_the_done_page_offers_to_print(client):
    assert 'id="print-receipt"' in apply(client)


def test_a_double_tap_prints_one_receipt(client, app, tmp_path):
    apply(client)
    english(client)
    assert PRINTED in print_receipt(client)
    page = print_receipt(client)
    assert PRINTED in page and 'id="print-receipt"' not in page
    [job] = jobs(app)
    assert (job.state, job.attempts, job.requested_by) == (PrintState.DONE, 1, "kiosk:330402")
    assert len(list((tmp_path / "instance" / "prints").glob("*.pdf"))) == 1


def test_printing_needs_a_finished_application(client):
    response = client.post("/apply/done/print")
    assert response.status_code == 303 and response.headers["Location"].endswith("/")


def test_a_stopped_cups_queue_keeps_the_receipt_queued_until_a_retry(client, app, cups_pdf_folder):  # noqa: F811
    app.config["PRINTER_BACKEND"] = "cups"
    apply(client)
    english(client)
    before = existing(cups_pdf_folder)
    subprocess.run(["cupsdisable", QUEUE], check=True)
    try:
        page = print_receipt(client)
        assert PRINTER_DOWN in page and 'id="print-receipt"' in page
        [job] = jobs(app)
        assert (job.state, job.attempts, job.printer) == (PrintState.QUEUED, 1, f"cups:{QUEUE}")
        assert "stopped" in job.last_error
    finally:
        subprocess.run(["cupsenable", QUEUE], check=True)
    printer = printer_from_config(app.config, app.instance_path)
    [outcome] = retry_queued(app.extensions["kiosk_db"], printer)
    assert outcome.printed
    [job] = jobs(app)
    assert (job.state, job.attempts) == (PrintState.DONE, 2) and job.backend_job.startswith(f"{QUEUE}-")
    wait_until_done(printer.backend, job.backend_job)
    take_printed(cups_pdf_folder, before, _number(app, job))


def _number(app, job) -> str:
    with app.extensions["kiosk_db"].reading() as session:
        return session.get(Application, job.application_id).number


def test_the_staff_print_list_needs_sign_in(client):
    response = client.get("/staff/prints")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]
    assert client.post("/staff/prints/1/again").status_code == 302


def test_staff_see_print_jobs_and_print_again(client, app, staff_user, tmp_path):
    apply(client)
    print_receipt(client)
    client.post("/reset")
    client.post("/staff/login", data={"username": "zhang", "password": STAFF_PASSWORD})
    [job] = jobs(app)
    page = client.get("/staff/prints").get_data(as_text=True)
    assert f'id="print-job-{job.id}"' in page
    response = client.post(f"/staff/prints/{job.id}/again", follow_redirects=True)
    assert response.status_code == 200
    first, again = jobs(app)
    assert (again.state, again.requested_by) == (PrintState.DONE, "staff:zhang")
    assert len(list((tmp_path / "instance" / "prints").glob("*.pdf"))) == 2
    assert client.post("/staff/prints/999999/again", follow_redirects=True).status_code == 404


def test_staff_print_a_copy_of_a_receipt_from_the_case_page(staff_client, app, client):
    from sqlmodel import select

    from kiosk.models import Application, PrintJob
    from tests.helpers import apply

    kiosk = app.test_client()
    apply(kiosk)
    with app.extensions["kiosk_db"].reading() as session:
        application = session.exec(select(Application)).one()
    kiosk.post("/apply/done/print")  # the kiosk printed one...
    path = f"/staff/applications/{application.id}/print-receipt"
    page = staff_client.get(f"/staff/applications/{application.id}").get_data(as_text=True)
    assert 'id="print-receipt"' in page
    assert staff_client.post(path, follow_redirects=True).status_code == 200  # ...the window prints a copy on request
    assert staff_client.post("/staff/applications/999999/print-receipt", follow_redirects=True).status_code == 404
    with app.extensions["kiosk_db"].reading() as session:
        jobs = session.exec(select(PrintJob).order_by(PrintJob.id)).all()
    assert [(job.kind, job.requested_by.split(":")[0], job.state) for job in jobs] == [
        ("receipt", "kiosk", "done"),
        ("receipt", "staff", "done"),
    ]
