"""Appointments: free slots, booking safely under concurrency, change, cancel, check-in, no-shows.

A slot can never hold more bookings than its capacity: a booking takes its
place with one conditional UPDATE (`booked < capacity`) inside the booking's
transaction, which SQLite (BEGIN IMMEDIATE) and PostgreSQL (row lock on the
update) both serialise; a CHECK constraint backs it. A service longer than one
slot takes a place in each of the slots in a row it needs, all or none in the
same transaction (`BookingSlot` records those after the first). One active booking per person
per day is a partial unique index.

Channels: phone/web (`online`) and home visits keep places of their own in
every slot until the release time before it; walk-ins (the kiosk, staff at the
window) take the rest, and all free places once released.
"""

from __future__ import annotations

import datetime as dt
import itertools
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import and_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ..clock import utcnow
from ..db import Database, insert, violated_constraint
from ..domain.id_number import IdNumber
from ..domain.schedule import SlotKind, slot_kind, slots_between
from ..domain.states import BookingState
from ..models import AuditEvent, Booking, BookingSlot, Slot
from .station import StationContext

ONLINE, KIOSK, STAFF, HOME_VISIT = "online", "kiosk", "staff", "home_visit"
CHANNELS = (ONLINE, KIOSK, STAFF, HOME_VISIT)
# The channels with places of their own: (capacity column, booked column) of Slot.
_RESERVED = {
    ONLINE: ("online_capacity", "booked_online"),
    HOME_VISIT: ("home_visit_capacity", "booked_home_visit"),
}
CODE_ATTEMPTS = 3  # booking codes drawn before giving up on a run of clashes
CHECK_IN_EARLY = dt.timedelta(hours=1)  # how early before the slot a citizen may check in
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


@dataclass(frozen=True)
class SlotView:
    id: int
    starts: dt.datetime  # in the station's zone
    ends: dt.datetime
    free: int
    kind: SlotKind  # holiday, weekend, evening, early or "" (normal hours): what the citizen is told


def _walk_in_release(slot: Slot, station: StationContext, now: dt.datetime) -> bool:
    return now >= slot.starts_at - dt.timedelta(minutes=station.settings.booking.release_minutes)


def _free_for(slot: Slot, channel: str, station: StationContext, now: dt.datetime) -> int:
    """Places this channel may still take: a reserved channel up to its share; walk-ins the rest,
    and every free place once released."""
    total_free = slot.capacity - slot.booked
    if channel in _RESERVED:
        capacity, booked = _RESERVED[channel]
        return max(0, min(total_free, getattr(slot, capacity) - getattr(slot, booked)))
    if _walk_in_release(slot, station, now):
        return total_free
    reserved = sum(getattr(slot, capacity) for capacity, _ in _RESERVED.values())
    walk_in_booked = slot.booked - sum(getattr(slot, booked) for _, booked in _RESERVED.values())
    return max(0, min(total_free, slot.capacity - reserved - walk_in_booked))


def last_bookable_day(station: StationContext, now: dt.datetime) -> dt.date:
    """Booking opens `booking.days_ahead` working days ahead (docs/domain.md "Calendar"); the weekend and
    holiday days in between are bookable too."""
    return station.calendar.add_working_days(station.today(now), station.settings.booking.days_ahead)


