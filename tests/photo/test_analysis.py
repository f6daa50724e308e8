"""`analyse` on camera frames made from the astronaut's real face (see scenes.py).

A well-placed face passes every check; each spoilt frame fails exactly the checks named, and
every failure comes with advice in all three languages.
"""

from __future__ import annotations

import numpy as np
import pytest

from photo import LANGUAGES, analyse
from photo.detection import MtcnnDetector
from photo.geometry import GA461
from photo.messages import MESSAGES
from tests.photo import scenes

ALL_CHECKS = {
    "face_count",
    "face_size",
    "face_centre",
    "eye_line",
    "crown_margin",
    "roll",
    "yaw",
    "background_light",
    "background_even",
    "exposure",
    "clipping",
    "even_lighting",
    "sharpness",
    "clothing",
}


def failed(report) -> set[str]:
    return {check.name for check in report.failures}


def in_photo(report, scene: scenes.Scene) -> dict[str, float]:
    """Where the scene's known head lands in the photo the report's crop makes."""
    eyes = report.placement.to_output(np.array([scene.left_eye, scene.right_eye, scene.crown]))
    return {
        "face_width": scene.face_width * report.placement.scale,
        "face_centre_x": eyes[:2, 0].mean(),
        "eye_y": eyes[:2, 1].mean(),
        "crown_margin": eyes[2, 1],
        "roll_deg": np.degrees(np.arctan2(*(eyes[1] - eyes[0])[::-1])),
    }


def assert_meets_the_standard(landed: dict[str, float]) -> None:
    low, high = GA461.face_width_range
    assert low <= landed["face_width"] <= high
    low, high = GA461.face_centre_range
    assert low <= landed["face_centre_x"] <= high
    assert landed["eye_y"] <= GA461.eye_line_max_y_px
    assert GA461.crown_margin_min_px <= landed["crown_margin"] <= GA461.crown_margin_max_px


@pytest.mark.parametrize("frame", [scenes.FRAME_720P, scenes.FRAME_1080P])
def test_a_well_placed_face_passes_and_its_crop_meets_the_standard(frame):
    scene = scenes.portrait(frame=frame, face_width=250 * frame[0] / 1280)
    report = analyse(scene.jpeg())
    assert {check.name for check in report.checks} == ALL_CHECKS
    assert report.ok, report.failures
    assert_meets_the_standard(in_photo(report, scene))
    assert abs(in_photo(report, scene)["roll_deg"]) < 2


def test_a_small_tilt_is_levelled(good_scene):
    scene = scenes.portrait(roll_deg=-7)  # the astronaut's own tilt is about +3 degrees
    report = analyse(scene.jpeg())
    assert report.ok, report.failures
    assert report.check("roll").value < -2
    landed = in_photo(report, scene)
    assert abs(landed["roll_deg"]) < 1.5
    assert_meets_the_standard(landed)


SPOILT = {
    "too small": (lambda good: scenes.portrait(face_width=150), {"face_size"}),
    # Too close: the photo cannot hold the face at 221 px, so the hair is cut (and shows in
    # the background strip above the head).
    "too close": (lambda good: scenes.portrait(face_width=400), {"face_size", "crown_margin", "background_even"}),
    "off centre": (lambda good: scenes.portrait(eye_midpoint=(160, 302)), {"face_centre"}),
    "seated too low": (lambda good: scenes.portrait(eye_midpoint=(640, 520)), {"eye_line", "crown_margin"}),
    "tilted": (lambda good: scenes.portrait(roll_deg=12), {"roll"}),
    # A dark picture is dark everywhere, and its shadows clip.
    "too dark": (lambda good: scenes.exposed(good, 0.2), {"exposure", "clipping", "background_light"}),
    "overexposed": (lambda good: scenes.exposed(good, 1.4), {"exposure", "clipping"}),
    "blurred": (lambda good: scenes.blurred(good, 4), {"sharpness"}),
    "busy background": (lambda good: scenes.portrait(background=scenes.busy_background()), {"background_even"}),
    "two faces": (lambda good: scenes.with_second_head(good, (150, 250), 180), {"face_count"}),
    "two faces, the second smaller and behind": (
        lambda good: scenes.with_second_head(good, (1080, 200), 150),
        {"face_count"},
    ),
    "turned aside": (lambda good: scenes.turned(good, 0.1), {"yaw"}),
    "turned aside the other way": (lambda good: scenes.turned(good, -0.1), {"yaw"}),
    "glare on glasses": (lambda good: scenes.with_glare(good, 8), {"clipping"}),
    # A dim room: the face is still found and lit enough, but the wall behind turns grey.
    "dim light": (lambda good: scenes.exposed(good, 0.4), {"background_light"}),
    "white top": (lambda good: scenes.portrait(top_colour=(248, 248, 248)), {"clothing"}),
}


