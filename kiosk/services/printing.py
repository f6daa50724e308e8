"""Printing: the job row, the PDF, the printer, the outcome.

Three documents are printed: an application's receipt, a booking's confirmation, and a
home-visit officer's round (its visit and pickup slips as one batch); `Subject` names which.
A print job is written before anything is printed, and every attempt ends in one place
(`_attempt`): handed to the printer (`done`), or the printer was unavailable (`queued`, one
more attempt, its reason in `last_error`: nothing is lost and `retry_queued` prints it
later), or the document could not be made (`failed`). Documents are rendered from the
database each time, with personal data masked (what they say: kiosk.services.printed_documents).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, col, select

from printing import (
    CupsPrinter,
    FilePrinter,
    Paper,
    Printer,
    PrinterUnavailable,
    booking_confirmation_pdf,
    receipt_pdf,
)

from ..clock import utcnow
from ..db import Database
from ..domain.states import PrintState
from ..models import Applicant, Application, Booking, PrintJob, StaffUser, Station
from . import visits
from .applications import ApplicationNotFound, materials_of
from .case_facts import main_number_of
from .printed_documents import booking_data, receipt_data
from .slot_times import slot_of
from .station import StationContext, load_station

log = logging.getLogger(__name__)

RECEIPT, BOOKING, ROUND = "receipt", "booking", "round"
KINDS = (RECEIPT, BOOKING, ROUND)


class PrintJobNotFound(LookupError):
    pass


@dataclass(frozen=True)
class Subject:
    """What a job prints: `receipt(...)`, `booking(...)` or `round_of(...)`."""

    kind: str
    station_id: int
    application_id: int | None = None
    booking_id: int | None = None
    officer_id: int | None = None
    round_date: dt.date | None = None

    @classmethod
    def receipt(cls, station_id: int, application_id: int) -> Subject:
        return cls(RECEIPT, station_id, application_id=application_id)

    @classmethod
    def booking(cls, station_id: int, booking_id: int) -> Subject:
        return cls(BOOKING, station_id, booking_id=booking_id)

    @classmethod
    def round_of(cls, station_id: int, officer_id: int, day: dt.date) -> Subject:
        return cls(ROUND, station_id, officer_id=officer_id, round_date=day)

    @classmethod
    def of(cls, job: PrintJob) -> Subject:
        return cls(job.kind, job.station_id, job.application_id, job.booking_id, job.officer_id, job.round_date)

    def matches(self):
        """The WHERE clause of the jobs printing this same document."""
        return (
            PrintJob.kind == self.kind,
            PrintJob.station_id == self.station_id,
            PrintJob.application_id == self.application_id,
            PrintJob.booking_id == self.booking_id,
            PrintJob.officer_id == self.officer_id,
            PrintJob.round_date == self.round_date,
        )

    def new_job(self, actor: str, url: str, printer: str, state: PrintState = PrintState.QUEUED) -> PrintJob:
        return PrintJob(
            station_id=self.station_id,
            application_id=self.application_id,
            booking_id=self.booking_id,
            officer_id=self.officer_id,
            round_date=self.round_date,
            kind=self.kind,
            requested_by=actor,
            progress_url=url,
            printer=printer,
            state=state,
        )


@dataclass(frozen=True)
class NamedPrinter:
    """A printer backend, the name recorded with each job, and the font file its documents are set
    in (None: the first usable system font, printing.fonts)."""

    name: str
    backend: Printer
    font: str | None = None


PAPERS = {"roll80": Paper.ROLL_80MM, "a4": Paper.A4}


def printer_from_config(config: Mapping, instance_path: str | Path) -> NamedPrinter:
    """`PRINTER_BACKEND` "file" (default: PDFs under <instance>/prints/) or "cups" (`PRINTER_QUEUE`),
    printing in the font `PRINT_FONT` on `PRINTER_PAPER` "roll80" or "a4" (default: A4 for files, the
    80 mm roll for CUPS)."""
    kind = (config.get("PRINTER_BACKEND") or "file").lower()
    font = config.get("PRINT_FONT")
    paper_name = (config.get("PRINTER_PAPER") or "").lower()
    if paper_name and paper_name not in PAPERS:
        raise ValueError(f"PRINTER_PAPER must be 'roll80' or 'a4', not {paper_name!r}")
    paper = {"paper": PAPERS[paper_name]} if paper_name else {}
    if kind == "cups":
        queue = config.get("PRINTER_QUEUE") or "kioskpdf"
        return NamedPrinter(f"cups:{queue}", CupsPrinter(queue, **paper), font)
    if kind == "file":
        return NamedPrinter("file", FilePrinter(Path(instance_path) / "prints", **paper), font)
    raise ValueError(f"PRINTER_BACKEND must be 'file' or 'cups', not {kind!r}")


@dataclass(frozen=True)
class PrintOutcome:
    job: PrintJob
    printed: bool  # handed to the printer now, or earlier (a repeated request)
    repeated: bool = False  # the request found the document already printed or printing


def request_print(db: Database, subject: Subject, actor: str, printer: NamedPrinter, url: str = "") -> PrintOutcome:
    """Print a document once: a repeated request (a double tap) prints nothing more while a job
    for it is printing or done, and retries a queued one instead of adding one. `url`: what the
    document's QR code or link carries (the progress page, the booking's manage page)."""
    if subject.kind not in KINDS:
        raise ValueError(f"unknown document kind {subject.kind!r}")
    with db.transaction() as session:
        _lock_subject(session, subject)
        job = session.exec(select(PrintJob).where(*subject.matches()).order_by(col(PrintJob.id).desc())).first()
        if job is not None and job.state in (PrintState.PRINTING, PrintState.DONE):
            return PrintOutcome(job, printed=True, repeated=True)
        if job is None or job.state == PrintState.FAILED:
            job = subject.new_job(actor, url, printer="")
        job.printer, job.state, job.updated_at = printer.name, PrintState.PRINTING, utcnow()
        session.add(job)
        session.flush()
        job_id = job.id
    return _attempt(db, job_id, printer)


def print_new(db: Database, subject: Subject, actor: str, printer: NamedPrinter, url: str = "") -> PrintOutcome:
    """Staff asked for a copy: a new job, whatever became of earlier ones."""
    with db.transaction() as session:
        _lock_subject(session, subject)
        job = subject.new_job(actor, url, printer.name, state=PrintState.PRINTING)
        session.add(job)
        session.flush()
        job_id = job.id
    return _attempt(db, job_id, printer)


def reprint(
    db: Database,
    job_id: int,
    actor: str,
    printer: NamedPrinter,
    station: StationContext,
    officer_id: int | None = None,
) -> PrintOutcome:
    """Staff: print a job's document again (a new job), whatever became of the earlier one; with
    `officer_id`, only that officer's rounds."""
    with db.reading() as session:
        earlier = session.get(PrintJob, job_id)
    if earlier is None or earlier.station_id != station.id:
        raise PrintJobNotFound(job_id)
    if officer_id is not None and earlier.officer_id != officer_id:
        raise PrintJobNotFound(job_id)
    return print_new(db, Subject.of(earlier), actor, printer, earlier.progress_url)


