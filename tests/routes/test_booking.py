import datetime as dt
import re

import icalendar
import pytest
from sqlmodel import select

from kiosk.models import Booking, PrintJob
from kiosk.services import slot_times
from kiosk.services.station import load_station
from tests.conftest import LOCAL_ID

pytestmark = pytest.mark.dated

PHONE = {"REMOTE_ADDR": "203.0.113.7"}  # a phone on the internet: the online channel


def _first_slot(client, service="lost", day_index=0):
    days = client.get(f"/book/days?service={service}", environ_base=PHONE).get_data(as_text=True)
    day = re.findall(r'data-day="([\d-]+)"', days)[day_index]
    slots = client.get(f"/book/slots?service={service}&day={day}", environ_base=PHONE).get_data(as_text=True)
    return int(re.search(r'data-slot="(\d+)"', slots)[1])


def _starts(app, booking) -> dt.datetime:
    database = app.extensions["kiosk_db"]
    return slot_times.slot_of(database, booking, load_station(database, "330402")).starts


def _book(client, slot, **overrides):
    data = {"name": "王小明", "id_number": LOCAL_ID, "phone": "13812345678"} | overrides
    return client.post(f"/book/details?service=lost&slot={slot}", data=data, environ_base=PHONE)


def test_book_shows_code_qr_and_calendar_file(client):
    response = _book(client, _first_slot(client))
    assert response.status_code == 303
    page = client.get("/book/confirmation").get_data(as_text=True)
    code = re.search(r'id="booking-code">(\d{8})<', page)[1]
    assert "<svg" in page and LOCAL_ID not in page and "138****5678" in page
    ics = client.get("/book/appointment.ics")
    assert ics.mimetype == "text/calendar" and f"UID:{code}@330402" in ics.get_data(as_text=True)
    assert all(len(line) <= 75 for line in ics.get_data().split(b"\r\n"))  # folded (RFC 5545: octets)
    [event] = icalendar.Calendar.from_ical(ics.get_data()).walk("VEVENT")
    assert str(event["location"]).startswith("嘉兴") and code in str(event["summary"])  # read back whole
    assert str(event["summary"]) == f"居民身份证办理预约 {code}"  # in the citizen's language
    client.post("/language", data={"lang": "en"})
    [event] = icalendar.Calendar.from_ical(client.get("/book/appointment.ics").get_data()).walk("VEVENT")
    assert str(event["location"]).startswith("Xinxing Police Station")  # the name given for English readers


def test_the_kiosk_prints_the_confirmation_once_and_a_phone_cannot(client, app):
    assert _book(client, _first_slot(client)).status_code == 303
    assert 'id="print-booking"' not in client.get("/book/confirmation", environ_base=PHONE).get_data(as_text=True)
    assert client.post("/book/confirmation/print", environ_base=PHONE).status_code == 403
    assert 'id="print-booking"' in client.get("/book/confirmation").get_data(as_text=True)  # at the kiosk
    first = client.post("/book/confirmation/print")
    assert first.status_code == 200 and 'id="print-result"' in first.get_data(as_text=True)
    assert 'id="print-booking"' not in first.get_data(as_text=True)
    client.post("/book/confirmation/print")  # a double tap
    with app.extensions["kiosk_db"].reading() as session:
        [job] = session.exec(select(PrintJob)).all()
        booking = session.exec(select(Booking)).one()
    assert (job.kind, job.booking_id, job.state, job.application_id) == ("booking", booking.id, "done", None)
    assert job.progress_url == "http://localhost/book/manage"


def test_the_printed_confirmation_points_phones_to_the_public_url(client, app):
    app.config["PUBLIC_URL"] = "https://330402.kiosk.example.org/"
    assert _book(client, _first_slot(client)).status_code == 303
    assert client.post("/book/confirmation/print").status_code == 200
    with app.extensions["kiosk_db"].reading() as session:
        assert session.exec(select(PrintJob)).one().progress_url == "https://330402.kiosk.example.org/book/manage"


def test_bad_details_are_explained(client):
    response = _book(client, _first_slot(client), id_number="123", phone="123")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'href="#id_number"' in page and 'href="#phone"' in page


def test_the_id_number_and_the_phone_are_checked_as_typed_and_nothing_is_booked(client, app):
    slot = _first_slot(client)

    def typing(field: str, value: str) -> str:
        headers = {"HX-Request": "true", "HX-Trigger-Name": field, "HX-Target": f"{field}-feedback"}
        return client.post(
            f"/book/details?service=lost&slot={slot}", data={field: value}, headers=headers, environ_base=PHONE
        ).get_data(as_text=True)

    assert typing("id_number", LOCAL_ID[:-1]).strip().startswith('<p id="id_number-feedback"')
    assert "17 位，共 18 位" in typing("id_number", LOCAL_ID[:-1])
    assert "✓" in typing("id_number", LOCAL_ID)
    assert "field-error" in typing("phone", "12345678901")
    with app.extensions["kiosk_db"].reading() as session:
        assert session.exec(select(Booking)).all() == []


