"""Working a case at the window: claiming, viewing (audited), acting, and escalating missed deadlines.

A claim is one conditional UPDATE (free, lapsed, or already mine), so when two
colleagues open a case at once exactly one holds it; the other sees it
read-only with the holder's name. Every action goes through the state machine
and writes its audit row in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import bindparam, insert, or_, update
from sqlmodel import Session, col, select

from ..clock import utcnow
from ..db import Database
from ..domain.commitments import QUEUE_RANK, Commitment
from ..domain.states import Action, IllegalTransition, State
from ..models import Applicant, Application, ApplicationMaterial, AuditEvent, StaffUser
from .applications import ApplicationNotFound, record_transition
from .notifications import queue_for_state
from .station import StationContext

# Escalation levels of a missed deadline (the seed articles: not followed up -> supervisor -> oversight).
HOLDER, SUPERVISOR, OVERSIGHT = 1, 2, 3
ESCALATION_TARGETS = {HOLDER: "holder", SUPERVISOR: "supervisor", OVERSIGHT: "oversight"}


class ClaimedByOther(Exception):
    def __init__(self, holder: str):
        super().__init__(holder)
        self.holder = holder


@dataclass(frozen=True)
class CaseView:
    application: Application
    applicant: Applicant
    materials: list[tuple[str, bool]]
    history: list[AuditEvent]
    holder: str | None  # display name of whoever holds the claim now
    mine: bool


def claim(
    db: Database, station: StationContext, application_id: int, staff: StaffUser, now: dt.datetime | None = None
) -> bool:
    """Take (or renew) the claim on a case; False when a colleague holds it."""
    now = now or utcnow()
    until = now + dt.timedelta(minutes=station.settings.claim_minutes)
    with db.transaction() as session:
        result = session.execute(
            update(Application)
            .where(
                Application.id == application_id,
                Application.station_id == station.id,
                or_(
                    col(Application.claimed_by).is_(None),
                    Application.claimed_by == staff.id,
                    Application.claimed_until < now,
                ),
            )
            .values(claimed_by=staff.id, claimed_until=until)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1


def of_station(db: Database, station: StationContext, application_id: int) -> bool:
    """Whether the case exists and is this station's: any other is answered as if it did not exist."""
    with db.reading() as session:
        application = session.get(Application, application_id)
        return application is not None and application.station_id == station.id


def release(db: Database, application_id: int, staff: StaffUser) -> None:
    with db.transaction() as session:
        session.execute(
            update(Application)
            .where(Application.id == application_id, Application.claimed_by == staff.id)
            .values(claimed_by=None, claimed_until=None)
            .execution_options(synchronize_session=False)
        )


def open_case(
    db: Database,
    station: StationContext,
    application_id: int,
    staff: StaffUser,
    now: dt.datetime | None = None,
    *,
    take_claim: bool = True,
) -> CaseView:
    """The case of this station, claimed when `take_claim` and possible (someone who only reads it,
    such as the officer visiting, takes no claim). Every showing of the unmasked case is audited."""
    now = now or utcnow()
    if take_claim:
        claim(db, station, application_id, staff, now)
    with db.transaction() as session:
        application = session.get(Application, application_id)
        if application is None or application.station_id != station.id:
            raise ApplicationNotFound(application_id)
        session.add(AuditEvent(application_id=application_id, at=now, actor=f"staff:{staff.username}", action="view"))
    return _case_view(db, application_id, staff, now)


def _case_view(db: Database, application_id: int, staff: StaffUser, now: dt.datetime) -> CaseView:
    with db.reading() as session:
        application = session.get(Application, application_id)
        if application is None:
            raise ApplicationNotFound(application_id)
        applicant = session.get(Applicant, application.applicant_id)
        materials = [
            (m.material, m.held)
            for m in session.exec(
                select(ApplicationMaterial)
                .where(ApplicationMaterial.application_id == application_id)
                .order_by(ApplicationMaterial.id)
            )
        ]
        history = list(
            session.exec(select(AuditEvent).where(AuditEvent.application_id == application_id).order_by(AuditEvent.id))
        )
        holder = None
        held = application.claimed_by is not None and application.claimed_until and application.claimed_until >= now
        if held:
            holder = session.get(StaffUser, application.claimed_by).display_name
        return CaseView(
            application, applicant, materials, history, holder, bool(held) and application.claimed_by == staff.id
        )


