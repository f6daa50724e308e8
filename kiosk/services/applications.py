"""Applications: submit (idempotent), change state through the state machine, list."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field, replace

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from ..clock import utcnow
from ..db import Database, insert
from ..domain.card_facts import CardFacts, card_facts, old_card_fate
from ..domain.catalogue import (
    ApplicationType,
    Exemption,
    Material,
    check_eligibility,
    exemptions_for,
    fee_yuan,
    promised_working_days,
    required_materials,
)
from ..domain.commitments import Commitment, Decision, Situation, SpecialGroup, decide_commitment
from ..domain.id_number import IdNumber
from ..domain.states import FINAL_STATES, REFUSAL_REASONS, Action, State, transition
from ..domain.temporary_id import MAIN_TYPES
from ..models import (
    Applicant,
    Application,
    ApplicationMaterial,
    ApplicationPhoto,
    AuditEvent,
    DailyCounter,
    KioskSession,
)
from . import temporary_ids
from .notifications import queue_for_state
from .station import StationContext
from .temporary_ids import MainLink, TemporaryOffer, temporary_offer


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
    held: frozenset[Material] = frozenset()
    exemption: Exemption = Exemption.NONE
    cannot_travel: bool = False
    special_group: SpecialGroup | None = None
    urgent_reason: str = ""
    blocking_reason: str = ""
    wants_out_of_hours_slot: bool = False
    card_expires: dt.date | None = None
    card_long_term: bool = False
    visit_dates: tuple[dt.date, ...] = ()  # preferred dates for a home visit
    collection: str = "station"  # "station", "post", or "visit" (the officer brings it home)
    address: str = ""  # the home-visit or postal address
    recipient_name: str = ""  # who receives a posted card
    old_card_handover: str = ""  # a posted card replacing an old one: "at_acceptance" or "courier"
    photo_at_window: bool = False  # the photo is still to be taken by staff
    language: str = "zh_Hans"  # the citizen's language, for the messages sent to them
    main_link: MainLink | None = None  # a temporary ID: the pending main application it bridges
    # The photo taken at the kiosk: its file under <instance>/photos/ and its checks (Report.to_dict).
    photo_file: str = ""
    photo_report: dict = field(default_factory=dict)
    channel: str = "kiosk"


@dataclass(frozen=True)
class Assessment:
    """What the station promises for a case: shown before submitting, stored on submit."""

    out_of_province: bool
    required: tuple[Material, ...]
    decision: Decision
    fee_yuan: int
    postal_fee_yuan: int
    expected_ready: dt.date
    handled_today: bool  # staff can still act today (a working day, the hall not yet closed)
    facts: CardFacts  # what is true of the new card and the visit
    exemption: Exemption = Exemption.NONE  # the one claimed, where it applies to this type at this station
    temporary_offer: TemporaryOffer | None = None  # a temporary ID helps while the card is made

    @property
    def to_bring(self) -> tuple[Material, ...]:
        """The papers the citizen is asked about: the photo is taken, never brought."""
        return tuple(m for m in self.required if m is not Material.PHOTO)


def assess(station: StationContext, new: NewApplication, now: dt.datetime) -> Assessment:
    """The commitment, deadlines, fee and expected date for `new` made at `now`, or NotEligible."""
    settings = station.settings
    today, handled_on = station.today(now), station.handling_day(now)
    eligibility = check_eligibility(
        new.app_type,
        new.id_number,
        registered_province=new.registered_province,
        settings=settings,
        today=today,
        card_expires=new.card_expires,
        card_long_term=new.card_long_term,
    )
    if not eligibility.ok:
        raise NotEligible(eligibility.reason, eligibility.earliest)
    if new.app_type is ApplicationType.TEMPORARY and (new.main_link is None or new.main_link.refusal):
        raise NotEligible(new.main_link.refusal if new.main_link else "temporary_without_main")

    out_of_province = new.registered_province != settings.province_code
    exemption = new.exemption if new.exemption in exemptions_for(new.app_type, settings) else Exemption.NONE
    required = required_materials(
        new.app_type, age=new.id_number.age_on(today), out_of_province=out_of_province, exemption=exemption
    )
    situation = Situation(
        required=required,
        # The photo is never missing: it is taken by the kiosk's camera, at the window when the
        # citizen comes in, or by the officer on a home visit (photo_at_window tells staff).
        held=new.held | {Material.PHOTO},
        cannot_travel=new.cannot_travel,
        special_group=new.special_group,
        urgent_reason=new.urgent_reason,
        blocking_reason=new.blocking_reason,
        wants_out_of_hours_slot=new.wants_out_of_hours_slot,
        card_lost=new.app_type is ApplicationType.LOST,
    )
    decision = decide_commitment(
        situation,
        accepted_on=handled_on,
        calendar=station.calendar,
        settings=settings,
        temporary_id_possible=new.app_type in MAIN_TYPES
        and (not out_of_province or settings.temporary_id_out_of_province),
    )
    promised = promised_working_days(
        new.app_type, out_of_province=out_of_province, settings=settings, urgent=decision.supervisor_sign_off
    )
    expected_ready = station.calendar.add_working_days(today, promised)
    facts = card_facts(
        new.app_type,
        new.id_number,
        today=today,
        ready=expected_ready,
        temporary_valid_days=settings.temporary_id_valid_days,
        home_visit=decision.commitment is Commitment.HOME_VISIT,
        old_card=old_card_fate(new.app_type, new.collection, new.old_card_handover),
    )
    return Assessment(
        out_of_province=out_of_province,
        required=required,
        decision=decision,
        fee_yuan=fee_yuan(new.app_type, settings, exemption),
        postal_fee_yuan=settings.postal_delivery_fee if new.collection == "post" else 0,
        expected_ready=expected_ready,
        handled_today=handled_on == today,
        facts=facts,
        exemption=exemption,
        temporary_offer=temporary_offer(station, out_of_province=out_of_province, at=now)
        if decision.offer_temporary_id
        else None,
    )


def with_main_link(db: Database, station: StationContext, new: NewApplication) -> NewApplication:
    """A temporary ID application with its link to the pending main application looked up now."""
    if new.app_type is not ApplicationType.TEMPORARY:
        return new
    return replace(new, main_link=temporary_ids.main_link(db, station.id, new.id_number.number))


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
