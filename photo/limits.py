"""Limits for the light, background and pose checks (docs/domain.md "ID photo"; the geometry is in
`photo.geometry`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class QualityLimits:
    # Face exposure (GA 461): mean luminance as a share of full scale, and at most this share of
    # face pixels at or beyond the clipping levels.
    exposure_min: float = 0.2
    exposure_max: float = 0.8
    clipped_share_max: float = 0.02
    clipped_dark_level: int = 25
    clipped_bright_level: int = 247
    # Darker half of the face over the brighter half.
    lighting_ratio_min: float = 0.8
    # Background: median luminance share, and the share of its pixels that stand out from it.
    background_light_min: float = 0.75
    background_uneven_share_max: float = 0.05
    # Two colours "match" (background, or a top that merges with it) within this many levels
    # on every channel.
    colour_tolerance: int = 32
    # Share of the bottom strip of the photo (where the top is) that looks like the background.
    clothing_background_share_max: float = 0.5
    # Variance of the Laplacian over variance, on a face resampled to `sharpness_face_width_px`.
    sharpness_min: float = 0.1
    sharpness_face_width_px: int = 96


DEFAULT_LIMITS = QualityLimits()
