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

import pytest
from babel.dates import format_date
from playwright.sync_api import Page, expect
from sqlmodel import select

from kiosk.models import Application, Notification, PrintJob, Visit
from kiosk.services import booking as bookings
from kiosk.services.notifications import text_date
from kiosk.services.staff import Role, create_staff
from kiosk.services.station import load_station, printed_opening_hours
from kiosk.services.wording import Wording
from tests import when
from tests.browser.conftest import VIEWPORTS
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
from tests.helpers import apply
from tests.printing.pdf_tools import page_texts, squeezed
from tests.security.conftest import _install_second_station

pytestmark = [pytest.mark.browser, pytest.mark.dated]

STATION = "330402"
PHONE_SCREEN = {"width": 390, "height": 844}
OFFICER, OFFICER_PASSWORD = "li", "officer password"
SUPERVISOR, SUPERVISOR_PASSWORD = "boss", "supervisor password"


@pytest.fixture
def app_config(app_config):
    """This server serves station 330402: with two stations in the database it must be told which."""
    return app_config | {"STATION_CODE": STATION}


@pytest.fixture
def other_station_case(app_config, database, tmp_path):
    """A case at station 330411, on that station's own server, in the same database."""
    from kiosk import create_app

    _install_second_station(database)
    other = create_app(app_config | {"STATION_CODE": "330411", "INSTANCE_PATH": str(tmp_path / "instance-330411")})
    apply(other.test_client(), app_type="lost", name="甄乙某")
    with database.reading() as session:
        case = session.exec(select(Application).where(Application.number.startswith("330411-"))).one()
    yield case
    other.extensions["kiosk_db"].dispose()


# Reading back what the person and the staff are given.


def _application(database, number: str) -> Application:
    with database.reading() as session:
        return session.exec(select(Application).where(Application.number == number)).one()


def _texts(database, application_id: int) -> list[str]:
    """The texts queued for the citizen of an application, oldest first."""
    with database.reading() as session:
        return list(
            session.exec(
                select(Notification.text).where(Notification.application_id == application_id).order_by(Notification.id)
            )
        )


def _printed(app, database, kind: str) -> str:
    """The text of the latest printed document of `kind`, whitespace squeezed out."""
    with database.reading() as session:
        job = session.exec(select(PrintJob).where(PrintJob.kind == kind).order_by(PrintJob.id.desc())).first()
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
    expect(row).to_contain_text("李警官")
    expect(row).to_contain_text(_full_day(day, "zh_Hans"))


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
    application = _application(database, number)
    call_by, ready, fee = application.handling_deadline, application.expected_ready, application.fee_yuan
    assert (application.collection, fee) == ("visit", 40)

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
    receipt = _printed(app, database, "receipt")
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
    [received] = _texts(database, application.id)
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
    visit_text = _texts(database, application.id)[-1]
    assert visit_text.endswith(f"an officer visits you at home on {text_date(chosen_day, 'en')}.")

    # The officer's round on that day, and its slip: the fee and the photo are taken at the door.
    officer = page.context.browser.new_context(viewport=VIEWPORTS["landscape"], locale="zh-CN").new_page()
    _round_on(officer, live_server, station, chosen_day, number)
    screenshot(officer, "walk-home-visit-round")
    slip = _printed(app, database, "round")
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
    for action, state in (("approve", "已审核通过"), ("start_production", "证件正在制作"), ("mark_ready", "已办好")):
        staff.locator(f"[data-action='{action}'] button").click()
        expect(staff.locator("#case-state")).to_contain_text(state)
    screenshot(staff, "walk-home-visit-case")
    ready_text = _texts(database, application.id)[-1]
    assert "An officer brings it to your home" in ready_text and "collect" not in ready_text

    # The card goes home with an officer: the delivery's slips agree with the receipt.
    delivery_day = next(
        slot.starts.date()
        for slot in when.free_times(database, station, bookings.HOME_VISIT, "damaged")
        if slot.starts.date() > chosen_day
    )
    _visit_board_assigns(staff, live_server, number, delivery_day, other_station_case.number)
    _round_on(officer, live_server, station, delivery_day, number)
    slips = _printed(app, database, "round")
    hours = map(squeezed, printed_opening_hours(station))
    for said in ("上门送证（行动不便）", "民警上门送证", "新居民身份证", *hours):
        assert said in slips, said
    assert "窗口" not in slips
