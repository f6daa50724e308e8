"""Home visits (行动不便上门办): the board, assigning an officer and a date, the officer's
round printed as one batch, and the outcome recorded with the slip's code.

Where the station keeps home-visit places in its slots (`booking.home_visit_places`), assigning
a visit books the earliest free one that day: the visit has a time, and the officer's absence
from the hall is counted against the day's capacity."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from printing import DeliverAtHome, PickupSlip, VisitSlip, visit_round_pdf

from ..clock import utcnow
from ..db import Database
from ..domain.access import Role
from ..domain.id_number import parse_id_number
from ..domain.masking import mask_address, mask_id_number, mask_name
from ..domain.official_names import printed_service
from ..domain.states import FINAL_STATES, OLD_CARD_FATES, Action, BookingState, State, VisitState
from ..models import Applicant, Application, AuditEvent, Booking, StaffUser, Visit
from . import booking as bookings
from . import slot_times
from .applications import ApplicationNotFound, record_transition
from .notifications import queue_for_state
from .station import StationContext, printed_opening_hours

OUTCOMES = ("photo_taken", "materials_collected", "fee_collected", "card_handed_over")


class VisitNotFound(LookupError):
    pass


class VisitNotYet(Exception):
    """A visit's outcome is recorded on or after its day, not before."""

    def __init__(self, day: dt.date):
        super().__init__(day)
        self.day = day


@dataclass(frozen=True)
class BoardRow:
    application: Application
    applicant: Applicant
    visit: Visit | None
    officer: str | None
    time: slot_times.SlotView | None = None  # the booked home-visit time, if the station books them


def _with_times(db: Database, station: StationContext, rows: list[BoardRow]) -> list[BoardRow]:
    """The rows with their booked home-visit times."""
    times = slot_times.home_visit_times(db, station, [row.application.id for row in rows])
    return [
        BoardRow(row.application, row.applicant, row.visit, row.officer, times.get(row.application.id)) for row in rows
    ]


def board(db: Database, station: StationContext) -> list[BoardRow]:
    """Open cases whose applicant cannot travel, with their visit if one is assigned."""
    open_states = [s.value for s in State if s not in FINAL_STATES and s is not State.DRAFT]
    with db.reading() as session:
        rows = session.exec(
            select(Application, Applicant, Visit, StaffUser.display_name)
            .join(Applicant, Applicant.id == Application.applicant_id)
            .join(Visit, Visit.application_id == Application.id, isouter=True)
            .join(StaffUser, StaffUser.id == Visit.officer_id, isouter=True)
            .where(
                Application.station_id == station.id,
                or_(Application.commitment == "home_visit", Application.collection == "visit"),
                col(Application.state).in_(open_states),
            )
            .order_by(Application.handling_deadline, Application.id)
        ).all()
    return _with_times(db, station, [BoardRow(a, p, v, officer) for a, p, v, officer in rows])


def officers(db: Database, station: StationContext) -> list[StaffUser]:
    with db.reading() as session:
        return list(
            session.exec(
                select(StaffUser).where(
                    StaffUser.station_id == station.id, StaffUser.active, StaffUser.role == Role.VISIT_OFFICER
                )
            )
        )


def _new_code(session: Session) -> str:
    while True:
        code = f"{secrets.randbelow(10**8):08d}"
        if session.exec(select(Visit.id).where(Visit.code == code)).first() is None:
            return code


