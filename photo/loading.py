"""Turning whatever the caller has (bytes, a path, a PIL image) into upright 8-bit sRGB pixels.

Hostile or odd input ends in `UnreadableImage` or in a correct picture: EXIF orientation is
applied, alpha is laid on white, CMYK and embedded ICC profiles are converted to sRGB, 16-bit
greyscale is scaled down rather than clipped, and anything over `MAX_PIXELS` (or a caller's
tighter `max_decoded_pixels`) is refused from its header, before it is decoded.
"""

from __future__ import annotations

import io
import math
import os
import warnings
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
from PIL import ExifTags, Image, ImageCms, ImageOps

from photo.errors import UnreadableImage

ImageSource = bytes | bytearray | memoryview | str | os.PathLike | Image.Image

# 50 megapixels: beyond any camera a kiosk or phone delivers in normal use, and about 150 MB once
# decoded. Larger inputs are refused unread (decompression bombs).
MAX_PIXELS = 50_000_000

_SIXTEEN_BIT_MODES = {"I;16", "I;16L", "I;16B", "I;16N", "I"}


@dataclass(frozen=True)
class Frame:
    """An upright RGB copy of the source, possibly reduced, with the factor to get back."""

    pixels: np.ndarray  # H x W x 3, uint8, sRGB
    scale: float  # frame pixels per source pixel (1.0 when not reduced)
    source_size: tuple[int, int]  # the upright source's width and height


def load_image(source: ImageSource) -> np.ndarray:
    """The whole picture, upright, as an H x W x 3 uint8 sRGB array."""
    return load_frame(source).pixels


def load_frame(source: ImageSource, max_side: int | None = None, max_decoded_pixels: int = MAX_PIXELS) -> Frame:
    """The picture reduced so that its longer side is at most `max_side` pixels.

    JPEG input is reduced while decoding (much faster than decoding in full and shrinking). A
    picture that would still need more than `max_decoded_pixels` decoded is refused unread.
    """
    if isinstance(source, Image.Image):
        return _frame(source, max_side, MAX_PIXELS, may_draft=False)  # the caller's image: not to be altered
    with _open(source) as image:
        return _frame(image, max_side, max_decoded_pixels, may_draft=image.format == "JPEG")


def _frame(image: Image.Image, max_side: int | None, max_decoded_pixels: int, may_draft: bool) -> Frame:
    _refuse_unreasonable_size(image, MAX_PIXELS)
    full_size = image.size
    ratio = 1.0 if max_side is None else min(1.0, max_side / max(full_size))
    if ratio < 1.0 and may_draft:
        image.draft("RGB", (math.ceil(image.width * ratio), math.ceil(image.height * ratio)))
    stored_size = image.size  # what will be decoded: the header's size, or the draft's
    _refuse_unreasonable_size(image, max_decoded_pixels)
    pixels = _decode(image)
    turned = (pixels.shape[1], pixels.shape[0]) != stored_size  # by EXIF orientation
    width, height = full_size[::-1] if turned else full_size
    if ratio < 1.0:
        size = (max(1, round(width * ratio)), max(1, round(height * ratio)))
        pixels = cv2.resize(pixels, size, interpolation=cv2.INTER_AREA)
    return Frame(pixels=np.ascontiguousarray(pixels), scale=pixels.shape[1] / width, source_size=(width, height))


def _open(source: bytes | bytearray | memoryview | str | os.PathLike) -> Image.Image:
    if isinstance(source, (bytes, bytearray, memoryview)):
        source = io.BytesIO(bytes(source))
    elif not isinstance(source, (str, os.PathLike)):
        raise TypeError(f"expected image bytes, a path or a PIL image, not {type(source).__name__}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(source)
    except (OSError, Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise UnreadableImage(f"not a readable image: {error}") from error


def _refuse_unreasonable_size(image: Image.Image, max_pixels: int) -> None:
    if image.width < 1 or image.height < 1:
        raise UnreadableImage("the image is empty")
    if image.width * image.height > max_pixels:
        raise UnreadableImage(f"the image has {image.width}x{image.height} pixels; at most {max_pixels} are accepted")


def _decode(image: Image.Image) -> np.ndarray:
    try:
        with warnings.catch_warnings():
            # Odd metadata (corrupt EXIF, palette transparency) is not the caller's business.
            warnings.simplefilter("ignore")
            image.load()
            if image.getexif().get(ExifTags.Base.Orientation, 1) != 1:  # else exif_transpose copies
                image = ImageOps.exif_transpose(image)
            return np.asarray(_to_srgb(image))
    # Decoders raise many exception types on broken or hostile files; all of them mean unreadable.
    except Exception as error:
        raise UnreadableImage(f"the image cannot be decoded: {error}") from error


def _to_srgb(image: Image.Image) -> Image.Image:
    if image.mode in _SIXTEEN_BIT_MODES:
        image = Image.fromarray((np.asarray(image, dtype=np.float32) / 257).clip(0, 255).astype(np.uint8))
    elif image.mode == "F":
        image = Image.fromarray(np.asarray(image).clip(0, 255).astype(np.uint8))
    if image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        image = Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba)
    profile = image.info.get("icc_profile")
    if profile and image.mode in ("RGB", "CMYK"):
        converted = _apply_profile(image, profile)
        if converted is not None:
            return converted
    return image if image.mode == "RGB" else image.convert("RGB")  # converting copies, even to RGB


def _apply_profile(image: Image.Image, profile: bytes) -> Image.Image | None:
    """The image converted through its embedded profile to sRGB; None if the profile is unusable."""
    try:
        embedded = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        if image.mode == "RGB" and ImageCms.getProfileDescription(embedded).strip().startswith("sRGB"):
            return image
        return ImageCms.profileToProfile(image, embedded, srgb_profile(), outputMode="RGB")
    except (ImageCms.PyCMSError, OSError, ValueError):
        return None


@lru_cache(maxsize=1)
def srgb_profile() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
