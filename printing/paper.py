"""The paper documents are printed on, with the type scale that suits each."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm


@dataclass(frozen=True)
class PaperSize:
    width: float
    height: float | None  # None: roll paper, cut after the content
    margin_x: float
    margin_y: float
    # Type scale and QR size for this paper, in points.
    body: float
    small: float
    title: float
    qr: float

    @property
    def content_width(self) -> float:
        return self.width - 2 * self.margin_x


class Paper(Enum):
    # 80 mm thermal roll: 72 mm printable (576 dots at 203 dpi), 4 mm unprinted either side.
    ROLL_80MM = PaperSize(80 * mm, None, 4 * mm, 5 * mm, body=8.5, small=6.5, title=13, qr=30 * mm)
    A4 = PaperSize(A4[0], A4[1], 18 * mm, 14 * mm, body=10, small=7.5, title=18, qr=36 * mm)
