"""The typeface of printed documents: an embedded TrueType CJK font, or reportlab's built-in one.

The CJK font is the one named by the caller (the kiosk's `PRINT_FONT` setting, `python -m printing
sample --font`), else the first usable file among common system paths. Debian's Droid Sans
Fallback carries CJK glyphs only, no Latin letters or digits, so text is split into runs:
characters the CJK font lacks are set in Helvetica (one of PDF's standard fonts, which every
viewer and printer has). When no TrueType font can be
used, everything is set in `STSong-Light`, a CID font every PDF reader knows but which is not
embedded, so its look depends on the reader; a warning says so.

Loading a 4 MB font file takes tens of milliseconds: each file is loaded once per process.
"""

from __future__ import annotations

import functools
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont

log = logging.getLogger("printing")

BUILTIN_CJK = "STSong-Light"
_CHINESE_PROBE = "居民身份证受理回执"
SYSTEM_FONTS = (
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",  # Debian fonts-droid-fallback
    # Debian's Noto CJK ships PostScript (CFF) outlines, which reportlab cannot embed: tried, and
    # skipped with a warning, in case a TrueType build has been put there.
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)


@dataclass(frozen=True, eq=False)  # one per font file: compared by identity, not glyph by glyph
class Typeface:
    """Font names for text: `cjk` for the characters in `cjk_glyphs` (all when None), Helvetica else."""

    cjk: str
    cjk_glyphs: frozenset[int] | None
    embedded: bool
    latin: str = "Helvetica"
    latin_bold: str = "Helvetica-Bold"

    def runs(self, text: str, bold: bool = False) -> list[tuple[str, str]]:
        """`text` cut into (substring, font name) runs of one font each."""
        if self.cjk_glyphs is None:
            return [(text, self.cjk)] if text else []
        latin = self.latin_bold if bold else self.latin
        runs: list[tuple[str, str]] = []
        start = 0
        current = None
        for index, char in enumerate(text):
            if char == " " and current is not None:
                continue  # both fonts have a space: do not cut a run for it
            font = self.cjk if ord(char) in self.cjk_glyphs else latin
            if font != current:
                if current is not None:
                    runs.append((text[start:index], current))
                start, current = index, font
        if current is not None:
            runs.append((text[start:], current))
        return runs

    def width(self, text: str, size: float, bold: bool = False) -> float:
        return sum(pdfmetrics.stringWidth(run, font, size) for run, font in self.runs(text, bold))


def load_typeface(path: str | os.PathLike[str] | None = None) -> Typeface:
    """The typeface for `path`, else the first usable system font.

    A font that was asked for by name but cannot be used is not replaced by another file: the
    built-in font is used and a warning names the file and the reason.
    """
    if path:
        return _typeface_from(str(Path(path).expanduser()))
    return _typeface_from_system()


@functools.cache
def _typeface_from(path: str) -> Typeface:
    try:
        return _truetype(path)
    except (OSError, TTFError) as error:
        log.warning("CJK font %s cannot be used (%s); falling back to %s, not embedded", path, error, BUILTIN_CJK)
        return _builtin()


@functools.cache
def _typeface_from_system() -> Typeface:
    for candidate in SYSTEM_FONTS:
        if not os.path.isfile(candidate):
            continue
        try:
            return _truetype(candidate)
        except (OSError, TTFError) as error:
            log.warning("CJK font %s cannot be used (%s); trying the next one", candidate, error)
    log.warning(
        "no usable CJK TrueType font (name one, or install fonts-droid-fallback); falling back to %s, not embedded",
        BUILTIN_CJK,
    )
    return _builtin()


@functools.cache  # the same file, whether named or found, is loaded once
def _truetype(path: str) -> Typeface:
    name = "CJK-" + Path(path).stem
    font = TTFont(name, path, subfontIndex=0)
    glyphs = frozenset(font.face.charToGlyph)
    if not all(ord(char) in glyphs for char in _CHINESE_PROBE):
        raise TTFError(f"{path} has no Chinese glyphs")
    pdfmetrics.registerFont(font)
    return Typeface(cjk=name, cjk_glyphs=glyphs, embedded=True)


def _builtin() -> Typeface:
    pdfmetrics.registerFont(UnicodeCIDFont(BUILTIN_CJK))
    return Typeface(cjk=BUILTIN_CJK, cjk_glyphs=None, embedded=False)
