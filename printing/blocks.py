"""The blocks every document is built from.

A document is a list of blocks stacked top to bottom in one column. Each block is first
wrapped to the column width (which tells its height) and then drawn where it falls.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import NamedTuple, Protocol

from reportlab.lib.colors import Color
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from .fonts import Typeface
from .qr import draw_qr
from .text import INK, LEADING, LINE, MUTED, SHADE, Align, draw_text, wrap_text


class Block(Protocol):
    def wrap(self, width: float, face: Typeface) -> float:
        """Lay the block out for a column `width` wide; return its height."""

    def draw(self, canvas: Canvas, x: float, top: float) -> None:
        """Draw the block as last wrapped, its top left corner at (x, top)."""


class TextBlock:
    """Wrapped lines of one size, with space below."""

    def __init__(
        self,
        text: str,
        size: float,
        *,
        bold: bool = False,
        color: Color = INK,
        align: Align = Align.LEFT,
        space_after: float = 3,
    ) -> None:
        self.text, self.size, self.bold, self.color, self.align = text, size, bold, color, align
        self.space_after = space_after

    def wrap(self, width: float, face: Typeface) -> float:
        self.face, self.width = face, width
        self.lines = wrap_text(face, self.text, self.size, width, self.bold)
        return len(self.lines) * self.size * LEADING + self.space_after

    def draw(self, canvas: Canvas, x: float, top: float) -> None:
        anchor = {Align.LEFT: x, Align.CENTER: x + self.width / 2, Align.RIGHT: x + self.width}[self.align]
        for index, line in enumerate(self.lines):
            baseline = top - self.size * (index * LEADING + 1)
            draw_text(
                canvas, self.face, line, anchor, baseline, self.size, bold=self.bold, color=self.color, align=self.align
            )


class Stack:
    """Blocks drawn one under the other as one block (a titled group, a slip)."""

    def __init__(self, blocks: Sequence[Block]) -> None:
        self.blocks = list(blocks)

    def wrap(self, width: float, face: Typeface) -> float:
        self.heights = [block.wrap(width, face) for block in self.blocks]
        return sum(self.heights)

    def draw(self, canvas: Canvas, x: float, top: float) -> None:
        for block, height in zip(self.blocks, self.heights, strict=True):
            block.draw(canvas, x, top)
            top -= height


def title(text: str, subtitle: str, size: float, subtitle_size: float) -> Stack:
    """A document's name, centred, with a small English subtitle."""
    return Stack(
        [
            TextBlock(text, size, bold=True, align=Align.CENTER, space_after=1),
            TextBlock(subtitle, subtitle_size, color=MUTED, align=Align.CENTER, space_after=4),
        ]
    )


class Heading:
    """A section heading: a dark bar, the Chinese heading and its English subtitle."""

    keep_with_next = True  # never the last thing on a page

    def __init__(self, text: str, subtitle: str, size: float) -> None:
        self.text, self.subtitle, self.size = text, subtitle, size

    def wrap(self, width: float, face: Typeface) -> float:
        self.face = face
        return self.size * 2.2

    def draw(self, canvas: Canvas, x: float, top: float) -> None:
        baseline = top - self.size * 1.4
        canvas.saveState()
        canvas.setFillColor(INK)
        canvas.rect(x, baseline - self.size * 0.12, self.size * 0.3, self.size * 0.95, stroke=0, fill=1)
        canvas.restoreState()
        text_x = x + self.size * 0.6
        draw_text(canvas, self.face, self.text, text_x, baseline, self.size, bold=True)
        subtitle_x = text_x + self.face.width(self.text, self.size, bold=True) + self.size * 0.5
        draw_text(canvas, self.face, self.subtitle, subtitle_x, baseline, self.size * 0.72, color=MUTED)


class SplitLine:
    """One line with text at the left and at the right edge."""

    def __init__(self, left: str, right: str, size: float, *, color: Color = MUTED) -> None:
        self.left, self.right, self.size, self.color = left, right, size, color

    def wrap(self, width: float, face: Typeface) -> float:
        self.face, self.width = face, width
        return self.size * LEADING + 2

    def draw(self, canvas: Canvas, x: float, top: float) -> None:
        baseline = top - self.size
        draw_text(canvas, self.face, self.left, x, baseline, self.size, color=self.color)
        draw_text(
            canvas, self.face, self.right, x + self.width, baseline, self.size, color=self.color, align=Align.RIGHT
        )


class Columns:
    """Blocks side by side in equal columns; as tall as the tallest."""

    def __init__(self, blocks: Sequence[Block], gap: float = 4 * mm) -> None:
        self.blocks, self.gap = list(blocks), gap

    def wrap(self, width: float, face: Typeface) -> float:
        self.column_width = (width - self.gap * (len(self.blocks) - 1)) / len(self.blocks)
        return max(block.wrap(self.column_width, face) for block in self.blocks)

    def draw(self, canvas: Canvas, x: float, top: float) -> None:
        for index, block in enumerate(self.blocks):
            block.draw(canvas, x + index * (self.column_width + self.gap), top)


