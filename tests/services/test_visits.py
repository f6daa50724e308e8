import datetime as dt
import io
import uuid

import pytest
from pypdf import PdfReader
from sqlmodel import select

from kiosk.domain.catalogue import ApplicationType
from kiosk.domain.id_number import parse_id_number
from kiosk.domain.states import Action, State
from kiosk.models import AuditEvent
from kiosk.services import visits
from kiosk.services.applications import change_state, get_application, submit_application
from kiosk.services.assessment import NewApplication
from kiosk.services.staff import Role, create_staff, update_account
from tests import when
from tests.conftest import LOCAL_ID

pytestmark = pytest.mark.dated


def _home_visit_case(database, station):
    """A home-visit case whose person is in on the first day an officer can come."""
    new = NewApplication(
        id_number=parse_id_number(LOCAL_ID),
        app_type=ApplicationType.LOST,
        registered_province="33",
        idempotency_key=uuid.uuid4().hex,
        name="王小明",
        phone="13812345678",
        cannot_travel=True,
        collection="visit",  # as the kiosk makes it: the officer brings the card home
        address="浙江省嘉兴市南湖区新兴路 12 号",
        visit_dates=(when.visit_day(database, station),),
    )
    return submit_application(database, station, new, actor="kiosk")


def _staff(database, username: str, name: str, role: Role):
    return create_staff(
        database, station_code="330402", username=username, display_name=name, role=role, password="a long password"
    )


def test_a_visit_is_given_to_an_active_visit_officer_only(database, station):
    application = _home_visit_case(database, station)
    officer = _staff(database, "li", "李警官", Role.VISIT_OFFICER)
    window = _staff(database, "wu", "吴警官", Role.WINDOW)
    update_account(database, station.id, officer.id, actor="staff:admin", active=False)
    day = when.visit_day(database, station)
    for someone in (officer, window):
        with pytest.raises(visits.VisitNotFound):
            visits.assign(database, station, application.id, someone.id, day, actor="staff:boss")
    assert visits.officers(database, station) == []
    assert visits.round_of(database, station, officer.id, day) == []


def test_assign_print_and_record_a_round(database, station):
    application = _home_visit_case(database, station)
    officer = _staff(database, "li", "李警官", Role.VISIT_OFFICER)
    assert [row.application.id for row in visits.board(database, station)] == [application.id]
    day = when.visit_day(database, station)
    visit = visits.assign(database, station, application.id, officer.id, day, actor="staff:boss")
    rows = visits.round_of(database, station, officer.id, day)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(visits.round_pdf(rows, station))).pages)
    assert application.number in text and visit.code in text and "新兴路" in text
    assert LOCAL_ID not in text
    flat = "".join(text.split())
    # The officer takes the photo, the thumbprints and the fee at the door.
    assert "现场采集相片" in flat and "双手拇指指纹" in flat and "工本费40元" in flat
    recorded = visits.record_outcome(
        database,
        station,
        visit.code,
        {"photo_taken", "materials_collected", "fee_collected"},
        False,
        officer,
        now=when.local(station, day, 10),
    )
    assert recorded.state == "done" and recorded.outcome["photo_taken"] and not recorded.outcome["card_handed_over"]
    # The fee taken at the door is the case's fee paid: the window does not ask for it again.
    assert get_application(database, application.id)[0].fee_paid
    with database.reading() as session:
        paid = session.exec(select(AuditEvent).where(AuditEvent.action == "fee_paid")).one()
    assert (paid.actor, paid.reason) == ("staff:li", "40 yuan")


