"""Pixel measurements on a rendering of the photo (the source warped into output coordinates).

Measuring in the photo's own coordinates means every figure is about the picture that would be
produced: level, at the standard's scale, with the rows above and beside the head where the
standard wants plain white.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from photo.loading import Frame
from photo.placement import Placement


@dataclass(frozen=True)
class Rendering:
    rgb: np.ndarray  # H x W x 3 uint8
    inside: np.ndarray  # H x W bool: the pixel comes from inside the source picture
    top: int  # the output-photo row of the rendering's first row (negative: above the photo)

    def rows(self, first: float, last: float) -> slice:
        """Rendering rows covering output rows first..last (clipped to the rendering)."""
        height = self.rgb.shape[0]
        return slice(min(max(round(first) - self.top, 0), height), min(max(round(last) - self.top, 0), height))


def render(frame: Frame, placement: Placement, top: int = 0, bottom: int | None = None) -> Rendering:
    """Output rows `top` up to `bottom` (default: the photo's last), all columns, drawn from the frame."""
    matrix = placement.output_to_source(frame.scale)
    matrix[:, 2] += matrix[:, 1] * top
    size = (placement.output_size[0], (placement.output_size[1] if bottom is None else bottom) - top)
    flags = cv2.WARP_INVERSE_MAP
    rgb = cv2.warpAffine(frame.pixels, matrix, size, flags=flags | cv2.INTER_LINEAR, borderValue=(0, 0, 0))
    return Rendering(rgb=rgb, inside=_inside(matrix, frame.pixels.shape, size), top=top)


def _inside(output_to_source: np.ndarray, source_shape: tuple[int, ...], size: tuple[int, int]) -> np.ndarray:
    """The output pixels drawn from the source: its outline (pixel edges) mapped into the output
    and filled, far cheaper than warping a mask of ones."""
    height, width = source_shape[:2]
    corners = np.array([[-0.5, -0.5], [width - 0.5, -0.5], [width - 0.5, height - 0.5], [-0.5, height - 0.5]])
    outline = (corners - output_to_source[:, 2]) @ np.linalg.inv(output_to_source[:, :2]).T
    mask = np.zeros(size[::-1], np.uint8)
    cv2.fillConvexPoly(mask, np.round(outline * 16).astype(np.int32), 1, shift=4)  # 4 bits below the pixel
    return mask.astype(bool)


def luminance(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)


def matches_colour(rgb: np.ndarray, reference: np.ndarray, tolerance: float) -> np.ndarray:
    """Per pixel: within `tolerance` levels of the reference colour on every channel, the levels
    taken relative to the reference's brightness (as if it were white), so that the same
    contrast counts the same in a dim picture as in a bright one."""
    reach = math.floor(tolerance * max(float(reference.max()), 32.0) / 255)  # levels are whole numbers
    centre = reference.round()
    low, high = np.clip(centre - reach, 0, 255), np.clip(centre + reach, 0, 255)
    pixels = rgb.reshape(-1, 1, 3)  # any shape of pixels, as one column for OpenCV
    return cv2.inRange(pixels, low, high).reshape(rgb.shape[:-1]).astype(bool)


def masked_median(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Per channel, the median level of an H x W x C uint8 image where `mask` is set, as
    `np.median(image[mask], axis=0)` gives it, counted from histograms (no pixels copied)."""
    mask = mask.astype(np.uint8)
    medians = []
    for channel in range(image.shape[2]):
        below = np.cumsum(cv2.calcHist([image], [channel], mask, [256], [0, 256]).ravel())
        count = below[-1]
        # The levels at sorted positions (count - 1) // 2 and count // 2, averaged.
        middle = np.searchsorted(below, [(count - 1) // 2, count // 2], side="right")
        medians.append(middle.mean())
    return np.array(medians)


def ellipse_mask(shape: tuple[int, int], centre: tuple[float, float], radii: tuple[float, float]) -> np.ndarray:
    rows, columns = np.ogrid[: shape[0], : shape[1]]
    return ((columns - centre[0]) / radii[0]) ** 2 + ((rows - centre[1]) / radii[1]) ** 2 <= 1


def find_crown(
    rendering: Rendering,
    background: np.ndarray,
    tolerance: float,
    columns: slice,
    start_row: float,
    min_head_share: float,
) -> float | None:
    """Output row of the top of the head, scanning up a band of columns from `start_row`.

    The head ends at the first row where less than `min_head_share` of the band differs from the
    background colour; at the picture's top edge when the hair reaches it. None when the scan
    runs out of rendering first (no background above the head to find).
    """
    head = ~matches_colour(rendering.rgb[:, columns], background, tolerance)
    inside = rendering.inside[:, columns]
    inside_count = inside.sum(axis=1)
    head_share = (head & inside).sum(axis=1) / np.maximum(inside_count, 1)
    for row in range(rendering.rows(start_row, start_row).start, -1, -1):
        if inside_count[row] == 0 or head_share[row] < min_head_share:
            return float(row + 1 + rendering.top)
    return None


def detail_ratio(grey: np.ndarray) -> float:
    """Variance of the Laplacian relative to the patch's own variance: sharpness that does not
    change with exposure or contrast (the patch is resampled to a fixed face size by the caller)."""
    patch = grey.astype(np.float32)
    return float(cv2.Laplacian(patch, cv2.CV_32F).var() / (patch.var() + 1.0))
