"""Two people of issue 17 walked end to end in Chromium, each never sent to the window before
their time: a disabled person who cannot leave home (in English), whose card an officer brings,
and a person who books an evening or weekend time from a phone and checks in at the kiosk.

Every screen, paper and text must tell the same photo, fee, collection, visit and dates; the
dates expected are read from the Application or Booking row, never written down. Two stations
share the database: station 330411's case never shows on this station's staff screens."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import icalendar
import pytest
from babel.dates import format_date
from playwright.sync_api import Page, expect
from sqlmodel import select

from kiosk.domain.schedule import slot_kind
from kiosk.models import PrintJob, Visit
from kiosk.services import booking as bookings
from kiosk.services import slot_times
from kiosk.services.notifications import text_date
from kiosk.services.staff import Role, create_staff
from kiosk.services.station import load_station, printed_opening_hours
from kiosk.services.wording import Wording
from tests import when
from tests.browser.conftest import VIEWPORTS
from tests.browser.journeys import application, receipt_text, texts_sent
from tests.browser.kiosk_driver import (
    answer_identity,
    answer_situation,
    choose_tile,
    settled,
    staff_sign_in,
    start,
    tap_continue,
    tap_keys,
    type_latin,
)
from tests.browser.test_kiosk_wizard import WANG_XIAO_MING
from tests.conftest import LOCAL_ID, STAFF_PASSWORD
from tests.printing.pdf_tools import page_texts, squeezed

pytestmark = [pytest.mark.browser, pytest.mark.dated]

STATION = "330402"
PHONE_SCREEN = {"width": 390, "height": 844}
OFFICER, OFFICER_PASSWORD = "li", "officer password"
SUPERVISOR, SUPERVISOR_PASSWORD = "boss", "supervisor password"


@pytest.fixture
def app_config(app_config):
    """This server serves station 330402: with two stations in the database it must be told which."""
    return app_config | {"STATION_CODE": STATION}


# Reading back what the person and the staff are given.


def _round_slips(app, database) -> str:
    """The text of the officer's round printed last (its visit and pickup slips), whitespace squeezed out."""
    with database.reading() as session:
        job = session.exec(select(PrintJob).where(PrintJob.kind == "round").order_by(PrintJob.id.desc())).first()
    pdf = (Path(app.instance_path) / "prints" / job.backend_job).read_bytes()
    return squeezed("".join(page_texts(pdf)))


def _full_day(day: dt.date, language: str) -> str:
    """A date as the screens show it (Tuesday, December 15, 2026)."""
    return format_date(day, "full", locale=language)


# 4. A disabled person who cannot leave home, in English.


def _apply_for_a_home_visit(page: Page, base: str) -> tuple[str, dt.date]:
    """The kiosk, in English: the person cannot travel; the address on the on-screen keyboard, the
    first day offered. Returns the application number and the day chosen."""
    page.set_viewport_size(VIEWPORTS["portrait"])
    start(page, base, "en")
    answer_identity(page, app_type="damaged", id_number=LOCAL_ID, name_pinyin=WANG_XIAO_MING, province="33")
    answer_situation(page, can_travel="no")
    expect(page).to_have_url(base + "/apply/visit")
    settled(page)
    type_latin(page, "12 xinxing road")
    expect(page.locator("#address")).to_have_value("12 xinxing road")
    first_day = page.locator("input[name='dates']").first
    day = dt.date.fromisoformat(first_day.get_attribute("value"))
    first_day.check()
    tap_continue(page)
    choose_tile(page, "held", "old_card")
    tap_continue(page)  # materials
    expect(page.locator("#commitment")).to_contain_text("Home visit")
    tap_continue(page)  # plan: no photo question follows
    expect(page).to_have_url(base + "/apply/contact")
    tap_keys(page, "13912345678")
    tap_continue(page)  # no question on how to receive the card
    expect(page).to_have_url(base + "/apply/check")
    page.locator("#submit").click()
    return page.locator("#application-number").inner_text(), day


