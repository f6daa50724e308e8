"""Working a case at the window: viewing (audited) and acting (claims: claims.py, deadlines: deadlines.py).

Every action goes through the state machine and writes its audit row in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, select

from ..clock import utcnow
from ..db import Database
from ..domain.catalogue import ApplicationType, Material
from ..domain.commitments import QUEUE_RANK, Commitment
from ..domain.id_number import parse_id_number
from ..domain.states import FINAL_STATES, Action, IllegalTransition, State, window_may
from ..models import Applicant, Application, ApplicationMaterial, AuditEvent, StaffUser, Visit
from .applications import ApplicationNotFound, record_transition, submit_application
from .assessment import NewApplication
from .claims import claim, claimed_case
from .notifications import queue_for_state
from .readiness import PHOTO_TAKEN, has_photo, lacking_for_production
from .station import StationContext
from .temporary_ids import find_main_link

# A card is made from a photo and paid for: these steps wait for both (fee exemptions make the fee 0).
NEEDS_PHOTO_AND_FEE = frozenset({Action.APPROVE, Action.START_PRODUCTION, Action.MARK_READY})


class SignOffNeeded(Exception):
    """An urgent case is approved only after a supervisor signed off its special handling."""


class NotReadyToProceed(Exception):
    """The card cannot be approved, made or marked ready yet: `missing` names what is lacking
    ("photo", "fee")."""

    def __init__(self, missing: tuple[str, ...]):
        super().__init__(", ".join(missing))
        self.missing = missing


@dataclass(frozen=True)
class CaseView:
    application: Application
    applicant: Applicant
    materials: list[tuple[str, bool]]
    history: list[AuditEvent]
    holder: str | None  # display name of whoever holds the claim now
    mine: bool
    lacking: tuple[str, ...] = ()  # what approval and production wait for ("photo", "fee")
    temporary_possible: bool = False  # a temporary ID may be applied for on this main application
    temporary_ids: tuple[Application, ...] = ()  # those applied for on it
    visit: Visit | None = None  # the home visit, when one is assigned
    visit_officer: str | None = None  # the officer's display name


def of_station(db: Database, station: StationContext, application_id: int) -> bool:
    """Whether the case exists and is this station's: any other is answered as if it did not exist."""
    with db.reading() as session:
        application = session.get(Application, application_id)
        return application is not None and application.station_id == station.id


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
        visit = session.exec(select(Visit).where(Visit.application_id == application_id)).first()
        holder = None
        held = application.claimed_by is not None and application.claimed_until and application.claimed_until >= now
        if held:
            holder = session.get(StaffUser, application.claimed_by).display_name
        return CaseView(
            application,
            applicant,
            materials,
            history,
            holder,
            bool(held) and application.claimed_by == staff.id,
            lacking_for_production(session, application),
            _temporary_possible(session, application, applicant),
            tuple(session.exec(select(Application).where(Application.main_application_id == application.id))),
            visit,
            session.get(StaffUser, visit.officer_id).display_name if visit and visit.officer_id else None,
        )


def _temporary_possible(session: Session, application: Application, applicant: Applicant) -> bool:
    if not applicant.id_number:
        return False
    link = find_main_link(session, application.station_id, applicant.id_number)
    return link.main_id == application.id and not link.refusal


