"""Appointments in Chromium: book from a phone, change, cancel; book from the kiosk's done page and with
its keypads, print the slip and check in at the kiosk."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from kiosk.services import booking as bookings
from kiosk.services import slot_times
from kiosk.services.station import load_station
from tests import when
from tests.browser.kiosk_driver import (
    accessibility_problems,
    answer_identity,
    answer_situation,
    settled,
    shows_all_it_holds,
    start,
    tap_continue,
    tap_keys,
    type_pinyin,
)
from tests.conftest import JIANGXI_ID, LOCAL_ID

pytestmark = [pytest.mark.browser, pytest.mark.dated]

PHONE_SCREEN = {"width": 390, "height": 844}
KIOSK_SCREEN = {"width": 1080, "height": 1920}
WANG_XIAO_MING = [("wang", "王"), ("xiao", "小"), ("ming", "明")]


def _as_a_phone(app) -> None:
    """The browser's address (127.0.0.1) is no kiosk terminal: it books online, like a phone."""
    app.config["KIOSK_ADDRESSES"] = ["192.0.2.1"]


def _not_clipped(page, selector: str, text: str) -> None:
    """`text` typed into the input fits inside it, nothing scrolled out of sight."""
    page.locator(selector).fill(text)
    shows_all_it_holds(page, selector)


def _starts(app, code: str) -> dt.datetime:
    database = app.extensions["kiosk_db"]
    station = load_station(database, "330402")
    return slot_times.slot_of(database, bookings.find_booking(database, station, code, "5678"), station).starts


def _book(page, base, screenshot, day_index=0):
    page.goto(base + "/book/")
    page.locator("[data-service='lost']").click()
    page.locator("[data-day]").nth(day_index).click()
    page.locator("[data-slot]").first.click()
    page.locator("#name").fill("王小明")
    for field in ("#id_number", "#phone"):  # a phone's own keyboard: digits for the mobile number
        assert page.locator(field).get_attribute("inputmode") != "none"
    _not_clipped(page, "#id_number", LOCAL_ID)
    page.locator("#phone").fill("13812345678")
    screenshot(page, "booking-details-phone")
    page.locator("#book").click()
    code = page.locator("#booking-code")
    expect(code).to_have_text(re.compile(r"^\d{8}$"))
    return code.inner_text(), page.locator("#when").inner_text()


def _book_at_the_kiosk(page, id_number: str) -> str:
    """On the details page at the kiosk: the name on its keyboard, the numbers on its keypad."""
    for syllable, character in WANG_XIAO_MING:
        type_pinyin(page, syllable, character)
    page.locator("#id_number").click()
    tap_keys(page, id_number)
    page.locator("#phone").click()  # the same keypad now fills the mobile number
    tap_keys(page, "13812345678")
    expect(page.locator("#name")).to_have_value("王小明")
    expect(page.locator("#id_number")).to_have_value(id_number)
    expect(page.locator("#phone")).to_have_value("13812345678")
    page.locator("#book").click()
    code = page.locator("#booking-code")
    expect(code).to_have_text(re.compile(r"^\d{8}$"))
    return code.inner_text()


def _walk_in_booking(page, base, id_number: str) -> str:
    page.goto(base + "/book/")
    page.locator("[data-service='lost']").click()
    page.locator("[data-day]").first.click()
    page.locator("[data-slot]").first.click()
    return _book_at_the_kiosk(page, id_number)


def test_book_change_and_cancel_from_a_phone(page, live_server, app, screenshot):
    _as_a_phone(app)
    page.set_viewport_size(PHONE_SCREEN)
    page.goto(live_server + "/track/")
    _not_clipped(page, "#number", "330402-261124-0001")
    code, booked_when = _book(page, live_server, screenshot, day_index=2)
    screenshot(page, "booking-confirmation-phone")
    with page.expect_download() as download:
        page.locator("#ics").click()
    assert download.value.suggested_filename == f"appointment-{code}.ics"

    page.context.clear_cookies()  # later, from another visit: code + phone tail
    page.goto(live_server + "/book/manage")
    page.locator("#code").fill(code)
    page.locator("#phone_tail").fill("5678")
    page.locator("#find").click()
    expect(page.locator("#booking-code")).to_have_text(code)
    page.locator("#change").click()
    page.locator("[data-day]").last.click()
    page.locator("[data-slot]").last.click()
    expect(page.locator("#message")).to_be_visible()
    assert page.locator("#when").inner_text() != booked_when
    screenshot(page, "booking-changed-phone")
    page.locator("#cancel").click()  # asks once more
    expect(page.locator("#booking-state")).to_contain_text("已预约")
    screenshot(page, "booking-cancel-confirm-phone")
    page.locator("#keep").click()  # no: nothing changes
    expect(page.locator("#booking-state")).to_contain_text("已预约")
    page.locator("#cancel").click()
    page.locator("#confirm-cancel").click()
    expect(page.locator("#booking-state")).to_contain_text("已取消")


