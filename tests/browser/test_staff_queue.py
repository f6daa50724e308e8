"""A citizen applies at the kiosk; a window officer signs in and approves it from the queue."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import VIEWPORTS
from tests.browser.kiosk_driver import answer_identity, answer_situation, start, tap_continue, tap_keys
from tests.browser.test_kiosk_wizard import WANG_XIAO_MING
from tests.conftest import LOCAL_ID, STAFF_PASSWORD

pytestmark = pytest.mark.browser


def test_citizen_applies_and_staff_approves(page, live_server, staff_user, screenshot):
    start(page, live_server)
    answer_identity(page, app_type="lost", id_number=LOCAL_ID, name_pinyin=WANG_XIAO_MING, province="33")
    answer_situation(page)
    page.locator("input[name='held'][value='household_register']").check()
    for _ in range(3):
        tap_continue(page)  # materials, plan, photo
    tap_keys(page, "13812345678")
    tap_continue(page)
    tap_continue(page)
    page.locator("#submit").click()
    number = page.locator("#application-number").inner_text()
    assert re.fullmatch(r"330402-\d{6}-\d{4}", number)

    staff = page.context.browser.new_context(viewport=VIEWPORTS["landscape"], locale="zh-CN").new_page()
    staff.goto(live_server + "/staff/")
    staff.get_by_label("用户名").fill("zhang")
    staff.get_by_label("密码").fill(STAFF_PASSWORD)
    staff.locator("button.primary").click()
    row = staff.locator("tr", has_text=number)
    expect(row).to_be_visible()
    assert LOCAL_ID not in staff.locator("body").inner_text()
    screenshot(staff, "staff-queue")
    row.locator("button").click()  # htmx swaps the queue in place
    expect(staff.locator(".flash.ok")).to_contain_text(number)
    expect(staff.locator("tr", has_text=number)).to_have_count(0)
    screenshot(staff, "staff-approved")
