"""Line breaking of mixed Chinese and Latin text."""

from __future__ import annotations

from printing import load_typeface
from printing.text import wrap_text

FACE = load_typeface("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")
SIZE = 10


def test_chinese_breaks_between_any_two_characters():
    lines = wrap_text(FACE, "浙江省嘉兴市南湖区新兴路", SIZE, width=SIZE * 5)
    assert lines == ["浙江省嘉兴", "市南湖区新", "兴路"]


def test_numbers_and_words_stay_whole():
    lines = wrap_text(FACE, "编号 330402-261124-0042 已发放", SIZE, width=110)
    assert "330402-261124-0042" in "\n".join(lines)
    assert all(line.strip() for line in lines)


def test_closing_punctuation_never_starts_a_line():
    lines = wrap_text(FACE, "一二三四五，六七", SIZE, width=SIZE * 5)
    assert lines == ["一二三四五，", "六七"]


def test_a_url_longer_than_a_line_is_broken_anywhere():
    url = "http://127.0.0.1:8000/track/330402-261124-0042/q3Vx8LmN0aBcDe2F"
    lines = wrap_text(FACE, url, SIZE, width=100)
    assert len(lines) > 1 and "".join(lines) == url
    assert all(FACE.width(line, SIZE) <= 100 for line in lines)


def test_newlines_always_break():
    assert wrap_text(FACE, "周一至周五\n周六", SIZE, width=500) == ["周一至周五", "周六"]