def _visit_board_assigns(page: Page, base: str, number: str, day: dt.date, other_number: str) -> None:
    staff_sign_in(page, base, SUPERVISOR, SUPERVISOR_PASSWORD)
    page.locator("#visits-board").click()
    expect(page.locator("#visits")).not_to_contain_text(other_number)
    row = page.locator(f"#visits tr[data-application='{number}']")
    row.locator("select[name='officer']").select_option(label="李警官")
    row.locator("input[name='day']").fill(day.isoformat())
    row.get_by_role("button").click()
    # The row's own select already lists the officer: the flashed message says the visit is given.
    expect(page.locator("#message")).to_contain_text("李警官")
    expect(row.locator(".visit-state")).to_contain_text("李警官")
    expect(row.locator(".visit-state")).to_contain_text(_full_day(day, "zh_Hans"))


def _round_on(page: Page, base: str, station, day: dt.date, number: str) -> None:
    """The officer signs in on their round (today's) and steps to `day`, printing its slips."""
    staff_sign_in(page, base, OFFICER, OFFICER_PASSWORD)
    expect(page).to_have_url(re.compile(r"/staff/visits/round"))
    for _ in range((day - when.today(station)).days):
        page.locator("#day-after").click()
    expect(page.locator("h1")).to_contain_text(_full_day(day, "zh_Hans"))
    expect(page.locator("#round li")).to_have_count(1)
    expect(page.locator("#round")).to_contain_text(number)
    page.locator("#print-round").click()
    expect(page.locator("#printed")).to_be_visible()


