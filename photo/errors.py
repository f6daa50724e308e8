"""The two ways a photo can be refused: it cannot be read, or it breaks the standard."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from photo.report import Check, Report


class UnreadableImage(ValueError):
    """The input is not an image this library can decode (or is too large to try)."""


class PhotoNotCompliant(ValueError):
    """The picture cannot be turned into a compliant ID photo; `failures` says why."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.failures: tuple[Check, ...] = report.failures
        listing = "; ".join(f"{check.name}: {check.message('en')}" for check in self.failures)
        super().__init__(f"the photo does not meet the ID-photo standard ({listing})")
