"""The kiosk's camera: live hints, shots, choosing, the window instead, and staff viewing the photo."""

from __future__ import annotations

import io
import json
import re
import stat
from functools import lru_cache
from pathlib import Path

import pytest
from PIL import Image
from sqlmodel import select

from kiosk.models import Application, ApplicationPhoto, KioskSession
from kiosk.routes.photo import MAX_SHOTS, SHOWN
from tests.conftest import LOCAL_ID, STAFF_PASSWORD
from tests.helpers import answer_situation, post_step
from tests.photo.scenes import empty_seat, portrait


@lru_cache
def compliant_frame() -> bytes:
    return portrait().jpeg()


@lru_cache
def failing_frame() -> bytes:
    buffer = io.BytesIO()
    empty_seat().save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


@lru_cache
def small_compliant_frame() -> bytes:
    buffer = io.BytesIO()
    portrait().image.resize((640, 360)).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def walk_to_photo(client) -> None:
    client.post("/start")
    post_step(client, "type", {"app_type": "lost"})
    post_step(client, "id_number", {"id_number": LOCAL_ID})
    post_step(client, "name", {"name": "王小明"})
    post_step(client, "registration", {"registered_province": "33"})
    answer_situation(client)
    post_step(client, "materials", {"held": []})
    post_step(client, "plan")


def finish(client) -> None:
    post_step(client, "contact", {"phone": "13812345678"})
    post_step(client, "collection", {"method": "station"})
    check = client.get("/apply/check").get_data(as_text=True)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', check).group(1)
    post_step(client, "check", {"idempotency_key": key})


def upload(client, url: str, data: bytes, **headers):
    return client.post(url, data=data, content_type="image/jpeg", headers=headers)


def shoot(client, data: bytes):
    response = upload(client, "/apply/photo/shots", data)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def photo_files(app) -> list[Path]:
    folder = Path(app.instance_path) / "photos"
    return sorted(folder.iterdir()) if folder.exists() else []


def answers(app) -> dict:
    with app.extensions["kiosk_db"].reading() as session:
        rows = session.exec(select(KioskSession)).all()
        return dict(rows[0].answers) if rows else {}


def applications(app) -> list[tuple[Application, ApplicationPhoto | None]]:
    with app.extensions["kiosk_db"].reading() as session:
        rows = session.exec(select(Application)).all()
        return [
            (row, session.exec(select(ApplicationPhoto).where(ApplicationPhoto.application_id == row.id)).first())
            for row in rows
        ]


def test_the_photo_step_offers_the_camera_and_the_window(client):
    walk_to_photo(client)
    page = client.get("/apply/photo").get_data(as_text=True)
    assert 'id="photo-camera"' in page and 'href="/apply/photo/camera"' in page
    assert 'name="photo" value="window"' in page


def test_the_capture_page_carries_the_guides_and_no_inline_script(client):
    walk_to_photo(client)
    response = client.get("/apply/photo/camera")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    overlay = json.loads(re.search(r"data-overlay='([^']+)'", page).group(1))
    assert set(overlay["guides"]) == {"head", "crown_line", "eye_line", "chin_line"}
    assert overlay["photo"] == {"width": 358, "height": 441}
    assert 0 < overlay["guides"]["head"]["cx"] < 1
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", page))
    assert "/static/photo.js" in page
    assert f"{MAX_SHOTS}" in page


def test_the_capture_page_needs_the_wizard_up_to_the_photo(client):
    client.post("/start")
    assert client.get("/apply/photo/camera").status_code == 302
    response = upload(client, "/apply/photo/hints", compliant_frame())
    assert response.status_code == 403 and response.get_json()["error"] == "no_session"


def test_hints_on_a_good_and_a_bad_frame_in_the_session_language(client):
    walk_to_photo(client)
    good = upload(client, "/apply/photo/hints", small_compliant_frame(), **{"X-Frame-Scale": "2"}).get_json()
    assert good == {"ok": True, "face": True, "messages": []}
    bad = upload(client, "/apply/photo/hints", failing_frame()).get_json()
    assert bad["ok"] is False and bad["face"] is False and bad["messages"] == ["没有检测到人脸，请正对摄像头"]
    client.post("/language", data={"lang": "en", "back": "/apply/photo/camera"})
    bad = upload(client, "/apply/photo/hints", failing_frame()).get_json()
    assert bad["messages"] == ["No face found: please look straight at the camera"]
    # The reduced frame alone (no scale given) is too small a face for a real shot.
    small = upload(client, "/apply/photo/hints", small_compliant_frame()).get_json()
    assert small["messages"] == ["Please move closer"]


