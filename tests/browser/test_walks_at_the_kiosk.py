"""Issue 17's walks, in Chromium: three people at the kiosk, then at the window officer's screen.
For each, the done page, the printed receipt, the texts sent, the staff case page and the progress
page must agree on the photo, the fee, the collection and the dates. Dates are the Application
row's and the station's calendar, written as each place writes them (journeys.long_day/day_words).

The officer's station shares its database with a second station, whose case must never show."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from kiosk.domain.catalogue import ApplicationType
from tests import when
from tests.browser import journeys
from tests.browser.conftest import VIEWPORTS
from tests.browser.journeys import day_words, described, long_day, value_of
from tests.browser.kiosk_driver import answer_identity, answer_situation, staff_sign_in, start, tap_continue, tap_keys
from tests.browser.test_kiosk_wizard import WANG_XIAO_MING
from tests.conftest import STAFF_PASSWORD, make_id
from tests.printing.pdf_tools import squeezed

# Every walk ends at the window of station 330402, which shares its database with station 330411.
pytestmark = [pytest.mark.browser, pytest.mark.dated, pytest.mark.usefixtures("staff_user", "other_station_case")]

PHONE = "13812345678"


@pytest.fixture
def app_config(app_config):
    """This server serves station 330402: with two stations in the database it must be told which."""
    return app_config | {"STATION_CODE": "330402"}


def born_years_ago(station, years: int) -> dt.date:
    today = when.today(station)
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # born on 29 February
        return today.replace(year=today.year - years, day=28)


def finish_at_the_kiosk(page: Page, screenshot, name: str) -> str:
    """Photo at the window, the phone number, collection here, submit, print the receipt; returns
    the application number (the done page stays on screen)."""
    # The demo station offers its camera; these people have their photo taken at the window.
    expect(page.locator("form:has(#continue) input[name='photo']")).to_have_value("window")
    tap_continue(page)  # photo
    tap_keys(page, PHONE)
    tap_continue(page)
    expect(page.locator("input[name='method'][value='station']")).to_be_checked()
    tap_continue(page)  # collect it here
    page.locator("#submit").click()
    number = page.locator("#application-number")
    expect(number).to_have_text(re.compile(r"^330402-\d{6}-\d{4}$"))
    screenshot(page, f"walk-{name}-done")
    page.locator("#print-receipt").click()
    expect(page.locator("#print-result")).to_be_visible()
    return number.inner_text()


def open_case(browser, live_server: str, number: str) -> Page:
    """The window officer signed in (a screen of their own), on the case `number`."""
    officer = browser.new_context(viewport=VIEWPORTS["landscape"], locale="zh-CN").new_page()
    staff_sign_in(officer, live_server, "zhang", STAFF_PASSWORD)
    expect(officer.locator("#queue tbody tr")).to_have_count(1)  # not the other station's case
    officer.locator("tr", has_text=number).get_by_role("link").click()
    expect(officer.locator("h1")).to_contain_text(number)
    return officer


def without_weekdays(text: str) -> str:
    """A screen's text as the receipt writes it: screens add the weekday to a date, the receipt's
    running text does not."""
    return squeezed(re.sub(r"\s*星期[一二三四五六日]", "", text))


def test_a_70_year_old_renews_here_and_the_window_approves(
    page, live_server, app, database, station, browser, screenshot
):
    id_number = make_id(f"330402{born_years_ago(station, 71):%Y%m%d}123")
    page.set_viewport_size(VIEWPORTS["portrait"])
    start(page, live_server)
    answer_identity(page, app_type="renewal_expiry", id_number=id_number, name_pinyin=WANG_XIAO_MING, province="33")
    tap_keys(page, when.card_due_for_renewal())
    tap_continue(page)

    def offered_by_age(question: str) -> None:
        if question == "special_group":
            expect(page.locator("button[name='special_group'][value='elderly']")).to_have_class(re.compile("selected"))

    answer_situation(page, on_page=offered_by_age, special_group="elderly")
    tap_continue(page)  # materials: none needed
    expect(page.locator("#commitment")).to_contain_text("特殊群体优先办")
    tap_continue(page)  # plan
    number = finish_at_the_kiosk(page, screenshot, "elderly-renewal")
    row = journeys.application(database, number)
    ready = long_day(row.expected_ready, "zh_Hans")

    # The done page.
    expect(page.locator("#photo")).to_have_text("来窗口时现场拍")
    expect(page.locator("#cost")).to_have_text(f"{row.fee_yuan} 元，请到窗口缴费")
    expect(page.locator("#collection")).to_contain_text("到这里领取")
    expect(page.locator("#expected")).to_contain_text(ready)
    expect(page.locator("#next")).to_contain_text(ready)
    # The receipt says the same.
    receipt = journeys.receipt_text(app, database, number)
    for words in ("特殊群体优先办", f"预计领证{ready}", f"{row.fee_yuan}.00元（请到窗口缴纳）", "到受理单位领取"):
        assert words in receipt, words
    assert "证件照在您到窗口时现场拍摄" in receipt
    # The text sent on submission: the review date and the same ready date.
    [received] = journeys.texts_sent(database, number)
    assert day_words(row.handling_deadline, "zh_Hans") in received
    assert day_words(row.expected_ready, "zh_Hans") in received

    # The window officer.
    officer = open_case(browser, live_server, number)
    expect(officer.locator("#situation")).to_contain_text("年满 70 岁")
    expect(officer.locator("#collection")).to_have_text("到派出所领取")
    assert described(officer, "照片") == "到窗口拍照"
    assert described(officer, "费用") == f"{row.fee_yuan} 元 · 未缴费"
    expect(officer.locator("#expected")).to_contain_text(ready)
    expect(officer.locator("#deadline")).to_contain_text(long_day(row.handling_deadline, "zh_Hans"))
    # The history tells the submission in order: made (not sent yet), then sent and received.
    expect(officer.locator("#history li").first).to_contain_text("创建申请 → 还没有提交")
    screenshot(officer, "walk-elderly-renewal-case")
    officer.locator("#photo-taken").click()
    expect(officer.locator("#photo-taken")).to_have_count(0)
    officer.locator("#fee-paid").click()
    expect(value_of(officer, "费用")).to_have_text(f"{row.fee_yuan} 元 · 已缴费")
    officer.locator("[data-action='approve'] button").click()
    expect(officer.locator("#case-state")).to_have_text("已审核通过")
    screenshot(officer, "walk-elderly-renewal-approved")

    # The progress page and the texts follow, with the ready date of the done page.
    approved = journeys.texts_sent(database, number)[-1]
    assert number in approved and "审核通过" in approved
    page.goto(live_server + journeys.progress_path(row))
    expect(page.locator("#state")).to_have_text("已审核通过")
    assert described(page, "预计办好日期").startswith(ready)
    assert journeys.application(database, number).expected_ready == row.expected_ready


def test_a_henan_worker_without_the_household_register_is_told_one_deadline_everywhere(
    page, live_server, app, database, station, browser, screenshot
):
    page.set_viewport_size(VIEWPORTS["portrait"])
    start(page, live_server)
    henan = make_id("41010219850607123")
    answer_identity(page, app_type="lost", id_number=henan, name_pinyin=WANG_XIAO_MING, province="41")
    answer_situation(page)
    expect(page.locator("input[name='held'][value='household_register']")).not_to_be_checked()
    tap_continue(page)  # materials: the household register stays at home
    expect(page.locator("#commitment")).to_contain_text("手续不全限时办")
    tap_continue(page)  # plan
    number = finish_at_the_kiosk(page, screenshot, "henan-missing-document")
    row = journeys.application(database, number)
    promise = station.settings.promise_out_of_province[ApplicationType.LOST]
    assert row.out_of_province and row.expected_ready == when.working_day(station, promise)
    ready, materials_by = long_day(row.expected_ready, "zh_Hans"), long_day(row.materials_deadline, "zh_Hans")

    # The done page: the missing item and its deadline, the out-of-province promise.
    expect(page.locator("#receipt")).to_contain_text("省外户籍")
    assert described(page, "待补正材料").startswith(f"户口簿 — {materials_by}")
    expect(page.locator("#next")).to_contain_text(materials_by)
    expect(page.locator("#expected")).to_contain_text(ready)
    expect(page.locator("#photo")).to_have_text("来窗口时现场拍")
    expect(page.locator("#cost")).to_have_text(f"{row.fee_yuan} 元，请到窗口缴费")
    # The receipt: the same item, the same deadline, the same ready date.
    receipt = journeys.receipt_text(app, database, number)
    for words in ("跨省异地办理", f"户口簿请于{materials_by}前补交", f"预计领证{ready}", "到受理单位领取"):
        assert words in receipt, words
    # The text sent on submission names the item and the deadline too.
    [received] = journeys.texts_sent(database, number)
    for words in ("户口簿", day_words(row.materials_deadline, "zh_Hans"), day_words(row.expected_ready, "zh_Hans")):
        assert words in received, words

    # The officer returns the case for the household register.
    officer = open_case(browser, live_server, number)
    expect(officer.locator("#expected")).to_contain_text(ready)
    assert described(officer, "补正材料期限").startswith(materials_by)
    screenshot(officer, "walk-henan-missing-document-case")
    form = officer.locator("[data-action='request_materials']")
    form.locator("input[name='missing'][value='household_register']").check()
    form.locator("button").click()
    expect(officer.locator("#case-state")).to_have_text("待补正材料")
    expect(officer.locator("#history")).to_contain_text("通知补正材料 → 待补正材料 · 户口簿")
    screenshot(officer, "walk-henan-missing-document-returned")
    assert journeys.application(database, number).materials_deadline == row.materials_deadline  # as promised

    returned = journeys.texts_sent(database, number)[-1]
    assert "户口簿" in returned and day_words(row.materials_deadline, "zh_Hans") in returned
    page.goto(live_server + journeys.progress_path(row))
    expect(page.locator("#state")).to_have_text("待补正材料")
    assert described(page, "待补正材料").startswith(f"户口簿 — {materials_by}")


def test_a_lost_card_and_a_flight_tomorrow_in_traditional_chinese(
    page, live_server, app, database, station, browser, screenshot
):
    page.set_viewport_size(VIEWPORTS["portrait"])
    start(page, live_server, "zh_Hant")
    answer_identity(
        page, app_type="lost", id_number=make_id("33040219900101123"), name_pinyin=WANG_XIAO_MING, province="33"
    )
    answer_situation(page, urgent="travel")
    page.locator("input[name='held'][value='household_register']").check()
    tap_continue(page)  # materials
    expect(page.locator("#commitment")).to_contain_text("要事急事特殊辦")
    offered = without_weekdays(page.locator("#temporary-offer").inner_text())
    tap_continue(page)  # plan
    number = finish_at_the_kiosk(page, screenshot, "flight-tomorrow")
    row = journeys.application(database, number)
    settings = station.settings
    urgent, usual = settings.urgent_ready_days, settings.promise_local[ApplicationType.LOST]
    assert urgent < usual and row.expected_ready == when.working_day(station, urgent)  # the shorter promise
    ready = long_day(row.expected_ready, "zh_Hant")

    # The temporary ID: its fee and dates, in the same words on the plan, the done page and the receipt.
    temporary_fee = settings.fees[ApplicationType.TEMPORARY]
    expect(page.locator("#temporary-offer")).to_contain_text(f"{temporary_fee} 元")
    assert without_weekdays(page.locator("#temporary-offer").inner_text()) == offered
    receipt = journeys.receipt_text(app, database, number)
    assert offered in receipt
    for words in (f"預計{ready}前可領證", f"预计领证{ready}", "證件相在您到窗口時現場拍攝", "到受理单位领取"):
        assert words in receipt, words
    expect(page.locator("#expected")).to_contain_text(ready)
    expect(page.locator("#photo")).to_have_text("來窗口時現場拍")
    expect(page.locator("#cost")).to_have_text(f"{row.fee_yuan} 元，請到窗口繳費")
    [received] = journeys.texts_sent(database, number)
    assert day_words(row.expected_ready, "zh_Hant") in received and "證件" in received

    # Staff: the supervisor's sign-off is asked for, the shorter date shown, the temporary ID started.
    officer = open_case(browser, live_server, number)
    expect(officer.locator("#situation")).to_contain_text("急需用证")
    expect(officer.locator("#sign-off")).to_have_text("待分管领导审批")
    expect(officer.locator("#expected")).to_contain_text(long_day(row.expected_ready, "zh_Hans"))
    expect(officer.locator("#temporary-id")).to_contain_text(f"{temporary_fee} 元")
    screenshot(officer, "walk-flight-tomorrow-case")
    officer.locator("#temporary-id").click()
    expect(officer.locator("#main-application")).to_be_visible()
    screenshot(officer, "walk-flight-tomorrow-temporary-id")
    officer.locator("#main-application").click()
    expect(officer.locator(".temporary-id")).to_have_count(1)
    expect(officer.locator("#temporary-id")).to_have_count(0)

    # The progress page keeps the shorter date.
    page.goto(live_server + journeys.progress_path(row))
    expect(page.locator("#state")).to_have_text("已收到，等待工作人員審核")
    assert described(page, "預計辦好日期").startswith(ready)
