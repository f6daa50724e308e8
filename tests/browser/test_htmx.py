"""htmx in Chromium: kiosk steps change in place (no new document), keypad fields are checked as
they are typed, a double tap sends once; the staff queue's filters and pages and a step on a case
swap their part of the page alone, and a reload takes no step again. Then the same pages with
JavaScript switched off: every link and form still works, as whole pages."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import func, select

from kiosk.models import AuditEvent, PrintJob
from kiosk.routes import staff as staff_routes
from tests.browser.conftest import VIEWPORTS
from tests.browser.kiosk_driver import staff_sign_in, start, tap_keys, type_pinyin
from tests.browser.test_kiosk_wizard import WANG_XIAO_MING
from tests.conftest import JIANGXI_ID, LOCAL_ID, STAFF_PASSWORD
from tests.helpers import apply

pytestmark = pytest.mark.browser

# An ID number of the right length whose check character is wrong.
WRONG_CHECK = LOCAL_ID[:17] + ("0" if LOCAL_ID[17] != "0" else "1")


def _mark_document(page: Page) -> None:
    """Leaves a mark on the document shown: it survives as long as no new document is loaded."""
    page.evaluate("window.sameDocument = true")


def _same_document(page: Page) -> bool:
    return page.evaluate("window.sameDocument === true")


def _count(database, *where) -> int:
    with database.reading() as session:
        return session.exec(select(func.count()).select_from(where[0]).where(*where[1:])).one()


def test_kiosk_steps_change_in_place_and_keypad_fields_are_checked_as_typed(page, live_server, screenshot):
    start(page, live_server)
    _mark_document(page)
    page.locator("button[name='app_type'][value='lost']").click()
    expect(page).to_have_url(live_server + "/apply/id_number")

    feedback = page.locator("#id_number-feedback")
    tap_keys(page, LOCAL_ID[:5])
    expect(feedback).to_have_text("已输入 5 位，共 18 位")
    tap_keys(page, WRONG_CHECK[5:])
    expect(feedback).to_have_class(re.compile("field-error"))
    expect(feedback).to_contain_text("身份证号码")
    page.locator(".keypad [data-key='clear']").click()
    tap_keys(page, LOCAL_ID)
    expect(feedback).to_have_text("✓ 已输完。请核对后点“继续”。")
    screenshot(page, "kiosk-id-number-checked-as-typed")

    submitted = []

    def count_submits(request) -> None:
        if request.method == "POST" and request.headers.get("hx-boosted") == "true":
            submitted.append(request.url)

    page.on("request", count_submits)
    page.locator("#continue").dblclick()  # a double tap
    expect(page).to_have_url(live_server + "/apply/name")
    assert submitted == [live_server + "/apply/id_number"]

    # The keyboard of the page swapped in works, and so does the next step.
    for syllable, character in WANG_XIAO_MING:
        type_pinyin(page, syllable, character)
    expect(page.locator("#name")).to_have_value("王小明")
    page.locator("#continue").click()
    expect(page).to_have_url(live_server + "/apply/registration")
    assert _same_document(page)
    # No copy of a page is kept: htmx stores only the address shown, as browsers' history does.
    stored = page.evaluate("JSON.stringify([Object.assign({}, sessionStorage), Object.assign({}, localStorage)])")
    assert json.loads(stored) == [{"htmx-current-path-for-history": "/apply/registration"}, {}]

    # Back loads the earlier page afresh from the server: no copy of it was kept.
    page.go_back()
    expect(page).to_have_url(live_server + "/apply/name")
    expect(page.locator("#question")).to_be_visible()
    assert not _same_document(page)


def test_the_expiry_date_is_checked_as_typed(page, live_server, clock):
    start(page, live_server)
    page.locator("button[name='app_type'][value='renewal_expiry']").click()
    tap_keys(page, LOCAL_ID)
    page.locator("#continue").click()
    for syllable, character in WANG_XIAO_MING:
        type_pinyin(page, syllable, character)
    page.locator("#continue").click()
    page.locator("#this-province").click()
    expect(page).to_have_url(live_server + "/apply/expiry")
    feedback = page.locator("#card_expires-feedback")
    tap_keys(page, "1999")
    expect(feedback).to_have_text("已输入 4 位，共 8 位")
    tap_keys(page, "0231")  # no 31 February
    expect(feedback).to_have_class(re.compile("field-error"))
    page.locator(".keypad [data-key='clear']").click()
    expect(feedback).to_be_empty()

    # The server forgets a person gone for longer than the idle reset (here the browser's own
    # timer is outrun by moving the clock): the next key takes the whole kiosk back to the first
    # question, with nothing of the page before left inside the field.
    clock.set(clock.now() + dt.timedelta(hours=1))
    tap_keys(page, "2")
    expect(page).to_have_url(live_server + "/apply/type")
    expect(page.locator("button[name='app_type']")).not_to_have_count(0)
    expect(page.locator("#card_expires-feedback")).to_have_count(0)


def test_the_queue_filters_and_pages_swap_the_queue_alone(page, live_server, app, staff_user, monkeypatch, screenshot):
    monkeypatch.setattr(staff_routes, "QUEUE_PAGE_SIZE", 1)
    apply(app.test_client(), app_type="lost")
    apply(app.test_client(), app_type="lost", id_number=JIANGXI_ID, province="36")  # out of province
    page.set_viewport_size(VIEWPORTS["landscape"])
    staff_sign_in(page, live_server, "zhang", STAFF_PASSWORD)
    page.goto(live_server + "/staff/")
    _mark_document(page)
    rows = page.locator("#queue tbody tr")
    expect(rows).to_have_count(1)
    first = rows.first.inner_text()

    page.locator("#next-page").click()
    expect(page).to_have_url(re.compile(r"[?&]page=2\b"))
    expect(rows).to_have_count(1)
    expect(rows.first).not_to_have_text(first)
    expect(page.locator("#earlier-page")).to_be_visible()
    screenshot(page, "staff-queue-second-page")

    page.locator("select[name='oop']").select_option("yes")
    expect(page).to_have_url(re.compile(r"[?&]oop=yes\b"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("省外户籍")
    expect(page.locator("#next-page")).to_have_count(0)
    assert _same_document(page)

    page.reload()  # the address kept the filter: the same queue again
    expect(page.locator("select[name='oop']")).to_have_value("yes")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("省外户籍")


def test_a_step_on_a_case_swaps_the_case_and_a_reload_takes_no_step(page, live_server, app, database, staff_user):
    apply(app.test_client(), app_type="lost")
    page.set_viewport_size(VIEWPORTS["landscape"])
    staff_sign_in(page, live_server, "zhang", STAFF_PASSWORD)
    page.goto(live_server + "/staff/applications/1")
    _mark_document(page)

    page.locator("#print-receipt").click()
    expect(page.locator("#message")).to_have_text("已发送到打印机。")
    page.locator("#fee-paid").click()
    expect(page.locator("#message")).to_have_text("已登记缴费。")
    expect(page.locator("#fee-paid")).to_have_count(0)
    expect(page.locator("#history")).to_contain_text("已缴费")
    assert _same_document(page)
    expect(page).to_have_url(live_server + "/staff/applications/1")

    page.reload()
    expect(page.locator("#history")).to_contain_text("已缴费")
    expect(page.locator("#message")).to_have_count(0)  # the message was the step's answer
    assert _count(database, PrintJob) == 1
    assert _count(database, AuditEvent, AuditEvent.action == "fee_paid") == 1


def test_without_javascript_the_same_links_and_forms_load_whole_pages(browser, live_server, app, database, staff_user):
    apply(app.test_client(), app_type="lost")
    kiosk = browser.new_context(java_script_enabled=False, locale="zh-CN", viewport=VIEWPORTS["portrait"]).new_page()
    kiosk.goto(live_server + "/")
    kiosk.locator("#start").click()
    kiosk.locator("button[name='app_type'][value='lost']").click()
    expect(kiosk).to_have_url(live_server + "/apply/id_number")
    kiosk.locator("#id_number").fill(WRONG_CHECK)  # the keypad needs scripts; the field takes typing
    kiosk.locator("#continue").click()
    expect(kiosk.locator("#id_number-error")).to_contain_text("身份证号码")
    kiosk.locator("#id_number").fill(LOCAL_ID)
    kiosk.locator("#continue").click()
    expect(kiosk).to_have_url(live_server + "/apply/name")

    staff = browser.new_context(java_script_enabled=False, locale="zh-CN", viewport=VIEWPORTS["landscape"]).new_page()
    staff_sign_in(staff, live_server, "zhang", STAFF_PASSWORD)
    staff.goto(live_server + "/staff/")
    staff.locator("select[name='oop']").select_option("no")
    staff.locator("#filters button[type='submit']").click()
    expect(staff).to_have_url(re.compile(r"[?&]oop=no\b"))
    staff.locator("#queue tbody tr a").first.click()
    expect(staff).to_have_url(live_server + "/staff/applications/1")
    staff.locator("#print-receipt").click()
    expect(staff.locator("#message")).to_have_text("已发送到打印机。")
    staff.locator("#fee-paid").click()
    expect(staff.locator("#message")).to_have_text("已登记缴费。")
    expect(staff).to_have_url(live_server + "/staff/applications/1")  # redirected after the step
    staff.reload()
    expect(staff.locator("#message")).to_have_count(0)
    assert _count(database, PrintJob) == 1
    assert _count(database, AuditEvent, AuditEvent.action == "fee_paid") == 1
