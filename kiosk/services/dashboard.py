"""The supervisor's figures: today's counts, how each commitment keeps its promise, a CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import col, select

from ..clock import utcnow
from ..db import Database
from ..domain.commitments import Commitment
from ..models import Application, AuditEvent
from .station import StationContext

# The first thing staff do with a case: when it happened on or before the deadline, the promise was kept.
HANDLING_ACTIONS = ("approve", "request_materials", "reject")


@dataclass(frozen=True)
class PromiseKept:
    commitment: str
    kept: int
    missed: int

    @property
    def share(self) -> float | None:
        total = self.kept + self.missed
        return self.kept / total if total else None


def _start_of(day: dt.date, station: StationContext) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), station.settings.zone).astimezone(dt.UTC)


def today_counts(db: Database, station: StationContext, now: dt.datetime | None = None) -> tuple[Counter, Counter]:
    """Applications received today, by state and by commitment."""
    since = _start_of(station.today(now or utcnow()), station)
    with db.reading() as session:
        rows = session.exec(
            select(Application.state, Application.commitment).where(
                Application.station_id == station.id, Application.created_at >= since
            )
        ).all()
    return Counter(state for state, _ in rows), Counter(commitment for _, commitment in rows)


def _handled(
    db: Database, station: StationContext, first: dt.date, last: dt.date
) -> list[tuple[Application, dt.datetime | None]]:
    """Applications received in [first, last] with the moment staff first handled them."""
    handled_at = (
        select(AuditEvent.application_id, func.min(AuditEvent.at).label("at"))
        .where(col(AuditEvent.action).in_(HANDLING_ACTIONS))
        .group_by(AuditEvent.application_id)
        .subquery()
    )
    with db.reading() as session:
        return [
            (application, at if at is None or at.tzinfo else at.replace(tzinfo=dt.UTC))
            for application, at in session.exec(
                select(Application, handled_at.c.at)
                .join(handled_at, handled_at.c.application_id == Application.id, isouter=True)
                .where(
                    Application.station_id == station.id,
                    Application.created_at >= _start_of(first, station),
                    Application.created_at < _start_of(last + dt.timedelta(days=1), station),
                )
                .order_by(Application.id)
            ).all()
        ]


def _kept(
    application: Application, handled: dt.datetime | None, station: StationContext, today: dt.date
) -> bool | None:
    """True kept, False missed, None not yet due."""
    if handled is not None:
        return handled.astimezone(station.settings.zone).date() <= application.handling_deadline
    return False if application.handling_deadline < today else None


def promises_kept(
    db: Database, station: StationContext, days: int = 30, now: dt.datetime | None = None
) -> list[PromiseKept]:
    today = station.today(now or utcnow())
    tally = {c.value: [0, 0] for c in Commitment}
    for application, handled in _handled(db, station, today - dt.timedelta(days=days - 1), today):
        kept = _kept(application, handled, station, today)
        if kept is not None:
            tally[application.commitment][0 if kept else 1] += 1
    return [PromiseKept(commitment, kept, missed) for commitment, (kept, missed) in tally.items()]


def export_csv(
    db: Database, station: StationContext, first: dt.date, last: dt.date, now: dt.datetime | None = None
) -> str:
    """Cases received in [first, last], one row each, without personal data."""
    today = station.today(now or utcnow())
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "number",
            "received",
            "type",
            "commitment",
            "state",
            "out_of_province",
            "deadline",
            "handled",
            "promise_kept",
            "fee_yuan",
            "fee_paid",
        ]
    )
    zone = station.settings.zone
    for application, handled in _handled(db, station, first, last):
        kept = _kept(application, handled, station, today)
        writer.writerow(
            [
                application.number,
                application.created_at.astimezone(zone).isoformat(timespec="minutes"),
                application.app_type,
                application.commitment,
                application.state,
                "yes" if application.out_of_province else "no",
                application.handling_deadline.isoformat(),
                handled.astimezone(zone).isoformat(timespec="minutes") if handled else "",
                {True: "yes", False: "no", None: ""}[kept],
                application.fee_yuan + application.postal_fee_yuan,
                "yes" if application.fee_paid else "no",
            ]
        )
    return out.getvalue()
