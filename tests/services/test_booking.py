import datetime as dt
import threading
import uuid

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import func, select

from kiosk.db import violated_constraint
from kiosk.domain.id_number import parse_id_number
from kiosk.models import AuditEvent, Booking, Slot
from kiosk.services import attendance, slot_times
from kiosk.services import booking as bookings
from kiosk.services.booking import BookingRefused, SlotTaken
from tests.conftest import aware, make_id

NOW = aware(2026, 11, 24, 9)  # Tuesday morning in Jiaxing


def person(n: int):
    prefix = f"33040219800315{n:03d}"
    return parse_id_number(make_id(prefix))


def book(database, station, slot_id, n=1, channel="online", now=NOW, key=None, service="lost"):
    return bookings.book(
        database,
        station,
        slot_id=slot_id,
        service=service,
        channel=channel,
        id_number=person(n),
        name="王小明",
        phone=f"138{n:08d}",
        idempotency_key=key or uuid.uuid4().hex,
        actor="test",
        now=now,
    )


def first_slot(database, station, day=dt.date(2026, 11, 26), hour=9):
    days = slot_times.free_slots(database, station, first=day, days=1, channel="kiosk", now=NOW)
    return next(s for s in days[day] if s.starts.hour == hour)


def test_slots_follow_the_calendar(database, station):
    days = slot_times.free_slots(database, station, first=dt.date(2026, 11, 24), days=7, channel="online", now=NOW)
    tuesday = days[dt.date(2026, 11, 24)]
    assert tuesday[0].starts.hour == 9  # past slots are not offered
    assert any(s.kind == "evening" and s.starts.hour >= 17 for s in tuesday)  # the evening session
    assert all(s.kind == "weekend" for s in days[dt.date(2026, 11, 29)])  # Sunday
    assert all(s.free == 2 for s in tuesday)  # online places: 2 of 4


def test_national_day_offers_only_holiday_appointments(database, station):
    days = slot_times.free_slots(
        database, station, first=dt.date(2026, 10, 1), days=11, channel="kiosk", now=aware(2026, 9, 30)
    )
    national_day = days[dt.date(2026, 10, 1)]
    assert [s.starts.strftime("%H:%M") for s in national_day] == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]
    assert all(s.kind == "holiday" for s in national_day)
    # Saturday 10 October is a make-up working day: weekday hours, evening included, daytime not extended.
    saturday = days[dt.date(2026, 10, 10)]
    assert saturday[0].starts.strftime("%H:%M") == "08:30" and not saturday[0].kind
    assert saturday[-1].starts.strftime("%H:%M") == "19:30" and saturday[-1].kind == "evening"


def test_each_time_says_what_kind_it_is(database, station):
    """docs/domain.md "Calendar": a holiday, a weekend and a working day's evening are told apart; a
    make-up working day (调休) is a working day, and the normal hours of a working day have no tag."""
    days = slot_times.free_slots(
        database, station, first=dt.date(2026, 9, 30), days=12, channel="kiosk", now=aware(2026, 9, 29)
    )

    def kinds(day: dt.date) -> dict[str, str]:
        return {slot.starts.strftime("%H:%M"): slot.kind for slot in days[day]}

    wednesday = kinds(dt.date(2026, 9, 30))
    assert (wednesday["09:00"], wednesday["17:00"], wednesday["17:30"]) == ("", "", "evening")
    assert set(kinds(dt.date(2026, 10, 1)).values()) == {"holiday"}  # National Day
    assert set(kinds(dt.date(2026, 10, 3)).values()) == {"holiday"}  # a Saturday of the holiday
    make_up = kinds(dt.date(2026, 10, 10))  # a Saturday worked like a Monday
    assert (make_up["08:30"], make_up["19:30"]) == ("", "evening")
    assert set(kinds(dt.date(2026, 10, 11)).values()) == {"weekend"}  # Sunday: not "extended hours"


def test_a_station_closure_and_an_extra_session(database, station):
    from kiosk.models import CalendarDay
    from kiosk.services.station import load_station

    with database.transaction() as session:
        session.add(CalendarDay(station_id=station.id, day=dt.date(2026, 11, 27), kind="closed", name="系统升级"))
        session.add(
            CalendarDay(
                station_id=station.id,
                day=dt.date(2026, 11, 28),
                kind="extra",
                name="加开",
                extra_sessions=["19:00-20:00"],
            )
        )
    station = load_station(database, "330402")
    days = slot_times.free_slots(database, station, first=dt.date(2026, 11, 27), days=2, channel="kiosk", now=NOW)
    assert dt.date(2026, 11, 27) not in days
    assert [s.starts.strftime("%H:%M") for s in days[dt.date(2026, 11, 28)]][-2:] == ["19:00", "19:30"]