def test_manage_change_cancel(client, app):
    slot = _first_slot(client, day_index=2)  # changes need a day's notice
    _book(client, slot)
    with app.extensions["kiosk_db"].reading() as session:
        code = session.exec(select(Booking.code)).one()
    other = client.application.test_client()
    assert other.post("/book/manage", data={"code": code, "phone_tail": "0000"}).status_code == 422
    assert other.post("/book/manage", data={"code": code, "phone_tail": "5678"}).status_code == 303
    other.post("/book/manage/change")
    days = other.get("/book/days?service=lost").get_data(as_text=True)
    last_day = re.findall(r'data-day="([\d-]+)"', days)[-1]
    slots = other.get(f"/book/slots?service=lost&day={last_day}").get_data(as_text=True)
    new_slot = int(re.search(r'data-slot="(\d+)"', slots)[1])
    assert other.get(f"/book/details?service=lost&slot={new_slot}").headers["Location"].endswith("m=changed")
    with app.extensions["kiosk_db"].reading() as session:
        assert session.exec(select(Booking.slot_id)).one() == new_slot
    assert other.post("/book/manage/cancel").status_code == 303
    with app.extensions["kiosk_db"].reading() as session:
        assert session.exec(select(Booking.state)).one() == "cancelled"


def test_check_in_at_the_kiosk(client, app, clock):
    _book(client, _first_slot(client))
    with app.extensions["kiosk_db"].reading() as session:
        booking = session.exec(select(Booking)).one()
    clock.set(_starts(app, booking) - dt.timedelta(minutes=10))  # check-in opens shortly before the time
    code = booking.code
    kiosk = client.application.test_client()
    assert kiosk.post("/book/check-in", data={"code": "00000000"}).status_code == 422
    page = kiosk.post("/book/check-in", data={"code": code}).get_data(as_text=True)
    assert 'id="checked-in"' in page


def test_booking_from_the_kiosk_wizard_links_the_application(client, app):
    from kiosk.models import Application
    from tests.helpers import NO_SITUATION, apply

    done = apply(client, situation=NO_SITUATION | {"out_of_hours": "yes"})
    assert 'id="book-a-time"' in done
    days = client.get("/book/days?service=renewal_expiry").get_data(as_text=True)  # from the kiosk: walk-in places
    day = re.findall(r'data-day="([\d-]+)"', days)[1]
    slots = client.get(f"/book/slots?service=renewal_expiry&day={day}").get_data(as_text=True)
    slot = int(re.search(r'data-slot="(\d+)"', slots)[1])
    data = {"name": "王小明", "id_number": LOCAL_ID, "phone": "13812345678"}
    assert client.post(f"/book/details?service=renewal_expiry&slot={slot}", data=data).status_code == 303
    with app.extensions["kiosk_db"].reading() as session:
        booking = session.exec(select(Booking)).one()
        application = session.exec(select(Application)).one()
    assert booking.channel == "kiosk" and booking.application_id == application.id
    assert application.commitment == "appointment"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("王小明2", "姓名只能填文字，不能有数字或符号，最多 30 个字。"),
        ("", "请按户口簿上的姓名填写。"),
        ("王" * 31, "内容太长，最多 30 个字。"),
    ],
)
def test_booking_refuses_the_names_the_kiosk_refuses(client, name, message):
    """One rule for a person's name everywhere (kiosk.domain.fields): no digits, at most 30 letters."""
    response = _book(client, _first_slot(client), name=name)
    assert response.status_code == 422 and message in response.get_data(as_text=True)


def _day_tags(page: str) -> dict[str, str]:
    """Each day offered, with the kind its tag names ("" for none)."""
    return {
        day: (re.search(r'data-kind="(\w+)"', body) or [None, ""])[1]
        for day, body in re.findall(r'data-day="([\d-]+)">(.*?)</a>', page, re.DOTALL)
    }


def test_days_and_times_are_tagged_for_what_they_are(client, clock):
    """docs/domain.md "Calendar": evenings, weekends and holidays each named; a make-up working day is none."""
    from tests.conftest import aware

    clock.set(aware(2026, 9, 28, 10))  # a Monday before National Day (1-7 October 2026)
    tags = _day_tags(client.get("/book/days?service=lost").get_data(as_text=True))
    assert tags["2026-09-30"] == "evening"  # a working day with its evening session
    assert tags["2026-10-01"] == tags["2026-10-03"] == "holiday"
    assert tags["2026-10-10"] == "evening"  # the make-up working Saturday is a working day
    assert tags["2026-10-11"] == "weekend"
    sunday = client.get("/book/slots?service=lost&day=2026-10-11").get_data(as_text=True)
    assert set(re.findall(r'data-kind="(\w+)"', sunday)) == {"weekend"}  # not "extended hours"
    wednesday = client.get("/book/slots?service=lost&day=2026-09-30").get_data(as_text=True)
    times = re.findall(
        r'data-slot="\d+">\s*(\d\d:\d\d)–\S+\s*(?:<small>· <span class="tag" data-kind="(\w+)")?', wednesday
    )
    assert ("09:00", "") in times and ("17:00", "") in times and ("17:30", "evening") in times


