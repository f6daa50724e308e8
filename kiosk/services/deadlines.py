"""The sweep over deadlines (docs/domain.md "Escalation" and "Commitments"): missed deadlines
escalate step by step, citizens are reminded of a materials deadline, and cases whose materials
never came lapse.

Every open state with a deadline is watched: a submitted case is held to staff's handling
deadline, an approved one (at the home province, in production) to the date its card was
promised. A missed deadline alerts the case's holder (level 1); if it is still missed
`escalate_supervisor_hours` later the supervisor (2), then the oversight office (3). Each step is
an audit row, shown on the case and the overdue board; the supervisor and the oversight office are
also texted (`staff.supervisor_phone`, `staff.oversight_phone`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, bindparam, exists, insert, or_, update
from sqlmodel import Session, col, select

from ..clock import utcnow
from ..db import Database
from ..domain.states import HANDLING_DEADLINE_STATES, READY_DEADLINE_STATES, Action, State
from ..models import Application, ApplicationMaterial, AuditEvent, StaffUser
from .applications import record_transition
from .notifications import queue_for_staff, queue_for_state
from .station import StationContext

# Escalation levels of a missed deadline (the seed articles: not followed up -> supervisor -> oversight).
HOLDER, SUPERVISOR, OVERSIGHT = 1, 2, 3
ESCALATION_TARGETS = {HOLDER: "holder", SUPERVISOR: "supervisor", OVERSIGHT: "oversight"}
SYSTEM = "system:sweep"


@dataclass(frozen=True)
class SweepResult:
    escalated: int
    expired: int
    reminded: int = 0


def _missed(today: dt.date):
    """Open cases past the deadline of their state."""
    return or_(
        and_(col(Application.state).in_(HANDLING_DEADLINE_STATES), Application.handling_deadline < today),
        and_(col(Application.state).in_(READY_DEADLINE_STATES), Application.expected_ready < today),
    )


def _materials_missing():
    return exists().where(
        ApplicationMaterial.application_id == Application.id, col(ApplicationMaterial.held).is_(False)
    )


def _waiting_for_materials():
    """Cases staff returned for materials, and kiosk cases accepted with something missing."""
    return or_(
        Application.state == State.AWAITING_MATERIALS.value,
        and_(Application.state == State.SUBMITTED.value, _materials_missing()),
    )


def sweep(db: Database, station: StationContext, now: dt.datetime | None = None) -> SweepResult:
    now = now or utcnow()
    with db.transaction() as session:
        escalated = _escalate(session, station, now)
        reminded = _remind_of_materials(session, station, now)
        expired = _lapse(session, station, now)
    return SweepResult(escalated, expired, reminded)


def _escalate(session: Session, station: StationContext, now: dt.datetime) -> int:
    settings = station.settings
    steps = {
        HOLDER: dt.timedelta(0),
        SUPERVISOR: dt.timedelta(hours=settings.escalate_supervisor_hours),
        OVERSIGHT: dt.timedelta(hours=settings.escalate_oversight_hours),
    }
    # Plain rows and two bulk statements: a sweep may escalate tens of thousands at once.
    overdue = session.execute(
        select(Application.id, Application.escalation_level, Application.escalated_at)
        .where(
            Application.station_id == station.id,
            _missed(station.today(now)),
            Application.escalation_level < OVERSIGHT,
        )
        .with_for_update()
    ).all()
    due = [
        {"row_id": row_id, "level": level + 1}
        for row_id, level, at in overdue
        if at is None or now - at >= steps[level + 1]
    ]
    if not due:
        return 0
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
                "actor": SYSTEM,
                "action": "escalate",
                "reason": ESCALATION_TARGETS[d["level"]],
            }
            for d in due
        ],
    )
    phones = {SUPERVISOR: settings.supervisor_phone, OVERSIGHT: settings.oversight_phone}
    for d in due:
        if phones.get(d["level"]):
            application = session.get(Application, d["row_id"])
            queue_for_staff(session, application, ESCALATION_TARGETS[d["level"]], phones[d["level"]], now)
    return len(due)


def _remind_of_materials(session: Session, station: StationContext, now: dt.datetime) -> int:
    """Text the citizen once, `materials_reminder_days` working days before the materials deadline."""
    today = station.today(now)
    reminded = select(AuditEvent.application_id).where(AuditEvent.action == "materials_reminder")
    candidates = session.exec(
        select(Application).where(
            Application.station_id == station.id,
            _waiting_for_materials(),
            Application.materials_deadline >= today,
            col(Application.id).not_in(reminded),
        )
    ).all()
    due = [
        application
        for application in candidates
        if station.calendar.working_days_between(today, application.materials_deadline)
        <= station.settings.materials_reminder_days
    ]
    for application in due:
        session.add(AuditEvent(application_id=application.id, at=now, actor=SYSTEM, action="materials_reminder"))
        queue_for_state(session, application, station.settings.hotline, now, event="materials_reminder")
    return len(due)


def _lapse(session: Session, station: StationContext, now: dt.datetime) -> int:
    lapsed = session.exec(
        select(Application)
        .where(
            Application.station_id == station.id,
            _waiting_for_materials(),
            Application.materials_deadline < station.today(now),
        )
        .with_for_update()
    ).all()
    for application in lapsed:
        record_transition(
            session,
            application,
            Action.EXPIRE,
            SYSTEM,
            hotline=station.settings.hotline,
            reason="materials deadline passed",
            now=now,
        )
    return len(lapsed)


def overdue_board(db: Database, station: StationContext) -> list[tuple[Application, str | None]]:
    """Escalated open cases, highest level first, with who holds them."""
    with db.reading() as session:
        rows = session.exec(
            select(Application, StaffUser.display_name)
            .join(StaffUser, StaffUser.id == Application.claimed_by, isouter=True)
            .where(
                Application.station_id == station.id,
                Application.escalation_level > 0,
                col(Application.state).in_(HANDLING_DEADLINE_STATES | READY_DEADLINE_STATES),
            )
            .order_by(Application.escalation_level.desc(), Application.handling_deadline)
        ).all()
        return [(application, holder) for application, holder in rows]
