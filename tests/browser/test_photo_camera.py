"""The ID photo at the kiosk's camera, in Chromium with a fake camera showing a real face."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlmodel import select

from kiosk.models import Application, ApplicationPhoto
from tests.browser.conftest import CHROMIUM, VIEWPORTS
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
from tests.photo.scenes import FRAME_720P, portrait

pytestmark = pytest.mark.browser


def write_y4m(image: Image.Image, path: Path, frames: int = 5) -> Path:
    """A few identical frames of `image` as a YUV4MPEG2 4:2:0 video (Chromium's fake camera loops it)."""
    width, height = image.size
    y, cb, cr = image.convert("YCbCr").split()
    half = (width // 2, height // 2)
    frame = (
        y.tobytes() + cb.resize(half, Image.Resampling.BOX).tobytes() + cr.resize(half, Image.Resampling.BOX).tobytes()
    )
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F30:1 Ip A1:1 C420\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + frame)
    return path


@pytest.fixture
def camera_browser(browser_type, browser_type_launch_args, tmp_path):
    """A Chromium of its own whose camera sees a well-seated person (the compliant scene)."""
    video = write_y4m(portrait(FRAME_720P).image, tmp_path / "face.y4m")
    browser = browser_type.launch(
        **{
            **browser_type_launch_args,
            "executable_path": CHROMIUM,
            "args": [
                *browser_type_launch_args.get("args", []),
                "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            ],
        }
    )
    yield browser
    browser.close()


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
