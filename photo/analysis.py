"""`analyse`: find the face, choose where the ID photo lies, and check it against GA 461.

The work happens on a copy of the picture reduced to `ANALYSIS_MAX_SIDE`; positions are
reported in the source's own pixels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from photo.detection import Box, DetectedFace, FaceDetector, default_detector
from photo.geometry import GA461, PhotoGeometry
from photo.limits import DEFAULT_LIMITS, QualityLimits
from photo.loading import MAX_PIXELS, Frame, ImageSource, load_frame
from photo.measures import (
    Rendering,
    detail_ratio,
    ellipse_mask,
    find_crown,
    luminance,
    masked_median,
    matches_colour,
    render,
)
from photo.placement import HeadInPhoto, HeadMeasure, Placement, fits_face_width, head_in_photo, place
from photo.report import Check, Limit, Report

ANALYSIS_MAX_SIDE = 640

# Adult head proportions relative to the distance between the pupils (which MTCNN marks):
# the width between the ear roots (bitragion breadth) is about 2.3 times it, and the tip of
# the nose stands about half of it in front of the eyes.
FACE_WIDTH_PER_EYE_DISTANCE = 2.3
NOSE_DEPTH_PER_EYE_DISTANCE = 0.5

# Regions as fractions of the face width, in the level frame around the eye midpoint.
FACE_REGION_CENTRE_BELOW_EYES = 0.16  # skin from just above the eyes to the mouth
FACE_REGION_RADII = (0.3, 0.26)
HEAD_OUTLINE_HALF_WIDTH = 0.85  # hair included, for keeping the head out of the background
CROWN_BAND_HALF_WIDTH = 0.15
CROWN_SCAN_START_ABOVE_EYES = 0.3
CROWN_SCAN_REACH_ABOVE_EYES = 1.4
CROWN_MIN_HEAD_SHARE = 0.3
CLOTHING_STRIP = (0.9, 0.15)  # bottom rows from this share of the height; columns inside this margin


@dataclass(frozen=True)
class _Background:
    colour: np.ndarray  # median RGB
    light: float  # median luminance, share of full scale
    uneven_share: float


def analyse(
    source: ImageSource,
    *,
    geometry: PhotoGeometry = GA461,
    limits: QualityLimits = DEFAULT_LIMITS,
    detector: FaceDetector | None = None,
    last_face: Box | None = None,
    max_decoded_pixels: int = MAX_PIXELS,
) -> Report:
    """Check a picture against the ID-photo standard. Raises `UnreadableImage`, also for a
    picture that would need more than `max_decoded_pixels` decoded (see `load_frame`).

    `last_face`: the `face_box` of the previous frame of a video (live hints). The face is then
    looked for there first, and only if it is gone in the whole picture; a second person who
    came into view is seen only by a whole-picture search.
    """
    frame = load_frame(source, ANALYSIS_MAX_SIDE, max_decoded_pixels)
    detector = detector or default_detector()
    face = None if last_face is None else detector.track(frame.pixels, _scaled(last_face, frame.scale))
    if face is None:
        faces = detector.detect(frame.pixels)
        count = _face_count_check(len(faces))
        if not faces:
            return Report(checks=(count,), placement=None, source=source, geometry=geometry)
        face = detector.refine(frame.pixels, max(faces, key=lambda found: found.area))
    else:
        count = _face_count_check(1)
    head = _measure_head(frame, face, geometry, limits)
    placement = place(head, frame.source_size, geometry)
    in_photo = head_in_photo(head, placement)
    photo = render(frame, placement)
    background = _background(photo, in_photo, geometry, limits)
    checks = (
        count,
        *_geometry_checks(head, in_photo, frame.source_size, geometry),
        *_yaw_checks(frame, face, head, geometry),
        *_background_checks(background, limits),
        *_face_light_checks(photo, in_photo, limits),
        _sharpness_check(frame, head, limits),
        _clothing_check(photo, background.colour, geometry, limits),
    )
    return Report(
        checks=checks,
        placement=placement,
        face_box=_scaled(face.box, 1 / frame.scale),
        source=source,
        geometry=geometry,
    )


def make_id_photo(
    source: ImageSource,
    *,
    geometry: PhotoGeometry = GA461,
    limits: QualityLimits = DEFAULT_LIMITS,
    detector: FaceDetector | None = None,
) -> bytes:
    """The ID photo of a picture as JPEG bytes: `analyse(...).id_photo()`.

    Raises `UnreadableImage`, or `PhotoNotCompliant` listing the failed checks.
    """
    return analyse(source, geometry=geometry, limits=limits, detector=detector).id_photo()


def _scaled(box: Box, factor: float) -> Box:
    x, y, width, height = box
    return (x * factor, y * factor, width * factor, height * factor)


def _measure_head(frame: Frame, face: DetectedFace, geometry: PhotoGeometry, limits: QualityLimits) -> HeadMeasure:
    left = np.array(face.landmarks.left_eye) / frame.scale
    right = np.array(face.landmarks.right_eye) / frame.scale
    dx, dy = right - left
    face_width = FACE_WIDTH_PER_EYE_DISTANCE * math.hypot(dx, dy)
    typical = HeadMeasure(
        eye_midpoint=tuple((left + right) / 2),
        roll_deg=math.degrees(math.atan2(dy, dx)),
        face_width=face_width,
        crown_height=geometry.typical_crown_to_eye * face_width,
    )
    # Place a head of typical height first, then look for the real top of the hair above it.
    provisional = place(typical, frame.source_size, geometry)
    in_photo = head_in_photo(typical, provisional)
    scan_top = math.floor(in_photo.eye_y - CROWN_SCAN_REACH_ABOVE_EYES * in_photo.face_width)
    rendering = render(frame, provisional, top=scan_top, bottom=math.ceil(in_photo.eye_y))  # all it looks at
    background = _background(rendering, in_photo, geometry, limits).colour
    band_half_width = CROWN_BAND_HALF_WIDTH * in_photo.face_width
    crown_row = find_crown(
        rendering,
        background,
        limits.colour_tolerance,
        columns=slice(round(in_photo.face_centre_x - band_half_width), round(in_photo.face_centre_x + band_half_width)),
        start_row=in_photo.eye_y - CROWN_SCAN_START_ABOVE_EYES * in_photo.face_width,
        min_head_share=CROWN_MIN_HEAD_SHARE,
    )
    if crown_row is None:
        return typical
    return replace(typical, crown_height=(in_photo.eye_y - crown_row) / provisional.scale)


def _head_outline(in_photo: HeadInPhoto, geometry: PhotoGeometry) -> tuple[tuple[float, float], tuple[float, float]]:
    """Centre and radii of an ellipse around the head, hair included, from crown to chin."""
    top = in_photo.crown_margin - 3  # clear of the hair's soft edge
    chin = in_photo.eye_y + geometry.typical_eye_to_chin * in_photo.face_width
    return (
        (in_photo.face_centre_x, (top + chin) / 2),
        (HEAD_OUTLINE_HALF_WIDTH * in_photo.face_width, (chin - top) / 2),
    )


def _background(
    rendering: Rendering, in_photo: HeadInPhoto, geometry: PhotoGeometry, limits: QualityLimits
) -> _Background:
    """The background beside and above the head, down to the eye line."""
    rows = rendering.rows(rendering.top, in_photo.eye_y)
    rgb = rendering.rgb[rows]
    centre, radii = _head_outline(in_photo, geometry)
    head = ellipse_mask(rgb.shape[:2], (centre[0], centre[1] - rendering.top - rows.start), radii)
    background = rendering.inside[rows] & ~head
    count = np.count_nonzero(background)
    if count == 0:  # no background to see at all: it fails both checks
        return _Background(colour=np.array([255, 255, 255]), light=0.0, uneven_share=1.0)
    colour = masked_median(rgb, background)
    matching = np.count_nonzero(matches_colour(rgb, colour, limits.colour_tolerance) & background)
    return _Background(
        colour=colour,
        light=float(masked_median(luminance(rgb)[..., None], background)[0] / 255),
        uneven_share=1 - matching / count,
    )


def _face_count_check(count: int) -> Check:
    advice = None if count == 1 else "face_count.none" if count == 0 else "face_count.many"
    return Check("face_count", count == 1, count, (1, 1), advice)


def _geometry_checks(
    head: HeadMeasure, in_photo: HeadInPhoto, frame_size: tuple[int, int], geometry: PhotoGeometry
) -> tuple[Check, ...]:
    smallest_face, _ = geometry.face_width_range
    face_size = _range_check(
        "face_size",
        head.face_width,
        (smallest_face, fits_face_width(frame_size, head.roll_deg, geometry)),
        "face_size.too_small",
        "face_size.too_large",
    )
    crown = _range_check(
        "crown_margin",
        in_photo.crown_margin,
        (geometry.crown_margin_min_px, geometry.crown_margin_max_px),
        "crown_margin.too_small",
        "crown_margin.too_large",
    )
    # GA 461: the eye line wins over the hair rule. When the head is so tall that both cannot hold,
    # the crown margin may be smaller, provided the eyes sit right on the eye line.
    eye_line_wins = (
        in_photo.eye_y - in_photo.crown_margin > geometry.eye_line_max_y_px - geometry.crown_margin_min_px
        and in_photo.crown_margin <= geometry.crown_margin_max_px
        and abs(in_photo.eye_y - geometry.eye_line_max_y_px) < 0.5
    )
    if eye_line_wins:
        crown = replace(crown, ok=True, advice=None)
    return (
        face_size,
        _range_check("face_centre", in_photo.face_centre_x, geometry.face_centre_range, "face_centre", "face_centre"),
        _range_check("eye_line", in_photo.eye_y, (None, geometry.eye_line_max_y_px), None, "eye_line"),
        crown,
        _range_check("roll", head.roll_deg, (-geometry.max_roll_deg, geometry.max_roll_deg), "roll", "roll"),
    )


def _yaw_checks(frame: Frame, face: DetectedFace, head: HeadMeasure, geometry: PhotoGeometry) -> tuple[Check, ...]:
    """The nose's sideways offset from the eye midpoint, for a nose standing out in front of the
    eyes, gives the head's turn. Detectors without a nose landmark make no yaw check."""
    nose = face.landmarks.nose
    if nose is None:
        return ()
    angle = math.radians(head.roll_deg)
    offset = np.array(nose) / frame.scale - np.array(head.eye_midpoint)
    sideways = offset[0] * math.cos(angle) + offset[1] * math.sin(angle)
    eye_distance = head.face_width / FACE_WIDTH_PER_EYE_DISTANCE
    yaw = math.degrees(math.atan2(sideways, NOSE_DEPTH_PER_EYE_DISTANCE * eye_distance))
    return (_range_check("yaw", yaw, (-geometry.max_yaw_deg, geometry.max_yaw_deg), "yaw", "yaw"),)


