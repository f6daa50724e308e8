"""The crop arithmetic, on heads described by numbers (no pictures)."""

import numpy as np
import pytest

from photo.geometry import GA461
from photo.placement import HeadMeasure, fits_face_width, head_in_photo, place

FRAME = (1280, 720)


def head(**changes) -> HeadMeasure:
    values = dict(eye_midpoint=(640.0, 300.0), roll_deg=0.0, face_width=250.0, crown_height=225.0)
    return HeadMeasure(**(values | changes))


def test_a_well_placed_head_lands_on_the_standard():
    measure = head()
    placement = place(measure, FRAME, GA461)
    landed = head_in_photo(measure, placement)
    assert landed.face_width == pytest.approx(207)
    assert landed.face_centre_x == pytest.approx(179)
    assert landed.crown_margin == pytest.approx(14)
    assert landed.eye_y == pytest.approx(14 + 225 * 207 / 250)
    assert placement.box() == (round(640 - 179 * 250 / 207), round(300 - landed.eye_y * 250 / 207), 432, 533)


def test_a_face_within_tolerance_is_not_enlarged():
    placement = place(head(face_width=200.0), FRAME, GA461)
    assert placement.scale == 1.0


def test_the_eye_line_wins_over_the_hair_rule():
    tall = head(crown_height=300.0)  # 248 px above the eyes at scale: no crop satisfies both
    landed = head_in_photo(tall, place(tall, FRAME, GA461))
    assert landed.eye_y == pytest.approx(GA461.eye_line_max_y_px)
    assert landed.crown_margin < GA461.crown_margin_min_px


def test_the_crop_stays_inside_the_frame_and_the_face_moves_off_centre():
    measure = head(eye_midpoint=(100.0, 300.0))
    placement = place(measure, FRAME, GA461)
    x0, _, _, _ = placement.bounding_box()
    assert x0 == pytest.approx(0)
    assert head_in_photo(measure, placement).face_centre_x < GA461.face_centre_range[0]


def test_a_turned_crop_levels_the_eyes():
    measure = head(roll_deg=6.0)
    placement = place(measure, FRAME, GA461)
    angle = np.radians(6.0)
    half = 50 * np.array([np.cos(angle), np.sin(angle)])
    eyes = placement.to_output(np.array(measure.eye_midpoint) + np.array([-half, half]))
    assert eyes[0, 1] == pytest.approx(eyes[1, 1])
    assert eyes[1, 0] - eyes[0, 0] == pytest.approx(100 * placement.scale)


def test_output_and_source_coordinates_are_inverse():
    placement = place(head(roll_deg=-4.0), FRAME, GA461)
    corners = np.array([[0.0, 0.0], [358.0, 441.0], [100.0, 20.0]])
    matrix = placement.output_to_source()
    in_source = corners @ matrix[:, :2].T + matrix[:, 2]
    assert placement.to_output(in_source) == pytest.approx(corners)


def test_the_widest_face_that_fits():
    widest = fits_face_width(FRAME, 0.0, GA461)
    assert widest == pytest.approx(221 * 720 / 441)
    assert fits_face_width(FRAME, 8.0, GA461) < widest
