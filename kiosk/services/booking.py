"""Appointments: booking safely under concurrency, change, cancel (check-in and no-shows:
kiosk.services.attendance). The slots, the places each channel may take in them and the free
times offered are kiosk.services.slot_times.

A slot can never hold more bookings than its capacity: a booking takes its
place with one conditional UPDATE (`booked < capacity`) inside the booking's
transaction, which SQLite (BEGIN IMMEDIATE) and PostgreSQL (row lock on the
update) both serialise; a CHECK constraint backs it. A service longer than one
slot takes a place in each of the slots in a row it needs, all or none in the
same transaction (`BookingSlot` records those after the first). One active booking per person
per day is a partial unique index.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from ..clock import utcnow
from ..db import Database, violated_constraint
from ..domain.id_number import IdNumber
from ..domain.states import BookingState
from ..models import AuditEvent, Booking, BookingSlot, Slot
from .slot_times import (
    HOME_VISIT,
    ONLINE,
    SlotView,
    free_slots,
    home_visit_bookings,
    in_a_row,
    in_schedule,
    last_bookable_day,
    nearest_free,
    release_place,
    service_length,
    take_place,
    view_for,
)
from .station import StationContext

CODE_ATTEMPTS = 3  # booking codes drawn before giving up on a run of clashes
NO_SHOW_WINDOW = dt.timedelta(days=30)


class SlotTaken(Exception):
    """Someone else took the last place; `alternatives` are the nearest free slots."""

    def __init__(self, alternatives: list[SlotView]):
        super().__init__("slot taken")
        self.alternatives = alternatives


class BookingRefused(Exception):
    """`reason`: one_per_day, too_far, past, notice, banned, not_today, not_found, no_visit_time."""

    def __init__(self, reason: str, until: dt.date | None = None):
        super().__init__(reason)
        self.reason = reason
        self.until = until


class _Full(Exception):
    """No place left for this channel (turned into SlotTaken with alternatives)."""


def _new_code() -> str:
    """8 digits, typed on the kiosk keypad. The unique index refuses a code in use, and the
    booking is tried again with another (rare: a clash in 10^8), so no query checks it first."""
    return f"{secrets.randbelow(10**8):08d}"


# The unique indexes whose breach means something to the citizen (kiosk.db.violated_constraint).
CODE_IN_USE = "booking_code_key"
ONE_PER_DAY = "ux_booking_person_day"


def _banned_until(session: Session, id_number: str, station: StationContext, now: dt.datetime) -> dt.date | None:
    rules = station.settings.booking
    starts = session.exec(
        select(Slot.starts_at)
        .join(Booking, Booking.slot_id == Slot.id)
        .where(
            Booking.id_number == id_number,
            Booking.state == BookingState.NO_SHOW,
            Slot.starts_at >= now - NO_SHOW_WINDOW,
        )
        .order_by(Slot.starts_at)
    ).all()
    if len(starts) < rules.no_show_limit:
        return None
    until = (starts[-1] + dt.timedelta(days=rules.no_show_ban_days)).astimezone(station.settings.zone).date()
    return until if until > station.today(now) else None


def _take_places(session: Session, run: list[Slot], booking: Booking, station: StationContext, now: dt.datetime):
    """A place in every slot of the run, or _Full (the transaction then gives back those taken)."""
    for slot in run:
        if not take_place(session, slot, booking.channel, station, now):
            raise _Full()
    session.add_all(BookingSlot(booking_id=booking.id, slot_id=slot.id) for slot in run[1:])


def _run_from(session: Session, station: StationContext, first: Slot, service: str) -> list[Slot]:
    """The slots a booking of `service` starting at `first` needs: `first` and those right after it.
    BookingRefused("not_found") when the day does not have them in a row (a session ends first)."""
    if service_length(station, service) == 1:  # most services: no query for the slots after it
        if not in_schedule(station, [first]):
            raise BookingRefused("not_found")
        return [first]
    run = list(
        session.exec(
            select(Slot)
            .where(Slot.station_id == station.id, Slot.local_day == first.local_day, Slot.starts_at >= first.starts_at)
            .order_by(Slot.starts_at)
            .limit(service_length(station, service))
        )
    )
    if len(run) < service_length(station, service) or not in_a_row(run) or not in_schedule(station, run):
        raise BookingRefused("not_found")
    return run


def audit_booking(
    session: Session, booking: Booking, actor: str, action: str, now: dt.datetime, reason: str = ""
) -> None:
    """The audit row of a step in a booking's life: booked, changed, cancelled, checked in, missed."""
    session.add(
        AuditEvent(
            application_id=booking.application_id,
            at=now,
            actor=actor,
            action=action,
            reason=f"booking {booking.code} slot {booking.slot_id}" + (f": {reason}" if reason else ""),
        )
    )


