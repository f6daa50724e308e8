"""Real Chromium (Debian's, never a downloaded build) against the app served on localhost."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from PIL import Image
from werkzeug.serving import make_server

from tests.conftest import ARTIFACTS
from tests.photo.scenes import FRAME_720P, portrait

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = ARTIFACTS / "screenshots"

# Portrait and landscape kiosk screens.
VIEWPORTS = {"portrait": {"width": 1080, "height": 1920}, "landscape": {"width": 1920, "height": 1080}}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # The kiosk's own browser is set to Chinese.
    return {**browser_context_args, "locale": "zh-CN"}


@pytest.fixture
def live_server(app):
    """The app on a free localhost port, in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> None:
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return take


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
def camera_seeing(browser_type, browser_type_launch_args, tmp_path):
    """`camera_seeing(image)`: a Chromium of its own whose camera sees `image`."""
    browsers = []

    def launch(image: Image.Image):
        video = write_y4m(image, tmp_path / f"camera-{len(browsers)}.y4m")
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
        browsers.append(browser)
        return browser

    yield launch
    for browser in browsers:
        browser.close()


@pytest.fixture
def camera_browser(camera_seeing):
    """A Chromium whose camera sees a well-seated person (the compliant scene)."""
    return camera_seeing(portrait(FRAME_720P).image)
