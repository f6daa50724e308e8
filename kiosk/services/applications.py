"""Applications: submit (idempotent), change state through the state machine, list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ..db import Database, utcnow
from ..domain.catalogue import (
    ApplicationType,
    Exemption,
    Material,
    check_eligibility,
    fee_yuan,
    promised_working_days,
    required_materials,
)
from ..domain.commitments import Situation, SpecialGroup, decide_commitment
from ..domain.id_number import IdNumber
from ..domain.states import FINAL_STATES, Action, State, transition
from ..models import Applicant, Application, ApplicationMaterial, AuditEvent, DailyCounter
from .station import StationContext


class NotEligible(ValueError):
    """This station cannot take the case; `reason` is a catalogue eligibility code."""

    def __init__(self, reason: str, earliest: dt.date | None = None):
        super().__init__(reason)
        self.reason = reason
        self.earliest = earliest


class ApplicationNotFound(LookupError):
    pass


@dataclass(frozen=True)
class NewApplication:
    """Everything the kiosk collected, already validated field by field."""

    id_number: IdNumber
    app_type: ApplicationType
    registered_province: str
    idempotency_key: str
    name: str = ""
    phone: str = ""
    address: str = ""
    held: frozenset[Material] = frozenset()
    exemption: Exemption = Exemption.NONE
    cannot_travel: bool = False
    special_group: SpecialGroup | None = None
    urgent_reason: str = ""
    blocking_reason: str = ""
    wants_out_of_hours_slot: bool = False
    card_expires: dt.date | None = None
    channel: str = "kiosk"


def submit_application(
    db: Database, station: StationContext, new: NewApplication, *, actor: str, now: dt.datetime | None = None
) -> Application:
    """Create and submit an application in one transaction.

    A second call with the same idempotency key (a double tap, a retried
    request) returns the application the first call made.
    """
    now = now or utcnow()
    existing = find_by_idempotency_key(db, new.idempotency_key)
    if existing is not None:
        return existing

    settings = station.settings
    today = station.today(now)
    eligibility = check_eligibility(
        new.app_type,
        new.id_number,
        registered_province=new.registered_province,
        settings=settings,
        today=today,
        card_expires=new.card_expires,
    )
    if not eligibility.ok:
        raise NotEligible(eligibility.reason, eligibility.earliest)

    out_of_province = new.registered_province != settings.province_code
    required = required_materials(
        new.app_type, age=new.id_number.age_on(today), out_of_province=out_of_province, exemption=new.exemption
    )
    situation = Situation(
        required=required,
        held=new.held,
        cannot_travel=new.cannot_travel,
        special_group=new.special_group,
        urgent_reason=new.urgent_reason,
        blocking_reason=new.blocking_reason,
        wants_out_of_hours_slot=new.wants_out_of_hours_slot,
    )
    decision = decide_commitment(
        situation,
        accepted_on=today,
        calendar=station.calendar,
        settings=settings,
        temporary_id_possible=not out_of_province or settings.temporary_id_out_of_province,
    )
    promised = promised_working_days(new.app_type, out_of_province=out_of_province, settings=settings)

    try:
        with db.transaction() as session:
            applicant = Applicant(
                id_number=new.id_number.number,
                name=new.name or None,
                phone=new.phone or None,
                address=new.address or None,
                birth_year=new.id_number.birth_date.year,
                sex=new.id_number.sex,
            )
            session.add(applicant)
            session.flush()
            application = Application(
                number=_next_number(session, station, today),
                station_id=station.id,
                applicant_id=applicant.id,
                app_type=new.app_type.value,
                state=State.DRAFT.value,
                out_of_province=out_of_province,
                registered_province=new.registered_province,
                commitment=decision.commitment.value,
                queue_rank=decision.queue_rank,
                handling_deadline=decision.handling_deadline,
                materials_deadline=decision.materials_deadline,
                expected_ready=station.calendar.add_working_days(today, promised),
                fee_yuan=fee_yuan(new.app_type, settings, new.exemption),
                exemption=new.exemption.value,
                situation={
                    "flags": sorted(decision.flags),
                    "special_group": new.special_group.value if new.special_group else None,
                    "urgent_reason": new.urgent_reason,
                    "blocking_reason": new.blocking_reason,
                    "cannot_travel": new.cannot_travel,
                    "wants_out_of_hours_slot": new.wants_out_of_hours_slot,
                    "supervisor_sign_off": decision.supervisor_sign_off,
                    "offer_temporary_id": decision.offer_temporary_id,
                },
                channel=new.channel,
                idempotency_key=new.idempotency_key,
                created_at=now,
                updated_at=now,
            )
            session.add(application)
            session.flush()
            session.add_all(
                ApplicationMaterial(application_id=application.id, material=m.value, held=m in new.held)
                for m in required
            )
            _audit(session, application, actor, "create", None, State.DRAFT, now=now)
            _apply(session, application, Action.SUBMIT, actor, now=now)
            return application
    except IntegrityError:
        # Two requests with one key raced; the other one won. Return its application.
        existing = find_by_idempotency_key(db, new.idempotency_key)
        if existing is None:
            raise
        return existing


def find_by_idempotency_key(db: Database, key: str) -> Application | None:
    with db.reading() as session:
        return session.exec(select(Application).where(Application.idempotency_key == key)).first()


def change_state(
    db: Database,
    application_id: int,
    action: Action,
    *,
    actor: str,
    reason: str = "",
    now: dt.datetime | None = None,
) -> Application:
    """One state-machine step with its audit row, in one transaction (IllegalTransition if not allowed)."""
    now = now or utcnow()
    with db.transaction() as session:
        application = session.get(Application, application_id, with_for_update=True)
        if application is None:
            raise ApplicationNotFound(application_id)
        _apply(session, application, action, actor, reason=reason, now=now)
        return application


def get_application(db: Database, application_id: int) -> tuple[Application, Applicant]:
    with db.reading() as session:
        row = session.exec(
            select(Application, Applicant)
            .join(Applicant, Applicant.id == Application.applicant_id)
            .where(Application.id == application_id)
        ).first()
        if row is None:
            raise ApplicationNotFound(application_id)
        return row[0], row[1]


def list_applications(
    db: Database, station: StationContext, states: list[State], limit: int = 200
) -> list[tuple[Application, Applicant]]:
    """Applications in `states`, most pressing first (commitment rank, then deadline)."""
    with db.reading() as session:
        rows = session.exec(
            select(Application, Applicant)
            .join(Applicant, Applicant.id == Application.applicant_id)
            .where(Application.station_id == station.id, col(Application.state).in_([s.value for s in states]))
            .order_by(Application.queue_rank, Application.handling_deadline, Application.id)
            .limit(limit)
        ).all()
        return [(application, applicant) for application, applicant in rows]


def audit_trail(db: Database, application_id: int) -> list[AuditEvent]:
    with db.reading() as session:
        return list(
            session.exec(select(AuditEvent).where(AuditEvent.application_id == application_id).order_by(AuditEvent.id))
        )


def _apply(
    session: Session, application: Application, action: Action, actor: str, *, reason: str = "", now: dt.datetime
) -> None:
    before = State(application.state)
    after = transition(before, action, out_of_province=application.out_of_province)
    application.state = after.value
    application.updated_at = now
    if after in FINAL_STATES:
        application.closed_at = now
    session.add(application)
    _audit(session, application, actor, action.value, before, after, reason=reason, now=now)


def _audit(
    session: Session,
    application: Application,
    actor: str,
    action: str,
    before: State | None,
    after: State | None,
    *,
    reason: str = "",
    now: dt.datetime,
) -> None:
    session.add(
        AuditEvent(
            application_id=application.id,
            at=now,
            actor=actor,
            action=action,
            from_state=before.value if before else None,
            to_state=after.value if after else None,
            reason=reason,
        )
    )


def _next_number(session: Session, station: StationContext, today: dt.date) -> str:
    """`330402-261124-0007`: station code, local date, the day's sequence (race-free upsert)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(DailyCounter)
        .values(station_id=station.id, day=today, last=1)
        .on_conflict_do_update(index_elements=["station_id", "day"], set_={"last": DailyCounter.__table__.c.last + 1})
        .returning(DailyCounter.__table__.c.last)
    )
    sequence = session.execute(statement).scalar_one()
    return f"{station.settings.code}-{today:%y%m%d}-{sequence:04d}"
