"""The station's calendar table, edited by administrators: public holidays and make-up working
days seeded from the official schedule (or the package's estimate of a year not yet published,
until an administrator confirms it), and the station's own special days (a closure, an extra
session). Booking and working-day deadlines read it through `load_station`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import get_args

from sqlmodel import col, delete, func, select, update

from ..clock import utcnow
from ..db import Database
from ..domain.calendar import DayKind, package_days, years_ahead
from ..domain.states import BookingState
from ..domain.station import parse_session
from ..models import AuditEvent, Booking, CalendarDay
from .station import calendar_row

KINDS: tuple[str, ...] = get_args(DayKind)


class CalendarDayRefused(ValueError):
    """`reason`: kind, sessions (an extra day needs valid sessions), official (seeded days stay)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class DayChange:
    day: CalendarDay
    bookings_on_day: int  # active appointments on a day now closed: the station must contact them


def upcoming_days(db: Database, station_id: int, first: dt.date, days: int = 400) -> list[CalendarDay]:
    with db.reading() as session:
        return list(
            session.exec(
                select(CalendarDay)
                .where(
                    CalendarDay.station_id == station_id,
                    CalendarDay.day >= first,
                    CalendarDay.day < first + dt.timedelta(days=days),
                )
                .order_by(col(CalendarDay.day))
            )
        )


def years_without_holidays(db: Database, station_id: int, today: dt.date) -> list[int]:
    """The years in reach of today's deadlines and bookings (`years_ahead`) whose public holidays
    the station's calendar does not hold, neither seeded from the official schedule nor entered by
    an administrator. Until they are entered only weekends are days off in those years."""
    years = years_ahead(today)
    with db.reading() as session:
        holidays = session.exec(
            select(CalendarDay.day).where(
                CalendarDay.station_id == station_id,
                CalendarDay.kind == "closure",
                CalendarDay.day >= dt.date(years.start, 1, 1),
                CalendarDay.day < dt.date(years.stop, 1, 1),
            )
        ).all()
    return sorted(set(years) - {day.year for day in holidays})


def set_day(
    db: Database,
    station_id: int,
    day: dt.date,
    kind: str,
    name: str,
    sessions: list[str],
    actor: str,
    now: dt.datetime | None = None,
) -> DayChange:
    """Enter or replace the special day `day`. A seeded day it replaces becomes the station's own
    (kept when the official schedule is seeded again)."""
    now = now or utcnow()
    if kind not in KINDS:
        raise CalendarDayRefused("kind")
    parsed = [parse_session(text) for text in sessions]
    if kind == "extra" and (not parsed or None in parsed):
        raise CalendarDayRefused("sessions")
    extra = [str(session) for session in parsed] if kind == "extra" else []
    with db.transaction() as session:
        row = session.exec(
            select(CalendarDay).where(CalendarDay.station_id == station_id, CalendarDay.day == day).with_for_update()
        ).first()
        if row is None:
            row = CalendarDay(station_id=station_id, day=day, kind=kind)
        row.kind, row.name, row.extra_sessions, row.source = kind, name.strip()[:100], extra, "manual"
        session.add(row)
        session.add(
            AuditEvent(at=now, actor=actor, action="calendar_day", reason=f"{day.isoformat()} {kind} {row.name}")
        )
        booked = 0
        if kind in ("closed", "closure"):
            booked = session.exec(
                select(func.count())
                .select_from(Booking)
                .where(Booking.station_id == station_id, Booking.local_day == day, Booking.state == BookingState.BOOKED)
            ).one()
        session.flush()
        return DayChange(row, booked)


def remove_day(
    db: Database, station_id: int, day: dt.date, seed_years: Iterable[int], actor: str, now: dt.datetime | None = None
) -> None:
    """Remove one of the station's own special days; where it replaced a seeded one (of the
    station's `seed_years`), the seeded day comes back. Seeded days themselves stay."""
    now = now or utcnow()
    seeded = {d.day: d for d in package_days(seed_years)}.get(day)
    with db.transaction() as session:
        row = session.exec(
            select(CalendarDay).where(CalendarDay.station_id == station_id, CalendarDay.day == day)
        ).first()
        if row is None:
            return
        if row.source != "manual":
            raise CalendarDayRefused("official")
        session.exec(delete(CalendarDay).where(CalendarDay.id == row.id))
        if seeded is not None:
            restored = calendar_row(station_id, seeded)
            if seeded.estimated and day.year in _confirmed_years(session, station_id):
                restored.source = "confirmed"
            session.add(restored)
        session.add(AuditEvent(at=now, actor=actor, action="calendar_day_removed", reason=day.isoformat()))


def _confirmed_years(session, station_id: int) -> set[int]:
    days = session.exec(
        select(CalendarDay.day).where(CalendarDay.station_id == station_id, CalendarDay.source == "confirmed")
    ).all()
    return {day.year for day in days}


def estimated_years(db: Database, station_id: int) -> list[int]:
    """The years whose public holidays the station holds only as the package's estimate."""
    with db.reading() as session:
        days = session.exec(
            select(CalendarDay.day).where(CalendarDay.station_id == station_id, CalendarDay.source == "estimated")
        ).all()
    return sorted({day.year for day in days})


def confirm_year(db: Database, station_id: int, year: int, actor: str, now: dt.datetime | None = None) -> int:
    """An administrator has checked `year`'s days against the State Council's notice (and entered
    the corrections and make-up working days): its estimated days become the station's confirmed
    schedule, kept when the calendar is seeded again. Returns how many days were confirmed."""
    now = now or utcnow()
    with db.transaction() as session:
        result = session.execute(
            update(CalendarDay)
            .where(
                CalendarDay.station_id == station_id,
                CalendarDay.source == "estimated",
                CalendarDay.day >= dt.date(year, 1, 1),
                CalendarDay.day <= dt.date(year, 12, 31),
            )
            .values(source="confirmed")
            .execution_options(synchronize_session=False)
        )
        if result.rowcount:
            session.add(AuditEvent(at=now, actor=actor, action="calendar_year_confirmed", reason=str(year)))
        return result.rowcount
