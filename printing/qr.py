"""QR codes drawn as vector paths: sharp at any printer resolution, thermal heads included."""

from __future__ import annotations

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.pdfgen.canvas import Canvas

QUIET_ZONE = 4  # modules of white around the symbol, as ISO/IEC 18004 asks


def qr_modules(data: str) -> list[list[bool]]:
    """The dark (True) and light modules of `data`'s QR code, quiet zone included."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_ZONE)
    code.add_data(data)
    code.make(fit=True)
    return code.get_matrix()


def draw_qr(canvas: Canvas, data: str, x: float, y: float, size: float) -> None:
    """Draw `data`'s QR code as a `size` square (quiet zone included) with its lower left at (x, y)."""
    modules = qr_modules(data)
    module = size / len(modules)
    top = y + size
    path = canvas.beginPath()
    # One rectangle per horizontal run of dark modules, all in one filled path: no hairline
    # seams between neighbouring modules when the page is rasterised.
    for row_index, row in enumerate(modules):
        row_y = top - (row_index + 1) * module
        start = None
        for column, dark in enumerate([*row, False]):
            if dark and start is None:
                start = column
            elif not dark and start is not None:
                path.rect(x + start * module, row_y, (column - start) * module, module)
                start = None
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()
