"""Reading printed PDFs back: their text, fonts and page images (via poppler's pdftoppm)."""

from __future__ import annotations

import re
import subprocess
from io import BytesIO
from pathlib import Path

import zxingcpp
from PIL import Image, ImageOps
from pypdf import PdfReader

MM_PER_INCH = 25.4


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(BytesIO(pdf)).pages]


def squeezed(text: str) -> str:
    """Text without whitespace, so that a value wrapped over two lines still matches."""
    return re.sub(r"\s+", "", text)


def fonts(pdf: bytes) -> dict[str, bool]:
    """Base font name -> whether its file is embedded, over all pages."""
    found = {}
    for page in PdfReader(BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if "/DescendantFonts" in font:  # a CID font keeps its descriptor one level down
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor else {}
            embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            found[str(font["/BaseFont"]).lstrip("/")] = embedded
    return found


def render_pages(pdf: bytes, folder: Path, dpi: int = 300) -> list[Image.Image]:
    """Every page as an image, rendered by pdftoppm at `dpi`."""
    source = folder / "document.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", source, folder / "page"], check=True)
    return [Image.open(path) for path in sorted(folder.glob("page-*.png"))]


def size_mm(image: Image.Image, dpi: int) -> tuple[float, float]:
    return image.width / dpi * MM_PER_INCH, image.height / dpi * MM_PER_INCH


def blank_margins_mm(image: Image.Image, dpi: int) -> tuple[float, float]:
    """The blank space above the first and below the last mark on the page."""
    left, top, right, bottom = ImageOps.invert(image.convert("L")).getbbox()
    return top / dpi * MM_PER_INCH, (image.height - bottom) / dpi * MM_PER_INCH


def qr_codes(image: Image.Image) -> list[zxingcpp.Result]:
    return [code for code in zxingcpp.read_barcodes(image) if code.format == zxingcpp.BarcodeFormat.QRCode]


def symbol_width_mm(code: zxingcpp.Result, dpi: int) -> float:
    """The width of a decoded QR symbol (without its quiet zone)."""
    position = code.position
    return (position.top_right.x - position.top_left.x) / dpi * MM_PER_INCH
