"""`make_id_photo`: the JPEG's properties, and the face measured again in the photo it made."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageCms

from photo import PhotoNotCompliant, analyse, make_id_photo
from photo.analysis import FACE_WIDTH_PER_EYE_DISTANCE
from photo.detection import MtcnnDetector, default_detector
from photo.geometry import GA461
from tests.photo import scenes


@pytest.fixture(scope="module")
def id_photo(good_jpeg) -> bytes:
    return make_id_photo(good_jpeg)


def test_the_jpeg_is_what_the_standard_asks_for(id_photo):
    image = Image.open(io.BytesIO(id_photo))
    assert image.format == "JPEG"
    assert image.size == (358, 441)
    assert image.mode == "RGB"  # 24-bit
    assert image.info["dpi"] == pytest.approx((350, 350))
    assert not image.info.get("progressive")
    assert b"\xff\xc0" in id_photo  # baseline DCT frame header
    profile = ImageCms.ImageCmsProfile(io.BytesIO(image.info["icc_profile"]))
    assert "sRGB" in ImageCms.getProfileDescription(profile)
    assert 10_000 <= len(id_photo) <= 25_000


def test_the_face_measured_again_in_the_photo_meets_the_standard(id_photo):
    pixels = np.asarray(Image.open(io.BytesIO(id_photo)))
    detector = default_detector()
    faces = detector.detect(pixels)
    assert len(faces) == 1
    landmarks = detector.refine(pixels, faces[0]).landmarks
    left, right = np.array(landmarks.left_eye), np.array(landmarks.right_eye)
    low, high = GA461.face_width_range
    assert low <= FACE_WIDTH_PER_EYE_DISTANCE * np.hypot(*(right - left)) <= high
    low, high = GA461.face_centre_range
    assert low <= (left[0] + right[0]) / 2 <= high
    assert (left[1] + right[1]) / 2 <= GA461.eye_line_max_y_px
    assert abs(np.degrees(np.arctan2(right[1] - left[1], right[0] - left[0]))) < 2.5


def test_the_photo_passes_its_own_checks_again(id_photo):
    report = analyse(id_photo)
    assert report.ok, report.failures
    low, high = GA461.crown_margin_min_px, GA461.crown_margin_max_px
    assert low <= report.check("crown_margin").value <= high
    assert report.crop == pytest.approx((0, 0, 358, 441), abs=3)


def test_exif_and_other_metadata_are_not_carried_over(good_scene):
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "Kiosk camera"  # Make
    good_scene.image.save(buffer, "JPEG", quality=92, exif=exif)
    photo = Image.open(io.BytesIO(make_id_photo(buffer.getvalue())))
    assert not photo.getexif()


def test_a_photo_that_cannot_comply_is_refused_with_the_reasons(good_scene):
    with pytest.raises(PhotoNotCompliant) as refused:
        make_id_photo(scenes.blurred(good_scene, 4).jpeg())
    assert [check.name for check in refused.value.failures] == ["sharpness"]
    assert "sharpness" in str(refused.value)
    assert "blurred" in str(refused.value)


def test_no_face_is_refused():
    with pytest.raises(PhotoNotCompliant) as refused:
        make_id_photo(scenes.empty_seat())
    assert [check.name for check in refused.value.failures] == ["face_count"]


def test_the_report_cuts_the_photo_without_looking_for_the_face_again(good_jpeg, id_photo, monkeypatch):
    searches = []
    search = MtcnnDetector.detect
    monkeypatch.setattr(MtcnnDetector, "detect", lambda self, rgb: searches.append(1) or search(self, rgb))
    report = analyse(good_jpeg)
    assert report.id_photo() == id_photo
    assert len(searches) == 1


def test_a_failing_report_gives_no_photo(good_scene):
    report = analyse(scenes.blurred(good_scene, 4).jpeg())
    with pytest.raises(PhotoNotCompliant) as refused:
        report.id_photo()
    assert [check.name for check in refused.value.failures] == ["sharpness"]


@pytest.mark.parametrize(
    "frame, face_width",
    [
        (scenes.FRAME_720P, 250),  # the photo is a little smaller than the face's region: one warp
        ((3840, 2160), 750),  # over twice smaller: shrunk by area averaging first, then warped
    ],
)
def test_the_photo_is_as_sharp_whether_shrunk_a_little_or_a_lot(frame, face_width):
    report = analyse(scenes.portrait(frame=frame, face_width=face_width).jpeg())
    assert report.ok, report.failures
    again = analyse(report.id_photo())
    assert again.ok, again.failures
    assert again.check("sharpness").value >= 0.9 * report.check("sharpness").value
