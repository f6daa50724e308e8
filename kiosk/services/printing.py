"""Printing an application's documents: the job row, the PDF, the printer, the outcome.

A print job is written before anything is printed, and every attempt ends in one place
(`_attempt`): handed to the printer (`done`), or the printer was unavailable (`queued`, one
more attempt, its reason in `last_error`: nothing is lost and `retry_queued` prints it
later), or the document could not be made (`failed`). Documents are rendered from the
database each time, with personal data masked (kiosk.domain.masking).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlmodel import Session, col, select

from printing import (
    CollectAtStation,
    CupsPrinter,
    DeliverByPost,
    FilePrinter,
    Printer,
    PrinterUnavailable,
    Receipt,
    receipt_pdf,
)

from ..db import Database, utcnow
from ..domain.masking import mask_address, mask_id_number, mask_name, mask_phone
from ..models import Applicant, Application, PrintJob, Station
from .applications import ApplicationNotFound, materials_of
from .station import StationContext, load_station

log = logging.getLogger(__name__)

RECEIPT = "receipt"
KINDS = (RECEIPT,)
QUEUED, PRINTING, DONE, FAILED = "queued", "printing", "done", "failed"
STATES = (QUEUED, PRINTING, DONE, FAILED)

# The receipt is the station's official document (受理回执): printed in Chinese, with the
# official names of the seven commitments (MISSION.md).
APPLICATION_REASONS = {
    "first": "首次申领",
    "renewal_expiry": "有效期满换领",
    "renewal_change": "信息变更换领",
    "damaged": "损坏换领",
    "lost": "丢失补领",
    "temporary": "临时居民身份证",
}
_COMMITMENTS = {
    "immediate": "手续齐全立即办",
    "time_limited": "手续不全限时办",
    "home_visit": "行动不便上门办",
    "priority": "特殊群体优先办",
    "urgent": "要事急事特殊办",
    "registered": "客观原因登记办",
    "appointment": "假日期间预约办",
}
_MATERIALS = {
    "household_register": "户口簿",
    "old_card": "原居民身份证",
    "guardian_id": "监护人及其居民身份证",
    "residence_proof": "居住证或稳定就业、就学、居住证明",
    "commitment_letter": "承诺书",
    "photo": "相片",
    "exemption_certificate": "减免费用证明",
}
_WEEKDAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
_NOT_KNOWN = "—"  # printed for a field the retention purge has blanked


class PrintJobNotFound(LookupError):
    pass


@dataclass(frozen=True)
class NamedPrinter:
    """A printer backend and the name recorded with each job."""

    name: str
    backend: Printer


def printer_from_config(config: Mapping, instance_path: str | Path) -> NamedPrinter:
    """`PRINTER_BACKEND` "file" (default: PDFs under <instance>/prints/) or "cups" (`PRINTER_QUEUE`)."""
    kind = (config.get("PRINTER_BACKEND") or "file").lower()
    if kind == "cups":
        queue = config.get("PRINTER_QUEUE") or "kioskpdf"
        return NamedPrinter(f"cups:{queue}", CupsPrinter(queue))
    if kind == "file":
        return NamedPrinter("file", FilePrinter(Path(instance_path) / "prints"))
    raise ValueError(f"PRINTER_BACKEND must be 'file' or 'cups', not {kind!r}")


def _opening_hours(station: StationContext) -> tuple[str, ...]:
    """One line per weekday with its sessions, e.g. "周六 09:00-12:00、13:30-16:30"."""
    hours = station.settings.opening_hours
    return tuple(
        f"{label} " + "、".join(str(session) for session in sessions)
        for label, sessions in zip(_WEEKDAY_NAMES, hours.values(), strict=True)
        if sessions
    )


def receipt_data(
    application: Application,
    applicant: Applicant,
    station: StationContext,
    progress_url: str,
    missing: tuple[str, ...] = (),
) -> Receipt:
    """What the receipt shows, masked; `missing`: the materials still to be supplied."""
    settings = station.settings
    reason = APPLICATION_REASONS.get(application.app_type, application.app_type)
    if application.out_of_province:
        reason += "（跨省异地办理）"
    if application.collection == "post":
        collection = DeliverByPost(address_masked=mask_address(applicant.address or "") or _NOT_KNOWN)
    else:
        collection = CollectAtStation(address=settings.address, hours=_opening_hours(station))
    expected = application.expected_ready or application.handling_deadline
    if application.fee_paid:
        payment = "已缴费"
    elif application.fee_yuan:
        payment = "请到窗口缴纳"
    else:
        payment = "免费"
    bring = ["本回执"]
    if application.app_type in ("renewal_expiry", "renewal_change", "damaged"):
        bring.append("旧居民身份证（领证时交回）")
    return Receipt(
        application_number=application.number,
        progress_url=progress_url,
        name_masked=mask_name(applicant.name or "") or _NOT_KNOWN,
        id_number_masked=mask_id_number(applicant.id_number or "") or _NOT_KNOWN,
        application_type="居民身份证",
        reason=reason,
        station=settings.name,
        accepted_by=f"自助终端 {settings.code}" if application.channel == "kiosk" else "窗口受理",
        accepted_at=application.created_at.astimezone(settings.zone),
        commitment=_COMMITMENTS.get(application.commitment, application.commitment),
        promise=f"预计 {expected:%Y年%m月%d日} 前可领证",
        fee_yuan=Decimal(application.fee_yuan + application.postal_fee_yuan),
        payment_status=payment,
        expected_collection=expected,
        collection=collection,
        phone_masked=mask_phone(applicant.phone or "") or _NOT_KNOWN,
        hotline=settings.hotline,
        bring_at_collection=tuple(bring),
        missing_materials=tuple(_MATERIALS.get(m, m) for m in missing),
        materials_deadline=application.materials_deadline if missing else None,
    )


@dataclass(frozen=True)
class PrintOutcome:
    job: PrintJob
    printed: bool  # handed to the printer now, or earlier (a repeated request)
    repeated: bool = False  # the request found the document already printed or printing


def request_print(
    db: Database, application_id: int, kind: str, actor: str, printer: NamedPrinter, url: str
) -> PrintOutcome:
    """Print a document of an application once: a repeated request (a double tap) prints nothing
    more while a job for it is printing or done, and retries a queued one instead of adding one."""
    if kind not in KINDS:
        raise ValueError(f"unknown document kind {kind!r}")
    with db.transaction() as session:
        _lock_application(session, application_id)
        job = session.exec(
            select(PrintJob)
            .where(PrintJob.application_id == application_id, PrintJob.kind == kind)
            .order_by(col(PrintJob.id).desc())
        ).first()
        if job is not None and job.state in (PRINTING, DONE):
            return PrintOutcome(job, printed=True, repeated=True)
        if job is None or job.state == FAILED:
            job = PrintJob(application_id=application_id, kind=kind, requested_by=actor, progress_url=url, printer="")
        job.printer, job.state, job.updated_at = printer.name, PRINTING, utcnow()
        session.add(job)
        session.flush()
        job_id = job.id
    return _attempt(db, job_id, printer)


def reprint(db: Database, job_id: int, actor: str, printer: NamedPrinter, station: StationContext) -> PrintOutcome:
    """Staff: print a job's document again (a new job), whatever became of the earlier one."""
    with db.transaction() as session:
        earlier = session.get(PrintJob, job_id)
        application = session.get(Application, earlier.application_id) if earlier else None
        if earlier is None or application.station_id != station.id:
            raise PrintJobNotFound(job_id)
        job = PrintJob(
            application_id=earlier.application_id,
            kind=earlier.kind,
            requested_by=actor,
            progress_url=earlier.progress_url,
            printer=printer.name,
            state=PRINTING,
        )
        session.add(job)
        session.flush()
        job_id = job.id
    return _attempt(db, job_id, printer)


