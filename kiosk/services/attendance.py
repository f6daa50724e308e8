"""Whether citizens came to their bookings: check-in at the kiosk, the day's checked-in list for
staff, and the sweep that marks the missed ones as no-shows and frees their places."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from ..clock import utcnow
from ..db import Database
from ..domain.states import BookingState
from ..models import Booking, Slot
from .booking import BookingRefused, audit_booking
from .slot_times import HOME_VISIT, SlotView, release_place, view_for
from .station import StationContext

CHECK_IN_EARLY = dt.timedelta(hours=1)  # how early before the slot a citizen may check in


def check_in(
    db: Database, station: StationContext, code: str, *, actor: str, now: dt.datetime | None = None
) -> Booking:
    """The citizen is here: from an hour before the slot until the no-show grace period ends."""
    now = now or utcnow()
    with db.transaction() as session:
        booking = session.exec(select(Booking).where(Booking.code == code).with_for_update()).first()
        if booking is None or booking.station_id != station.id or booking.state != BookingState.BOOKED:
            raise BookingRefused("not_found")
        starts = session.get(Slot, booking.slot_id).starts_at
        grace = dt.timedelta(minutes=station.settings.booking.no_show_grace_minutes)
        if not (starts - CHECK_IN_EARLY <= now <= starts + grace):
            raise BookingRefused("not_today")
        booking.state, booking.updated_at = BookingState.CHECKED_IN, now
        session.add(booking)
        audit_booking(session, booking, actor, "check_in", now)
        return booking


def mark_no_shows(db: Database, station: StationContext, *, now: dt.datetime | None = None) -> int:
    """Bookings not checked in by the end of the grace period: no-show, and the place is freed.
    Home visits are not: the officer records them on the round (kiosk.services.visits)."""
    now = now or utcnow()
    grace = dt.timedelta(minutes=station.settings.booking.no_show_grace_minutes)
    with db.transaction() as session:
        late = session.exec(
            select(Booking)
            .join(Slot, Slot.id == Booking.slot_id)
            .where(
                Booking.station_id == station.id,
                Booking.state == BookingState.BOOKED,
                Booking.channel != HOME_VISIT,
                Slot.starts_at < now - grace,
            )
            .with_for_update(of=Booking)
        ).all()
        for booking in late:
            release_place(session, booking)
            booking.state, booking.updated_at = BookingState.NO_SHOW, now
            session.add(booking)
            audit_booking(session, booking, "system:sweep", "no_show", now)
        return len(late)


def checked_in_today(
    db: Database, station: StationContext, now: dt.datetime | None = None
) -> list[tuple[Booking, SlotView]]:
    now = now or utcnow()
    with db.reading() as session:
        rows = session.exec(
            select(Booking, Slot)
            .join(Slot, Slot.id == Booking.slot_id)
            .where(
                Booking.station_id == station.id,
                Booking.state == BookingState.CHECKED_IN,
                Booking.local_day == station.today(now),
            )
            .order_by(Slot.starts_at)
        ).all()
    return [(booking, view_for([slot], booking.channel, station, now)) for booking, slot in rows]