def test_hints_follow_the_face_and_search_the_whole_frame_every_third_time(client, monkeypatch):
    from kiosk.services.photos import FULL_SEARCH_EVERY
    from photo.detection import MtcnnDetector

    searches = []
    search = MtcnnDetector.detect
    monkeypatch.setattr(MtcnnDetector, "detect", lambda self, rgb: searches.append(1) or search(self, rgb))
    walk_to_photo(client)
    track = None
    for hint in range(2 * FULL_SEARCH_EVERY):
        headers = {"X-Frame-Scale": "2"} | ({"X-Face-Track": track} if track else {})
        response = upload(client, "/apply/photo/hints", small_compliant_frame(), **headers)
        assert response.get_json() == {"ok": True, "face": True, "messages": []}
        track = response.headers["X-Face-Track"]
        assert len(searches) == 1 + hint // FULL_SEARCH_EVERY
    # Nobody in the frame: no face to follow next time.
    response = upload(client, "/apply/photo/hints", failing_frame(), **{"X-Face-Track": track})
    assert response.get_json()["ok"] is False and "X-Face-Track" not in response.headers


@pytest.mark.parametrize(
    "track",
    ["", "nonsense", "1,2,3", "nan,nan,nan,nan,0", "1e300,1e300,1e300,1e300,0", "0,0,0,0,0", "10,10,50,50,-7"],
)
def test_a_hint_with_a_made_up_face_track_is_answered_as_any_other(client, track):
    walk_to_photo(client)
    response = upload(
        client, "/apply/photo/hints", small_compliant_frame(), **{"X-Frame-Scale": "2", "X-Face-Track": track}
    )
    assert response.status_code == 200 and response.get_json() == {"ok": True, "face": True, "messages": []}


def test_a_huge_hint_picture_is_refused_before_it_is_decoded(client, monkeypatch):
    from kiosk.services.photos import HINT_MAX_DECODED_PIXELS
    from photo import loading
    from tests.photo.test_loading import png_claiming

    decoded = []
    decode = loading._decode
    monkeypatch.setattr(loading, "_decode", lambda image: decoded.append(image.size) or decode(image))
    walk_to_photo(client)
    response = upload(client, "/apply/photo/hints", png_claiming(7000, 7000))
    assert response.status_code == 400 and response.get_json()["error"] == "unreadable"
    assert decoded == []
    big_jpeg = io.BytesIO()
    portrait().image.resize((3840, 2160)).save(big_jpeg, "JPEG", quality=80)
    assert upload(client, "/apply/photo/hints", big_jpeg.getvalue()).status_code == 200
    [(width, height)] = decoded  # reduced while decoding
    assert width * height <= HINT_MAX_DECODED_PIXELS


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        (b"", 400, "empty"),
        (b"this is not a picture", 400, "unreadable"),
        (b"\xff\xd8\xff\xe0" + b"\0" * 200, 400, "unreadable"),  # a JPEG's first bytes, then nothing
        (b"\0" * (8 * 1024 * 1024 + 1), 413, "too_large"),
    ],
    ids=["empty", "text", "broken-jpeg", "huge"],
)
@pytest.mark.parametrize("url", ["/apply/photo/hints", "/apply/photo/shots"])
def test_bad_uploads_get_a_clear_json_error(client, app, url, body, status, error):
    walk_to_photo(client)
    response = upload(client, url, body)
    assert response.status_code == status
    assert response.is_json and response.get_json()["error"] == error and response.get_json()["message"]
    assert photo_files(app) == []
    assert answers(app).get("photo_count", 0) == 0  # a picture that never arrived is not a shot