def service_length(station: StationContext, service: str) -> int:
    """How many slots in a row the service takes (`[booking.service_minutes]`)."""
    rules = station.settings.booking
    return max(1, rules.service_minutes.get(service, rules.slot_minutes) // rules.slot_minutes)


def _view(run: list[Slot], free: int, station: StationContext) -> SlotView:
    """The view of a run of slots in a row (one for most services), named by its first slot;
    `free`: the places the channel may still take in every slot of it."""
    zone = station.settings.zone
    starts, ends = run[0].starts_at.astimezone(zone), run[-1].ends_at.astimezone(zone)
    day = starts.date()
    kind = slot_kind(day, starts.time(), ends.time(), station.settings, station.special_days.get(day))
    return SlotView(run[0].id, starts, ends, free, kind)


def _view_for(run: list[Slot], channel: str, station: StationContext, now: dt.datetime) -> SlotView:
    return _view(run, min(_free_for(slot, channel, station, now) for slot in run), station)


def _in_a_row(run: list[Slot]) -> bool:
    return all(earlier.ends_at == later.starts_at for earlier, later in itertools.pairwise(run))


def ensure_slots(db: Database, station: StationContext, first: dt.date, last: dt.date) -> set[dt.datetime]:
    """Create the slots of [first, last] that the schedule has and the database lacks (safe to run
    concurrently); returns the start times (UTC) the schedule has now.

    Slots the schedule no longer has (a day closed after its slots were made) stay in the
    database with their bookings, for staff to see, but are never offered or booked again.
    """
    wanted = slots_between(first, last, station.settings, station.special_days)
    starts = {s.starts.astimezone(dt.UTC) for s in wanted}
    with db.reading() as session:
        have = set(
            session.exec(
                select(Slot.starts_at).where(
                    Slot.station_id == station.id, Slot.local_day >= first, Slot.local_day <= last
                )
            )
        )
    missing = [s for s in wanted if s.starts.astimezone(dt.UTC) not in have]
    if missing:
        rules = station.settings.booking
        rows = [
            {
                "station_id": station.id,
                "starts_at": s.starts.astimezone(dt.UTC),
                "ends_at": s.ends.astimezone(dt.UTC),
                "local_day": s.starts.date(),
                "extended": s.extended,
                "capacity": rules.windows,
                "online_capacity": rules.online_places,
                "home_visit_capacity": rules.home_visit_places,
                "booked": 0,
                "booked_online": 0,
                "booked_home_visit": 0,
            }
            for s in missing
        ]
        with db.transaction() as session:
            session.execute(
                insert(session, Slot).values(rows).on_conflict_do_nothing(index_elements=["station_id", "starts_at"])
            )
    return starts


def _in_schedule(station: StationContext, run: list[Slot]) -> bool:
    """Whether the schedule still has these slots (of one day)."""
    day = run[0].local_day
    scheduled = {s.starts.astimezone(dt.UTC) for s in slots_between(day, day, station.settings, station.special_days)}
    return all(slot.starts_at in scheduled for slot in run)


def open_slots_query(station: StationContext, first: dt.date, last: dt.date, now: dt.datetime):
    """The station's future slots in [first, last] with a place left, soonest first."""
    return (
        select(Slot)
        .where(
            Slot.station_id == station.id,
            Slot.local_day >= first,
            Slot.local_day <= last,
            Slot.starts_at > now,
            Slot.booked < Slot.capacity,
        )
        .order_by(Slot.starts_at)
    )


def free_slots(
    db: Database,
    station: StationContext,
    *,
    first: dt.date,
    days: int,
    channel: str,
    service: str = "",
    now: dt.datetime | None = None,
) -> dict[dt.date, list[SlotView]]:
    """Free times per day for `channel` and `service`, from `first` for `days` days, soonest
    first: a start slot and the slots after it in a row that the service needs, each with a place."""
    now = now or utcnow()
    last = first + dt.timedelta(days=days - 1)
    length = service_length(station, service)
    scheduled = ensure_slots(db, station, first, last)
    with db.reading() as session:
        slots = session.exec(open_slots_query(station, first, last, now)).all()
    open_now, frees = [], []
    for slot in slots:
        free = _free_for(slot, channel, station, now) if slot.starts_at in scheduled else 0
        if free:
            open_now.append(slot)
            frees.append(free)
    by_day: dict[dt.date, list[SlotView]] = {}
    for index, slot in enumerate(open_now):
        run = open_now[index : index + length]
        if len(run) == length and _in_a_row(run):
            by_day.setdefault(slot.local_day, []).append(_view(run, min(frees[index : index + length]), station))
    return by_day


def bookable_free_slots(
    db: Database,
    station: StationContext,
    *,
    channel: str,
    service: str,
    day: dt.date | None = None,
    now: dt.datetime | None = None,
) -> dict[dt.date, list[SlotView]]:
    """Free times in the booking window, today to `last_bookable_day`, or on `day` alone. A `day`
    outside the window has none (and no slots are made for it: any year could be asked)."""
    now = now or utcnow()
    first, last = station.today(now), last_bookable_day(station, now)
    if day is not None:
        if not first <= day <= last:
            return {}
        first = last = day
    return free_slots(
        db, station, first=first, days=(last - first).days + 1, channel=channel, service=service, now=now
    )


def nearest_free(
    db: Database,
    station: StationContext,
    near: dt.datetime,
    channel: str,
    service: str,
    now: dt.datetime,
    count: int = 3,
) -> list[SlotView]:
    days = bookable_free_slots(db, station, channel=channel, service=service, now=now)
    slots = [s for day in days.values() for s in day]
    return sorted(slots, key=lambda s: abs((s.starts - near).total_seconds()))[:count]


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


def _counters(channel: str, step: int) -> dict:
    """The Slot columns a booking on `channel` moves by `step` (+1 taking a place, -1 giving it back)."""
    values = {"booked": Slot.booked + step}
    if channel in _RESERVED:
        booked = _RESERVED[channel][1]
        values[booked] = getattr(Slot, booked) + step
    return values


def _take_place(session: Session, slot: Slot, channel: str, station: StationContext, now: dt.datetime) -> bool:
    """One conditional UPDATE: true when a place was taken, false when none is left for this channel."""
    condition = [Slot.id == slot.id, Slot.booked < Slot.capacity]
    if channel in _RESERVED:
        capacity, booked = _RESERVED[channel]
        condition.append(getattr(Slot, booked) < getattr(Slot, capacity))
    elif not _walk_in_release(slot, station, now):
        reserved = sum(getattr(Slot, capacity) for capacity, _ in _RESERVED.values())
        reserved_booked = sum(getattr(Slot, booked) for _, booked in _RESERVED.values())
        condition.append(Slot.booked - reserved_booked < Slot.capacity - reserved)
    result = session.execute(
        update(Slot).where(and_(*condition)).values(_counters(channel, 1)).execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _take_places(session: Session, run: list[Slot], booking: Booking, station: StationContext, now: dt.datetime):
    """A place in every slot of the run, or _Full (the transaction then gives back those taken)."""
    for slot in run:
        if not _take_place(session, slot, booking.channel, station, now):
            raise _Full()
    session.add_all(BookingSlot(booking_id=booking.id, slot_id=slot.id) for slot in run[1:])


def _release_place(session: Session, booking: Booking) -> None:
    """Give back the places the booking holds: its first slot's and its further slots' (whose
    BookingSlot rows go with them)."""
    further = session.exec(select(BookingSlot).where(BookingSlot.booking_id == booking.id)).all()
    for slot_id in (booking.slot_id, *(link.slot_id for link in further)):
        session.execute(
            update(Slot)
            .where(Slot.id == slot_id)
            .values(_counters(booking.channel, -1))
            .execution_options(synchronize_session=False)
        )
    for link in further:
        session.delete(link)
    session.flush()


def _run_from(session: Session, station: StationContext, first: Slot, service: str) -> list[Slot]:
    """The slots a booking of `service` starting at `first` needs: `first` and those right after it.
    BookingRefused("not_found") when the day does not have them in a row (a session ends first)."""
    if service_length(station, service) == 1:  # most services: no query for the slots after it
        if not _in_schedule(station, [first]):
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
    if len(run) < service_length(station, service) or not _in_a_row(run) or not _in_schedule(station, run):
        raise BookingRefused("not_found")
    return run


def _audit(session: Session, booking: Booking, actor: str, action: str, now: dt.datetime, reason: str = "") -> None:
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
            _audit(session, booking, actor, "book", now)
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
    return _view_for(run, channel, station, utcnow())


def slot_of(db: Database, booking: Booking, station: StationContext) -> SlotView:
    """The booked time: from its first slot to the end of its last."""
    with db.reading() as session:
        further = session.exec(
            select(Slot).join(BookingSlot).where(BookingSlot.booking_id == booking.id).order_by(Slot.starts_at)
        ).all()
        return _view_for([session.get(Slot, booking.slot_id), *further], booking.channel, station, utcnow())


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
        _release_place(session, booking)
        booking.state, booking.updated_at = BookingState.CANCELLED, now
        session.add(booking)
        _audit(session, booking, actor, "cancel_booking", now)
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
            _release_place(session, booking)
            _take_places(session, run, booking, station, now)
            booking.slot_id, booking.local_day, booking.updated_at = new_slot.id, new_slot.local_day, now
            session.add(booking)
            _audit(session, booking, actor, "change_booking", now)
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
        _audit(session, booking, actor, "check_in", now)
        return booking


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
    current = _home_visit_bookings(db, [application_id], states=(BookingState.BOOKED,)).get(application_id)
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


def _home_visit_bookings(
    db: Database, application_ids: list[int], states: tuple[str, ...] = (BookingState.BOOKED, BookingState.CHECKED_IN)
) -> dict[int, Booking]:
    """The applications' home-visit bookings in `states` (at most one each), by application."""
    with db.reading() as session:
        rows = session.exec(
            select(Booking).where(
                col(Booking.application_id).in_(application_ids),
                Booking.channel == HOME_VISIT,
                col(Booking.state).in_(states),
            )
            .order_by(col(Booking.id))
        ).all()
    return {booking.application_id: booking for booking in rows}  # the newest wins


def home_visit_times(db: Database, station: StationContext, application_ids: list[int]) -> dict[int, SlotView]:
    """The booked home-visit time of each of the applications that has one, in three queries."""
    booked = _home_visit_bookings(db, application_ids)
    if not booked:
        return {}
    with db.reading() as session:
        firsts = {
            slot.id: slot
            for slot in session.exec(select(Slot).where(col(Slot.id).in_([b.slot_id for b in booked.values()])))
        }
        further = session.exec(
            select(BookingSlot.booking_id, Slot)
            .join(Slot, Slot.id == BookingSlot.slot_id)
            .where(col(BookingSlot.booking_id).in_([b.id for b in booked.values()]))
            .order_by(Slot.starts_at)
        ).all()
    runs = {booking.id: [firsts[booking.slot_id]] for booking in booked.values()}
    for booking_id, slot in further:
        runs[booking_id].append(slot)
    now = utcnow()
    return {
        application_id: _view_for(runs[booking.id], HOME_VISIT, station, now)
        for application_id, booking in booked.items()
    }


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
            _release_place(session, booking)
            booking.state, booking.updated_at = BookingState.NO_SHOW, now
            session.add(booking)
            _audit(session, booking, "system:sweep", "no_show", now)
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
    return [(booking, _view_for([slot], booking.channel, station, now)) for booking, slot in rows]
