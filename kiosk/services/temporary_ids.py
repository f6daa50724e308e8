"""A temporary ID application's link to the same person's pending main application
(kiosk.domain.temporary_id; docs/domain.md, "Temporary ID")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, select

from ..db import Database
from ..domain.catalogue import ApplicationType, fee_yuan, promised_working_days
from ..domain.schedule import sessions_on
from ..domain.states import State
from ..domain.station import Session as OpeningSession
from ..domain.temporary_id import MAIN_TYPES, PENDING_MAIN_STATES
from ..models import Applicant, Application
from .station import StationContext

# A temporary ID already asked for on a main application, unless it was refused, withdrawn or lapsed.
_ENDED = (State.REJECTED.value, State.WITHDRAWN.value, State.EXPIRED.value)


@dataclass(frozen=True)
class MainLink:
    """The main application a temporary ID bridges (`main_id`), or why there is none (`refusal`:
    `temporary_without_main`, `temporary_already_applied`)."""

    main_id: int | None = None
    main_number: str = ""
    refusal: str = ""


def main_link(db: Database, station_id: int, id_number: str) -> MainLink:
    with db.reading() as session:
        return find_main_link(session, station_id, id_number)


def find_main_link(session: Session, station_id: int, id_number: str) -> MainLink:
    """The person's latest pending first application, renewal or replacement at this station,
    if no temporary ID is already asked for on it."""
    main = session.exec(
        select(Application)
        .join(Applicant, Applicant.id == Application.applicant_id)
        .where(
            Application.station_id == station_id,
            Applicant.id_number == id_number,
            col(Application.app_type).in_([t.value for t in MAIN_TYPES]),
            col(Application.state).in_([s.value for s in PENDING_MAIN_STATES]),
        )
        .order_by(col(Application.id).desc())
    ).first()
    if main is None:
        return MainLink(refusal="temporary_without_main")
    earlier = session.exec(
        select(Application.id).where(
            Application.main_application_id == main.id, col(Application.state).not_in(_ENDED)
        )
    ).first()
    if earlier is not None:
        return MainLink(main.id, main.number, refusal="temporary_already_applied")
    return MainLink(main.id, main.number)



@dataclass(frozen=True)
class TemporaryOffer:
    """What a citizen waiting for their card is told of the temporary ID: its fee (no exemption),
    the day it is ready if asked for now, how long it is valid, and the next day the window takes
    it with that day's hours (today while the hall is open)."""

    fee_yuan: int
    ready_by: dt.date
    valid_days: int
    window_day: dt.date
    hours: tuple[OpeningSession, ...]


def temporary_offer(station: StationContext, *, out_of_province: bool, at: dt.datetime) -> TemporaryOffer:
    settings = station.settings
    window_day = station.handling_day(at)
    days = promised_working_days(ApplicationType.TEMPORARY, out_of_province=out_of_province, settings=settings)
    return TemporaryOffer(
        fee_yuan=fee_yuan(ApplicationType.TEMPORARY, settings),
        ready_by=station.calendar.add_working_days(station.today(at), days),
        valid_days=settings.temporary_id_valid_days,
        window_day=window_day,
        hours=_joined(sessions_on(window_day, settings, station.special_days.get(window_day))),
    )


def _joined(sessions: list[OpeningSession]) -> tuple[OpeningSession, ...]:
    """Sessions one after another without a break, as one (17:30-20:00 after 13:30-17:30: 13:30-20:00)."""
    joined: list[OpeningSession] = []
    for session in sessions:
        if joined and joined[-1].closes == session.opens:
            joined[-1] = OpeningSession(joined[-1].opens, session.closes)
        else:
            joined.append(session)
    return tuple(joined)


def offer_of(station: StationContext, application: Application) -> TemporaryOffer | None:
    """The offer made when `application` was accepted, if one was (docs/domain.md "Temporary ID")."""
    if not application.situation.get("offer_temporary_id"):
        return None
    return temporary_offer(station, out_of_province=application.out_of_province, at=application.created_at)