def test_a_compliant_shot_is_kept_for_this_session_only(client, app):
    walk_to_photo(client)
    body = shoot(client, compliant_frame())
    assert body["ok"] is True and body["messages"] == [] and body["remaining"] == MAX_SHOTS - 1
    [file] = photo_files(app)
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert re.fullmatch(r"[0-9a-f]{32}\.jpg", file.name)

    thumbnail = client.get(body["shot"]["url"])
    assert thumbnail.status_code == 200 and thumbnail.mimetype == "image/jpeg"
    assert thumbnail.headers["Cache-Control"] == "no-store"
    assert Image.open(io.BytesIO(thumbnail.data)).size == (358, 441)
    assert client.get(f"/static/../instance/photos/{file.name}").status_code == 404

    other = app.test_client()
    other.post("/start")
    assert other.get(body["shot"]["url"]).status_code == 404


def test_a_failing_shot_says_why_and_counts(client, app):
    walk_to_photo(client)
    body = shoot(client, failing_frame())
    assert body["ok"] is False and body["messages"] == ["没有检测到人脸，请正对摄像头"]
    assert body["remaining"] == MAX_SHOTS - 1 and "shot" not in body
    assert photo_files(app) == []


def test_choosing_keeps_one_and_the_application_stores_it(client, app, staff_user):
    walk_to_photo(client)
    first = shoot(client, compliant_frame())["shot"]
    second = shoot(client, compliant_frame())["shot"]
    assert len(photo_files(app)) == 2

    response = client.post("/apply/photo/choose", data={"shot": second["id"]})
    assert response.status_code == 303 and response.headers["Location"].endswith("/apply/contact")
    [kept] = photo_files(app)
    assert answers(app)["photo"]["file"] == kept.name
    assert client.get(first["url"]).status_code == 404
    step = client.get("/apply/photo").get_data(as_text=True)
    assert second["url"] in step  # Back to the photo step shows the chosen photo

    finish(client)
    [(application, photo)] = applications(app)
    assert application.photo_at_window is False
    assert photo.file == kept.name and photo.report["ok"] is True
    assert photo_files(app) == [kept]  # submitting keeps the chosen file

    staff_client = app.test_client()  # behind the glass: a browser of its own
    assert staff_client.post("/staff/login", data={"username": "zhang", "password": STAFF_PASSWORD}).status_code == 303
    jpeg = staff_client.get(f"/staff/photos/{application.id}.jpg")
    assert jpeg.status_code == 200 and jpeg.mimetype == "image/jpeg"
    assert jpeg.headers["Cache-Control"] == "no-store"
    assert Image.open(io.BytesIO(jpeg.data)).size == (358, 441)
    page = staff_client.get(f"/staff/photos/{application.id}").get_data(as_text=True)
    assert f"/staff/photos/{application.id}.jpg" in page and "face_size" in page


def test_staff_must_sign_in_to_see_a_photo(client, app):
    walk_to_photo(client)
    shot = shoot(client, compliant_frame())["shot"]
    client.post("/apply/photo/choose", data={"shot": shot["id"]})
    finish(client)
    [(application, _photo)] = applications(app)
    anonymous = app.test_client()
    response = anonymous.get(f"/staff/photos/{application.id}.jpg")
    assert response.status_code in (302, 401) and response.mimetype != "image/jpeg"


def test_only_the_newest_shots_are_offered(client, app):
    walk_to_photo(client)
    bodies = [shoot(client, compliant_frame()) for _ in range(SHOWN + 1)]
    assert len(bodies[-1]["shots"]) == SHOWN
    assert len(photo_files(app)) == SHOWN
    assert client.get(bodies[0]["shot"]["url"]).status_code == 404


def test_after_the_last_shot_without_a_usable_one_the_window_takes_it(client, app):
    walk_to_photo(client)
    for _ in range(MAX_SHOTS - 1):
        assert "window" not in shoot(client, failing_frame())
    last = shoot(client, failing_frame())
    assert last["window"] is True and last["remaining"] == 0 and last["next"].endswith("/apply/contact")
    assert last["message"]
    refused = upload(client, "/apply/photo/shots", compliant_frame())
    assert refused.status_code == 409 and refused.get_json()["error"] == "limit"
    finish(client)
    [(application, photo)] = applications(app)
    assert application.photo_at_window is True and photo is None


def test_giving_up_for_the_window_deletes_the_shots_and_flags_the_case(client, app):
    walk_to_photo(client)
    shoot(client, compliant_frame())
    post_step(client, "photo", {"photo": "window"})
    assert photo_files(app) == []
    assert answers(app)["photo"] == "window" and "photo_shots" not in answers(app)
    finish(client)
    [(application, photo)] = applications(app)
    assert application.photo_at_window is True and photo is None


