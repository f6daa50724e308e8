"""A temporary ID application's link to the same person's pending main application
(kiosk.domain.temporary_id; docs/domain.md, "Temporary ID")."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from ..db import Database
from ..domain.states import State
from ..domain.temporary_id import MAIN_TYPES, PENDING_MAIN_STATES
from ..models import Applicant, Application

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

