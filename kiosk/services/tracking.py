"""The public progress look-up: an application number with the last 4 digits of the phone, or
the receipt's link (number and token).

Four digits are quickly guessed from many addresses, so failures are also counted per number,
in the database (every worker process sees the same count): after MAX_FAILED_LOOKUPS within
FAILURE_WINDOW, the number cannot be looked up for LOCKOUT, even with the right digits. Numbers
that do not exist are counted and locked alike, so a refusal never tells which numbers exist.
The link is not locked: its token cannot be guessed, and a stranger's wrong digits must not
keep the citizen holding the receipt from their case.
"""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass

from sqlmodel import Session, col, delete, select

from ..clock import utcnow
from ..db import Database, insert
from ..domain.states import State
from ..models import Applicant, Application, ApplicationMaterial, AuditEvent, TrackingFailure

MAX_FAILED_LOOKUPS = 5
FAILURE_WINDOW = dt.timedelta(minutes=15)
LOCKOUT = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class TrackedCase:
    """What the public progress page may show: no personal data beyond the masked name."""

    number: str
    token: str
    phone_tail: str
    app_type: str
    state: str
    refusal_reason: str | None
    commitment: str
    collection: str  # "station", "post" or "visit"
    expected_ready: dt.date | None
    materials_deadline: dt.date | None
    missing: tuple[str, ...]
    history: tuple[tuple[dt.datetime, str], ...]  # (when, state reached)


def find_for_tracking(db: Database, number: str) -> TrackedCase | None:
    with db.reading() as session:
        return tracked_case(session, number)


def tracked_case(session: Session, number: str) -> TrackedCase | None:
    row = session.exec(
        select(Application, Applicant)
        .join(Applicant, Applicant.id == Application.applicant_id)
        .where(Application.number == number)
    ).first()
    if row is None:
        return None
    application, applicant = row
    events = session.exec(
        select(AuditEvent.at, AuditEvent.to_state)
        .where(AuditEvent.application_id == application.id, col(AuditEvent.to_state).is_not(None))
        .order_by(AuditEvent.id)
    ).all()
    missing = session.exec(
        select(ApplicationMaterial.material).where(
            ApplicationMaterial.application_id == application.id, col(ApplicationMaterial.held).is_(False)
        )
    ).all()
    return TrackedCase(
        number=application.number,
        token=application.track_token,
        phone_tail=(applicant.phone or "")[-4:],
        app_type=application.app_type,
        state=application.state,
        refusal_reason=application.refusal_reason,
        commitment=application.commitment,
        collection=application.collection,
        expected_ready=application.expected_ready,
        materials_deadline=application.materials_deadline,
        missing=tuple(missing),
        history=tuple((at, state) for at, state in events if state != State.DRAFT.value),
    )


class TrackingRefused(Exception):
    """No case for this number and phone; or, with `locked_until`, the number is locked."""

    def __init__(self, locked_until: dt.datetime | None = None):
        super().__init__("locked" if locked_until else "not found")
        self.locked_until = locked_until


def look_up(db: Database, number: str, phone_tail: str, *, now: dt.datetime | None = None) -> TrackedCase:
    """The case with this number whose phone ends in `phone_tail`, or TrackingRefused."""
    now = now or utcnow()
    with db.transaction() as session:
        # The number's row exists (made now, or by another look-up) and is held until commit:
        # concurrent look-ups of one number take turns, so none slips past the count.
        session.execute(
            insert(session, TrackingFailure)
            .values(number=number, failures=0, counted_until=now)
            .on_conflict_do_nothing()
        )
        failures = session.exec(select(TrackingFailure).where(TrackingFailure.number == number).with_for_update()).one()
        if failures.locked_until is not None and failures.locked_until > now:
            raise TrackingRefused(failures.locked_until)
        case = tracked_case(session, number)
        if case is not None and _same(case.phone_tail, phone_tail):
            session.delete(failures)
            return case
        if failures.counted_until <= now:  # a new count
            failures.failures, failures.counted_until = 0, now + FAILURE_WINDOW
        failures.failures += 1
        if failures.failures >= MAX_FAILED_LOOKUPS:
            failures.failures, failures.locked_until = 0, now + LOCKOUT
            failures.counted_until = failures.locked_until
        session.add(failures)
        # Forget the counts that no longer matter, so the table stays small.
        session.exec(delete(TrackingFailure).where(col(TrackingFailure.counted_until) < now))
        session.commit()  # the count must survive the refusal below
        raise TrackingRefused()


def open_link(db: Database, number: str, token: str) -> TrackedCase | None:
    """The case the receipt's link names, when its token is right."""
    case = find_for_tracking(db, number)
    return case if case is not None and _same(case.token, token) else None


def _same(secret: str, given: str) -> bool:
    """A comparison in constant time, of bytes: what was typed may be any Unicode (Arabic-Indic
    digits pass as digits), which compare_digest refuses to compare as text."""
    return hmac.compare_digest(secret.encode(), given.encode())