def test_a_person_who_cannot_leave_home_gets_the_card_from_an_officer(
    page, live_server, app, database, clock, staff_user, other_station_case, screenshot
):
    station = load_station(database, STATION)
    clock.set(when.local(station, when.working_day(station, 0), 10))
    number, chosen_day = _apply_for_a_home_visit(page, live_server)
    case = application(database, number)
    call_by, ready, fee = case.handling_deadline, case.expected_ready, case.fee_yuan
    assert (case.collection, fee) == ("visit", 40)

    # The done page: the visit, its call-by date, the photo and fee at home, the card brought home.
    expect(page.locator("#home-visit")).to_contain_text(f"The station calls you by {_full_day(call_by, 'en')}")
    expect(page.locator("#home-visit")).to_contain_text(_full_day(chosen_day, "en"))
    expect(page.locator("#photo")).to_have_text("Taken by the officer on the home visit")
    expect(page.locator("#cost")).to_have_text(f"{fee} yuan, paid to the officer on the home visit")
    expect(page.locator("#collection")).to_contain_text("An officer brings it to your home")
    expect(page.locator("#expected")).to_have_text(_full_day(ready, "en"))
    assert "window" not in page.locator("main").inner_text().lower()
    screenshot(page, "walk-home-visit-done")

    # The receipt, printed in English beside the kiosk, says the same.
    page.locator("#print-receipt").click()
    expect(page.locator("#print-result")).to_be_visible()
    receipt = receipt_text(app, database, number)
    words = Wording("en")
    for said in (
        f"The station calls you by {words.day(call_by)} to arrange the officer's visit to your home",
        "The officer takes your ID photo on the home visit",
        "paid to the officer on the home visit",
        f"{fee}",
        "民警上门送证",
        *printed_opening_hours(station),
    ):
        assert squeezed(said) in receipt, said
    assert "window" not in receipt.lower() and "窗口" not in receipt and "到受理单位领取" not in receipt

    # The text sent: the call-by date, nothing about coming in.
    [received] = texts_sent(database, number)
    assert f"calls you by {text_date(call_by, 'en')} to arrange the officer's visit to your home" in received
    assert "window" not in received and "collect" not in received

    # The supervisor gives the visit to an officer on the day the person chose.
    for username, name, role, password in (
        (SUPERVISOR, "王所长", Role.SUPERVISOR, SUPERVISOR_PASSWORD),
        (OFFICER, "李警官", Role.VISIT_OFFICER, OFFICER_PASSWORD),
    ):
        create_staff(database, station_code=STATION, username=username, display_name=name, role=role, password=password)
    staff = page.context.browser.new_context(viewport=VIEWPORTS["landscape"], locale="zh-CN").new_page()
    _visit_board_assigns(staff, live_server, number, chosen_day, other_station_case.number)
    screenshot(staff, "walk-home-visit-board")
    visit_text = texts_sent(database, number)[-1]
    assert visit_text.endswith(f"an officer visits you at home on {text_date(chosen_day, 'en')}.")

    # The officer's round on that day, and its slip: the fee and the photo are taken at the door.
    officer = page.context.browser.new_context(viewport=VIEWPORTS["landscape"], locale="zh-CN").new_page()
    _round_on(officer, live_server, station, chosen_day, number)
    screenshot(officer, "walk-home-visit-round")
    slip = _round_slips(app, database)
    for said in (number, "上门受理（行动不便）", f"工本费{fee}元", "现场采集相片", "12xinxingroad", "受理回执"):
        assert said in slip, said

    # On the day, the officer records the visit: photo taken, fee collected.
    clock.set(when.local(station, chosen_day, 10))
    staff_sign_in(officer, live_server, OFFICER, OFFICER_PASSWORD)
    officer.locator("#record").click()
    with database.reading() as session:
        code = session.exec(select(Visit.code)).one()
    assert code in slip
    officer.locator("#code").fill(code)  # what a scanner types from the slip's QR
    for done in ("photo_taken", "materials_collected", "fee_collected"):
        officer.locator(f"input[name='{done}']").check()
    officer.locator("#save").click()
    expect(officer.locator("#message")).to_have_class(re.compile(r"\bok\b"))
    screenshot(officer, "walk-home-visit-recorded")

    # The window: nothing is lacking any more; the case is approved, made and ready.
    staff_sign_in(staff, live_server, "zhang", STAFF_PASSWORD)
    expect(staff.locator("body")).not_to_contain_text(other_station_case.number)
    staff.locator("tr", has_text=number).get_by_role("link").click()
    expect(staff.locator("#collection")).to_contain_text("民警送证上门")
    expect(staff.locator("#visit")).to_contain_text(_full_day(chosen_day, "zh_Hans"))
    expect(staff.locator("#photo-taken")).to_have_count(0)
    expect(staff.locator("#fee-paid")).to_have_count(0)
    expect(staff.locator("#lacking")).to_have_count(0)
    expect(staff.locator("#expected")).to_have_text(_full_day(ready, "zh_Hans"))
    steps = (("approve", "已审核通过"), ("start_production", "证件正在制作"), ("mark_ready", "已办好，待民警送证上门"))
    for action, state in steps:
        staff.locator(f"[data-action='{action}'] button").click()
        expect(staff.locator("#case-state")).to_have_text(state)
    # Handed over at the door when the officer records the delivery: no window collection or post.
    expect(staff.locator("[data-action='collect'], [data-action='post']")).to_have_count(0)
    expect(staff.locator("#history")).to_contain_text("已采集相片")  # the visit's outcome in words
    expect(staff.locator("#history")).not_to_contain_text("photo_taken")
    screenshot(staff, "walk-home-visit-case")
    ready_text = texts_sent(database, number)[-1]
    assert "An officer brings it to your home" in ready_text
    assert "collect" not in ready_text and "window" not in ready_text

    # The card goes home with an officer: the delivery's slips agree with the receipt.
    delivery_day = next(
        slot.starts.date()
        for slot in when.free_times(database, station, slot_times.HOME_VISIT, "damaged")
        if slot.starts.date() > chosen_day
    )
    _visit_board_assigns(staff, live_server, number, delivery_day, other_station_case.number)
    _round_on(officer, live_server, station, delivery_day, number)
    slips = _round_slips(app, database)
    hours = map(squeezed, printed_opening_hours(station))
    for said in ("上门送证（行动不便）", "民警上门送证", "新居民身份证", *hours):
        assert said in slips, said
    assert "工本费" not in slips  # paid at the first visit: nothing more to take at the door
    assert "窗口" not in slips


# 5. An evening or weekend time booked from a phone, checked in at the kiosk.


