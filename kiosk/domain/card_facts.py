"""What is true of the citizen's new card and their visit, told to them before they send the
application, on the done page and on the receipt (docs/domain.md, "The citizen's card and visit").

- The new card's validity by age (ID Card Law art. 5) and, counted from the day it should be
  ready, its expiry date; a temporary ID's validity instead (kiosk.domain.temporary_id).
- Both thumbprints are taken at the window, or by the officer on a home visit (art. 3).
- Under 16: a parent or guardian applies for the child (art. 7). Everyone must apply within
  three months of turning 16 (art. 7): a first application is told that date while it is ahead.
- The old card of a renewal or a damaged card: handed in at collection, given to the officer who
  brings the new card home on a home visit, or, for a card sent by post, handed in at the window
  at acceptance or to the courier with a signed authorisation.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from .calendar import add_years
from .catalogue import GUARDIAN_AGE, ApplicationType, Validity, card_expiry, validity_for_age
from .id_number import IdNumber
from .temporary_id import valid_until

DUTY_MONTHS = 3  # months after the 16th birthday within which a citizen must apply

# The application types that replace a card the citizen still holds.
OLD_CARD_TYPES = frozenset({ApplicationType.RENEWAL_EXPIRY, ApplicationType.RENEWAL_CHANGE, ApplicationType.DAMAGED})


class OldCard(StrEnum):
    """What becomes of the old card."""

    NONE = "none"  # nothing to hand in (first, lost, temporary)
    AT_COLLECTION = "at_collection"  # handed in when the new card is collected at the station
    AT_ACCEPTANCE = "at_acceptance"  # a posted card: handed in at the window when the application is accepted
    COURIER = "courier"  # a posted card: given to the courier with the citizen's signed authorisation
    AT_VISIT = "at_visit"  # a card brought home on a home visit: given to the officer who brings it


POSTAL_OLD_CARD_CHOICES = (OldCard.AT_ACCEPTANCE, OldCard.COURIER)


@dataclass(frozen=True)
class CardFacts:
    validity: Validity | None  # the new resident ID card's; None for a temporary ID
    expires: dt.date | None  # its expiry when issued on the ready date; None when long-term or temporary
    temporary_valid_days: int | None  # a temporary ID: valid this many days from issue...
    temporary_valid_until: dt.date | None  # ...that is, until this day when collected on the ready date
    thumbprints: str  # "window", "visit", or "" (a temporary ID takes none)
    guardian: bool  # under 16: a parent or guardian applies with them
    apply_by: dt.date | None  # a first application: the law's last day (3 months after turning 16), while ahead
    old_card: OldCard


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day where it has no such day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def duty_deadline(birth: dt.date) -> dt.date:
    """The last day to apply for a first card: three months after the 16th birthday."""
    return add_months(add_years(birth, GUARDIAN_AGE), DUTY_MONTHS)


def old_card_fate(app_type: ApplicationType, collection: str, postal_choice: str = "") -> OldCard:
    """What becomes of the old card: `collection` "station", "post" or "visit" (brought home on a
    home visit), `postal_choice` an OldCard value chosen for a posted card."""
    if app_type not in OLD_CARD_TYPES:
        return OldCard.NONE
    if collection == "visit":
        return OldCard.AT_VISIT
    if collection != "post":
        return OldCard.AT_COLLECTION
    return OldCard(postal_choice) if postal_choice in POSTAL_OLD_CARD_CHOICES else OldCard.AT_ACCEPTANCE


def card_facts(
    app_type: ApplicationType,
    person: IdNumber,
    *,
    today: dt.date,
    ready: dt.date,
    temporary_valid_days: int,
    home_visit: bool = False,
    old_card: OldCard = OldCard.NONE,
) -> CardFacts:
    """The facts for an application made `today` whose card should be ready on `ready`."""
    age = person.age_on(today)
    temporary = app_type is ApplicationType.TEMPORARY
    deadline = duty_deadline(person.birth_date)
    return CardFacts(
        validity=None if temporary else validity_for_age(age),
        expires=None if temporary else card_expiry(ready, age),
        temporary_valid_days=temporary_valid_days if temporary else None,
        temporary_valid_until=valid_until(ready, temporary_valid_days) if temporary else None,
        thumbprints="" if temporary else ("visit" if home_visit else "window"),
        guardian=age < GUARDIAN_AGE,
        apply_by=deadline if app_type is ApplicationType.FIRST and today <= deadline else None,
        old_card=old_card,
    )
