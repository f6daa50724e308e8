"""The Content-Security-Policy in Chromium: the kiosk, booking, staff and camera pages work under
it without a single violation; and the kiosk's camera state reaches /healthz."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from kiosk.services.operations import camera_status
from kiosk.services.staff import Role, create_staff
from tests.browser.conftest import VIEWPORTS
from tests.browser.kiosk_driver import (
    answer_identity,
    answer_situation,
    csp_violations,
    settled,
    staff_sign_in,
    start,
    tap_continue,
    tap_keys,
)
from tests.browser.test_booking import _walk_in_booking
from tests.browser.test_kiosk_wizard import WANG_XIAO_MING, finish_after_situation
from tests.conftest import LOCAL_ID, aware
from tests.helpers import apply

pytestmark = pytest.mark.browser

ADMIN_PASSWORD = "admin password 1"


def _walk_to_photo(page: Page, base: str) -> None:
    start(page, base)
    answer_identity(page, app_type="lost", id_number=LOCAL_ID, name_pinyin=WANG_XIAO_MING, province="33")
    answer_situation(page)
    tap_continue(page)  # materials
    tap_continue(page)  # plan
    expect(page).to_have_url(base + "/apply/photo")


def test_the_kiosk_journey_and_progress_page_keep_to_the_policy(page, live_server):
    violations = csp_violations(page)
    page.goto(live_server + "/")
    page.locator(".display-toggle").click()  # large text, then back
    page.locator(".display-toggle").click()
    start(page, live_server, language="en")
    answer_identity(page, app_type="lost", id_number=LOCAL_ID, name_pinyin=WANG_XIAO_MING, province="33")
    answer_situation(page)
    number = finish_after_situation(page)
    expect(page.locator("#track-qr svg")).to_be_visible()
    page.locator("#print-receipt").click()
    expect(page.locator("#print-result")).to_be_visible()

    page.goto(live_server + "/track/")  # later, from a phone
    page.locator("#number").fill(number)
    page.locator("#phone_tail").fill("5678")
    page.locator("#look-up").click()
    expect(page.locator("#history")).to_be_visible()
    settled(page)
    assert violations == []


def test_booking_pages_keep_to_the_policy(page, live_server, clock):
    clock.set(aware(2026, 11, 24, 9))
    violations = csp_violations(page)
    code = _walk_in_booking(page, live_server, LOCAL_ID)  # the kiosk's keyboard and keypad
    expect(page.locator("#booking-qr svg")).to_be_visible()
    page.context.clear_cookies()
    page.goto(live_server + "/book/manage")
    page.locator("#code").fill(code)
    page.locator("#phone_tail").fill("5678")
    page.locator("#find").click()
    expect(page.locator("#booking-code")).to_have_text(code)
    page.goto(live_server + "/book/check-in")
    tap_keys(page, code)
    page.locator("#continue").click()
    expect(page.locator("#checked-in")).to_contain_text(code)
    assert violations == []


def test_staff_pages_keep_to_the_policy_and_a_violation_would_be_seen(page, live_server, app, database):
    for username, role in (("root", Role.ADMIN), ("boss", Role.SUPERVISOR)):
        create_staff(
            database, station_code="330402", username=username, display_name=username, role=role,
            password=ADMIN_PASSWORD,
        )
    apply(app.test_client())
    page.set_viewport_size(VIEWPORTS["landscape"])
    violations = csp_violations(page)
    staff_sign_in(page, live_server, "root", ADMIN_PASSWORD)
    for path in ("/staff/admin/accounts", "/staff/admin/settings", "/staff/admin/calendar", "/staff/dashboard"):
        page.goto(live_server + path)
        settled(page)
    page.locator("#sign-out").click()
    staff_sign_in(page, live_server, "boss", ADMIN_PASSWORD)
    page.locator("#queue a").first.click()  # the case page (claims it)
    page.locator("[data-action='approve'] button").click()
    expect(page.locator("#case-state")).to_have_text("已审核通过")
    for path in ("/staff/dashboard", "/staff/overdue", "/staff/prints", "/staff/notifications", "/staff/visits/"):
        page.goto(live_server + path)
        settled(page)
    page.goto(live_server + "/staff/")
    settled(page)
    # The queue refreshes itself through htmx every 30 s; one refresh now.
    with page.expect_response(lambda response: response.request.headers.get("hx-request") == "true"):
        page.evaluate("htmx.ajax('GET', '/staff/', {target: '#queue', swap: 'outerHTML'})")
    expect(page.locator("#queue")).to_be_visible()
    assert violations == []

    # The watch works: a style slipped into the page is refused, and seen.
    with page.expect_console_message(lambda message: "Content Security Policy" in message.text):
        page.evaluate("document.head.insertAdjacentHTML('beforeend', '<style>body { color: red; }</style>')")
    assert violations and all("style" in violation for violation in violations)


def test_the_camera_page_keeps_to_the_policy_and_reports_a_working_camera(camera_browser, live_server, app, station):
    page = camera_browser.new_context(viewport=VIEWPORTS["portrait"], locale="zh-CN").new_page()
    violations = csp_violations(page)
    _walk_to_photo(page, live_server)
    page.locator("#photo-camera").click()
    expect(page.locator("#camera")).to_have_attribute("data-state", "good", timeout=15000)  # hints flow
    assert camera_status(app.extensions["kiosk_db"], station.id)["127.0.0.1"]["state"] == "working"
    health = page.request.get(live_server + "/healthz").json()
    assert health["camera"]["terminals"]["127.0.0.1"]["state"] == "working" and health["camera"]["ok"] is True
    assert violations == []


def test_a_kiosk_without_a_camera_says_so_and_the_health_check_knows(page, live_server, app):
    violations = csp_violations(page)
    _walk_to_photo(page, live_server)
    with page.expect_response(lambda response: response.url.endswith("/apply/photo/camera-status")) as reported:
        page.locator("#photo-camera").click()
    assert reported.value.ok
    expect(page.locator("#camera-problem")).to_be_visible()
    expect(page.locator("#shots-left")).to_be_hidden()  # no shots to count, no posture to advise
    expect(page.locator("#camera-lead")).to_be_hidden()
    response = page.request.get(live_server + "/healthz")
    assert response.status == 200
    health = response.json()
    assert health["status"] == "degraded" and health["camera"]["ok"] is False
    terminal = health["camera"]["terminals"]["127.0.0.1"]
    assert terminal["state"] == "no_camera" and re.fullmatch(r"[A-Za-z]+", terminal["reason"])
    assert violations == []