def test_starting_over_deletes_the_shots(client, app):
    walk_to_photo(client)
    shoot(client, compliant_frame())
    assert len(photo_files(app)) == 1
    client.post("/reset")
    assert photo_files(app) == []


def test_the_sweep_deletes_the_shots_of_abandoned_sessions(client, app):
    import datetime as dt

    from kiosk.clock import utcnow
    from kiosk.services.wizard import purge_idle

    walk_to_photo(client)
    shoot(client, compliant_frame())
    later = utcnow() + dt.timedelta(hours=2)
    store = app.extensions["kiosk_photos"]
    forgotten = purge_idle(app.extensions["kiosk_db"], max_idle=dt.timedelta(hours=1), now=later, photo_store=store)
    assert forgotten == 1 and photo_files(app) == []


def test_a_window_station_has_no_camera(client, app, database):
    from kiosk.domain.station import parse_station_settings
    from kiosk.services.station import DEMO_STATION_FILE, install_station, read_settings_file

    doc, _settings = read_settings_file(DEMO_STATION_FILE)
    doc["kiosk"]["photo_capture"] = "window"
    install_station(database, doc, parse_station_settings(doc))
    app.extensions.pop("kiosk_station_cache", None)
    walk_to_photo(client)
    page = client.get("/apply/photo").get_data(as_text=True)
    assert "photo-camera" not in page and 'id="continue"' in page
    assert client.get("/apply/photo/camera").status_code == 302
    assert upload(client, "/apply/photo/shots", compliant_frame()).status_code == 403


def test_the_kiosk_terminals_camera_state_is_recorded_for_the_health_check(client, app, station):
    from kiosk.services.operations import camera_status

    walk_to_photo(client)
    assert 'data-status-url="/apply/photo/camera-status"' in client.get("/apply/photo/camera").get_data(as_text=True)
    refused = client.post("/apply/photo/camera-status", json={"state": "no_camera", "reason": "NotAllowedError"})
    assert refused.status_code == 200
    assert camera_status(app.extensions["kiosk_db"], station.id)["127.0.0.1"] | {"at": None} == {
        "state": "no_camera",
        "reason": "NotAllowedError",
        "at": None,
    }
    upload(client, "/apply/photo/hints", failing_frame())  # a frame arrived: the camera works
    assert camera_status(app.extensions["kiosk_db"], station.id)["127.0.0.1"]["state"] == "working"
    bad = [{"state": "broken"}, {"state": "no_camera", "reason": "<script>"}, {"state": "working", "reason": 7}, []]
    for report in bad:
        assert client.post("/apply/photo/camera-status", json=report).status_code == 400
    for body in (b"[" * 100_000, b"not json", b'{"state": "working", "reason": "' + b"x" * 2000 + b'"}'):
        response = client.post("/apply/photo/camera-status", data=body, content_type="application/json")
        assert response.status_code == 400


def test_only_kiosk_terminals_in_the_wizard_report_a_camera(client, app, station):
    from kiosk.services.operations import camera_status

    client.post("/start")
    assert client.post("/apply/photo/camera-status", json={"state": "no_camera"}).status_code == 403
    walk_to_photo(client)
    phone = {"REMOTE_ADDR": "203.0.113.7"}
    assert client.post("/apply/photo/camera-status", json={"state": "no_camera"}, environ_base=phone).status_code == 200
    # A phone says nothing about the station's cameras.
    assert camera_status(app.extensions["kiosk_db"], station.id) == {}


def test_hints_are_limited_per_kiosk_session_not_per_neighbour(app):
    """A page asking far faster than the camera page does is refused (429) for its own session;
    another session at the same address keeps its hints."""
    app.config["HINTS_RATE_LIMIT"] = "3 per minute"
    flooding, neighbour = app.test_client(), app.test_client()
    walk_to_photo(flooding)
    walk_to_photo(neighbour)
    answers = [upload(flooding, "/apply/photo/hints", small_compliant_frame()).status_code for _ in range(5)]
    assert answers == [200, 200, 200, 429, 429]
    assert upload(neighbour, "/apply/photo/hints", small_compliant_frame()).status_code == 200
