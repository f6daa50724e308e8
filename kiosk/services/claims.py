"""Claims on cases: who works a case at the window now.

A claim is one conditional UPDATE (free, lapsed, or already mine), so when two
colleagues open a case at once exactly one holds it; the other sees it
read-only with the holder's name.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from ..clock import utcnow
from ..db import Database
from ..models import Application, StaffUser
from .applications import ApplicationNotFound
from .station import StationContext


class ClaimedByOther(Exception):
    def __init__(self, holder: str):
        super().__init__(holder)
        self.holder = holder


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


def holders(db: Database, applications: list[Application], now: dt.datetime | None = None) -> dict[int, str]:
    """Who holds each of `applications` now (display names, by application id): live claims only."""
    now = now or utcnow()
    held = {a.id: a.claimed_by for a in applications if a.claimed_by and a.claimed_until and a.claimed_until >= now}
    if not held:
        return {}
    with db.reading() as session:
        staff = session.exec(select(StaffUser).where(col(StaffUser.id).in_(set(held.values())))).all()
        names = {user.id: user.display_name for user in staff}
    return {application_id: names[staff_id] for application_id, staff_id in held.items()}


def release(db: Database, application_id: int, staff: StaffUser) -> None:
    with db.transaction() as session:
        session.execute(
            update(Application)
            .where(Application.id == application_id, Application.claimed_by == staff.id)
            .values(claimed_by=None, claimed_until=None)
            .execution_options(synchronize_session=False)
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


def require_claim(session: Session, application: Application, staff: StaffUser, now: dt.datetime) -> None:
    if application.claimed_by == staff.id and application.claimed_until and application.claimed_until >= now:
        return
    holder = session.get(StaffUser, application.claimed_by) if application.claimed_by else None
    raise ClaimedByOther(holder.display_name if holder else "")