def retry_queued(db: Database, printer: NamedPrinter, limit: int = 100) -> list[PrintOutcome]:
    """Print the queued jobs, oldest first; each one stays queued while the printer is unavailable."""
    with db.reading() as session:
        ids = session.exec(
            select(PrintJob.id).where(PrintJob.state == QUEUED).order_by(col(PrintJob.id)).limit(limit)
        ).all()
    outcomes = []
    for job_id in ids:
        if not _claim(db, job_id, printer):
            continue  # another worker took it
        outcome = _attempt(db, job_id, printer)
        outcomes.append(outcome)
        if not outcome.printed and outcome.job.state == QUEUED:
            break  # the printer is unavailable: the others would fail the same way
    return outcomes


def recent_jobs(db: Database, station: StationContext, limit: int = 100) -> list[tuple[PrintJob, Application]]:
    with db.reading() as session:
        rows = session.exec(
            select(PrintJob, Application)
            .join(Application, Application.id == PrintJob.application_id)
            .where(Application.station_id == station.id)
            .order_by(col(PrintJob.id).desc())
            .limit(limit)
        ).all()
        return [(job, application) for job, application in rows]


def get_job(db: Database, job_id: int) -> PrintJob:
    with db.reading() as session:
        job = session.get(PrintJob, job_id)
        if job is None:
            raise PrintJobNotFound(job_id)
        return job


# --- one attempt -----------------------------------------------------------------------


def _lock_application(session: Session, application_id: int) -> None:
    """Serialise requests for one application (SQLite's writers already queue on BEGIN IMMEDIATE)."""
    found = session.exec(select(Application.id).where(Application.id == application_id).with_for_update()).first()
    if found is None:
        raise ApplicationNotFound(application_id)


def _claim(db: Database, job_id: int, printer: NamedPrinter) -> bool:
    with db.transaction() as session:
        job = session.get(PrintJob, job_id, with_for_update=True)
        if job is None or job.state != QUEUED:
            return False
        job.state, job.printer, job.updated_at = PRINTING, printer.name, utcnow()
        session.add(job)
    return True


def _render(db: Database, job: PrintJob, printer: NamedPrinter) -> tuple[bytes, str]:
    with db.reading() as session:
        application = session.get(Application, job.application_id)
        applicant = session.get(Applicant, application.applicant_id)
        code = session.get(Station, application.station_id).code
    station = load_station(db, code)
    missing = tuple(material for material, held in materials_of(db, application.id) if not held)
    receipt = receipt_data(application, applicant, station, job.progress_url, missing)
    return receipt_pdf(receipt, paper=printer.backend.paper), f"受理回执 {application.number}"


def _attempt(db: Database, job_id: int, printer: NamedPrinter) -> PrintOutcome:
    """Render and submit a job in state `printing`, and record what happened."""
    job = get_job(db, job_id)
    reference, error, state = None, "", DONE
    try:
        pdf, title = _render(db, job, printer)
        reference = printer.backend.submit(pdf, title)
    except PrinterUnavailable as unavailable:
        state, error = QUEUED, str(unavailable) or "printer unavailable"
        log.warning("print job %s queued: %s", job_id, error)
    except Exception as failure:  # the document could not be made: staff see why and print again
        state, error = FAILED, f"{type(failure).__name__}: {failure}"
        log.exception("print job %s failed", job_id)
    with db.transaction() as session:
        job = session.get(PrintJob, job_id)
        job.state, job.attempts, job.updated_at = state, job.attempts + 1, utcnow()
        job.last_error = error[:500]
        if reference is not None:
            job.backend_job = reference[:200]
        session.add(job)
    return PrintOutcome(job, printed=state == DONE)