def test_a_card_handed_over_closes_the_case(database, station):
    application = _home_visit_case(database, station)
    for action in (Action.APPROVE, Action.START_PRODUCTION, Action.MARK_READY):
        change_state(database, station, application.id, action, actor="staff:zhang")
    officer = _staff(database, "li", "李警官", Role.VISIT_OFFICER)
    day = when.visit_day(database, station)
    visit = visits.assign(database, station, application.id, officer.id, day, actor="staff:boss")
    rows = visits.round_of(database, station, officer.id, day)
    pages = PdfReader(io.BytesIO(visits.round_pdf(rows, station))).pages
    assert len(pages) == 2  # the visit slip, then the pickup slip of the card handed over
    slip = "".join(pages[1].extract_text().split())
    # The pickup slip of a card brought home says so, with the station's hours and a line for the door.
    assert "民警上门送证" in slip and "新兴路********" not in slip and "浙江省嘉兴市********" in slip
    assert "办公时间周一至周五08:30-12:00" in slip and "周日09:00-12:00" in slip
    assert "民警上门送证时核验本凭证" in slip and "Theofficerchecksthisslipatyourdoor" in slip
    for wrong in ("到受理单位领取", "Showthisslipatthewindow", "窗口扫码", "旧居民身份证"):  # a lost card's is gone
        assert wrong not in slip, wrong
    at_the_door = when.local(station, day, 10)
    with pytest.raises(ValueError):  # the old card's fate is part of a handover
        visits.record_outcome(database, station, visit.code, {"card_handed_over"}, False, officer, now=at_the_door)
    with pytest.raises(visits.VisitNotYet):  # not before the visit's day
        visits.record_outcome(
            database,
            station,
            visit.code,
            {"card_handed_over"},
            False,
            officer,
            old_card="returned",
            now=when.local(station, day - dt.timedelta(days=1), 17),
        )
    assert get_application(database, application.id)[0].state == State.READY
    recorded = visits.record_outcome(
        database, station, visit.code, {"card_handed_over"}, False, officer, old_card="returned", now=at_the_door
    )
    assert recorded.outcome["old_card"] == "returned"
    assert get_application(database, application.id)[0].state == State.COLLECTED
    with database.reading() as session:
        collect = session.exec(select(AuditEvent).where(AuditEvent.action == Action.COLLECT.value)).one()
    assert collect.reason == "handed over on a home visit; old card returned"


def test_a_visit_books_a_home_visit_time_and_moves_it_with_the_day(database, station):
    from kiosk.models import Booking, Slot
    from kiosk.services import slot_times
    from kiosk.services.attendance import mark_no_shows
    from kiosk.services.booking import BookingRefused
    from tests.conftest import aware

    now = aware(2026, 11, 24, 9)
    application = _home_visit_case(database, station)
    officer = _staff(database, "li", "李", Role.VISIT_OFFICER)
    thursday, friday = dt.date(2026, 11, 26), dt.date(2026, 11, 27)
    visits.assign(database, station, application.id, officer.id, thursday, actor="staff:boss", now=now)
    [row] = visits.round_of(database, station, officer.id, thursday)
    assert row.time.starts.strftime("%H:%M") == "08:30"  # the day's first home-visit place
    with database.reading() as session:
        booking = session.exec(select(Booking)).one()
        assert (booking.channel, booking.application_id) == ("home_visit", application.id)
        assert session.get(Slot, booking.slot_id).booked_home_visit == 1
    # Another day: the same booking moves (the citizen's notice period does not bind the station).
    visits.assign(database, station, application.id, officer.id, friday, actor="staff:boss", now=now)
    with database.reading() as session:
        assert session.exec(select(Booking)).one().local_day == friday
        assert sum(s.booked_home_visit for s in session.exec(select(Slot).where(Slot.local_day == thursday))) == 0
    # The visit kept its time: the sweep does not call it a missed appointment.
    assert mark_no_shows(database, station, now=aware(2026, 11, 27, 12)) == 0
    visit = visits.round_of(database, station, officer.id, friday)[0].visit
    visits.record_outcome(database, station, visit.code, {"photo_taken"}, False, officer, now=aware(2026, 11, 27, 12))
    with database.reading() as session:
        assert session.exec(select(Booking)).one().state == "checked_in"

    # A day whose home-visit places are all taken is refused, and nothing changes.
    saturday = dt.date(2026, 11, 28)
    slot_times.ensure_slots(database, station, saturday, saturday)
    with database.transaction() as session:
        for slot in session.exec(select(Slot).where(Slot.local_day == saturday)):
            slot.home_visit_capacity = 0
            session.add(slot)
    with pytest.raises(BookingRefused) as refused:
        visits.assign(database, station, application.id, officer.id, saturday, actor="staff:boss", now=now)
    assert refused.value.reason == "no_visit_time"
    assert visits.round_of(database, station, officer.id, friday)  # still on Friday
