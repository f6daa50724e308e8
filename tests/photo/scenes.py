"""Synthetic kiosk camera frames built around a real face: scikit-image's astronaut photo.

The astronaut photo (NASA, public domain; shipped inside scikit-image) has a grey studio
background and a white spacesuit, both of which an ID photo forbids. So only the head is used:
it is cut out with an ellipse around it, minus the pixels that look like the grey backdrop (low
colour, light), keeping the largest connected piece with holes filled. `portrait` lays that
head, scaled, turned and placed as asked, on a white background above a dark top (neck and
shoulders drawn as a polygon), which is what a kiosk's camera should see. Every failure case is
a transform of that scene: moved, shrunk, tilted, turned aside, darkened, blurred, glare on
glasses, a busy background, a second head.

Ground truth for the astronaut head in its own 512 x 512 picture was measured by hand: eye
centres, the top of the hair above the eye midpoint, and the face width between the ear roots
(the face's outline at nose level; the ears are under the hair).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, replace
from functools import lru_cache

import cv2
import numpy as np
from PIL import Image
from scipy import ndimage
from skimage import data

ASTRONAUT_LEFT_EYE = (203.0, 101.0)
ASTRONAUT_RIGHT_EYE = (246.0, 103.0)
ASTRONAUT_CROWN_Y = 16.0  # top of the hair straight above the eye midpoint
ASTRONAUT_FACE_WIDTH = 100.0

WHITE = (255, 255, 255)
DARK_TOP = (38, 46, 74)
FRAME_720P = (1280, 720)
FRAME_1080P = (1920, 1080)


@dataclass(frozen=True)
class Scene:
    """A camera frame and where, by construction, the head in it is."""

    image: Image.Image
    left_eye: tuple[float, float]
    right_eye: tuple[float, float]
    crown: tuple[float, float]  # top of the hair above the eye midpoint
    face_width: float

    def jpeg(self, quality: int = 92) -> bytes:
        buffer = io.BytesIO()
        self.image.save(buffer, "JPEG", quality=quality)
        return buffer.getvalue()

    def with_pixels(self, pixels: np.ndarray) -> Scene:
        return replace(self, image=Image.fromarray(pixels.astype(np.uint8), "RGB"))

    @property
    def pixels(self) -> np.ndarray:
        return np.asarray(self.image)


def portrait(
    frame: tuple[int, int] = FRAME_720P,
    face_width: float = 250,
    eye_midpoint: tuple[float, float] | None = None,
    roll_deg: float = 0.0,
    top_colour: tuple[int, int, int] = DARK_TOP,
    background: np.ndarray | None = None,
) -> Scene:
    """The astronaut's head on a plain background above a dark top.

    `eye_midpoint` defaults to where a well-seated person's eyes are: centred, a little above the
    middle of the frame. `roll_deg` turns the head (positive: the right-hand eye lower).
    """
    width, height = frame
    if eye_midpoint is None:
        eye_midpoint = (width / 2, height * 0.42)
    canvas = np.empty((height, width, 3), np.uint8)
    canvas[:] = WHITE if background is None else background
    _draw_top(canvas, eye_midpoint, face_width, top_colour)
    head = _HeadPlacement(eye_midpoint, face_width / ASTRONAUT_FACE_WIDTH, roll_deg)
    _paste_head(canvas, head)
    return Scene(
        image=Image.fromarray(canvas, "RGB"),
        left_eye=head.map(ASTRONAUT_LEFT_EYE),
        right_eye=head.map(ASTRONAUT_RIGHT_EYE),
        crown=head.map((_astronaut_eye_midpoint()[0], ASTRONAUT_CROWN_Y)),
        face_width=face_width,
    )


def empty_seat(frame: tuple[int, int] = FRAME_720P) -> Image.Image:
    """The kiosk's view with nobody's face in it: white background, a dark top below."""
    width, height = frame
    canvas = np.full((height, width, 3), WHITE, np.uint8)
    _draw_top(canvas, (width / 2, height * 0.42), 250, DARK_TOP)
    return Image.fromarray(canvas, "RGB")


def with_second_head(scene: Scene, eye_midpoint: tuple[float, float], face_width: float) -> Scene:
    canvas = scene.pixels.copy()
    _paste_head(canvas, _HeadPlacement(eye_midpoint, face_width / ASTRONAUT_FACE_WIDTH, 0.0))
    return scene.with_pixels(canvas)


def exposed(scene: Scene, gain: float) -> Scene:
    """The whole frame as a camera with `gain` times the exposure would record it."""
    return scene.with_pixels(np.clip(scene.pixels.astype(np.float32) * gain, 0, 255))


def blurred(scene: Scene, sigma: float) -> Scene:
    return scene.with_pixels(cv2.GaussianBlur(scene.pixels, (0, 0), sigma))


def with_glare(scene: Scene, radius: float) -> Scene:
    """Glasses that mirror a lamp: a burnt-out white patch over each eye."""
    canvas = scene.pixels.copy()
    for eye in (scene.left_eye, scene.right_eye):
        centre = (round(eye[0]), round(eye[1]))
        cv2.ellipse(canvas, centre, (round(1.6 * radius), round(radius)), 0, 0, 360, WHITE, -1, cv2.LINE_AA)
    return scene.with_pixels(canvas)


def turned(scene: Scene, nose_shift: float) -> Scene:
    """The head turned to the side, as the camera sees it: the nose and the middle of the face
    pushed sideways by `nose_shift` face widths while the eyes and the outline stay."""
    height, width = scene.pixels.shape[:2]
    rows, columns = np.mgrid[:height, :width].astype(np.float32)
    x = (scene.left_eye[0] + scene.right_eye[0]) / 2
    y = (scene.left_eye[1] + scene.right_eye[1]) / 2 + 0.25 * scene.face_width
    spread = ((columns - x) / (0.12 * scene.face_width)) ** 2 + ((rows - y) / (0.3 * scene.face_width)) ** 2
    shift = nose_shift * scene.face_width * np.exp(-spread)
    return scene.with_pixels(cv2.remap(scene.pixels, columns - shift, rows, cv2.INTER_LINEAR))


def busy_background(frame: tuple[int, int] = FRAME_720P, seed: int = 7) -> np.ndarray:
    """A light wall behind a shelf of books: coloured vertical bands, 2 in 5 of the width, on white.

    The same every run (fixed seed); mostly white, so it is still light, but nowhere plain."""
    width, height = frame
    rng = np.random.default_rng(seed)
    wall = np.full((height, width, 3), 255, np.uint8)
    for left in range(0, width, 50):
        wall[:, left : left + 20] = rng.integers(60, 220, size=3)
    return wall


@dataclass(frozen=True)
class _HeadPlacement:
    """Astronaut-picture coordinates to scene coordinates: scale and turn about the eyes."""

    eye_midpoint: tuple[float, float]
    scale: float
    roll_deg: float

    def matrix(self) -> np.ndarray:
        cos, sin = math.cos(math.radians(self.roll_deg)), math.sin(math.radians(self.roll_deg))
        linear = self.scale * np.array([[cos, -sin], [sin, cos]])
        offset = np.array(self.eye_midpoint) - linear @ np.array(_astronaut_eye_midpoint())
        return np.hstack([linear, offset[:, None]])

    def map(self, point: tuple[float, float]) -> tuple[float, float]:
        x, y = self.matrix() @ np.array([point[0], point[1], 1.0])
        return float(x), float(y)


def _astronaut_eye_midpoint() -> tuple[float, float]:
    return (
        (ASTRONAUT_LEFT_EYE[0] + ASTRONAUT_RIGHT_EYE[0]) / 2,
        (ASTRONAUT_LEFT_EYE[1] + ASTRONAUT_RIGHT_EYE[1]) / 2,
    )


def _paste_head(canvas: np.ndarray, head: _HeadPlacement) -> None:
    rgb, alpha = _astronaut_head()
    size = (canvas.shape[1], canvas.shape[0])
    warped = cv2.warpAffine(rgb, head.matrix(), size, flags=cv2.INTER_LINEAR).astype(np.float32)
    weight = cv2.warpAffine(alpha, head.matrix(), size, flags=cv2.INTER_LINEAR)[..., None]
    canvas[:] = (warped * weight + canvas * (1 - weight)).round().astype(np.uint8)


def _draw_top(canvas: np.ndarray, eye_midpoint: tuple[float, float], face_width: float, colour) -> None:
    """Neck and shoulders in proportion to the face, from just under the chin down."""
    x, y = eye_midpoint
    neck, shoulder = 0.3 * face_width, 1.4 * face_width
    polygon = np.array(
        [
            (x - neck, y + 0.55 * face_width),
            (x + neck, y + 0.55 * face_width),
            (x + neck, y + 0.9 * face_width),
            (x + shoulder, y + 1.2 * face_width),
            (x + shoulder, canvas.shape[0] + 10),
            (x - shoulder, canvas.shape[0] + 10),
            (x - shoulder, y + 1.2 * face_width),
            (x - neck, y + 0.9 * face_width),
        ]
    )
    cv2.fillPoly(canvas, [polygon.round().astype(np.int32)], colour, lineType=cv2.LINE_AA)


@lru_cache(maxsize=1)
def _astronaut_head() -> tuple[np.ndarray, np.ndarray]:
    """The astronaut picture and an alpha matte (0..1) of her head."""
    picture = data.astronaut()
    height, width = picture.shape[:2]
    rows, columns = np.mgrid[:height, :width]
    around_head = ((columns - 227) / 80) ** 2 + ((rows - 98) / 86) ** 2 <= 1
    channels = picture.astype(np.int16)
    backdrop = (channels.max(axis=2) - channels.min(axis=2) < 20) & (channels.mean(axis=2) > 150)
    # Below the cheekbones keep only the jaw, not the spacesuit's collar ring beside it.
    jaw = ((columns - 226) / 46) ** 2 + ((rows - 138) / 46) ** 2 <= 1
    head = ndimage.binary_opening(around_head & ~backdrop & ((rows < 140) | jaw), iterations=2)
    pieces, count = ndimage.label(ndimage.binary_fill_holes(head))
    largest = 1 + int(np.argmax(ndimage.sum(head, pieces, range(1, count + 1))))
    alpha = cv2.GaussianBlur((pieces == largest).astype(np.float32), (0, 0), 0.8)
    return picture, alpha
