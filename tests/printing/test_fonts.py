"""The CJK font: embedded when a TrueType file can be used, STSong-Light with a warning when not."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from printing import Paper, load_typeface, receipt_pdf, samples
from printing.__main__ import main

from .pdf_tools import fonts, page_texts

DROID = Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")
LATIN_ONLY = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def test_the_cjk_font_is_embedded():
    assert DROID.is_file(), "install Debian's fonts-droid-fallback (.ci/run does)"
    found = fonts(receipt_pdf(samples.receipt(), Paper.ROLL_80MM, font_path=DROID))
    embedded = [name for name, is_embedded in found.items() if "DroidSansFallback" in name and is_embedded]
    assert embedded, found


def test_the_system_font_is_found_without_a_setting():
    face = load_typeface()
    assert face.embedded and face.cjk == "CJK-DroidSansFallbackFull"


def test_a_bad_font_path_falls_back_to_stsong_with_a_warning(tmp_path, caplog):
    missing = tmp_path / "missing.ttf"
    with caplog.at_level(logging.WARNING, logger="printing"):
        pdf = receipt_pdf(samples.receipt(), font_path=missing)
    assert any(record.name == "printing" and str(missing) in record.getMessage() for record in caplog.records)
    found = fonts(pdf)
    assert "STSong-Light" in "".join(found)
    assert not any(found.values())  # nothing embedded: STSong-Light and Helvetica are the reader's
    assert "居民身份证受理回执" in page_texts(pdf)[0]


def test_the_library_reads_no_environment(monkeypatch):
    """The font is the caller's setting (the kiosk's PRINT_FONT, the command line's --font)."""
    monkeypatch.setenv("KIOSK_PRINT_FONT", "/nonexistent/font.ttf")
    assert load_typeface().cjk == "CJK-DroidSansFallbackFull"


def test_the_command_line_names_the_font(tmp_path, caplog):
    not_a_font = tmp_path / "not-a-font.ttf"
    not_a_font.write_text("hello")
    with caplog.at_level(logging.WARNING, logger="printing"):
        assert main(["sample", "receipt", "-o", str(tmp_path / "r.pdf"), "--font", str(not_a_font)]) == 0
    assert str(not_a_font) in caplog.text
    assert not any(fonts((tmp_path / "r.pdf").read_bytes()).values())  # the built-in font, not embedded


def test_a_font_without_chinese_is_refused(caplog):
    if not LATIN_ONLY.is_file():
        pytest.skip("DejaVu Sans is not installed")
    with caplog.at_level(logging.WARNING, logger="printing"):
        face = load_typeface(LATIN_ONLY)
    assert face.cjk == "STSong-Light"
    assert "no Chinese glyphs" in caplog.text


def test_text_is_split_between_the_cjk_font_and_helvetica():
    face = load_typeface(DROID)
    assert face.runs("受理编号 330402-261124-0042 号") == [
        ("受理编号 ", face.cjk),
        ("330402-261124-0042 ", "Helvetica"),
        ("号", face.cjk),
    ]
    assert face.runs("AB", bold=True) == [("AB", "Helvetica-Bold")]