def retry_queued(
    db: Database, printer: NamedPrinter, station_id: int | None = None, limit: int = 100
) -> list[PrintOutcome]:
    """Print the queued jobs (of one station: its printer), oldest first; each one stays queued
    while the printer is unavailable."""
    query = select(PrintJob.id).where(PrintJob.state == PrintState.QUEUED)
    if station_id is not None:
        query = query.where(PrintJob.station_id == station_id)
    with db.reading() as session:
        ids = session.exec(query.order_by(col(PrintJob.id)).limit(limit)).all()
    outcomes = []
    for job_id in ids:
        if not _claim(db, job_id, printer):
            continue  # another worker took it
        outcome = _attempt(db, job_id, printer)
        outcomes.append(outcome)
        if not outcome.printed and outcome.job.state == PrintState.QUEUED:
            break  # the printer is unavailable: the others would fail the same way
    return outcomes


@dataclass(frozen=True)
class JobRow:
    job: PrintJob
    reference: str  # the application number, the booking code, or the officer of a round
    round_date: dt.date | None = None


def recent_jobs(db: Database, station: StationContext, limit: int = 100, officer_id: int | None = None) -> list[JobRow]:
    """The station's latest print jobs, newest first, each with what it printed; with `officer_id`,
    only that officer's rounds."""
    query = (
        select(PrintJob, Application.number, Booking.code, StaffUser.display_name)
        .join(Application, Application.id == PrintJob.application_id, isouter=True)
        .join(Booking, Booking.id == PrintJob.booking_id, isouter=True)
        .join(StaffUser, StaffUser.id == PrintJob.officer_id, isouter=True)
        .where(PrintJob.station_id == station.id)
    )
    if officer_id is not None:
        query = query.where(PrintJob.officer_id == officer_id)
    with db.reading() as session:
        rows = session.exec(query.order_by(col(PrintJob.id).desc()).limit(limit)).all()
    return [JobRow(job, number or code or officer or "", job.round_date) for job, number, code, officer in rows]