def _choose_an_out_of_hours_time(phone: Page, base: str) -> tuple[str, str]:
    """On the phone: the first day with an evening or weekend time, and its first such time.
    Returns the slot's id and the kind its tag shows."""
    phone.goto(base + "/book/")
    phone.locator("[data-service='lost']").click()
    phone.locator("[data-day]:has([data-kind='weekend'], [data-kind='evening'])").first.click()
    slot = phone.locator("[data-slot]:has([data-kind='weekend'], [data-kind='evening'])").first
    tag = slot.locator(".tag")
    kind, tag_words = tag.get_attribute("data-kind"), tag.inner_text()
    assert tag_words == {"weekend": "周末", "evening": "晚间"}[kind], tag_words
    slot_id = slot.get_attribute("data-slot")
    slot.click()
    return slot_id, kind


def test_an_evening_or_weekend_time_booked_from_a_phone_is_checked_in_at_the_kiosk(
    page, live_server, app, database, clock, staff_user, other_station_case, screenshot
):
    station = load_station(database, STATION)
    app.config["KIOSK_ADDRESSES"] = ["192.0.2.1"]  # the browser at 127.0.0.1 is a phone, not a kiosk
    phone = page.context.browser.new_context(
        viewport=PHONE_SCREEN, is_mobile=True, has_touch=True, locale="zh-CN"
    ).new_page()
    slot_id, kind = _choose_an_out_of_hours_time(phone, live_server)
    phone.locator("#name").fill("王小明")
    phone.locator("#id_number").fill(LOCAL_ID)
    phone.locator("#phone").fill("13812345678")
    phone.locator("#book").click()
    code = phone.locator("#booking-code")
    expect(code).to_have_text(re.compile(r"^\d{8}$"))
    code = code.inner_text()
    expect(phone.locator("#print-booking")).to_have_count(0)  # no printer beside a phone
    screenshot(phone, "walk-phone-booking-confirmation")

    # The slot booked is the one tapped, and its tag told its real kind by the station's calendar.
    booking = bookings.find_booking(database, station, code, "5678")
    slot = slot_times.slot_of(database, booking, station)
    day, starts, ends = slot.starts.date(), slot.starts, slot.ends
    assert str(slot.id) == slot_id
    assert kind == slot_kind(day, starts.time(), ends.time(), station.settings, station.special_days.get(day))
    booked_when = f"{_full_day(day, 'zh_Hans')} {starts:%H:%M}–{ends:%H:%M}"
    expect(phone.locator("#when")).to_have_text(booked_when)

    # The calendar file says the same moment.
    with phone.expect_download() as download:
        phone.locator("#ics").click()
    [event] = icalendar.Calendar.from_ical(Path(download.value.path()).read_bytes()).walk("VEVENT")
    assert (event.decoded("dtstart"), event.decoded("dtend")) == (starts, ends)
    assert code in str(event["summary"])

    # At the kiosk, shortly before the time: the code on the welcome screen's check-in.
    app.config["KIOSK_ADDRESSES"] = ["127.0.0.1"]
    clock.set(starts - dt.timedelta(minutes=10))
    page.set_viewport_size(VIEWPORTS["portrait"])
    page.goto(live_server + "/")
    page.locator("#check-in").click()
    settled(page)
    tap_keys(page, code)
    page.locator("#continue").click()
    expect(page.locator("#checked-in")).to_contain_text(code)
    expect(page.locator("#when")).to_have_text(booked_when)
    screenshot(page, "walk-phone-booking-checked-in")

    # The window's queue shows the arrival at the booked time, and no other station's case.
    staff = page.context.browser.new_context(viewport=VIEWPORTS["landscape"], locale="zh-CN").new_page()
    staff_sign_in(staff, live_server, "zhang", STAFF_PASSWORD)
    assert when.today(station) == day
    arrival = staff.locator("#arrivals tr", has_text=code)
    expect(arrival).to_contain_text(f"{starts:%H:%M}")
    expect(arrival).to_contain_text("王*明")
    expect(staff.locator("body")).not_to_contain_text(other_station_case.number)
    screenshot(staff, "walk-phone-booking-arrivals")