def _booked(client, app, day_index=2) -> Booking:
    assert _book(client, _first_slot(client, day_index=day_index)).status_code == 303
    with app.extensions["kiosk_db"].reading() as session:
        return session.exec(select(Booking)).one()


def test_inside_the_notice_change_and_cancel_are_refused_up_front_with_the_stations_number(client, app, clock):
    booking = _booked(client, app)
    clock.set(_starts(app, booking) - dt.timedelta(hours=23))
    assert client.post("/book/manage", data={"code": booking.code, "phone_tail": "5678"}).status_code == 303
    page = client.get("/book/manage/booking").get_data(as_text=True)
    assert 'id="refusal"' in page and "0573-82000110" in page and "24" in page  # the hotline, the notice
    assert 'id="change"' not in page and 'id="cancel"' not in page
    change = client.post("/book/manage/change")  # before a day and a time are picked
    assert change.status_code == 409 and "0573-82000110" in change.get_data(as_text=True)
    assert client.get("/book/days?service=lost").status_code == 200
    with client.session_transaction() as session:
        assert "changing" not in session
    assert 'id="confirm-cancel"' not in client.get("/book/manage/cancel").get_data(as_text=True)
    cancel = client.post("/book/manage/cancel")
    assert cancel.status_code == 409 and "0573-82000110" in cancel.get_data(as_text=True)
    with app.extensions["kiosk_db"].reading() as session:
        assert session.get(Booking, booking.id).state == "booked"


def test_cancelling_asks_once_more(client, app):
    booking = _booked(client, app)
    page = client.get("/book/manage/cancel").get_data(as_text=True)
    assert 'id="confirm-cancel"' in page and 'id="keep"' in page
    with app.extensions["kiosk_db"].reading() as session:
        assert session.get(Booking, booking.id).state == "booked"  # asking cancels nothing
    assert client.post("/book/manage/cancel").status_code == 303
    with app.extensions["kiosk_db"].reading() as session:
        assert session.get(Booking, booking.id).state == "cancelled"


def test_a_booking_code_is_found_with_or_without_hyphens_and_spaces(client, app):
    booking = _booked(client, app)
    for typed in (booking.code, f"{booking.code[:4]}-{booking.code[4:]}", f" {booking.code[:4]} {booking.code[4:]} "):
        other = client.application.test_client()
        assert other.post("/book/manage", data={"code": typed, "phone_tail": "5678"}).status_code == 303, typed


def test_at_the_kiosk_the_details_of_the_application_just_made_are_only_confirmed(client, app, clock):
    from kiosk.models import Application
    from tests.helpers import NO_SITUATION, apply

    apply(client, situation=NO_SITUATION | {"out_of_hours": "yes"})
    slot = _first_slot(client, service="renewal_expiry", day_index=1)
    page = client.get(f"/book/details?service=renewal_expiry&slot={slot}").get_data(as_text=True)
    assert 'id="known-details"' in page and "王*明" in page and "138****5678" in page
    assert 'id="chosen-time"' in page  # what is being booked, to confirm with the details
    assert 'name="id_number"' not in page and LOCAL_ID not in page and "13812345678" not in page
    assert client.post(f"/book/details?service=renewal_expiry&slot={slot}", data={}).status_code == 303
    with app.extensions["kiosk_db"].reading() as session:
        booking = session.exec(select(Booking)).one()
        application = session.exec(select(Application)).one()
    assert (booking.name, booking.id_number, booking.phone) == ("王小明", LOCAL_ID, "13812345678")
    assert booking.channel == "kiosk" and booking.application_id == application.id

    # Left idle past the countdown (the browser never posted the reset): the next person is asked,
    # with the kiosk's keys.
    clock.set(clock.now() + dt.timedelta(seconds=90 + 30 + 1))
    page = client.get(f"/book/details?service=renewal_expiry&slot={slot}").get_data(as_text=True)
    assert 'id="known-details"' not in page and "王*明" not in page
    assert 'data-keypad-for="id_number phone"' in page and "data-keyboard" in page
    assert 'inputmode="none"' in page


def test_a_phone_types_its_details_with_its_own_keyboard(client):
    page = client.get(f"/book/details?service=lost&slot={_first_slot(client)}", environ_base=PHONE)
    text = page.get_data(as_text=True)
    assert "data-keypad-for" not in text and "data-keyboard" not in text and 'inputmode="none"' not in text
    assert 'inputmode="tel"' in text
