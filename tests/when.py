"""Days and times counted from the test's clock, so that a test passes on any day.

Tests that need "a day one can book" or "a day an officer can visit" ask here instead of writing
a date down: a written date is in the future only until the calendar passes it. CI runs the
tests marked `dated` with the clock set to the dates that bite (see .ci/run).
"""

from __future__ import annotations

import datetime as dt

from kiosk.clock import utcnow
from kiosk.services import slot_times
from kiosk.services.station import StationContext


def today(station: StationContext) -> dt.date:
    return station.today(utcnow())


def working_day(station: StationContext, count: int) -> dt.date:
    """The working day `count` working days after today (0: today, or the next working day)."""
    return station.calendar.add_working_days(today(station), count)


def local(station: StationContext, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A moment of the station's wall clock, as the aware UTC datetime services take."""
    return dt.datetime.combine(day, dt.time(hour, minute), station.settings.zone).astimezone(dt.UTC)


def free_times(database, station: StationContext, channel: str, service: str = "lost") -> list[slot_times.SlotView]:
    """Every free time in today's booking window for `channel`, soonest first."""
    days = slot_times.bookable_free_slots(database, station, channel=channel, service=service)
    return [slot for day in sorted(days) for slot in days[day]]


def visit_day(database, station: StationContext, service: str = "lost") -> dt.date:
    """The first day an officer can be sent: one with a free home-visit time."""
    return free_times(database, station, slot_times.HOME_VISIT, service)[0].starts.date()  # in the station's zone


def a_past_free_time(database, station: StationContext, channel: str) -> tuple[slot_times.SlotView, dt.datetime]:
    """The latest day before today with a free time for `channel`, and its first free time, with
    the moment to book it at (half an hour before it starts)."""
    for days_back in range(1, 15):
        day = today(station) - dt.timedelta(days=days_back)
        found = slot_times.free_slots(database, station, first=day, days=1, channel=channel, now=local(station, day, 0))
        if found:
            slot = found[day][0]
            return slot, slot.starts - dt.timedelta(minutes=30)
    raise AssertionError("no day of the last two weeks had a free time")


def card_expiry(days_from_today: int) -> str:
    """A card's end date as typed on the kiosk's keypad (YYYYMMDD), some days from the clock's date."""
    return (utcnow() + dt.timedelta(days=days_from_today)).strftime("%Y%m%d")


# A card that ends within the renewal window: it may be renewed now.
def card_due_for_renewal() -> str:
    return card_expiry(30)
