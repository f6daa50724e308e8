"""The rules for what people type: names, addresses and free text, the same at the kiosk, in
booking and on the staff pages. Each parser returns the clean text or raises `InvalidField`
with a reason the routes turn into a translated message (`kiosk.labels.FIELD_ERRORS`)."""

from __future__ import annotations

import re

MAX_NAME_LENGTH = 30
MAX_ADDRESS_LENGTH = 120
# Letters of any script (Chinese, Latin, Uyghur, …), the middle dots of transcribed names
# (· and ・), full stop, space, apostrophe and hyphen after the first letter; no digits of any script.
_NAME = re.compile(r"[^\W\d_](?:[^\W\d_]|[\u00b7\u30fb. '-])*")


class InvalidField(ValueError):
    """`reason`: "missing", "too_long" or "not_a_name"; `limit`: the longest text allowed."""

    def __init__(self, reason: str, limit: int):
        super().__init__(reason)
        self.reason = reason
        self.limit = limit


def one_line(text: str | None, max_length: int | None = None) -> str:
    """The text on one line: runs of whitespace (newlines, tabs, the full-width space) become one
    space, none at either end; cut to `max_length` when given (for notes, where a cut is harmless)."""
    cleaned = " ".join((text or "").split())
    return cleaned if max_length is None else cleaned[:max_length]


def parse_person_name(text: str | None) -> str:
    """A person's name as on the household register: letters, no digits, at most MAX_NAME_LENGTH."""
    name = one_line(text)
    if not name:
        raise InvalidField("missing", MAX_NAME_LENGTH)
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidField("too_long", MAX_NAME_LENGTH)
    if not _NAME.fullmatch(name):
        raise InvalidField("not_a_name", MAX_NAME_LENGTH)
    return name


def parse_address(text: str | None) -> str:
    """A postal or visit address on one line, at most MAX_ADDRESS_LENGTH characters."""
    return _required(text, MAX_ADDRESS_LENGTH)


def parse_text(text: str | None, max_length: int) -> str:
    """Free text that must be given (a reason, a note), on one line, at most `max_length`."""
    return _required(text, max_length)


def _required(text: str | None, max_length: int) -> str:
    cleaned = one_line(text)
    if not cleaned:
        raise InvalidField("missing", max_length)
    if len(cleaned) > max_length:
        raise InvalidField("too_long", max_length)
    return cleaned
