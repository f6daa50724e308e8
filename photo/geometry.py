"""The ID photo's geometry (GA 461 / GA/T 461-2019; docs/domain.md "ID photo"): the one place its
numbers live.

The checks, the crop and the on-screen guide overlay all read them from here. Coordinates are
output-photo pixels: origin at the top left, x to the right, y down.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Ellipse:
    cx: float
    cy: float
    rx: float
    ry: float


@dataclass(frozen=True)
class HorizontalLine:
    y: float
    x0: float
    x1: float


@dataclass(frozen=True)
class OverlayGuides:
    """Shapes a camera preview draws over the live picture to show where the head belongs."""

    head: Ellipse
    crown_line: HorizontalLine
    eye_line: HorizontalLine
    chin_line: HorizontalLine


@dataclass(frozen=True)
class PhotoGeometry:
    width_px: int = 358
    height_px: int = 441
    dpi: int = 350
    # Face width between the ear roots.
    face_width_px: int = 207
    face_width_tolerance_px: int = 14
    # Gap between the top of the hair and the top edge.
    crown_margin_min_px: int = 7
    crown_margin_max_px: int = 21
    # "At least 207 px above the bottom edge"; this rule wins over the crown margin.
    eye_line_max_y_px: int = 234
    face_centre_x_px: int = 179
    face_centre_tolerance_px: int = 18
    max_roll_deg: float = 8.0
    max_yaw_deg: float = 5.0
    # Typical head proportions, as fractions of the face width. They draw the overlay and stand in
    # for a crown the image does not show; the checks measure the real head.
    typical_crown_to_eye: float = 0.9
    typical_eye_to_chin: float = 0.8

    @property
    def size(self) -> tuple[int, int]:
        return self.width_px, self.height_px

    @property
    def face_width_range(self) -> tuple[int, int]:
        return self.face_width_px - self.face_width_tolerance_px, self.face_width_px + self.face_width_tolerance_px

    @property
    def face_centre_range(self) -> tuple[int, int]:
        return (
            self.face_centre_x_px - self.face_centre_tolerance_px,
            self.face_centre_x_px + self.face_centre_tolerance_px,
        )

    @property
    def crown_margin_target_px(self) -> float:
        return (self.crown_margin_min_px + self.crown_margin_max_px) / 2

    def overlay_guides(self, normalised: bool = False) -> OverlayGuides:
        """The guide shapes for a head of typical proportions placed as the crop would place it.

        In output-photo pixels, or as fractions 0..1 of the photo's width (x) and height (y) when
        `normalised`, so a preview of any size can scale them.
        """
        crown_y = self.crown_margin_target_px
        eye_y = min(crown_y + self.typical_crown_to_eye * self.face_width_px, self.eye_line_max_y_px)
        chin_y = eye_y + self.typical_eye_to_chin * self.face_width_px
        half_face = self.face_width_px / 2
        cx = self.face_centre_x_px
        guides = OverlayGuides(
            head=Ellipse(cx=cx, cy=(crown_y + chin_y) / 2, rx=half_face, ry=(chin_y - crown_y) / 2),
            crown_line=HorizontalLine(y=crown_y, x0=cx - half_face / 2, x1=cx + half_face / 2),
            eye_line=HorizontalLine(y=self.eye_line_max_y_px, x0=0, x1=self.width_px),
            chin_line=HorizontalLine(y=chin_y, x0=cx - half_face / 2, x1=cx + half_face / 2),
        )
        return _normalise(guides, self.width_px, self.height_px) if normalised else guides

    def to_dict(self) -> dict:
        """Everything a browser needs to draw and explain the guides (JSON-ready)."""
        return {
            "rules": asdict(self),
            "guides_px": asdict(self.overlay_guides()),
            "guides_normalised": asdict(self.overlay_guides(normalised=True)),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict())


def _normalise(guides: OverlayGuides, width: float, height: float) -> OverlayGuides:
    def line(line: HorizontalLine) -> HorizontalLine:
        return HorizontalLine(y=line.y / height, x0=line.x0 / width, x1=line.x1 / width)

    head = guides.head
    return OverlayGuides(
        head=Ellipse(cx=head.cx / width, cy=head.cy / height, rx=head.rx / width, ry=head.ry / height),
        crown_line=line(guides.crown_line),
        eye_line=line(guides.eye_line),
        chin_line=line(guides.chin_line),
    )


GA461 = PhotoGeometry()