def book(
    db: Database,
    station: StationContext,
    *,
    slot_id: int,
    service: str,
    channel: str,
    id_number: IdNumber,
    name: str,
    phone: str,
    idempotency_key: str,
    actor: str,
    application_id: int | None = None,
    now: dt.datetime | None = None,
) -> Booking:
    """Book a place; SlotTaken (with the nearest free slots) or BookingRefused."""
    now = now or utcnow()
    with db.reading() as session:
        existing = session.exec(select(Booking).where(Booking.idempotency_key == idempotency_key)).first()
        if existing is not None:
            return existing
        slot = session.get(Slot, slot_id)
        if slot is None or slot.station_id != station.id:
            raise BookingRefused("not_found")
        run = _run_from(session, station, slot, service)
    if slot.starts_at <= now:
        raise BookingRefused("past")
    if slot.local_day > last_bookable_day(station, now):
        raise BookingRefused("too_far")

    def attempt() -> Booking:
        """One attempt, one transaction: the person's ban, the booking row, its places, the audit row."""
        with db.transaction() as session:
            if channel == ONLINE:
                until = _banned_until(session, id_number.number, station, now)
                if until:
                    raise BookingRefused("banned", until)
            booking = Booking(
                code=_new_code(),
                station_id=station.id,
                slot_id=slot.id,
                local_day=slot.local_day,
                service=service,
                channel=channel,
                name=name,
                id_number=id_number.number,
                phone=phone,
                application_id=application_id,
                idempotency_key=idempotency_key,
                created_at=now,
                updated_at=now,
            )
            session.add(booking)
            session.flush()
            _take_places(session, run, booking, station, now)
            audit_booking(session, booking, actor, "book", now)
            return booking

    try:
        return _with_a_free_code(attempt)
    except (_Full, IntegrityError) as error:
        with db.reading() as session:
            existing = session.exec(select(Booking).where(Booking.idempotency_key == idempotency_key)).first()
        if existing is not None:
            return existing  # a double tap raced the first one, which got the place
        if isinstance(error, _Full):
            zone = station.settings.zone
            raise SlotTaken(nearest_free(db, station, slot.starts_at.astimezone(zone), channel, service, now)) from None
        if violated_constraint(error) == ONE_PER_DAY:
            raise BookingRefused("one_per_day") from None
        raise


def _with_a_free_code(attempt: Callable[[], Booking]) -> Booking:
    """`attempt()`, tried again (it draws a new code) while the code it drew is taken."""
    for _ in range(CODE_ATTEMPTS - 1):
        try:
            return attempt()
        except IntegrityError as error:
            if violated_constraint(error) != CODE_IN_USE:
                raise
    return attempt()


def find_booking(db: Database, station: StationContext, code: str, phone_tail: str) -> Booking | None:
    """The station's booking with `code` whose phone ends in `phone_tail` (both must match)."""
    with db.reading() as session:
        booking = session.exec(select(Booking).where(Booking.code == code, Booking.station_id == station.id)).first()
    if booking is None or not (booking.phone or "").endswith(phone_tail) or len(phone_tail) != 4:
        return None
    return booking


def chosen_time(db: Database, station: StationContext, slot_id: int, service: str, channel: str) -> SlotView | None:
    """The time a booking of `service` from slot `slot_id` would take, to show before it is booked;
    None when the station's schedule has no such time (booking it is then refused)."""
    with db.reading() as session:
        first = session.get(Slot, slot_id)
        if first is None or first.station_id != station.id:
            return None
        try:
            run = _run_from(session, station, first, service)
        except BookingRefused:
            return None
    return view_for(run, channel, station, utcnow())


def _locked_booking(session: Session, booking_id: int) -> Booking:
    booking = session.get(Booking, booking_id, with_for_update=True)
    if booking is None:
        raise BookingRefused("not_found")
    return booking


