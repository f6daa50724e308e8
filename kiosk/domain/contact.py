"""Contact details the kiosk asks for: a mainland mobile number."""

from __future__ import annotations

import re

_MOBILE = re.compile(r"1[3-9]\d{9}")
_SEPARATORS = re.compile(r"[\s\-\u3000]+")
_FULL_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


class InvalidMobile(ValueError):
    """`reason`: "length" (not 11 digits) or "prefix" (not 13x-19x)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def parse_mobile(text: str) -> str:
    """An 11-digit mainland mobile number (1[3-9]…), separators and a +86 prefix removed."""
    digits = _SEPARATORS.sub("", text.translate(_FULL_WIDTH))
    if digits.startswith("+86"):
        digits = digits[3:]
    if not digits.isdigit() or len(digits) != 11:
        raise InvalidMobile("length")
    if not _MOBILE.fullmatch(digits):
        raise InvalidMobile("prefix")
    return digits
