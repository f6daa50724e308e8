"""Where the ID photo lies in the source picture, and how the face lands in it.

A placement is a rectangle of the photo's proportions, centred on `centre`, turned by
`angle_deg` (the head's roll, so that the photo comes out level) and scaled by `scale` (output
pixels per source pixel). `place` chooses it from the measured head: face width to 207 px, the
face centred, the crown 14 px below the top edge unless that would put the eyes below the eye
line, and the whole rectangle inside the source picture.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from photo.geometry import PhotoGeometry

Point = tuple[float, float]


@dataclass(frozen=True)
class Placement:
    centre: Point
    scale: float
    angle_deg: float
    output_size: tuple[int, int]

    @property
    def source_size(self) -> tuple[float, float]:
        return self.output_size[0] / self.scale, self.output_size[1] / self.scale

    def box(self) -> tuple[int, int, int, int]:
        """[x, y, w, h] of the rectangle in source pixels, before it is turned by `angle_deg`."""
        width, height = self.source_size
        return (
            round(self.centre[0] - width / 2),
            round(self.centre[1] - height / 2),
            round(width),
            round(height),
        )

    def to_output(self, points: np.ndarray) -> np.ndarray:
        """Source points (N x 2) in output-photo coordinates."""
        forward = _invert(self.output_to_source())
        return np.asarray(points, dtype=np.float64) @ forward[:, :2].T + forward[:, 2]

    def output_to_source(self, source_scale: float = 1.0) -> np.ndarray:
        """The 2 x 3 affine matrix from output pixels to source pixels.

        With `source_scale`, to the pixels of a copy of the source resized by that factor (for
        `cv2.warpAffine(..., flags=cv2.WARP_INVERSE_MAP)` on a reduced analysis frame).
        """
        turn = _rotation(self.angle_deg) / self.scale
        half_output = np.array(self.output_size, dtype=np.float64) / 2
        offset = np.array(self.centre) - turn @ half_output
        return source_scale * np.hstack([turn, offset[:, None]])

    def bounding_box(self) -> tuple[float, float, float, float]:
        """The axis-aligned source box that holds the turned rectangle: x0, y0, x1, y1."""
        half_width, half_height = _turned_half_extent(self.source_size, self.angle_deg)
        cx, cy = self.centre
        return cx - half_width, cy - half_height, cx + half_width, cy + half_height


@dataclass(frozen=True)
class HeadMeasure:
    """A head in source pixels, measured in its own level frame."""

    eye_midpoint: Point
    roll_deg: float  # slope of the eye line; positive when the right-hand eye is lower
    face_width: float
    crown_height: float  # from the eye line up to the top of the hair


@dataclass(frozen=True)
class HeadInPhoto:
    """The head as it lands in the photo, in output pixels."""

    face_centre_x: float
    eye_y: float
    crown_margin: float
    face_width: float


def place(head: HeadMeasure, frame_size: tuple[int, int], geometry: PhotoGeometry) -> Placement:
    scale = max(_wanted_scale(head.face_width, geometry), _smallest_fitting_scale(frame_size, head.roll_deg, geometry))
    crown_y = geometry.crown_margin_target_px
    eye_y = min(crown_y + scale * head.crown_height, geometry.eye_line_max_y_px)
    eye_target = np.array([geometry.face_centre_x_px, eye_y])
    turn = _rotation(head.roll_deg) / scale
    centre = np.array(head.eye_midpoint) + turn @ (np.array(geometry.size) / 2 - eye_target)
    half_extent = _turned_half_extent((geometry.width_px / scale, geometry.height_px / scale), head.roll_deg)
    centre = [_clamp_centre(c, half, limit) for c, half, limit in zip(centre, half_extent, frame_size, strict=True)]
    return Placement(
        centre=(float(centre[0]), float(centre[1])), scale=scale, angle_deg=head.roll_deg, output_size=geometry.size
    )


def head_in_photo(head: HeadMeasure, placement: Placement) -> HeadInPhoto:
    eye_x, eye_y = placement.to_output(np.array([head.eye_midpoint]))[0]
    return HeadInPhoto(
        face_centre_x=float(eye_x),
        eye_y=float(eye_y),
        crown_margin=float(eye_y - placement.scale * head.crown_height),
        face_width=placement.scale * head.face_width,
    )


def fits_face_width(frame_size: tuple[int, int], roll_deg: float, geometry: PhotoGeometry) -> float:
    """The widest face (source px) whose photo still fits inside a frame of this size."""
    return geometry.face_width_range[1] / _smallest_fitting_scale(frame_size, roll_deg, geometry)


def _wanted_scale(face_width: float, geometry: PhotoGeometry) -> float:
    """Face to 207 px, except that a face already within tolerance is never enlarged."""
    smallest, _ = geometry.face_width_range
    return min(geometry.face_width_px / face_width, max(1.0, smallest / face_width))


def _smallest_fitting_scale(frame_size: tuple[int, int], roll_deg: float, geometry: PhotoGeometry) -> float:
    half_width, half_height = _turned_half_extent(geometry.size, roll_deg)
    return max(2 * half_width / frame_size[0], 2 * half_height / frame_size[1])


def _turned_half_extent(size: tuple[float, float], angle_deg: float) -> tuple[float, float]:
    cos, sin = abs(math.cos(math.radians(angle_deg))), abs(math.sin(math.radians(angle_deg)))
    width, height = size
    return (width * cos + height * sin) / 2, (width * sin + height * cos) / 2


def _clamp_centre(centre: float, half_extent: float, limit: float) -> float:
    if 2 * half_extent >= limit:
        return limit / 2
    return min(max(centre, half_extent), limit - half_extent)


def _rotation(angle_deg: float) -> np.ndarray:
    cos, sin = math.cos(math.radians(angle_deg)), math.sin(math.radians(angle_deg))
    return np.array([[cos, -sin], [sin, cos]])


def _invert(affine: np.ndarray) -> np.ndarray:
    linear = np.linalg.inv(affine[:, :2])
    return np.hstack([linear, -(linear @ affine[:, 2])[:, None]])