def _check_notice(
    session: Session, booking: Booking, station: StationContext, now: dt.datetime, notice: bool = True
) -> None:
    if booking.state != BookingState.BOOKED:
        raise BookingRefused("not_found")
    if not notice:
        return
    if too_late_to_change(station, session.get(Slot, booking.slot_id).starts_at, now):
        raise BookingRefused("notice")


def too_late_to_change(station: StationContext, starts: dt.datetime, now: dt.datetime | None = None) -> bool:
    """Whether a booking starting at `starts` is within the notice (`booking.cancel_notice_hours`)
    inside which the citizen can no longer change or cancel it themselves."""
    return starts - (now or utcnow()) < dt.timedelta(hours=station.settings.booking.cancel_notice_hours)


def cancel(
    db: Database, station: StationContext, booking_id: int, *, actor: str, now: dt.datetime | None = None
) -> Booking:
    now = now or utcnow()
    with db.transaction() as session:
        booking = _locked_booking(session, booking_id)
        _check_notice(session, booking, station, now)
        release_place(session, booking)
        booking.state, booking.updated_at = BookingState.CANCELLED, now
        session.add(booking)
        audit_booking(session, booking, actor, "cancel_booking", now)
        return booking


def change(
    db: Database,
    station: StationContext,
    booking_id: int,
    new_slot_id: int,
    *,
    actor: str,
    notice: bool = True,
    now: dt.datetime | None = None,
) -> Booking:
    """Move a booking to another slot in one transaction. `notice=False`: the station moves it,
    so the citizen's cancellation notice does not apply."""
    now = now or utcnow()
    try:
        with db.transaction() as session:
            booking = _locked_booking(session, booking_id)
            if booking.slot_id == new_slot_id and booking.state == BookingState.BOOKED:
                return booking  # a repeated tap: already moved there
            _check_notice(session, booking, station, now, notice)
            new_slot = session.get(Slot, new_slot_id)
            if new_slot is None or new_slot.station_id != station.id or new_slot.starts_at <= now:
                raise BookingRefused("not_found")
            run = _run_from(session, station, new_slot, booking.service)
            if new_slot.local_day > last_bookable_day(station, now):
                raise BookingRefused("too_far")
            # Give back the old places first, so that a new time overlapping the old one can reuse
            # them; if the new places are not there the transaction restores the old ones.
            release_place(session, booking)
            _take_places(session, run, booking, station, now)
            booking.slot_id, booking.local_day, booking.updated_at = new_slot.id, new_slot.local_day, now
            session.add(booking)
            audit_booking(session, booking, actor, "change_booking", now)
            return booking
    except _Full:
        zone = station.settings.zone
        raise SlotTaken(
            nearest_free(db, station, new_slot.starts_at.astimezone(zone), booking.channel, booking.service, now)
        ) from None
    except IntegrityError as error:
        if violated_constraint(error) == ONE_PER_DAY:
            raise BookingRefused("one_per_day") from None
        raise


def book_home_visit(
    db: Database,
    station: StationContext,
    *,
    application_id: int,
    service: str,
    id_number: IdNumber,
    name: str,
    phone: str,
    day: dt.date,
    actor: str,
    now: dt.datetime | None = None,
) -> Booking:
    """The earliest free home-visit time on `day` for an application; an earlier home-visit booking
    of the application moves there. BookingRefused("no_visit_time") when the day has none."""
    now = now or utcnow()
    current = home_visit_bookings(db, [application_id], states=(BookingState.BOOKED,)).get(application_id)
    if current is not None and current.local_day == day:
        return current
    free = free_slots(db, station, first=day, days=1, channel=HOME_VISIT, service=service, now=now).get(day)
    if not free:
        raise BookingRefused("no_visit_time")
    if current is not None:
        return change(db, station, current.id, free[0].id, actor=actor, notice=False, now=now)
    return book(
        db,
        station,
        slot_id=free[0].id,
        service=service,
        channel=HOME_VISIT,
        id_number=id_number,
        name=name,
        phone=phone,
        idempotency_key=f"visit-{application_id}-{secrets.token_hex(8)}",
        actor=actor,
        application_id=application_id,
        now=now,
    )
