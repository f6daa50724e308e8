"""Applications: submit (idempotent, once assessed: assessment.py), change state through the state machine, list."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from ..clock import utcnow
from ..db import Database, insert
from ..domain.states import FINAL_STATES, REFUSAL_REASONS, Action, State, transition
from ..models import (
    Applicant,
    Application,
    ApplicationMaterial,
    ApplicationPhoto,
    AuditEvent,
    DailyCounter,
    KioskSession,
)
from .assessment import NewApplication, assess, with_main_link
from .notifications import queue_for_state
from .station import StationContext


class ApplicationNotFound(LookupError):
    pass


def submit_application(
    db: Database,
    station: StationContext,
    new: NewApplication,
    *,
    actor: str,
    forget_answers: str | None = None,
    now: dt.datetime | None = None,
) -> Application:
    """Create and submit an application in one transaction.

    A second call with the same idempotency key (a double tap, a retried
    request) returns the application the first call made. `forget_answers`:
    the kiosk session whose answers made the application, deleted in the
    same transaction (one write instead of two on the busiest step).
    """
    now = now or utcnow()
    existing = find_by_idempotency_key(db, new.idempotency_key)
    if existing is not None:
        return existing

    today = station.today(now)
    new = with_main_link(db, station, new)
    assessment = assess(station, new, now)
    decision, required = assessment.decision, assessment.required

    try:
        with db.transaction() as session:
            applicant = Applicant(
                id_number=new.id_number.number,
                name=new.name or None,
                phone=new.phone or None,
                address=new.address or None,
                recipient_name=new.recipient_name or None,
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
                out_of_province=assessment.out_of_province,
                registered_province=new.registered_province,
                commitment=decision.commitment.value,
                queue_rank=decision.queue_rank,
                handling_deadline=decision.handling_deadline,
                materials_deadline=decision.materials_deadline,
                expected_ready=assessment.expected_ready,
                fee_yuan=assessment.fee_yuan,
                postal_fee_yuan=assessment.postal_fee_yuan,
                collection=new.collection,
                old_card_handover=assessment.facts.old_card.value,
                photo_at_window=new.photo_at_window,
                track_token=secrets.token_urlsafe(12),
                exemption=assessment.exemption.value,
                situation={
                    "flags": sorted(decision.flags),
                    "special_group": new.special_group.value if new.special_group else None,
                    "urgent_reason": new.urgent_reason,
                    "blocking_reason": new.blocking_reason,
                    "cannot_travel": new.cannot_travel,
                    "wants_out_of_hours_slot": new.wants_out_of_hours_slot,
                    "supervisor_sign_off": decision.supervisor_sign_off,
                    "offer_temporary_id": decision.offer_temporary_id,
                    "visit_dates": [d.isoformat() for d in new.visit_dates],
                    "card_expires": new.card_expires.isoformat() if new.card_expires else None,
                },
                channel=new.channel,
                language=new.language,
                idempotency_key=new.idempotency_key,
                main_application_id=new.main_link.main_id if new.main_link else None,
                created_at=now,
                updated_at=now,
            )
            session.add(application)
            session.flush()
            session.add_all(
                ApplicationMaterial(application_id=application.id, material=m.value, held=m not in decision.missing)
                for m in required
            )
            if new.photo_file:
                session.add(
                    ApplicationPhoto(
                        application_id=application.id, file=new.photo_file, report=new.photo_report, created_at=now
                    )
                )
            _audit(session, application, actor, "create", None, State.DRAFT, now=now)
            record_transition(session, application, Action.SUBMIT, actor, hotline=station.settings.hotline, now=now)
            if forget_answers:
                session.exec(delete(KioskSession).where(KioskSession.token == forget_answers))
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
    station: StationContext,
    application_id: int,
    action: Action,
    *,
    actor: str,
    reason: str = "",
    refusal_reason: str | None = None,
    now: dt.datetime | None = None,
) -> Application:
    """One state-machine step with its audit row, in one transaction (IllegalTransition if not allowed)."""
    now = now or utcnow()
    with db.transaction() as session:
        application = session.get(Application, application_id, with_for_update=True)
        if application is None or application.station_id != station.id:
            raise ApplicationNotFound(application_id)
        record_transition(
            session,
            application,
            action,
            actor,
            hotline=station.settings.hotline,
            reason=reason,
            refusal_reason=refusal_reason,
            now=now,
        )
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


def materials_of(db: Database, application_id: int) -> list[tuple[str, bool]]:
    """(material, held) for each material the application needs, in the catalogue's order."""
    with db.reading() as session:
        rows = session.exec(
            select(ApplicationMaterial.material, ApplicationMaterial.held)
            .where(ApplicationMaterial.application_id == application_id)
            .order_by(ApplicationMaterial.id)
        ).all()
        return [(material, held) for material, held in rows]


def list_applications(
    db: Database,
    station: StationContext,
    states: list[State],
    *,
    commitment: str | None = None,
    out_of_province: bool | None = None,
    overdue_on: dt.date | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[tuple[Application, Applicant]]:
    """Applications in `states`, most pressing first (commitment rank, then deadline), `limit` of
    them from `offset`; optionally one commitment, out-of-province or local only, or past their
    deadline on `overdue_on`."""
    query = (
        select(Application, Applicant)
        .join(Applicant, Applicant.id == Application.applicant_id)
        .where(Application.station_id == station.id, col(Application.state).in_([s.value for s in states]))
    )
    if commitment:
        query = query.where(Application.commitment == commitment)
    if out_of_province is not None:
        query = query.where(Application.out_of_province == out_of_province)
    if overdue_on is not None:
        query = query.where(Application.handling_deadline < overdue_on)
    query = query.order_by(Application.queue_rank, Application.handling_deadline, Application.id)
    query = query.limit(limit).offset(offset)
    with db.reading() as session:
        return [(application, applicant) for application, applicant in session.exec(query).all()]


def audit_trail(db: Database, application_id: int) -> list[AuditEvent]:
    with db.reading() as session:
        return list(
            session.exec(select(AuditEvent).where(AuditEvent.application_id == application_id).order_by(AuditEvent.id))
        )


def record_transition(
    session: Session,
    application: Application,
    action: Action,
    actor: str,
    *,
    hotline: str,
    reason: str = "",
    refusal_reason: str | None = None,
    now: dt.datetime,
) -> None:
    """Every change of state: the state machine, its audit row, and the citizen's message,
    all in the caller's transaction. A refusal says why, as one of REFUSAL_REASONS: the
    progress page and the message explain it to the citizen."""
    if action is Action.REJECT and refusal_reason not in REFUSAL_REASONS:
        raise ValueError(f"a refusal needs one of {REFUSAL_REASONS}, not {refusal_reason!r}")
    before = State(application.state)
    after = transition(before, action, out_of_province=application.out_of_province)
    application.state = after.value
    if action is Action.REJECT:
        application.refusal_reason = refusal_reason
    application.updated_at = now
    if after in FINAL_STATES:
        application.closed_at = now
    session.add(application)
    _audit(session, application, actor, action.value, before, after, reason=reason, now=now)
    queue_for_state(session, application, hotline, now)


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
    statement = (
        insert(session, DailyCounter)
        .values(station_id=station.id, day=today, last=1)
        .on_conflict_do_update(index_elements=["station_id", "day"], set_={"last": DailyCounter.__table__.c.last + 1})
        .returning(DailyCounter.__table__.c.last)
    )
    sequence = session.execute(statement).scalar_one()
    return f"{station.settings.code}-{today:%y%m%d}-{sequence:04d}"
