import json

from photo.geometry import GA461


def test_the_standard_numbers():
    assert GA461.size == (358, 441)
    assert GA461.dpi == 350
    assert GA461.face_width_range == (193, 221)
    assert GA461.face_centre_range == (161, 197)
    assert (GA461.crown_margin_min_px, GA461.crown_margin_max_px) == (7, 21)
    assert GA461.eye_line_max_y_px == GA461.height_px - 207


def test_overlay_guides_follow_the_rules():
    guides = GA461.overlay_guides()
    assert guides.head.cx == GA461.face_centre_x_px
    assert 2 * guides.head.rx == GA461.face_width_px
    assert GA461.crown_margin_min_px <= guides.crown_line.y <= GA461.crown_margin_max_px
    assert guides.head.cy - guides.head.ry == guides.crown_line.y
    assert guides.head.cy + guides.head.ry == guides.chin_line.y
    assert guides.crown_line.y < guides.eye_line.y < guides.chin_line.y < GA461.height_px
    assert guides.eye_line.y == GA461.eye_line_max_y_px


def test_normalised_guides_are_fractions_of_the_photo():
    pixels, fractions = GA461.overlay_guides(), GA461.overlay_guides(normalised=True)
    assert fractions.head.cx == pixels.head.cx / GA461.width_px
    assert fractions.head.ry == pixels.head.ry / GA461.height_px
    assert fractions.eye_line.x1 == 1.0
    assert fractions.chin_line.y == pixels.chin_line.y / GA461.height_px


def test_json_for_the_browser():
    document = json.loads(GA461.to_json())
    assert document["rules"]["face_width_px"] == 207
    assert document["guides_px"]["head"]["cx"] == 179
    assert set(document["guides_normalised"]) == {"head", "crown_line", "eye_line", "chin_line"}