def assign(
    db: Database,
    station: StationContext,
    application_id: int,
    officer_id: int,
    day: dt.date,
    actor: str,
    now: dt.datetime | None = None,
) -> Visit:
    """Give the visit to an officer on a day (again: another officer or day). Where the station
    books home-visit places, the visit takes the earliest free one that day first, or
    BookingRefused("no_visit_time") and nothing changes."""
    now = now or utcnow()
    with db.reading() as session:
        application = session.get(Application, application_id)
        officer = session.get(StaffUser, officer_id)
        if application is None or application.station_id != station.id:
            raise ApplicationNotFound(application_id)
        is_visit_officer = officer is not None and officer.role == Role.VISIT_OFFICER and officer.active
        if not is_visit_officer or officer.station_id != station.id:
            raise VisitNotFound(officer_id)
        applicant = session.get(Applicant, application.applicant_id)
    if station.settings.booking.home_visit_places:
        bookings.book_home_visit(
            db,
            station,
            application_id=application_id,
            service=application.app_type,
            id_number=parse_id_number(applicant.id_number),
            name=applicant.name or "",
            phone=applicant.phone or "",
            day=day,
            actor=actor,
            now=now,
        )
    with db.transaction() as session:
        visit = session.exec(select(Visit).where(Visit.application_id == application_id)).first()
        if visit is None:
            visit = Visit(application_id=application_id, code=_new_code(session), created_at=now)
        visit.officer_id, visit.visit_date, visit.state = officer_id, day, VisitState.ASSIGNED
        session.add(visit)
        session.add(
            AuditEvent(
                application_id=application_id,
                at=now,
                actor=actor,
                action="assign_visit",
                reason=f"{officer.display_name} {day.isoformat()}",
            )
        )
        # The citizen learns the day (again, when it moves).
        queue_for_state(
            session, session.get(Application, application_id), station.settings.hotline, now, "visit_assigned", day
        )
        session.flush()
        return visit


def visited_by(db: Database, application_id: int, officer_id: int) -> bool:
    """Whether the case's home visit is given to this officer (who may then open the case)."""
    with db.reading() as session:
        visit = session.exec(select(Visit).where(Visit.application_id == application_id)).first()
        return visit is not None and visit.officer_id == officer_id


def round_of(db: Database, station: StationContext, officer_id: int, day: dt.date) -> list[BoardRow]:
    with db.reading() as session:
        rows = session.exec(
            select(Application, Applicant, Visit, StaffUser.display_name)
            .join(Applicant, Applicant.id == Application.applicant_id)
            .join(Visit, Visit.application_id == Application.id)
            .join(StaffUser, StaffUser.id == Visit.officer_id)
            .where(Application.station_id == station.id, Visit.officer_id == officer_id, Visit.visit_date == day)
            .order_by(Visit.id)
        ).all()
    timed = _with_times(db, station, [BoardRow(a, p, v, officer) for a, p, v, officer in rows])
    return sorted(timed, key=lambda row: (row.time is None, row.time.starts if row.time else 0))  # visiting order


def round_pdf(
    rows: list[BoardRow], station: StationContext, now: dt.datetime | None = None, font_path: str | None = None
) -> bytes:
    """The visit slips of a round in order, then a pickup slip for every card handed over on it, set
    in the font at `font_path` (None: the first usable system font)."""
    now = now or utcnow()
    settings = station.settings
    slips, pickups = [], []
    for row in rows:
        delivering = row.application.state == State.READY.value
        old_card = row.application.old_card_handover != "none"  # a lost card's is gone
        slips.append(
            VisitSlip(
                application_number=row.application.number,
                purpose="上门送证（行动不便）" if delivering else "上门受理（行动不便）",
                name=row.applicant.name or "—",
                id_number_masked=mask_id_number(row.applicant.id_number or "") or "—",
                address=row.applicant.address or "—",
                phone=row.applicant.phone or "—",
                station=settings.name,
                officer=row.officer or "—",
                visit_date=row.visit.visit_date,
                time_window=f"{row.time.starts:%H:%M}–{row.time.ends:%H:%M}" if row.time else "",
                collect=(("旧居民身份证",) if old_card else ())
                if delivering
                else _collect_on_acceptance(row.application),
                hand_over=("新居民身份证", "领取凭证") if delivering else ("受理回执",),
                verification_code=row.visit.code,
            )
        )
        if delivering:
            pickups.append(
                PickupSlip(
                    application_number=row.application.number,
                    verification_code=row.visit.code,
                    name_masked=mask_name(row.applicant.name or "") or "—",
                    id_number_masked=mask_id_number(row.applicant.id_number or "") or "—",
                    service=printed_service(row.application.app_type),
                    station=settings.name,
                    collection=DeliverAtHome(
                        address_masked=mask_address(row.applicant.address or "") or "—",
                        hours=printed_opening_hours(station),
                    ),
                    expected_collection=row.visit.visit_date,
                    issued_at=now.astimezone(settings.zone),
                    hotline=settings.hotline,
                    bring_at_collection=("旧居民身份证（当场交回）",) if old_card else (),
                )
            )
    return visit_round_pdf(slips, pickups=pickups, font_path=font_path)


