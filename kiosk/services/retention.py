"""The retention purge: personal data of cases closed longer ago than the station's retention
period (`[retention] days`) is removed; the anonymous case, its figures and its audit skeleton stay.

An applicant is purged when a case of theirs at the station closed before the cutoff and no
case of theirs, under the same applicant record or the same ID number at any station, is still
open or closed within the period. Purging them, in one transaction per batch:

- `Applicant`: ID number, name, phone, address and postal recipient blanked, `purged_at` set; birth year and
  sex stay for anonymous statistics (with the case's province, commitment and dates);
- their photos: the `ApplicationPhoto` rows (with the check report) deleted, the pictures with
  them when kept in the database, or the files after the commit;
- `Application.situation`: the free-text and personal answers (urgent and blocking reasons,
  special group, visit dates) dropped; the routing flags stay;
- `Notification`: the phone and the delivery error (a gateway may quote the number) blanked;
  the text holds only the case number, dates and the hotline;
- `AuditEvent`: rows stay. A reason staff or another office typed (a note, who collected
  the card, a tracking number) is cut to its leading code ("identity: ..." -> "identity") or
  blanked; the reasons the system writes itself carry no personal data and stay;
- `Booking`s linked to those cases: name, ID number and phone blanked.

Bookings of the station whose day lies beyond the period are blanked too, unless they belong
to a case that is kept. `Visit` rows hold no personal data (officer, date, outcome flags, the
slip's code) and stay as they are. Kiosk answers left behind are deleted with their photos
(`forget_abandoned_answers`).

Each purged case gets an audit row (`purge`, by `system:purge`), so its history says when and
why its personal data went; each run that changed anything adds one summary row with the counts
(bookings have no case to carry a row). Logs carry counts only. Running it again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from contextlib import nullcontext
from dataclasses import dataclass, fields

from sqlalchemy import ColumnElement, Table, and_, bindparam, case, delete, exists, func, insert, or_, select, update

from ..clock import utcnow
from ..db import Database
from ..labels import BLOCKING_REASONS, REJECT_REASONS
from ..models import Applicant, Application, ApplicationPhoto, AuditEvent, Booking, KioskSession, Notification
from .photo_store import PhotoStore
from .station import StationContext
from .wizard import purge_idle

log = logging.getLogger(__name__)

ACTOR = "system:purge"
BATCH = 1000  # applicants (or bookings) per transaction

# Audit reasons written by the system itself, never holding personal data: kept as they are.
SYSTEM_REASONS = frozenset(
    {
        "create",
        "submit",
        "view",
        "escalate",
        "expire",
        "fee_paid",
        "forward_for_verification",
        "assign_visit",  # the officer's name and the day
        "record_visit",  # outcome codes
        "book",
        "cancel_booking",
        "change_booking",
        "check_in",
        "no_show",
        "purge",
        "purge_summary",
    }
)
# The codes staff choose that lead a typed reason ("identity: <note>"): kept without the note.
REASON_CODES = tuple(sorted({*REJECT_REASONS, *BLOCKING_REASONS}))
# What stays of `Application.situation`: how the case was routed, not why.
KEPT_SITUATION = ("flags", "cannot_travel", "wants_out_of_hours_slot", "supervisor_sign_off", "offer_temporary_id")

_applicant: Table = Applicant.__table__
_application: Table = Application.__table__
_photo: Table = ApplicationPhoto.__table__
_notification: Table = Notification.__table__
_audit: Table = AuditEvent.__table__
_booking: Table = Booking.__table__


@dataclass(frozen=True)
class PurgeReport:
    """What a purge removed at a station (or would remove, for a dry run): counts only."""

    applicants: int = 0  # applicant records whose identifying fields were blanked
    applications: int = 0  # their cases
    photos: int = 0
    notifications: int = 0
    audit_reasons: int = 0
    bookings: int = 0
    kept: int = 0  # applicants past the period kept: the same person has a case open or within it

    def __add__(self, other: PurgeReport) -> PurgeReport:
        return PurgeReport(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    @property
    def changed(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self) if f.name != "kept")

    def __str__(self) -> str:
        return ", ".join(f"{f.name.replace('_', ' ')} {getattr(self, f.name)}" for f in fields(self))


def purge(
    db: Database,
    station: StationContext,
    *,
    photo_store: PhotoStore,
    dry_run: bool = False,
    now: dt.datetime | None = None,
    batch: int = BATCH,
) -> PurgeReport:
    """Purge the personal data past the station's retention period; with `dry_run`, only count it."""
    now = now or utcnow()
    cutoff = now - dt.timedelta(days=station.settings.retention_days)
    # Exclusive: a backup copying the photo folder waits, and never misses a file its snapshot names.
    with nullcontext() if dry_run else photo_store.lock():
        report = _purge_applicants(db, station, cutoff, now, photo_store, dry_run, batch)
        report += _purge_bookings(db, station, cutoff.astimezone(station.settings.zone).date(), dry_run, batch)
        with db.reading() as session:
            kept = session.execute(
                select(func.count()).select_from(_applicant).where(_expired(station.id, cutoff), _still_needed(cutoff))
            ).scalar_one()
        report += PurgeReport(kept=kept)
        if report.changed and not dry_run:
            with db.transaction() as session:
                session.execute(
                    insert(_audit).values(
                        application_id=None, at=now, actor=ACTOR, action="purge_summary", reason=str(report)[:500]
                    )
                )
    log.info("retention purge%s at station %s: %s", " (dry run)" if dry_run else "", station.settings.code, report)
    return report


