"""Issue 17 in Chromium: the urgent kiosk path on a Friday evening after the hall closed, and the
window officer's case page (approval refused without photo and fee, a confirmed refusal, a return
naming the missing item, a temporary ID applied for at the window). A second station shares the
database; its case never shows."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from kiosk.models import Application
from tests.browser.conftest import VIEWPORTS
from tests.browser.kiosk_driver import answer_identity, answer_situation, staff_sign_in, start, tap_continue, tap_keys
from tests.browser.test_kiosk_wizard import WANG_XIAO_MING
from tests.conftest import LOCAL_ID, STAFF_PASSWORD, aware
from tests.helpers import apply

pytestmark = pytest.mark.browser

FRIDAY_EVENING = aware(2026, 12, 4, 21) + dt.timedelta(minutes=28)  # the hall closed at 20:00


@pytest.fixture
def app_config(app_config):
    """This server serves station 330402: with two stations in the database it must be told which."""
    return app_config | {"STATION_CODE": "330402"}


def _our_numbers(database) -> list[str]:
    with database.reading() as session:
        numbers = session.exec(select(Application.number).order_by(Application.id)).all()
    return [n for n in numbers if n.startswith("330402-")]


def test_an_urgent_lost_card_on_a_friday_evening_is_promised_the_next_opening(page, live_server, clock, screenshot):
    clock.set(FRIDAY_EVENING)
    page.set_viewport_size(VIEWPORTS["portrait"])
    start(page, live_server)
    answer_identity(page, app_type="lost", id_number=LOCAL_ID, name_pinyin=WANG_XIAO_MING, province="33")
    answer_situation(page, urgent="travel")
    page.locator("input[name='held'][value='household_register']").check()
    tap_continue(page)  # materials
    expect(page.locator("#next")).to_contain_text("大厅下次开放时（2026年12月7日星期一）由分管领导审批")
    expect(page.locator("#next")).not_to_contain_text("今天")
    expect(page.locator("#expected")).to_have_text("2026年12月11日星期五")  # 5 working days, not 15
    offer = page.locator("#temporary-offer")
    expect(offer).to_contain_text("10 元，2026年12月7日星期一前办好")
    expect(offer).to_contain_text("08:30-12:00、13:30-20:00")
    screenshot(page, "kiosk-urgent-friday-evening-plan")
    tap_continue(page)  # plan
    tap_continue(page)  # photo
    tap_keys(page, "13812345678")
    tap_continue(page)
    tap_continue(page)  # collect at the station
    page.locator("#submit").click()
    expect(page.locator("#application-number")).to_be_visible()
    expect(page.locator("#temporary-offer")).to_contain_text("10 元")
    expect(page.locator("#next")).to_contain_text("2026年12月7日星期一")
    screenshot(page, "kiosk-urgent-friday-evening-done")


def test_the_window_officer_works_a_case_to_approval_and_a_temporary_id(
    page, live_server, app, database, staff_user, other_station_case, screenshot
):
    apply(app.test_client(), app_type="lost", name="李四", held=["household_register"])
    number = _our_numbers(database)[0]
    page.set_viewport_size(VIEWPORTS["landscape"])
    staff_sign_in(page, live_server, "zhang", STAFF_PASSWORD)
    expect(page.locator("#queue tbody tr")).to_have_count(1)  # not the other station's case
    page.locator("tr", has_text=number).get_by_role("link").click()

    # Approval waits for the photo and the fee.
    page.locator("[data-action='approve'] button").click()
    expect(page.locator("#message")).to_have_text("暂不能办理：还没有照片（请在窗口拍照并登记）、尚未缴费。")
    expect(page.locator("#case-state")).to_have_text("已收到，等待工作人员审核")
    screenshot(page, "staff-approve-refused")

    # Returned for a missing item the officer names.
    form = page.locator("[data-action='request_materials']")
    form.locator("input[name='missing'][value='old_card']").check()
    form.locator("button").click()
    expect(page.locator("#case-state")).to_have_text("待补正材料")
    expect(page.locator("#history")).to_contain_text("通知补正材料 → 待补正材料 · 您的旧身份证")
    page.locator("[data-action='supply_materials'] button").click()

    # A temporary ID at the window, then back to the main case.
    page.locator("#temporary-id").click()
    expect(page.locator("#main-application")).to_be_visible()
    expect(page.locator("h1")).not_to_contain_text(number)
    screenshot(page, "staff-temporary-id")
    page.locator("#main-application").click()
    expect(page.locator(".temporary-id")).to_have_count(1)
    expect(page.locator("#temporary-id")).to_have_count(0)

    page.locator("#photo-taken").click()
    page.locator("#fee-paid").click()
    expect(page.locator("#lacking")).to_have_count(0)
    page.locator("[data-action='approve'] button").click()
    expect(page.locator("#case-state")).to_have_text("已审核通过")
    expect(page.locator("#history")).not_to_contain_text("approve")
    screenshot(page, "staff-approved-after-photo-and-fee")


def test_a_refusal_needs_its_confirmation(page, live_server, app, database, staff_user, other_station_case, screenshot):
    apply(app.test_client(), app_type="lost", name="李四")
    page.set_viewport_size(VIEWPORTS["landscape"])
    staff_sign_in(page, live_server, "zhang", STAFF_PASSWORD)
    page.locator("tr", has_text=_our_numbers(database)[0]).get_by_role("link").click()
    form = page.locator("[data-action='reject']")
    form.locator("select[name='reject_reason']").select_option("duplicate")
    form.locator("button").click()  # the browser holds the form back until it is confirmed
    expect(page.locator("#case-state")).to_have_text("已收到，等待工作人员审核")
    form.locator("#confirm-refusal").check()
    screenshot(page, "staff-refusal-confirmation")
    form.locator("button").click()
    expect(page.locator("#case-state")).to_have_text("审核未通过")
    expect(page.locator("#history")).to_contain_text("人口信息重复或不一致")
    expect(page.locator("#fee-paid")).to_have_count(0)