class Marker(Enum):
    BULLET = "bullet"
    TICK_BOX = "tick box"  # an empty square to tick by hand


class ItemList:
    """Items one under the other, each after a bullet or an empty tick box."""

    def __init__(self, items: Sequence[str], size: float, marker: Marker = Marker.BULLET) -> None:
        self.items, self.size, self.marker = list(items), size, marker
        self.indent = size * 1.3

    def wrap(self, width: float, face: Typeface) -> float:
        self.face = face
        self.wrapped = [wrap_text(face, item, self.size, width - self.indent) for item in self.items]
        return sum(len(lines) for lines in self.wrapped) * self.size * LEADING + self.size * 0.5

    def draw(self, canvas: Canvas, x: float, top: float) -> None:
        baseline = top - self.size
        for lines in self.wrapped:
            draw_marker(canvas, self.marker, x, baseline, self.size)
            for line in lines:
                draw_text(canvas, self.face, line, x + self.indent, baseline, self.size)
                baseline -= self.size * LEADING


def draw_marker(canvas: Canvas, marker: Marker, x: float, baseline: float, size: float) -> None:
    """A bullet or tick box for text of `size` with its baseline at `baseline`, its left at `x`."""
    middle = baseline + size * 0.35
    canvas.saveState()
    canvas.setFillColor(INK)
    canvas.setStrokeColor(INK)
    canvas.setLineWidth(0.7)
    if marker is Marker.BULLET:
        canvas.circle(x + size * 0.35, middle, size * 0.16, stroke=0, fill=1)
    else:
        side = size * 0.8
        canvas.rect(x, middle - side / 2, side, side, stroke=1, fill=0)
    canvas.restoreState()


class Field(NamedTuple):
    label: str
    value: str
    strong: bool = False  # set the value in bold


class Fields:
    """Label and value rows; long values wrap in their column. `ruled` draws them as a form table."""

    def __init__(self, rows: Sequence[Field], size: float, label_width: float, *, ruled: bool = False) -> None:
        self.rows, self.size, self.label_width, self.ruled = list(rows), size, label_width, ruled
        self.padding = size * 0.35 if ruled else size * 0.2

    def wrap(self, width: float, face: Typeface) -> float:
        self.face, self.width = face, width
        inset = self.padding if self.ruled else 0
        value_width = width - self.label_width - 2 * inset
        label_width = self.label_width - (2 * inset if self.ruled else self.size * 0.6)  # keep clear of the value
        self.wrapped = [
            (
                wrap_text(face, row.label, self.size, label_width),
                wrap_text(face, row.value, self.size, value_width, row.strong),
                row.strong,
            )
            for row in self.rows
        ]
        self.heights = [
            max(len(label), len(value)) * self.size * LEADING + 2 * self.padding for label, value, _ in self.wrapped
        ]
        return sum(self.heights) + self.size * 0.6

    def draw(self, canvas: Canvas, x: float, top: float) -> None:
        inset = self.padding if self.ruled else 0
        if self.ruled:
            self._draw_grid(canvas, x, top)
        row_top = top
        for (label_lines, value_lines, strong), height in zip(self.wrapped, self.heights, strict=True):
            for index, line in enumerate(label_lines):
                baseline = row_top - self.padding - self.size * (index * LEADING + 1)
                draw_text(canvas, self.face, line, x + inset, baseline, self.size, color=MUTED)
            for index, line in enumerate(value_lines):
                baseline = row_top - self.padding - self.size * (index * LEADING + 1)
                draw_text(canvas, self.face, line, x + self.label_width + inset, baseline, self.size, bold=strong)
            row_top -= height

    def _draw_grid(self, canvas: Canvas, x: float, top: float) -> None:
        total = sum(self.heights)
        canvas.saveState()
        canvas.setFillColor(SHADE)
        canvas.rect(x, top - total, self.label_width, total, stroke=0, fill=1)
        canvas.setStrokeColor(LINE)
        canvas.setLineWidth(0.5)
        canvas.rect(x, top - total, self.width, total, stroke=1, fill=0)
        canvas.line(x + self.label_width, top, x + self.label_width, top - total)
        row_top = top
        for height in self.heights[:-1]:
            row_top -= height
            canvas.line(x, row_top, x + self.width, row_top)
        canvas.restoreState()


class Rule:
    """A horizontal line across the column, solid or dashed."""

    def __init__(self, *, dashed: bool = False, space: float = 5) -> None:
        self.dashed, self.space = dashed, space

    def wrap(self, width: float, face: Typeface) -> float:
        self.width = width
        return 2 * self.space

    def draw(self, canvas: Canvas, x: float, top: float) -> None:
        canvas.saveState()
        canvas.setStrokeColor(INK)
        canvas.setLineWidth(0.6)
        if self.dashed:
            canvas.setDash(2, 2)
        canvas.line(x, top - self.space, x + self.width, top - self.space)
        canvas.restoreState()