def test_capacity_and_channels(database, station):
    slot = first_slot(database, station)
    book(database, station, slot.id, 1, "online")
    book(database, station, slot.id, 2, "online")
    with pytest.raises(SlotTaken) as taken:
        book(database, station, slot.id, 3, "online")  # the online share is used up
    assert taken.value.alternatives and all(a.id != slot.id for a in taken.value.alternatives)
    book(database, station, slot.id, 4, "kiosk")  # the walk-in place
    with pytest.raises(SlotTaken):
        book(database, station, slot.id, 5, "kiosk")


def test_unused_online_places_are_released_to_walk_ins(database, station):
    slot = first_slot(database, station)
    book(database, station, slot.id, 1, "kiosk")
    with pytest.raises(SlotTaken):
        book(database, station, slot.id, 2, "kiosk")
    two_hours_before = slot.starts - dt.timedelta(hours=2)
    book(database, station, slot.id, 2, "kiosk", now=two_hours_before)
    book(database, station, slot.id, 3, "staff", now=two_hours_before)
    book(database, station, slot.id, 4, "kiosk", now=two_hours_before)  # the home-visit place, unused
    with pytest.raises(SlotTaken):
        book(database, station, slot.id, 5, "kiosk", now=two_hours_before)


def test_one_active_booking_per_person_per_day(database, station):
    slot = first_slot(database, station)
    other = first_slot(database, station, hour=10)
    first = book(database, station, slot.id, 1)
    with pytest.raises(BookingRefused) as refused:
        book(database, station, other.id, 1)
    assert refused.value.reason == "one_per_day"
    with database.reading() as session:
        assert session.get(Slot, other.id).booked == 0  # the place taken in the failed attempt was given back
    bookings.cancel(database, station, first.id, actor="test", now=NOW)
    book(database, station, other.id, 1)


def test_a_double_tap_books_once(database, station):
    slot = first_slot(database, station)
    a = book(database, station, slot.id, 1, key="same-key")
    b = book(database, station, slot.id, 1, key="same-key")
    assert a.id == b.id
    with database.reading() as session:
        assert session.get(Slot, slot.id).booked == 1


def test_booking_opens_seven_working_days_ahead(database, station):
    """docs/domain.md "Calendar": up to 7 working days ahead; weekends and holidays in between count as bookable."""
    assert slot_times.last_bookable_day(station, NOW) == dt.date(2026, 12, 3)  # Tue 24 Nov + 7 working days
    thursday = first_slot(database, station, day=dt.date(2026, 12, 3))
    book(database, station, thursday.id, 1)
    friday = first_slot(database, station, day=dt.date(2026, 12, 4))
    with pytest.raises(BookingRefused) as refused:
        book(database, station, friday.id, 2)
    assert refused.value.reason == "too_far"
    # On the eve of National Day the week of holidays is skipped: the 10 October make-up Saturday counts.
    assert slot_times.last_bookable_day(station, aware(2026, 9, 30)) == dt.date(2026, 10, 15)


def test_how_far_ahead_and_the_past(database, station):
    far = slot_times.free_slots(database, station, first=dt.date(2026, 12, 10), days=1, channel="online", now=NOW)
    with pytest.raises(BookingRefused) as refused:
        book(database, station, far[dt.date(2026, 12, 10)][0].id)
    assert refused.value.reason == "too_far"
    slot = first_slot(database, station)
    with pytest.raises(BookingRefused) as refused:
        book(database, station, slot.id, now=slot.starts + dt.timedelta(minutes=1))
    assert refused.value.reason == "past"