def test_booking_at_the_kiosk_takes_the_application_and_its_keypads(page, live_server, screenshot):
    page.clock.install()
    page.set_viewport_size(KIOSK_SCREEN)
    start(page, live_server)
    answer_identity(page, app_type="renewal_expiry", id_number=LOCAL_ID, name_pinyin=WANG_XIAO_MING, province="33")
    tap_keys(page, when.card_due_for_renewal())
    tap_continue(page)
    answer_situation(page, out_of_hours="yes")
    for _page in ("materials", "plan", "photo"):
        tap_continue(page)
    tap_keys(page, "13812345678")
    tap_continue(page)
    tap_continue(page)  # collect it at the station
    page.locator("#submit").click()
    page.locator("#book-a-time").click()
    screenshot(page, "booking-days-kiosk")
    page.locator("[data-day]").first.click()
    screenshot(page, "booking-slots-kiosk")
    page.locator("[data-slot]").first.click()
    page.wait_for_url(re.compile(r"/book/details\?"))  # the page changes in place: its address follows
    details = page.url
    # Nothing asked again: the details just given, masked, for the person to confirm.
    known = page.locator("#known-details")
    expect(known).to_contain_text("王*明")
    expect(known).to_contain_text(LOCAL_ID[:6] + "********" + LOCAL_ID[-4:])
    expect(known).to_contain_text("138****5678")
    assert LOCAL_ID not in page.content() and "13812345678" not in page.content()
    expect(page.locator("input#id_number")).to_have_count(0)
    assert accessibility_problems(page) == []
    screenshot(page, "booking-known-details-kiosk")
    page.locator("#book").click()
    expect(page.locator("#booking-code")).to_have_text(re.compile(r"^\d{8}$"))
    expect(page.locator("#booking")).to_contain_text("王*明")

    # The person walks away: the idle reset forgets them, and the details with them.
    settled(page)
    page.clock.run_for("02:01")
    expect(page).to_have_url(live_server + "/")
    page.goto(details)
    expect(page.locator("#known-details")).to_have_count(0)
    expect(page.locator("#name")).to_have_value("")
    page.locator(".simple-keyboard .hg-button").first.wait_for()
    assert accessibility_problems(page) == []
    screenshot(page, "booking-details-kiosk")
    # The next person, with the keyboard and keypad, at the first time still free for a walk-in
    # (the first person may have taken the last place of the one above).
    page.goto(live_server + "/book/days?service=renewal_expiry")
    page.locator("[data-day]").first.click()
    page.locator("[data-slot]").first.click()
    code = _book_at_the_kiosk(page, JIANGXI_ID)

    page.context.clear_cookies()
    page.goto(live_server + "/book/manage")
    page.locator("#code").click()
    tap_keys(page, code)
    page.locator("#phone_tail").click()
    tap_keys(page, "5678")
    screenshot(page, "booking-manage-kiosk")
    page.locator("#find").click()
    expect(page.locator("#booking-code")).to_have_text(code)


def test_check_in_at_the_kiosk(page, live_server, app, clock, staff_user, screenshot):
    page.set_viewport_size(KIOSK_SCREEN)
    code = _walk_in_booking(page, live_server, LOCAL_ID)  # the first free time
    page.locator("#print-booking").click()  # this browser is at a kiosk address: its printer is beside it
    expect(page.locator("#print-result")).to_be_visible()
    expect(page.locator("#print-booking")).to_have_count(0)
    screenshot(page, "booking-printed-kiosk")
    page.context.clear_cookies()
    clock.set(_starts(app, code) - dt.timedelta(minutes=10))  # the person comes in shortly before the time
    page.goto(live_server + "/")
    screenshot(page, "welcome")
    page.locator("#check-in").click()  # the slip says: check in at the kiosk with the booking code
    settled(page)
    tap_keys(page, code)
    page.locator("#continue").click()
    expect(page.locator("#checked-in")).to_contain_text(code)
    screenshot(page, "booking-checked-in")