def act(
    db: Database,
    station: StationContext,
    application_id: int,
    action: Action,
    staff: StaffUser,
    *,
    reason: str = "",
    materials_deadline: dt.date | None = None,
    refusal_reason: str | None = None,
    now: dt.datetime | None = None,
) -> Application:
    """One state-machine step by the claim holder, with its audit row; ClaimedByOther otherwise.
    A refusal says why: `refusal_reason` (see `record_transition`)."""
    now = now or utcnow()
    with db.transaction() as session:
        application = claimed_case(session, station, application_id, staff, now)
        if action is Action.REQUEST_MATERIALS and materials_deadline:
            application.materials_deadline = materials_deadline
        if action in (Action.APPROVE, Action.SUPPLY_MATERIALS, Action.REJECT):
            application.escalation_level, application.escalated_at = 0, None  # the deadline was met or moved
        application.claimed_until = now + dt.timedelta(minutes=station.settings.claim_minutes)
        record_transition(
            session,
            application,
            action,
            f"staff:{staff.username}",
            hotline=station.settings.hotline,
            reason=reason,
            refusal_reason=refusal_reason,
            now=now,
        )
        return application


def register(
    db: Database,
    station: StationContext,
    application_id: int,
    staff: StaffUser,
    *,
    reason: str,
    follow_up: dt.date,
    now: dt.datetime | None = None,
) -> Application:
    """客观原因登记办: the case cannot proceed now; register why and when to follow up, tell the citizen."""
    now = now or utcnow()
    with db.transaction() as session:
        application = claimed_case(session, station, application_id, staff, now)
        if application.state not in (State.SUBMITTED.value, State.AWAITING_MATERIALS.value):
            raise IllegalTransition(
                State(application.state), Action.REQUEST_MATERIALS, "only open cases are registered"
            )
        application.commitment = Commitment.REGISTERED.value
        application.queue_rank = QUEUE_RANK[Commitment.REGISTERED]
        application.handling_deadline = follow_up
        application.escalation_level, application.escalated_at = 0, None
        application.situation = {**application.situation, "blocking_reason": reason}
        session.add(application)
        _staff_event(session, application, staff, "register", f"{reason}; follow up {follow_up.isoformat()}", now)
        queue_for_state(session, application, station.settings.hotline, now, event="registered")
        return application


def request_retake(
    db: Database,
    station: StationContext,
    application_id: int,
    staff: StaffUser,
    reason: str = "",
    now: dt.datetime | None = None,
) -> Application:
    """The photo is not usable: it will be taken again at the window; the citizen is told."""
    now = now or utcnow()
    with db.transaction() as session:
        application = claimed_case(session, station, application_id, staff, now)
        application.photo_at_window = True
        session.add(application)
        _staff_event(session, application, staff, "request_retake", reason, now)
        queue_for_state(session, application, station.settings.hotline, now, event="retake")
        return application


def _staff_event(
    session: Session, application: Application, staff: StaffUser, action: str, reason: str, now: dt.datetime
) -> None:
    """An audit row for something a staff member did to a case that is not a change of state."""
    session.add(
        AuditEvent(application_id=application.id, at=now, actor=f"staff:{staff.username}", action=action, reason=reason)
    )


def claimed_case(
    session: Session, station: StationContext, application_id: int, staff: StaffUser, now: dt.datetime
) -> Application:
    """The case, locked for this transaction, when `staff` holds its claim; else ClaimedByOther."""
    application = session.get(Application, application_id, with_for_update=True)
    if application is None or application.station_id != station.id:
        raise ApplicationNotFound(application_id)
    require_claim(session, application, staff, now)
    return application


