"""Appointments in Chromium: book from a phone, change, cancel; print the slip and check in at the kiosk."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from kiosk.services import booking as bookings
from kiosk.services.station import load_station
from tests.browser.kiosk_driver import settled, tap_keys
from tests.conftest import LOCAL_ID

pytestmark = [pytest.mark.browser, pytest.mark.dated]

PHONE_SCREEN = {"width": 390, "height": 844}


def _starts(app, code: str) -> dt.datetime:
    database = app.extensions["kiosk_db"]
    station = load_station(database, "330402")
    return bookings.slot_of(database, bookings.find_booking(database, station, code, "5678"), station).starts


def _book(page, base, day_index=0):
    page.goto(base + "/book/")
    page.locator("[data-service='lost']").click()
    page.locator("[data-day]").nth(day_index).click()
    page.locator("[data-slot]").first.click()
    page.locator("#name").fill("王小明")
    page.locator("#id_number").fill(LOCAL_ID)
    page.locator("#phone").fill("13812345678")
    page.locator("#book").click()
    code = page.locator("#booking-code")
    expect(code).to_have_text(re.compile(r"^\d{8}$"))
    return code.inner_text(), page.locator("#when").inner_text()


def test_book_change_and_cancel_from_a_phone(page, live_server, screenshot):
    page.set_viewport_size(PHONE_SCREEN)
    code, when = _book(page, live_server, day_index=2)
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
    assert page.locator("#when").inner_text() != when
    screenshot(page, "booking-changed-phone")
    page.locator("#cancel").click()
    expect(page.locator("#booking-state")).to_contain_text(re.compile("Cancelled|已取消"))


def test_check_in_at_the_kiosk(page, live_server, app, clock, staff_user, screenshot):
    code, _when = _book(page, live_server)  # the first free time
    page.locator("#print-booking").click()  # this browser is at a kiosk address: its printer is beside it
    expect(page.locator("#print-result")).to_be_visible()
    expect(page.locator("#print-booking")).to_have_count(0)
    screenshot(page, "booking-printed-kiosk")
    page.context.clear_cookies()
    clock.set(_starts(app, code) - dt.timedelta(minutes=10))  # the person comes in shortly before the time
    page.set_viewport_size({"width": 1080, "height": 1920})
    page.goto(live_server + "/")
    screenshot(page, "welcome")
    page.locator("#check-in").click()  # the slip says: check in at the kiosk with the booking code
    settled(page)
    tap_keys(page, code)
    page.locator("#continue").click()
    expect(page.locator("#checked-in")).to_contain_text(code)
    screenshot(page, "booking-checked-in")
