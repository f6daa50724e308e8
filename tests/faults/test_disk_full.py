"""The disk of the photo folder is full when the kiosk keeps a shot: a real, small filesystem
mounted on <instance>/photos and filled up."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.consistency import problems
from tests.faults.tools import fill, small_filesystem
from tests.routes.test_photo import answers, applications, compliant_frame, finish, shoot, upload, walk_to_photo


@pytest.fixture
def photo_disk(app):
    with small_filesystem(Path(app.instance_path) / "photos", "256k") as folder:
        yield folder


def jpegs(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.glob("*.jpg"))


def test_a_full_disk_keeps_no_half_photo_and_the_citizen_can_go_on_once_there_is_room(
    client, app, database, photo_disk
):
    walk_to_photo(client)
    client.post("/language", data={"lang": "en", "back": "/apply/photo/camera"})
    ballast = fill(photo_disk, leave=8192)
    room = os.statvfs(photo_disk).f_bavail * os.statvfs(photo_disk).f_frsize
    assert 0 < room < 13_000, room  # room for the first part of the photo only

    response = upload(client, "/apply/photo/shots", compliant_frame())
    assert response.status_code == 503 and response.is_json
    body = response.get_json()
    assert body["error"] == "not_saved" and "could not be saved" in body["message"]
    assert jpegs(photo_disk) == []  # the part that was written is gone
    assert answers(app).get("photo_count", 0) == 0  # and the shot does not count
    assert problems(database, app.instance_path) == []

    ballast.unlink()
    shot = shoot(client, compliant_frame())["shot"]
    [name] = jpegs(photo_disk)
    assert answers(app)["photo_shots"][0]["file"] == name
    assert client.get(shot["url"]).status_code == 200
    client.post("/apply/photo/choose", data={"shot": shot["id"]})
    finish(client)
    [(application, photo)] = applications(app)
    assert photo.file == name and not application.photo_at_window
    assert problems(database, app.instance_path) == []