def forget_abandoned_answers(
    db: Database,
    *,
    max_idle: dt.timedelta,
    photo_store: PhotoStore,
    dry_run: bool = False,
    now: dt.datetime | None = None,
) -> int:
    """Kiosk answers idle longer than `max_idle` (and the photos they name): deleted, or counted."""
    now = now or utcnow()
    if not dry_run:
        return purge_idle(db, max_idle=max_idle, now=now, photo_store=photo_store)
    with db.reading() as session:
        return session.execute(
            select(func.count()).select_from(KioskSession).where(KioskSession.updated_at < now - max_idle)
        ).scalar_one()


# --- who is purged ---------------------------------------------------------------------------


def _open_or_recent(application: Table, cutoff: dt.datetime) -> ColumnElement[bool]:
    return or_(application.c.closed_at.is_(None), application.c.closed_at >= cutoff)


def _expired(station_id: int, cutoff: dt.datetime) -> ColumnElement[bool]:
    """Applicants not purged yet with a case at the station closed before the cutoff."""
    mine = _application.alias("mine")
    return and_(
        _applicant.c.purged_at.is_(None),
        exists().where(
            mine.c.applicant_id == _applicant.c.id, mine.c.station_id == station_id, mine.c.closed_at < cutoff
        ),
    )


def _still_needed(cutoff: dt.datetime) -> ColumnElement[bool]:
    """The applicant, or the same person under another applicant record, has a case still open
    or closed within the period (at any station)."""
    own, other, same = _application.alias("own"), _application.alias("other"), _applicant.alias("same")
    # Nested, not joined: each look-up stays on an index (applicant_id, id_number) whatever the planner knows.
    return or_(
        exists().where(own.c.applicant_id == _applicant.c.id, _open_or_recent(own, cutoff)),
        exists().where(
            same.c.id_number == _applicant.c.id_number,
            exists().where(other.c.applicant_id == same.c.id, _open_or_recent(other, cutoff)),
        ),
    )


def _has_personal_data(booking: Table) -> ColumnElement[bool]:
    return or_(booking.c.name.is_not(None), booking.c.id_number.is_not(None), booking.c.phone.is_not(None))


# --- the work, batch by batch ------------------------------------------------------------------


def _blank(session, table: Table, where: ColumnElement[bool], values: dict, dry_run: bool) -> int:
    """One bulk UPDATE, or for a dry run the count of rows it would change."""
    if dry_run:
        return session.execute(select(func.count()).select_from(table).where(where)).scalar_one()
    return session.execute(update(table).where(where).values(values)).rowcount


def _purge_applicants(
    db: Database,
    station: StationContext,
    cutoff: dt.datetime,
    now: dt.datetime,
    photo_store: PhotoStore,
    dry_run: bool,
    batch: int,
) -> PurgeReport:
    # Found in one read (no lock held while scanning), then each batch checked again in its
    # transaction by primary key: a person who came back meanwhile keeps their data. A case once
    # closed before the cutoff stays so; only `purged_at` and the other cases can change.
    with db.reading() as session:
        found = (
            session.execute(
                select(_applicant.c.id)
                .where(_expired(station.id, cutoff), ~_still_needed(cutoff))
                .order_by(_applicant.c.id)
            )
            .scalars()
            .all()
        )
    report = PurgeReport()
    for start in range(0, len(found), batch):
        with db.reading() if dry_run else db.transaction() as session:
            ids = (
                session.execute(
                    select(_applicant.c.id).where(
                        _applicant.c.id.in_(found[start : start + batch]),
                        _applicant.c.purged_at.is_(None),
                        ~_still_needed(cutoff),
                    )
                )
                .scalars()
                .all()
            )
            counts, photos_named = _anonymise(session, ids, now, dry_run)
            # In the database: with the batch; files: after the commit (a rolled-back batch keeps them).
            left = [] if dry_run else photo_store.delete_in(session, photos_named)
        report += counts
        photo_store.delete(left)
    return report


