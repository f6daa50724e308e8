"""Setting text: one line in mixed fonts, and line breaking for Chinese with Latin in it."""

from __future__ import annotations

import re
from enum import Enum

from reportlab.lib.colors import Color, black
from reportlab.pdfgen.canvas import Canvas

from .fonts import Typeface

INK = black
MUTED = Color(0.3, 0.3, 0.3)
LINE = Color(0.45, 0.45, 0.45)
SHADE = Color(0.93, 0.93, 0.93)
LEADING = 1.3  # line height as a multiple of the font size


class Align(Enum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


def draw_text(
    canvas: Canvas,
    face: Typeface,
    text: str,
    x: float,
    y: float,
    size: float,
    *,
    bold: bool = False,
    color: Color = INK,
    align: Align = Align.LEFT,
) -> None:
    """One line of text with its baseline at `y`; `x` is its left, centre or right edge."""
    if align is not Align.LEFT:
        width = face.width(text, size, bold)
        x -= width if align is Align.RIGHT else width / 2
    canvas.saveState()
    canvas.setFillColor(color)
    canvas.setStrokeColor(color)
    canvas.setLineWidth(size * 0.04)
    line = canvas.beginText(x, y)
    for run, font in face.runs(text, bold):
        line.setFont(font, size)
        # The CJK font has a single weight: bold is drawn by stroking the outlines as well.
        line.setTextRenderMode(2 if bold and font == face.cjk else 0)
        line.textOut(run)
    canvas.drawText(line)
    canvas.restoreState()


# A run of printable ASCII (a number, a word, a URL) stays on one line when it fits; anything
# else may break after any character, as Chinese does.
_TOKEN = re.compile(r"[!-~]+ ?|.", re.S)
_NO_LINE_START = frozenset("，。、；：？！）》」』】”’,.;:?!)%")


def wrap_text(face: Typeface, text: str, size: float, width: float, bold: bool = False) -> list[str]:
    """`text` broken into lines no wider than `width`; a newline in `text` always breaks."""
    lines = []
    for paragraph in text.split("\n"):
        line, line_width = "", 0.0
        for token in _tokens(face, paragraph, size, width, bold):
            token_width = face.width(token, size, bold)
            # Closing punctuation hangs at the end of a line rather than opening the next one.
            if line and line_width + token_width > width and token[0] not in _NO_LINE_START:
                lines.append(line.rstrip())
                token = token.lstrip()
                line, token_width = "", face.width(token, size, bold)
                line_width = 0.0
            line += token
            line_width += token_width
        lines.append(line.rstrip())
    return lines


def _tokens(face: Typeface, paragraph: str, size: float, width: float, bold: bool):
    for token in _TOKEN.findall(paragraph):
        if len(token) > 1 and face.width(token, size, bold) > width:
            yield from token  # longer than a line (a long URL): break anywhere
        else:
            yield token