@pytest.mark.parametrize("case", SPOILT)
def test_a_spoilt_frame_fails_exactly_the_expected_checks(case, good_scene):
    make, expected = SPOILT[case]
    report = analyse(make(good_scene).jpeg())
    assert {check.name for check in report.checks} == ALL_CHECKS
    assert failed(report) == expected
    for check in report.failures:
        assert all(check.message(lang) for lang in LANGUAGES)


def test_advice_points_the_right_way(good_scene):
    assert analyse(scenes.portrait(face_width=150).jpeg()).check("face_size").advice == "face_size.too_small"
    assert analyse(scenes.portrait(face_width=400).jpeg()).check("face_size").advice == "face_size.too_large"
    assert analyse(scenes.exposed(good_scene, 0.2).jpeg()).check("exposure").advice == "exposure.too_dark"
    assert analyse(scenes.exposed(good_scene, 1.4).jpeg()).check("exposure").advice == "exposure.too_bright"


def test_no_face_is_the_only_check_and_there_is_no_crop():
    report = analyse(scenes.empty_seat())
    assert [check.name for check in report.failures] == ["face_count"]
    assert report.check("face_count").value == 0
    assert report.check("face_count").advice == "face_count.none"
    assert report.crop is None
    assert report.to_dict()["crop"] is None


def test_the_report_as_json(good_report):
    document = good_report.to_dict("en")
    assert set(document) == {"ok", "checks", "crop"}
    assert document["ok"] is True
    assert len(document["crop"]) == 4 and all(isinstance(v, int) for v in document["crop"])
    for check in document["checks"]:
        assert set(check) == {"name", "ok", "value", "limit", "message"}
        assert len(check["limit"]) == 2
        assert check["message"] is None


def test_every_message_is_in_every_language():
    for texts in MESSAGES.values():
        assert set(texts) == set(LANGUAGES)
        assert all(texts.values())


def test_an_unknown_language_is_refused(good_scene):
    check = analyse(scenes.blurred(good_scene, 4).jpeg()).check("sharpness")
    assert check.message("zh_Hant") == "照片模糊，請保持不動"
    with pytest.raises(ValueError, match="unknown language"):
        check.message("fr")


@pytest.fixture
def searches(monkeypatch) -> list[int]:
    """One entry per whole-picture face search."""
    calls: list[int] = []
    search = MtcnnDetector.detect

    def counted(self, rgb):
        calls.append(1)
        return search(self, rgb)

    monkeypatch.setattr(MtcnnDetector, "detect", counted)
    return calls


ONE_FACE = [case for case in SPOILT if not case.startswith("two faces")]


@pytest.mark.parametrize("case", ONE_FACE)
def test_following_the_face_gives_the_same_verdict(case, good_scene, searches):
    make, expected = SPOILT[case]
    frame = make(good_scene).jpeg()
    first = analyse(frame)
    followed = analyse(frame, last_face=first.face_box)
    assert failed(followed) == expected
    for check, tolerance in (("face_size", 0.03 * first.check("face_size").value), ("face_centre", 4), ("roll", 1.5)):
        assert followed.check(check).value == pytest.approx(first.check(check).value, abs=tolerance)
    assert len(searches) == 1  # the second frame was not searched


def test_a_followed_face_that_moved_is_still_found(good_scene, searches):
    before = analyse(good_scene.jpeg())
    moved = scenes.portrait(eye_midpoint=(660, 310))  # 20 px right, 8 px down
    report = analyse(moved.jpeg(), last_face=before.face_box)
    assert report.ok, report.failures
    assert len(searches) == 1
    assert report.face_box[0] == pytest.approx(before.face_box[0] + 20, abs=6)


def test_following_one_face_does_not_see_a_second_person_a_search_does(good_scene):
    first = analyse(good_scene.jpeg())
    crowded = scenes.with_second_head(good_scene, (150, 250), 180).jpeg()
    assert analyse(crowded, last_face=first.face_box).check("face_count").value == 1
    assert analyse(crowded).check("face_count").value == 2


@pytest.mark.parametrize(
    "box",
    [(0.0, 0.0, 0.0, 0.0), (1e12, 1e12, 1e12, 1e12), (-5e3, -5e3, 100.0, 100.0), (float("nan"),) * 4],
    ids=["empty", "huge", "elsewhere", "nan"],
)
def test_a_face_no_longer_where_it_was_is_searched_for(box, good_report, good_jpeg, searches):
    assert analyse(good_jpeg, last_face=box) == good_report
    assert len(searches) == 1
    assert analyse(scenes.empty_seat(), last_face=good_report.face_box).check("face_count").value == 0


def test_a_face_far_behind_outside_the_photo_is_not_a_second_person(good_scene):
    """Faces under a tenth of the searched copy's width (someone across the hall) are not looked
    for: outside the photo they spoil nothing. A nearer one still counts."""
    far_behind = scenes.with_second_head(good_scene, (1120, 160), 70)
    report = analyse(far_behind.jpeg())
    assert report.ok, report.failures
    nearer = scenes.with_second_head(good_scene, (1120, 160), 150)
    assert analyse(nearer.jpeg()).check("face_count").value == 2