class QrPanel:
    """A QR code with, beside it, what it carries in large print and a line on how to use it."""

    def __init__(self, data: str, size: float, *, label: str, code: str, hint: str, text_size: float) -> None:
        self.data, self.size, self.label, self.code, self.hint = data, size, label, code, hint
        self.text_size = text_size

    def wrap(self, width: float, face: Typeface) -> float:
        self.face = face
        gap = 3 * mm
        self.text_x = self.size + gap
        text_width = width - self.text_x
        # The code is set as large as fits on one line beside the QR, up to 2.4 times the text size;
        # it wraps only if even 1.2 times the text size is too wide.
        width_per_point = face.width(self.code, 1, bold=True)
        self.code_size = max(self.text_size * 1.2, min(self.text_size * 2.4, text_width / width_per_point))
        self.code_lines = wrap_text(face, self.code, self.code_size, text_width, bold=True)
        self.hint_lines = wrap_text(face, self.hint, self.text_size, text_width)
        self.text_height = (
            self.text_size * LEADING
            + len(self.code_lines) * self.code_size * 1.2
            + self.text_size * 0.4
            + len(self.hint_lines) * self.text_size * LEADING
        )
        return max(self.size, self.text_height) + 4

    def draw(self, canvas: Canvas, x: float, top: float) -> None:
        draw_qr(canvas, self.data, x, top - self.size, self.size)
        y = top - max(0.0, (self.size - self.text_height) / 2)
        text_x = x + self.text_x
        y -= self.text_size
        draw_text(canvas, self.face, self.label, text_x, y, self.text_size, color=MUTED)
        y -= self.text_size * (LEADING - 1)
        for line in self.code_lines:
            y -= self.code_size
            draw_text(canvas, self.face, line, text_x, y, self.code_size, bold=True)
            y -= self.code_size * 0.2
        y -= self.text_size * 0.4
        for line in self.hint_lines:
            y -= self.text_size
            draw_text(canvas, self.face, line, text_x, y, self.text_size, color=MUTED)
            y -= self.text_size * (LEADING - 1)


class Framed:
    """A block in a heavy frame, for what must not be missed."""

    def __init__(self, block: Block, padding: float) -> None:
        self.block, self.padding = block, padding

    def wrap(self, width: float, face: Typeface) -> float:
        self.width = width
        self.box_height = self.block.wrap(width - 2 * self.padding, face) + 2 * self.padding
        return self.box_height + self.padding

    def draw(self, canvas: Canvas, x: float, top: float) -> None:
        canvas.saveState()
        canvas.setStrokeColor(INK)
        canvas.setLineWidth(1.2)
        canvas.rect(x, top - self.box_height, self.width, self.box_height, stroke=1, fill=0)
        canvas.restoreState()
        self.block.draw(canvas, x + self.padding, top - self.padding)


class Box(NamedTuple):
    caption: str  # at the top left, inside the box
    footer: str = ""  # at the bottom left, inside the box (a date line)
    ticks: tuple[str, ...] = ()  # options to tick, in a row above the footer


class Boxes:
    """Boxes side by side, for a signature or an item handed over, each with its caption."""

    def __init__(self, boxes: Sequence[Box], height: float, size: float) -> None:
        self.boxes, self.height, self.size = list(boxes), height, size

    def wrap(self, width: float, face: Typeface) -> float:
        self.face, self.width = face, width
        return self.height + self.size

    def draw(self, canvas: Canvas, x: float, top: float) -> None:
        gap = 3 * mm
        box_width = (self.width - gap * (len(self.boxes) - 1)) / len(self.boxes)
        pad = self.size * 0.6
        for index, box in enumerate(self.boxes):
            left = x + index * (box_width + gap)
            canvas.saveState()
            canvas.setStrokeColor(INK)
            canvas.setLineWidth(0.8)
            canvas.rect(left, top - self.height, box_width, self.height, stroke=1, fill=0)
            canvas.restoreState()
            draw_text(canvas, self.face, box.caption, left + pad, top - pad - self.size, self.size, color=MUTED)
            baseline = top - self.height + pad
            if box.footer:
                draw_text(canvas, self.face, box.footer, left + pad, baseline, self.size)
                baseline += self.size * LEADING * 1.2
            tick_x = left + pad
            for option in box.ticks:
                draw_marker(canvas, Marker.TICK_BOX, tick_x, baseline, self.size)
                tick_x += self.size * 1.3
                draw_text(canvas, self.face, option, tick_x, baseline, self.size)
                tick_x += self.face.width(option, self.size) + self.size * 1.5