def _anonymise(session, ids: list[int], now: dt.datetime, dry_run: bool) -> tuple[PurgeReport, list[str]]:
    """Blank the personal data of these applicants and their cases; returns the counts and the
    photo files to delete once committed."""
    if not ids:
        return PurgeReport(), []
    cases = session.execute(
        select(_application.c.id, _application.c.situation).where(_application.c.applicant_id.in_(ids))
    ).all()
    case_ids = [row.id for row in cases]
    of_cases = _photo.c.application_id.in_(case_ids)
    files = list(session.execute(select(_photo.c.file).where(of_cases)).scalars())
    notifications = _blank(
        session,
        _notification,
        and_(
            _notification.c.application_id.in_(case_ids),
            or_(_notification.c.phone.is_not(None), _notification.c.last_error != ""),
        ),
        {"phone": None, "last_error": ""},
        dry_run,
    )
    audit_reasons = _blank(
        session,
        _audit,
        and_(
            _audit.c.application_id.in_(case_ids),
            _audit.c.action.not_in(SYSTEM_REASONS),
            _audit.c.reason != "",
            _audit.c.reason.not_in(REASON_CODES),
        ),
        {"reason": _leading_code(_audit.c.reason)},
        dry_run,
    )
    bookings = _blank(
        session,
        _booking,
        and_(_booking.c.application_id.in_(case_ids), _has_personal_data(_booking)),
        {"name": None, "id_number": None, "phone": None},
        dry_run,
    )
    if not dry_run:
        session.execute(delete(_photo).where(of_cases))
        session.execute(
            update(_applicant)
            .where(_applicant.c.id.in_(ids))
            .values(id_number=None, name=None, phone=None, address=None, recipient_name=None, purged_at=now)
        )
        reduced = [
            {"case_id": row.id, "kept_situation": kept}
            for row in cases
            if (kept := _anonymous_situation(row.situation)) != row.situation
        ]
        if reduced:
            session.execute(
                update(_application)
                .where(_application.c.id == bindparam("case_id"))
                .values(situation=bindparam("kept_situation", type_=_application.c.situation.type)),
                reduced,
            )
        session.execute(
            insert(_audit),
            [
                {"application_id": case_id, "at": now, "actor": ACTOR, "action": "purge", "reason": ""}
                for case_id in case_ids
            ],
        )
    counts = PurgeReport(
        applicants=len(ids),
        applications=len(case_ids),
        photos=len(files),
        notifications=notifications,
        audit_reasons=audit_reasons,
        bookings=bookings,
    )
    return counts, files


def _purge_bookings(db: Database, station: StationContext, before: dt.date, dry_run: bool, batch: int) -> PurgeReport:
    """Bookings of days before `before` still holding personal data, unless their case is kept."""
    case_purged = exists().where(
        _application.c.id == _booking.c.application_id,
        _applicant.c.id == _application.c.applicant_id,
        _applicant.c.purged_at.is_not(None),
    )
    due = and_(
        _booking.c.station_id == station.id,
        _booking.c.local_day < before,
        _has_personal_data(_booking),
        or_(_booking.c.application_id.is_(None), case_purged),
    )
    if dry_run:
        with db.reading() as session:
            return PurgeReport(
                bookings=session.execute(select(func.count()).select_from(_booking).where(due)).scalar_one()
            )
    done, last = 0, 0
    while True:
        with db.reading() as session:
            found = (
                session.execute(
                    select(_booking.c.id).where(_booking.c.id > last, due).order_by(_booking.c.id).limit(batch)
                )
                .scalars()
                .all()
            )
        if not found:
            return PurgeReport(bookings=done)
        last = found[-1]
        with db.transaction() as session:
            done += _blank(
                session,
                _booking,
                and_(_booking.c.id.in_(found), due),
                {"name": None, "id_number": None, "phone": None},
                False,
            )


def _anonymous_situation(situation: dict | None) -> dict:
    return {key: value for key, value in (situation or {}).items() if key in KEPT_SITUATION}


def _leading_code(reason: ColumnElement[str]) -> ColumnElement[str]:
    """SQL: the code a reason starts with ("identity: note", "records; follow up ...") or ''."""
    return case(
        *(
            (
                or_(reason.startswith(f"{code}:", autoescape=True), reason.startswith(f"{code};", autoescape=True)),
                code,
            )
            for code in REASON_CODES
        ),
        else_="",
    )