def _collect_on_acceptance(application: Application) -> tuple[str, ...]:
    """What the officer takes at the first visit: the papers, the photo, the thumbprints, the fee."""
    collect = ["户口簿（核对后当场退还）", "现场采集相片", "双手拇指指纹"]
    if application.fee_yuan and not application.fee_paid:
        collect.append(f"工本费 {application.fee_yuan} 元")
    return tuple(collect)


def record_outcome(
    db: Database,
    station: StationContext,
    code: str,
    outcome: set[str],
    nobody_home: bool,
    officer: StaffUser,
    *,
    old_card: str | None = None,
    now: dt.datetime | None = None,
) -> Visit:
    """What the officer the visit is given to found at the door, by the slip's code (another
    officer's code is unknown here), on or after the visit's day. A fee collected is the case's
    fee paid. A card handed over closes the case; `old_card` (one of OLD_CARD_FATES) then says
    what became of the old one."""
    now = now or utcnow()
    handed_over = not nobody_home and "card_handed_over" in outcome
    if handed_over and old_card not in OLD_CARD_FATES:
        raise ValueError(f"a card handed over needs the old card's fate, not {old_card!r}")
    with db.transaction() as session:
        visit = session.exec(select(Visit).where(Visit.code == code).with_for_update()).first()
        if visit is None:
            raise VisitNotFound(code)
        application = session.get(Application, visit.application_id)
        if application.station_id != station.id or visit.officer_id != officer.id:
            raise VisitNotFound(code)  # each officer records their own visits
        if visit.visit_date is not None and station.today(now) < visit.visit_date:
            raise VisitNotYet(visit.visit_date)
        visit.state = VisitState.NOBODY_HOME if nobody_home else VisitState.DONE
        visit.outcome = {} if nobody_home else {name: name in outcome for name in OUTCOMES}
        if handed_over:
            visit.outcome["old_card"] = old_card
        visit.recorded_at = now
        session.add(visit)
        # The booked home-visit time was kept: it must not count as a missed appointment.
        session.execute(
            update(Booking)
            .where(
                Booking.application_id == application.id,
                Booking.channel == slot_times.HOME_VISIT,
                Booking.state == BookingState.BOOKED,
            )
            .values(state=BookingState.CHECKED_IN, updated_at=now)
        )
        actor = f"staff:{officer.username}"
        reason = "nobody home" if nobody_home else ", ".join(sorted(outcome)) or "visited"
        session.add(
            AuditEvent(application_id=application.id, at=now, actor=actor, action="record_visit", reason=reason)
        )
        if "fee_collected" in outcome and not nobody_home and not application.fee_paid:
            # The fee the slip lists is taken at the door: the window need not ask for it again.
            application.fee_paid = True
            session.add(application)
            fee = f"{application.fee_yuan + application.postal_fee_yuan} yuan"
            session.add(AuditEvent(application_id=application.id, at=now, actor=actor, action="fee_paid", reason=fee))
        if handed_over and application.state == State.READY.value:
            record_transition(
                session,
                application,
                Action.COLLECT,
                actor,
                hotline=station.settings.hotline,
                reason=f"handed over on a home visit; old card {old_card}",
                now=now,
            )
        return visit