def test_change_and_cancel_need_a_days_notice(database, station):
    slot = first_slot(database, station)
    later = first_slot(database, station, hour=14)
    booking = book(database, station, slot.id)
    moved = bookings.change(database, station, booking.id, later.id, actor="test", now=NOW)
    assert moved.slot_id == later.id
    with database.reading() as session:
        assert session.get(Slot, slot.id).booked == 0 and session.get(Slot, later.id).booked == 1
    with pytest.raises(BookingRefused) as refused:
        bookings.cancel(database, station, booking.id, actor="test", now=later.starts - dt.timedelta(hours=2))
    assert refused.value.reason == "notice"
    bookings.cancel(database, station, booking.id, actor="test", now=NOW)
    with database.reading() as session:
        assert session.get(Slot, later.id).booked == 0
        actions = session.exec(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["book", "change_booking", "cancel_booking"]


def test_check_in_window(database, station):
    slot = first_slot(database, station)
    booking = book(database, station, slot.id)
    with pytest.raises(BookingRefused) as refused:
        attendance.check_in(database, station, booking.code, actor="kiosk", now=slot.starts - dt.timedelta(hours=3))
    assert refused.value.reason == "not_today"
    done = attendance.check_in(
        database, station, booking.code, actor="kiosk", now=slot.starts - dt.timedelta(minutes=10)
    )
    assert done.state == "checked_in"


def test_no_shows_free_the_place_and_two_close_online_booking(database, station):
    for n, day in enumerate((dt.date(2026, 11, 25), dt.date(2026, 11, 26)), start=1):
        slot = first_slot(database, station, day=day)
        book(database, station, slot.id, 7, key=f"no-show-{n}")
        assert attendance.mark_no_shows(database, station, now=slot.starts + dt.timedelta(minutes=16)) == 1
        with database.reading() as session:
            assert session.get(Slot, slot.id).booked == 0
    later = NOW + dt.timedelta(days=3)
    monday = dt.date(2026, 11, 30)
    next_slot = slot_times.free_slots(database, station, first=monday, days=1, channel="online", now=later)
    with pytest.raises(BookingRefused) as refused:
        book(database, station, next_slot[monday][0].id, 7, now=later)
    assert refused.value.reason == "banned" and refused.value.until == dt.date(2027, 2, 24)
    book(database, station, next_slot[monday][0].id, 7, channel="kiosk", now=later)  # at the window: fine


def test_simultaneous_bookings_never_exceed_capacity(database, station):
    slot = first_slot(database, station)
    results: list[str] = []
    barrier = threading.Barrier(12)

    def attempt(n: int) -> None:
        barrier.wait()
        try:
            book(database, station, slot.id, n, "kiosk", now=slot.starts - dt.timedelta(hours=1))
            results.append("ok")
        except SlotTaken:
            results.append("taken")

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    places = station.settings.booking.windows  # released an hour before: every place is a walk-in's
    assert results.count("ok") == places and results.count("taken") == 12 - places
    with database.reading() as session:
        assert session.get(Slot, slot.id).booked == places
        assert session.exec(select(func.count()).select_from(Booking)).one() == places


def test_slots_of_a_day_closed_later_are_no_longer_offered_or_bookable(database, station):
    from kiosk.models import CalendarDay
    from kiosk.services.station import load_station

    slot = first_slot(database, station)  # the day's slots now exist
    with database.transaction() as session:
        session.add(CalendarDay(station_id=station.id, day=dt.date(2026, 11, 26), kind="closed", name="停电"))
    station = load_station(database, "330402")
    days = slot_times.free_slots(database, station, first=dt.date(2026, 11, 26), days=1, channel="kiosk", now=NOW)
    assert dt.date(2026, 11, 26) not in days
    with pytest.raises(BookingRefused):
        book(database, station, slot.id)


def test_a_repeated_change_moves_once(database, station):
    slot = first_slot(database, station)
    later = first_slot(database, station, hour=14)
    booking = book(database, station, slot.id)
    bookings.change(database, station, booking.id, later.id, actor="test", now=NOW)
    bookings.change(database, station, booking.id, later.id, actor="test", now=NOW)
    with database.reading() as session:
        assert session.get(Slot, later.id).booked == 1


def test_a_longer_service_takes_slots_in_a_row(database, station):
    """The demo station's first application takes 60 minutes: two 30-minute slots."""
    day = dt.date(2026, 11, 26)  # a Thursday: 08:30-12:00, 13:30-17:30, 17:30-20:00

    def starts(service):
        days = slot_times.free_slots(database, station, first=day, days=1, channel="kiosk", service=service, now=NOW)
        return {s.starts.strftime("%H:%M"): s for s in days[day]}

    hours = starts("first")
    assert "11:00" in hours and "11:30" not in hours  # 11:30-12:30 would run past the morning session
    assert all(s.ends - s.starts == dt.timedelta(hours=1) for s in hours.values())

    booking = book(database, station, hours["09:00"].id, 1, "kiosk", service="first")
    booked = slot_times.slot_of(database, booking, station)
    assert (booked.starts.strftime("%H:%M"), booked.ends.strftime("%H:%M")) == ("09:00", "10:00")
    with database.reading() as session:
        held = session.exec(select(Slot).where(Slot.local_day == day, Slot.booked > 0).order_by(Slot.starts_at))
        assert [s.starts_at.astimezone(station.settings.zone).strftime("%H:%M") for s in held] == ["09:00", "09:30"]
    # The walk-in places of 09:00 and 09:30 are gone: no hour can start at 08:30, 09:00 or 09:30...
    assert starts("first").keys().isdisjoint({"08:30", "09:00", "09:30"})
    # ...while a half-hour service still finds 08:30 and 10:00.
    assert {"08:30", "10:00"} <= starts("lost").keys()

    bookings.change(database, station, booking.id, starts("first")["14:00"].id, actor="test", now=NOW)
    assert slot_times.slot_of(database, booking, station).ends.strftime("%H:%M") == "15:00"
    assert {"09:00", "09:30"} <= starts("lost").keys()  # the old places were given back
    bookings.cancel(database, station, booking.id, actor="test", now=NOW)
    with database.reading() as session:
        assert sum(s.booked for s in session.exec(select(Slot).where(Slot.local_day == day))) == 0


def test_a_longer_service_needs_every_slot_it_covers(database, station):
    day = dt.date(2026, 11, 26)
    slots = {
        s.starts.strftime("%H:%M"): s
        for s in slot_times.free_slots(database, station, first=day, days=1, channel="kiosk", now=NOW)[day]
    }
    book(database, station, slots["10:30"].id, 7, "kiosk")  # the 10:30 walk-in place
    with pytest.raises(SlotTaken):
        book(database, station, slots["10:00"].id, 8, "kiosk", service="first")
    with database.reading() as session:
        assert session.get(Slot, slots["10:00"].id).booked == 0  # the 10:00 place was given back
    with pytest.raises(BookingRefused) as refused:  # the evening ends at 20:00, before the hour is over
        book(database, station, slots["19:30"].id, 9, "kiosk", service="first")
    assert refused.value.reason == "not_found"


def test_home_visit_places_are_kept_until_the_release(database, station):
    slot = first_slot(database, station)
    book(database, station, slot.id, 1, "kiosk")  # the walk-in place
    with pytest.raises(SlotTaken):
        book(database, station, slot.id, 2, "staff")  # the home-visit place is not a walk-in's
    book(database, station, slot.id, 3, "home_visit")
    with pytest.raises(SlotTaken):
        book(database, station, slot.id, 4, "home_visit")  # one home-visit place per slot
    with database.reading() as session:
        held = session.get(Slot, slot.id)
        assert (held.booked, held.booked_online, held.booked_home_visit) == (2, 0, 1)


def test_a_booking_code_already_in_use_is_drawn_again(database, station, monkeypatch):
    slot = first_slot(database, station)
    first = book(database, station, slot.id, 1)
    draws = iter([first.code, first.code, "12345678"])
    monkeypatch.setattr(bookings, "_new_code", lambda: next(draws))
    second = book(database, station, slot.id, 2)  # two clashes, then a free code
    assert second.code == "12345678"
    with database.reading() as session:
        assert session.get(Slot, slot.id).booked == 2  # the clashing attempts took no place


def test_the_database_names_the_broken_unique_index_on_either_backend(database, station):
    """kiosk.db.violated_constraint: PostgreSQL's diagnostics, SQLite's columns mapped to the name."""
    slot = first_slot(database, station)
    taken = book(database, station, slot.id, 1)

    def broken(**changes) -> str | None:
        row = taken.model_dump() | {"id": None, "code": "99999999", "idempotency_key": uuid.uuid4().hex} | changes
        with pytest.raises(IntegrityError) as error, database.transaction() as session:
            session.add(Booking(**row))
        return violated_constraint(error.value)

    assert broken(code=taken.code, id_number=person(2).number) == bookings.CODE_IN_USE
    assert broken() == bookings.ONE_PER_DAY
    # An index the table of SQLite's wordings does not list: named on PostgreSQL, unknown on SQLite.
    unlisted = broken(idempotency_key=taken.idempotency_key, id_number=person(3).number)
    assert unlisted == ("booking_idempotency_key_key" if database.dialect == "postgresql" else None)


def test_only_the_one_per_day_index_refuses_a_change_as_one_per_day(database, station, monkeypatch):
    """Any other integrity error of a change is a fault to surface, not the citizen's second booking."""
    slot, later = first_slot(database, station), first_slot(database, station, hour=10)
    other = book(database, station, slot.id, 2)
    moving = book(database, station, slot.id, 1)
    audit = bookings.audit_booking

    def audit_and_reuse_a_code(session, booking, *args, **kwargs):
        audit(session, booking, *args, **kwargs)
        booking.code = other.code  # the row now breaks the booking codes' unique index
        session.flush()

    monkeypatch.setattr(bookings, "audit_booking", audit_and_reuse_a_code)
    with pytest.raises(IntegrityError):
        bookings.change(database, station, moving.id, later.id, actor="test", now=NOW)
    with database.reading() as session:
        assert session.get(Booking, moving.id).slot_id == slot.id  # nothing half-done
