"""The foundation's journey: a citizen applies at the kiosk, a window officer approves."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import VIEWPORTS
from tests.conftest import LOCAL_ID, STAFF_PASSWORD

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
def test_citizen_applies_and_staff_approves(page, live_server, staff_user, screenshot, orientation):
    page.set_viewport_size(VIEWPORTS[orientation])
    page.goto(live_server + "/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    screenshot(page, f"slice-apply-{orientation}")

    # A wrong number first: the message appears next to the field and in the summary.
    page.get_by_label("身份证号码").fill(LOCAL_ID[:-1] + ("0" if LOCAL_ID[-1] != "0" else "1"))
    page.locator("input[name=app_type][value=renewal_expiry]").check()
    page.locator("button.primary").click()
    expect(page.locator(".error-summary")).to_be_visible()
    screenshot(page, f"slice-error-{orientation}")

    page.get_by_label("身份证号码").fill(LOCAL_ID)
    page.get_by_label("姓名").fill("王小明")
    page.locator("button.primary").click()
    expect(page.locator("#application-number")).to_have_text(re.compile(r"^330402-\d{6}-\d{4}$"))
    number = page.locator("#application-number").inner_text()
    body = page.locator("body").inner_text()
    assert LOCAL_ID not in body and "王*明" in body
    screenshot(page, f"slice-done-{orientation}")

    # Primary buttons are big enough for a finger.
    box = page.locator("button.primary").bounding_box()
    assert box["height"] >= 64

    staff = page.context.new_page()
    staff.goto(live_server + "/staff/")
    staff.get_by_label("用户名").fill("zhang")
    staff.get_by_label("密码").fill(STAFF_PASSWORD)
    staff.locator("button.primary").click()
    row = staff.locator("tr", has_text=number)
    expect(row).to_be_visible()
    screenshot(staff, f"slice-queue-{orientation}")
    row.locator("button").click()  # htmx swaps the queue in place
    expect(staff.locator(".flash.ok")).to_contain_text(number)
    expect(staff.locator("tr", has_text=number)).to_have_count(0)
    screenshot(staff, f"slice-approved-{orientation}")
