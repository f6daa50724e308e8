"""Blocks onto pages, and pages into a PDF.

On roll paper a document is one page cut to its content; on A4 it flows onto more pages when
long, or slips go several to a sheet with lines to cut along.
"""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO

from reportlab.pdfgen.canvas import Canvas

from .blocks import Block, Stack
from .fonts import Typeface
from .paper import PaperSize
from .text import LINE, MUTED, Align, draw_text


def render(documents: Sequence[Sequence[Block]], paper: PaperSize, face: Typeface, title: str) -> bytes:
    """A PDF with each document starting on a new page; A4 documents flow onto more pages if long.

    On roll paper each document is one page as tall as its content.
    """
    out = BytesIO()
    canvas = _canvas(out, title)
    for blocks in documents:
        heights = [block.wrap(paper.content_width, face) for block in blocks]
        page_height = paper.height or sum(heights) + 2 * paper.margin_y
        canvas.setPageSize((paper.width, page_height))
        top = page_height - paper.margin_y
        for index, (block, height) in enumerate(zip(blocks, heights, strict=True)):
            needed = height
            if getattr(block, "keep_with_next", False) and index + 1 < len(blocks):
                needed += heights[index + 1]
            if paper.height and top - needed < paper.margin_y and top < page_height - paper.margin_y:
                canvas.showPage()
                top = page_height - paper.margin_y
            block.draw(canvas, paper.margin_x, top)
            top -= height
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def render_cut_sheets(slips: Sequence[Sequence[Block]], paper: PaperSize, face: Typeface, title: str) -> bytes:
    """Slips in order, as many to a sheet as fit in equal strips, with dashed lines to cut along.

    Strips divide the sheet evenly (halves, thirds), so a stack of sheets can be cut at once.
    If a slip is too tall for half a sheet, every slip gets a page of its own.
    """
    assert paper.height is not None, "cut sheets need cut-size paper"
    stacks = [Stack(blocks) for blocks in slips]
    needed = max(stack.wrap(paper.content_width, face) for stack in stacks) + 2 * paper.margin_y
    per_sheet = int(paper.height // needed)
    if per_sheet < 2:
        return render(slips, paper, face, title)
    strip = paper.height / per_sheet
    out = BytesIO()
    canvas = _canvas(out, title)
    canvas.setPageSize((paper.width, paper.height))
    for index, stack in enumerate(stacks):
        position = index % per_sheet
        if index and position == 0:
            canvas.showPage()
        strip_top = paper.height - position * strip
        stack.draw(canvas, paper.margin_x, strip_top - paper.margin_y)
        if position:
            _cut_line(canvas, face, paper, strip_top)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def _cut_line(canvas: Canvas, face: Typeface, paper: PaperSize, y: float) -> None:
    canvas.saveState()
    canvas.setStrokeColor(LINE)
    canvas.setLineWidth(0.5)
    canvas.setDash(4, 3)
    canvas.line(0, y, paper.width, y)
    canvas.restoreState()
    draw_text(
        canvas, face, "沿虚线剪开 cut here", paper.width - paper.margin_x, y + 2, 6, color=MUTED, align=Align.RIGHT
    )


def _canvas(out: BytesIO, title: str) -> Canvas:
    canvas = Canvas(out, pageCompression=1)
    canvas.setTitle(title)
    canvas.setCreator("kiosk printing")
    return canvas
