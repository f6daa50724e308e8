"""Cutting the ID photo from full-resolution pixels and encoding it (see `Report.id_photo`)."""

from __future__ import annotations

import io
import math

import cv2
import numpy as np
from PIL import Image

from photo.loading import srgb_profile
from photo.placement import Placement

# GA 461: quality about 70, which puts a 358 x 441 portrait at the usual 14-20 KB.
JPEG_QUALITY = 70
# Below this scale bilinear sampling would skip source pixels: shrink by area averaging first.
AREA_SHRINK_BELOW_SCALE = 0.5


def render_photo(pixels: np.ndarray, placement: Placement) -> np.ndarray:
    """The photo cut from full-resolution pixels, levelled and positioned by one interpolated
    warp; a source more than twice the photo's size is first shrunk by area averaging, since
    bilinear sampling would skip pixels (alias) beyond a step of two."""
    height, width = pixels.shape[:2]
    x0, y0, x1, y1 = placement.bounding_box()
    x0, y0 = max(math.floor(x0) - 2, 0), max(math.floor(y0) - 2, 0)
    x1, y1 = min(math.ceil(x1) + 2, width), min(math.ceil(y1) + 2, height)
    region = pixels[y0:y1, x0:x1]
    matrix = placement.output_to_source()
    matrix[:, 2] -= (x0, y0)
    if placement.scale < AREA_SHRINK_BELOW_SCALE:
        size = (max(1, round(region.shape[1] * placement.scale)), max(1, round(region.shape[0] * placement.scale)))
        matrix[0] *= size[0] / region.shape[1]
        matrix[1] *= size[1] / region.shape[0]
        region = cv2.resize(region, size, interpolation=cv2.INTER_AREA)
    return cv2.warpAffine(
        region,
        matrix,
        placement.output_size,
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE,
    )


def encode_jpeg(rgb: np.ndarray, dpi: int) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb, "RGB").save(
        buffer,
        "JPEG",
        quality=JPEG_QUALITY,
        dpi=(dpi, dpi),
        icc_profile=srgb_profile().tobytes(),
    )
    return buffer.getvalue()