def _background_checks(background: _Background, limits: QualityLimits) -> tuple[Check, ...]:
    return (
        _range_check("background_light", background.light, (limits.background_light_min, None), "background_light"),
        _range_check(
            "background_even",
            background.uneven_share,
            (None, limits.background_uneven_share_max),
            None,
            "background_even",
        ),
    )


def _face_light_checks(photo: Rendering, in_photo: HeadInPhoto, limits: QualityLimits) -> tuple[Check, ...]:
    grey = luminance(photo.rgb)
    centre = (in_photo.face_centre_x, in_photo.eye_y + FACE_REGION_CENTRE_BELOW_EYES * in_photo.face_width)
    radii = (FACE_REGION_RADII[0] * in_photo.face_width, FACE_REGION_RADII[1] * in_photo.face_width)
    region = ellipse_mask(grey.shape, centre, radii) & photo.inside
    left_side = np.arange(grey.shape[1]) < in_photo.face_centre_x
    skin, left, right = grey[region], grey[region & left_side], grey[region & ~left_side]
    clipped = np.mean((skin <= limits.clipped_dark_level) | (skin >= limits.clipped_bright_level))
    halves = sorted((left.mean(), right.mean()))
    return (
        _range_check(
            "exposure",
            skin.mean() / 255,
            (limits.exposure_min, limits.exposure_max),
            "exposure.too_dark",
            "exposure.too_bright",
        ),
        _range_check("clipping", clipped, (None, limits.clipped_share_max), None, "clipping"),
        _range_check(
            "even_lighting", halves[0] / max(halves[1], 1.0), (limits.lighting_ratio_min, None), "even_lighting"
        ),
    )