def mark_fee_paid(
    db: Database, station: StationContext, application_id: int, staff: StaffUser, now: dt.datetime | None = None
) -> None:
    now = now or utcnow()
    with db.transaction() as session:
        application = claimed_case(session, station, application_id, staff, now)
        application.fee_paid = True
        session.add(application)
        _staff_event(
            session, application, staff, "fee_paid", f"{application.fee_yuan + application.postal_fee_yuan} yuan", now
        )


def require_claim(session: Session, application: Application, staff: StaffUser, now: dt.datetime) -> None:
    if application.claimed_by == staff.id and application.claimed_until and application.claimed_until >= now:
        return
    holder = session.get(StaffUser, application.claimed_by) if application.claimed_by else None
    raise ClaimedByOther(holder.display_name if holder else "")


@dataclass(frozen=True)
class SweepResult:
    escalated: int
    expired: int


def sweep(db: Database, station: StationContext, now: dt.datetime | None = None) -> SweepResult:
    """Escalate missed handling deadlines step by step; expire cases whose materials never came.

    A submitted case past its handling deadline alerts its holder (level 1); if it is still
    not handled `escalate_supervisor_hours` later, the supervisor (2); then oversight (3).
    Each step is an audit row, shown on the case and the supervisor's board.
    """
    now = now or utcnow()
    today = station.today(now)
    settings = station.settings
    steps = {
        HOLDER: dt.timedelta(0),
        SUPERVISOR: dt.timedelta(hours=settings.escalate_supervisor_hours),
        OVERSIGHT: dt.timedelta(hours=settings.escalate_oversight_hours),
    }
    expired = 0
    with db.transaction() as session:
        # Plain rows and two bulk statements: a sweep may escalate tens of thousands at once.
        overdue = session.execute(
            select(Application.id, Application.escalation_level, Application.escalated_at)
            .where(
                Application.station_id == station.id,
                Application.state == State.SUBMITTED.value,
                Application.handling_deadline < today,
                Application.escalation_level < OVERSIGHT,
            )
            .with_for_update()
        ).all()
        due = [
            {"row_id": row_id, "level": level + 1}
            for row_id, level, at in overdue
            if at is None or now - at >= steps[level + 1]
        ]
        if due:
            table = Application.__table__
            session.execute(
                update(table)
                .where(table.c.id == bindparam("row_id"))
                .values(escalation_level=bindparam("level"), escalated_at=now),
                due,
                execution_options={"synchronize_session": False},
            )
            session.execute(
                insert(AuditEvent.__table__),
                [
                    {
                        "application_id": d["row_id"],
                        "at": now,
                        "actor": "system:sweep",
                        "action": "escalate",
                        "reason": ESCALATION_TARGETS[d["level"]],
                    }
                    for d in due
                ],
            )
        escalated = len(due)
        lapsed = session.exec(
            select(Application)
            .where(
                Application.station_id == station.id,
                Application.state == State.AWAITING_MATERIALS.value,
                Application.materials_deadline < today,
            )
            .with_for_update()
        ).all()
        for application in lapsed:
            record_transition(
                session,
                application,
                Action.EXPIRE,
                "system:sweep",
                hotline=settings.hotline,
                reason="materials deadline passed",
                now=now,
            )
            expired += 1
    return SweepResult(escalated, expired)


def overdue_board(db: Database, station: StationContext) -> list[tuple[Application, str | None]]:
    """Escalated cases, highest level first, with who holds them."""
    with db.reading() as session:
        rows = session.exec(
            select(Application, StaffUser.display_name)
            .join(StaffUser, StaffUser.id == Application.claimed_by, isouter=True)
            .where(
                Application.station_id == station.id,
                Application.escalation_level > 0,
                Application.state == State.SUBMITTED.value,
            )
            .order_by(Application.escalation_level.desc(), Application.handling_deadline)
        ).all()
        return [(application, holder) for application, holder in rows]
