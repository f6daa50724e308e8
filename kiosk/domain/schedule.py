"""When the station serves booked appointments: sessions per day and the slots in them.

A normal weekday has the station's opening hours; a make-up working day (调休)
keeps Monday's hours; a public holiday offers only the holiday appointment
sessions (假日期间预约办); a day the station is closed has none; an "extra"
day adds sessions. Slots outside the normal weekday hours, at weekends and on
holidays are extended service (the "5+2" and "白+黑+延时" schedules).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from .calendar import SpecialDay, WorkingCalendar
from .station import WEEKDAYS, Session, StationSettings, parse_session


@dataclass(frozen=True)
class SlotTime:
    starts: dt.datetime  # aware, in the station's zone
    ends: dt.datetime
    extended: bool  # evening, weekend or holiday service


def sessions_on(day: dt.date, settings: StationSettings, special: SpecialDay | None) -> list[Session]:
    kind = special.kind if special else None
    if kind == "closed":
        return []
    if kind == "closure":
        sessions = list(settings.booking.holiday_sessions)
    elif kind == "workday":
        sessions = list(settings.opening_hours["monday"])
    else:
        sessions = list(settings.opening_hours[WEEKDAYS[day.weekday()]])
    if kind == "extra":
        sessions += [s for s in map(parse_session, special.extra_sessions) if s is not None]
    return sorted(sessions, key=lambda s: s.opens)


def handling_day(
    moment: dt.datetime, settings: StationSettings, calendar: WorkingCalendar, special: SpecialDay | None
) -> dt.date:
    """The day staff handle what reaches them at `moment` (station time): that day when it is a
    working day and the hall has not closed yet, else the next working day (docs/domain.md
    "Commitments": "today" is promised only when it can be kept)."""
    today = moment.date()
    sessions = sessions_on(today, settings, special)
    if calendar.is_working_day(today) and sessions and moment.time() < sessions[-1].closes:
        return today
    return calendar.next_working_day(today + dt.timedelta(days=1))


SlotKind = Literal["holiday", "weekend", "evening", "early", ""]


def slot_kind(
    day: dt.date, start: dt.time, end: dt.time, settings: StationSettings, special: SpecialDay | None
) -> SlotKind:
    """What kind of service a time from `start` to `end` on `day` is, as the citizen is told: a
    public holiday's appointment session, a weekend's, a working day's evening or early hours
    (outside `booking.normal_hours`), or "" for the normal hours of a working day (a make-up
    working day counts as one)."""
    if special and special.kind == "closure":
        return "holiday"
    if day.weekday() >= 5 and not (special and special.kind == "workday"):
        return "weekend"
    normal = settings.booking.normal_hours
    if end > normal.closes:
        return "evening"
    return "early" if start < normal.opens else ""


def slots_on(day: dt.date, settings: StationSettings, special: SpecialDay | None) -> list[SlotTime]:
    """The bookable slots of one day, in station time."""
    zone = settings.zone
    length = dt.timedelta(minutes=settings.booking.slot_minutes)
    slots = []
    for session in sessions_on(day, settings, special):
        start = dt.datetime.combine(day, session.opens, zone)
        close = dt.datetime.combine(day, session.closes, zone)
        while start + length <= close:
            end = start + length
            slots.append(SlotTime(start, end, bool(slot_kind(day, start.time(), end.time(), settings, special))))
            start = end
    return slots


def slots_between(
    first: dt.date, last: dt.date, settings: StationSettings, specials: Mapping[dt.date, SpecialDay]
) -> list[SlotTime]:
    day, slots = first, []
    while day <= last:
        slots += slots_on(day, settings, specials.get(day))
        day += dt.timedelta(days=1)
    return slots
