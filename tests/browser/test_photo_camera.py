"""The ID photo at the kiosk's camera, in Chromium with a fake camera showing a real face."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlmodel import select

from kiosk.models import Application, ApplicationPhoto
from tests.browser.conftest import VIEWPORTS
from tests.browser.kiosk_driver import (
    accessibility_problems,
    answer_identity,
    answer_situation,
    start,
    tap_continue,
    tap_keys,
)
from tests.browser.test_kiosk_wizard import WANG_XIAO_MING
from tests.conftest import LOCAL_ID
from tests.photo.scenes import FRAME_720P, empty_seat, portrait

pytestmark = pytest.mark.browser


def _open_camera(browser, live_server):
    page = browser.new_context(viewport=VIEWPORTS["portrait"], locale="zh-CN").new_page()
    start(page, live_server)
    answer_identity(page, app_type="lost", id_number=LOCAL_ID, name_pinyin=WANG_XIAO_MING, province="33")
    answer_situation(page)
    tap_continue(page)  # materials
    tap_continue(page)  # plan
    page.locator("#photo-camera").click()
    expect(page).to_have_url(live_server + "/apply/photo/camera")
    return page


def test_the_shutter_waits_for_a_face(camera_seeing, live_server, screenshot):
    page = _open_camera(camera_seeing(empty_seat(FRAME_720P)), live_server)
    expect(page.locator("#camera")).to_have_attribute("data-state", "adjust", timeout=15000)  # hints flow
    expect(page.locator("#camera-hints")).to_contain_text("没有检测到人脸")
    page.wait_for_timeout(1000)  # several hints later
    expect(page.locator("#take-photo")).to_be_disabled()
    expect(page.locator("#shots-left")).to_contain_text("5")
    screenshot(page, "kiosk-photo-no-face")


def test_a_refused_shot_keeps_its_reason_on_screen_while_the_hints_go_on(camera_seeing, live_server, screenshot):
    page = _open_camera(camera_seeing(portrait(FRAME_720P, face_width=150).image), live_server)  # sitting too far
    take = page.locator("#take-photo")
    expect(take).to_be_enabled(timeout=15000)  # a face is in view, though not yet well placed
    take.click()
    refusal = page.locator("#camera-refusal")
    expect(refusal).to_contain_text("这张照片不能用", timeout=20000)
    expect(page.locator("#shots-left")).to_contain_text("4")
    page.wait_for_timeout(1500)  # four or five live hints later
    expect(refusal).to_be_visible()
    expect(page.locator("#camera-hints")).not_to_contain_text("这张照片不能用")
    screenshot(page, "kiosk-photo-refused")
    take.click()  # the next shot: the old reason goes
    expect(refusal).to_be_hidden()


def test_photo_taken_chosen_and_kept_with_the_application(camera_browser, live_server, app, screenshot):
    context = camera_browser.new_context(viewport=VIEWPORTS["portrait"], locale="zh-CN")
    page = context.new_page()
    start(page, live_server)
    answer_identity(page, app_type="lost", id_number=LOCAL_ID, name_pinyin=WANG_XIAO_MING, province="33")
    answer_situation(page)
    tap_continue(page)  # materials
    tap_continue(page)  # plan
    expect(page).to_have_url(live_server + "/apply/photo")
    page.locator("#photo-camera").click()
    expect(page).to_have_url(live_server + "/apply/photo/camera")

    take = page.locator("#take-photo")
    expect(take).to_be_enabled(timeout=15000)  # the camera is playing
    # The live hints say the person is well placed (the guides turn green).
    expect(page.locator("#camera")).to_have_attribute("data-state", "good", timeout=15000)
    page.wait_for_timeout(300)
    screenshot(page, "kiosk-photo-camera-portrait")
    assert accessibility_problems(page) == []

    for count in (1, 2):
        take.click()
        expect(page.locator("#camera-countdown")).to_be_visible()
        expect(page.locator("#shots .shot")).to_have_count(count, timeout=20000)
        expect(take).to_be_enabled(timeout=10000)
    expect(page.locator("#shots-left")).to_contain_text("3")
    screenshot(page, "kiosk-photo-shots-portrait")
    page.locator("#shots .shot").nth(1).click()

    expect(page).to_have_url(live_server + "/apply/contact")
    tap_keys(page, "13812345678")
    tap_continue(page)
    tap_continue(page)  # collect at the station
    page.locator("#submit").click()
    number = page.locator("#application-number").inner_text()
    context.close()

    with app.extensions["kiosk_db"].reading() as session:
        application = session.exec(select(Application).where(Application.number == number)).one()
        photo = session.exec(select(ApplicationPhoto).where(ApplicationPhoto.application_id == application.id)).one()
    assert application.photo_at_window is False
    assert photo.report["ok"] is True
    folder = Path(app.instance_path) / "photos"
    assert [p.name for p in folder.iterdir()] == [photo.file]  # the other shot is gone
    stored = Image.open(io.BytesIO((folder / photo.file).read_bytes()))
    assert stored.format == "JPEG" and stored.size == (358, 441)
