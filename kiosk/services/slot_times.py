"""The station's slots and the free times in them: making the slots from the schedule, the
places each channel may still take (phone/web and home visits keep places of their own until the
release time; walk-ins take the rest), taking and giving back a place, and the times offered.
Booking itself (kiosk.services.booking) takes its places through `take_place`.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from sqlalchemy import and_, update
from sqlmodel import Session, col, select

from ..clock import utcnow
from ..db import Database, insert
from ..domain.schedule import SlotKind, slot_kind, slots_between
from ..domain.states import BookingState
from ..models import Booking, BookingSlot, Slot
from .station import StationContext

ONLINE, KIOSK, STAFF, HOME_VISIT = "online", "kiosk", "staff", "home_visit"


CHANNELS = (ONLINE, KIOSK, STAFF, HOME_VISIT)


# The channels with places of their own: (capacity column, booked column) of Slot.
_RESERVED = {
    ONLINE: ("online_capacity", "booked_online"),
    HOME_VISIT: ("home_visit_capacity", "booked_home_visit"),
}


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


def view_for(run: list[Slot], channel: str, station: StationContext, now: dt.datetime) -> SlotView:
    return _view(run, min(_free_for(slot, channel, station, now) for slot in run), station)


def in_a_row(run: list[Slot]) -> bool:
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


def in_schedule(station: StationContext, run: list[Slot]) -> bool:
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
        if len(run) == length and in_a_row(run):
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


def _counters(channel: str, step: int) -> dict:
    """The Slot columns a booking on `channel` moves by `step` (+1 taking a place, -1 giving it back)."""
    values = {"booked": Slot.booked + step}
    if channel in _RESERVED:
        booked = _RESERVED[channel][1]
        values[booked] = getattr(Slot, booked) + step
    return values


def take_place(session: Session, slot: Slot, channel: str, station: StationContext, now: dt.datetime) -> bool:
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


def release_place(session: Session, booking: Booking) -> None:
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


def slot_of(db: Database, booking: Booking, station: StationContext) -> SlotView:
    """The booked time: from its first slot to the end of its last."""
    with db.reading() as session:
        further = session.exec(
            select(Slot).join(BookingSlot).where(BookingSlot.booking_id == booking.id).order_by(Slot.starts_at)
        ).all()
        return view_for([session.get(Slot, booking.slot_id), *further], booking.channel, station, utcnow())


def home_visit_bookings(
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
    booked = home_visit_bookings(db, application_ids)
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
        application_id: view_for(runs[booking.id], HOME_VISIT, station, now)
        for application_id, booking in booked.items()
    }