def _sharpness_check(frame: Frame, head: HeadMeasure, limits: QualityLimits) -> Check:
    """Sharpness of the face region resampled to a fixed face width, so that it does not depend on
    how large the face is in the picture."""
    size = limits.sharpness_face_width_px
    angle = math.radians(head.roll_deg)
    below = FACE_REGION_CENTRE_BELOW_EYES * head.face_width
    centre = np.array(head.eye_midpoint) + below * np.array([-math.sin(angle), math.cos(angle)])
    patch = Placement(
        centre=(float(centre[0]), float(centre[1])),
        scale=size / head.face_width,
        angle_deg=head.roll_deg,
        output_size=(round(2 * FACE_REGION_RADII[0] * size), round(2 * FACE_REGION_RADII[1] * size)),
    )
    value = detail_ratio(luminance(render(frame, patch).rgb))
    return _range_check("sharpness", value, (limits.sharpness_min, None), "sharpness")


def _clothing_check(
    photo: Rendering, background_colour: np.ndarray, geometry: PhotoGeometry, limits: QualityLimits
) -> Check:
    """A top that matches the background in the bottom strip of the photo merges with it."""
    first_row, margin = CLOTHING_STRIP
    rows = photo.rows(first_row * geometry.height_px, geometry.height_px)
    columns = slice(round(margin * geometry.width_px), round((1 - margin) * geometry.width_px))
    strip = photo.rgb[rows, columns][photo.inside[rows, columns]]
    share = float(np.mean(matches_colour(strip, background_colour, limits.colour_tolerance))) if len(strip) else 0.0
    return _range_check("clothing", share, (None, limits.clothing_background_share_max), None, "clothing")


def _range_check(
    name: str, value: float, limit: Limit, below_advice: str | None, above_advice: str | None = None
) -> Check:
    low, high = limit = tuple(None if end is None else round(float(end), 3) for end in limit)
    value = round(float(value), 3)
    if low is not None and value < low:
        return Check(name, False, value, limit, below_advice)
    if high is not None and value > high:
        return Check(name, False, value, limit, above_advice)
    return Check(name, True, value, limit)