def apply_for_temporary(
    db: Database, station: StationContext, application_id: int, staff: StaffUser, now: dt.datetime | None = None
) -> Application:
    """A temporary ID applied for at the window on the claimed main application, with the same
    person's details and the materials and photo held for it (NotEligible when none may be)."""
    now = now or utcnow()
    with db.transaction() as session:
        main = claimed_case(session, station, application_id, staff, now)
        applicant = session.get(Applicant, main.applicant_id)
        held = {
            Material(m.material)
            for m in session.exec(select(ApplicationMaterial).where(ApplicationMaterial.application_id == main.id))
            if m.held
        }
        if has_photo(session, main):
            held.add(Material.PHOTO)
    new = NewApplication(
        id_number=parse_id_number(applicant.id_number or ""),
        app_type=ApplicationType.TEMPORARY,
        registered_province=main.registered_province,
        idempotency_key=f"temporary-{main.id}-{now.timestamp():.0f}",
        name=applicant.name or "",
        phone=applicant.phone or "",
        held=frozenset(held),
        language=main.language,
        channel="window",
    )
    return submit_application(db, station, new, actor=f"staff:{staff.username}", now=now)


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
    missing: tuple[str, ...] = (),
    now: dt.datetime | None = None,
) -> Application:
    """One state-machine step by the claim holder, with its audit row; ClaimedByOther otherwise.
    A refusal says why: `refusal_reason` (see `record_transition`); a return for materials names
    the `missing` ones (Material codes), which the citizen is told."""
    now = now or utcnow()
    with db.transaction() as session:
        application = claimed_case(session, station, application_id, staff, now)
        if not window_may(action, application.collection):
            raise IllegalTransition(State(application.state), action, "the card is received another way")
        if action is Action.APPROVE and needs_sign_off(session, application):
            raise SignOffNeeded()
        if action in NEEDS_PHOTO_AND_FEE and (lacking := lacking_for_production(session, application)):
            raise NotReadyToProceed(lacking)
        if action is Action.REQUEST_MATERIALS:
            application.materials_deadline = materials_deadline or application.materials_deadline
            _mark_missing(session, application.id, missing)
        if action in (Action.APPROVE, Action.SUPPLY_MATERIALS, Action.REJECT):
            application.escalation_level, application.escalated_at = 0, None  # the deadline was met or moved
        if action is Action.SUPPLY_MATERIALS:  # what was missing has come: nothing left to lapse on
            session.execute(
                update(ApplicationMaterial)
                .where(ApplicationMaterial.application_id == application.id)
                .values(held=True)
                .execution_options(synchronize_session=False)
            )
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


def _mark_missing(session: Session, application_id: int, missing: tuple[str, ...]) -> None:
    """The materials staff found missing, held no more (a new row for one the kiosk did not ask for)."""
    rows = {
        row.material: row
        for row in session.exec(select(ApplicationMaterial).where(ApplicationMaterial.application_id == application_id))
    }
    for material in missing:
        row = rows.get(material) or ApplicationMaterial(application_id=application_id, material=material)
        row.held = False
        session.add(row)
    session.flush()  # the message queued with the transition names them


def record_photo_taken(
    db: Database, station: StationContext, application_id: int, staff: StaffUser, now: dt.datetime | None = None
) -> Application:
    """Staff took the ID photo at the window (the kiosk's was not taken or not usable)."""
    now = now or utcnow()
    with db.transaction() as session:
        application = claimed_case(session, station, application_id, staff, now)
        application.photo_at_window = False
        session.add(application)
        _staff_event(session, application, staff, PHOTO_TAKEN, "", now)
        return application


URGENT_SIGNED_OFF = "urgent_signed_off"


def needs_sign_off(session: Session, application: Application) -> bool:
    """An urgent case whose special handling no supervisor has signed off yet."""
    if not application.situation.get("supervisor_sign_off"):
        return False
    signed = session.exec(
        select(AuditEvent.id).where(AuditEvent.application_id == application.id, AuditEvent.action == URGENT_SIGNED_OFF)
    ).first()
    return signed is None


def sign_off_urgent(
    db: Database, station: StationContext, application_id: int, staff: StaffUser, now: dt.datetime | None = None
) -> Application:
    """A supervisor signs off an urgent case's special handling (no claim needed: the window officer
    keeps working it). Refused when the case needs none, has it already, or is no longer open."""
    now = now or utcnow()
    with db.transaction() as session:
        application = session.get(Application, application_id, with_for_update=True)
        if application is None or application.station_id != station.id:
            raise ApplicationNotFound(application_id)
        if application.state != State.SUBMITTED.value or not needs_sign_off(session, application):
            raise IllegalTransition(State(application.state), Action.APPROVE, "no sign-off is pending")
        _staff_event(session, application, staff, URGENT_SIGNED_OFF, "", now)
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


def mark_fee_paid(
    db: Database, station: StationContext, application_id: int, staff: StaffUser, now: dt.datetime | None = None
) -> None:
    now = now or utcnow()
    with db.transaction() as session:
        application = claimed_case(session, station, application_id, staff, now)
        if State(application.state) in FINAL_STATES:
            raise IllegalTransition(State(application.state), Action.APPROVE, "the case is closed")
        application.fee_paid = True
        session.add(application)
        _staff_event(
            session, application, staff, "fee_paid", f"{application.fee_yuan + application.postal_fee_yuan} yuan", now
        )
