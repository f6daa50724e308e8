"""The 18-digit citizen ID number of GB 11643-1999 (docs/domain.md "ID number").

`parse_id_number` accepts what a person or a card reader gives (full-width
digits, lower-case x, spaces, old 15-digit numbers) and returns a normalised
`IdNumber`, or raises `InvalidIdNumber` with a `reason` the kiosk turns into its
own message. The six-digit county code is never checked against a table: codes
are not reissued when districts change, so many valid numbers carry codes that
no longer exist.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from .masking import mask_id_number
from .regions import PROVINCES, province_name

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"  # indexed by (weighted sum mod 11)
EARLIEST_BIRTH_DATE = dt.date(1800, 1, 1)

Reason = Literal["format", "province", "birth_date", "check_digit"]
REASONS: tuple[Reason, ...] = ("format", "province", "birth_date", "check_digit")

_FULL_WIDTH = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789XX")
_SEPARATORS = re.compile(r"[\s\-\u3000]+")
_EIGHTEEN = re.compile(r"\d{17}[\dX]")
_FIFTEEN = re.compile(r"\d{15}")


class InvalidIdNumber(ValueError):
    """Raised for a number that cannot be a citizen ID number."""

    def __init__(self, reason: Reason, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass(frozen=True)
class IdNumber:
    number: str  # 18 characters, upper-case X
    province_code: str
    county_code: str
    birth_date: dt.date
    sex: Literal["male", "female"]

    @property
    def masked(self) -> str:
        return mask_id_number(self.number)

    def province_name(self, language: str = "zh_Hans") -> str:
        return province_name(self.province_code, language)

    def age_on(self, day: dt.date) -> int:
        """Completed years of age on `day`."""
        had_birthday = (day.month, day.day) >= (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - (0 if had_birthday else 1)

    def is_out_of_province(self, station_province_code: str) -> bool:
        """A hint only: people keep their number when their registration moves."""
        return self.province_code != station_province_code


def check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARACTERS[total % 11]


def normalise(text: str) -> str:
    """Full-width to ASCII, lower-case x to X, separators removed."""
    return _SEPARATORS.sub("", text.translate(_FULL_WIDTH)).upper()


def upgrade_fifteen(number15: str) -> str:
    """An old 15-digit number as its 18-digit form: `19` before the year, a check digit after."""
    first17 = number15[:6] + "19" + number15[6:]
    return first17 + check_character(first17)


def parse_id_number(text: str, today: dt.date | None = None) -> IdNumber:
    """The number's parts, or InvalidIdNumber. A birth date after `today` is refused where `today` is
    given: always at entry; a number read back from the database was checked then."""
    number = normalise(text)
    if _FIFTEEN.fullmatch(number):
        number = upgrade_fifteen(number)
    elif not _EIGHTEEN.fullmatch(number):
        raise InvalidIdNumber("format", "expected 18 characters: 17 digits and a digit or X")

    if number[:2] not in PROVINCES:
        raise InvalidIdNumber("province", f"unknown province code {number[:2]}")

    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber("birth_date", "not a calendar date") from None
    if (today is not None and birth > today) or birth < EARLIEST_BIRTH_DATE:
        raise InvalidIdNumber("birth_date", "birth date out of range")

    if number[17] != check_character(number[:17]):
        raise InvalidIdNumber("check_digit", "check character does not match")

    return IdNumber(
        number=number,
        province_code=number[:2],
        county_code=number[:6],
        birth_date=birth,
        sex="male" if int(number[16]) % 2 else "female",
    )