def latest_job(db: Database, subject: Subject) -> PrintJob | None:
    with db.reading() as session:
        return session.exec(select(PrintJob).where(*subject.matches()).order_by(col(PrintJob.id).desc())).first()


def get_job(db: Database, job_id: int) -> PrintJob:
    with db.reading() as session:
        job = session.get(PrintJob, job_id)
        if job is None:
            raise PrintJobNotFound(job_id)
        return job


# --- one attempt -----------------------------------------------------------------------


def _lock_subject(session: Session, subject: Subject) -> None:
    """Serialise requests for one document by locking the row it belongs to (SQLite's writers
    already queue on BEGIN IMMEDIATE)."""
    if subject.kind == RECEIPT:
        table, key, station = Application, subject.application_id, Application.station_id
    elif subject.kind == BOOKING:
        table, key, station = Booking, subject.booking_id, Booking.station_id
    else:
        table, key, station = StaffUser, subject.officer_id, StaffUser.station_id
    found = session.exec(
        select(table.id).where(table.id == key, station == subject.station_id).with_for_update()
    ).first()
    if found is None:
        raise ApplicationNotFound(key) if subject.kind == RECEIPT else PrintJobNotFound(key)


def _claim(db: Database, job_id: int, printer: NamedPrinter) -> bool:
    with db.transaction() as session:
        job = session.get(PrintJob, job_id, with_for_update=True)
        if job is None or job.state != PrintState.QUEUED:
            return False
        job.state, job.printer, job.updated_at = PrintState.PRINTING, printer.name, utcnow()
        session.add(job)
    return True


def _render(db: Database, job: PrintJob, printer: NamedPrinter) -> tuple[bytes, str]:
    with db.reading() as session:
        station = load_station(db, session.get(Station, job.station_id).code)
    if job.kind == ROUND:
        rows = visits.round_of(db, station, job.officer_id, job.round_date)
        if not rows:
            raise ValueError("the round has no visits")
        return visits.round_pdf(rows, station, font_path=printer.font), f"上门服务单 {job.round_date.isoformat()}"
    if job.kind == BOOKING:
        with db.reading() as session:
            booking = session.get(Booking, job.booking_id)
        confirmation = booking_data(booking, slot_of(db, booking, station), station, job.progress_url)
        pdf = booking_confirmation_pdf(confirmation, paper=printer.backend.paper, font_path=printer.font)
        return pdf, f"预约凭证 {booking.code}"
    with db.reading() as session:
        application = session.get(Application, job.application_id)
        applicant = session.get(Applicant, application.applicant_id)
    missing = tuple(material for material, held in materials_of(db, application.id) if not held)
    main_number = main_number_of(db, application)
    receipt = receipt_data(application, applicant, station, job.progress_url, missing, main_number)
    return receipt_pdf(receipt, paper=printer.backend.paper, font_path=printer.font), f"受理回执 {application.number}"


def _attempt(db: Database, job_id: int, printer: NamedPrinter) -> PrintOutcome:
    """Render and submit a job in state `printing`, and record what happened."""
    job = get_job(db, job_id)
    reference, error, state = None, "", PrintState.DONE
    try:
        pdf, title = _render(db, job, printer)
        reference = printer.backend.submit(pdf, title)
    except PrinterUnavailable as unavailable:
        state, error = PrintState.QUEUED, str(unavailable) or "printer unavailable"
        log.warning("print job %s queued: %s", job_id, error)
    except Exception as failure:  # the document could not be made: staff see why and print again
        state, error = PrintState.FAILED, f"{type(failure).__name__}: {failure}"
        log.exception("print job %s failed", job_id)
    with db.transaction() as session:
        job = session.get(PrintJob, job_id)
        job.state, job.attempts, job.updated_at = state, job.attempts + 1, utcnow()
        job.last_error = error[:500]
        if reference is not None:
            job.backend_job = reference[:200]
        session.add(job)
    return PrintOutcome(job, printed=state == PrintState.DONE)
