"""The service catalogue: application types, fees, materials, validity, eligibility
(docs/domain.md "Application types, fees and validity" and "Out-of-province applications").

Fees, windows and promises are station settings (`StationSettings`); this module
holds the rules that use them. Every refusal carries a reason code the kiosk
turns into plain words and what to do instead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from .calendar import add_years
from .id_number import IdNumber
from .regions import NON_RESIDENT_CODES

if TYPE_CHECKING:
    from .station import StationSettings


class ApplicationType(StrEnum):
    FIRST = "first"  # 首次申领
    RENEWAL_EXPIRY = "renewal_expiry"  # 有效期满换领
    RENEWAL_CHANGE = "renewal_change"  # 登记项目变更/错误换领
    DAMAGED = "damaged"  # 损坏换领
    LOST = "lost"  # 丢失补领
    TEMPORARY = "temporary"  # 临时身份证


class Material(StrEnum):
    HOUSEHOLD_REGISTER = "household_register"  # 户口簿
    OLD_CARD = "old_card"  # 原居民身份证
    GUARDIAN_ID = "guardian_id"  # 监护人身份证 (under 16)
    RESIDENCE_PROOF = "residence_proof"  # 居住证或稳定就业/就学/居住证明 (out-of-province first)
    COMMITMENT_LETTER = "commitment_letter"  # 承诺书 (out-of-province first)
    PHOTO = "photo"  # 相片 (taken at the kiosk or the window)
    EXEMPTION_CERTIFICATE = "exemption_certificate"  # 低保/优抚证明 (fee exemption)


class Exemption(StrEnum):
    NONE = "none"
    MINIMUM_INCOME = "minimum_income"  # 低保户、农村特困: no fee
    VETERAN_FAMILY = "veteran_family"  # 优抚对象: no fee where the station grants it (a setting, off by default)
    HARDSHIP = "hardship"  # 其他生活确有困难的居民: half fee


# Fee exemptions are for first applications and renewals (初次申领和换领) only: not for a lost
# card (补领), a damaged card (损坏换领) nor the temporary ID (docs/domain.md, "Fee exemptions").
EXEMPTIBLE_TYPES = frozenset({ApplicationType.FIRST, ApplicationType.RENEWAL_EXPIRY, ApplicationType.RENEWAL_CHANGE})


# The old card is handed in at collection, not at application, for these types.
OLD_CARD_AT_COLLECTION = frozenset({ApplicationType.RENEWAL_EXPIRY})

_BASE_MATERIALS: dict[ApplicationType, tuple[Material, ...]] = {
    ApplicationType.FIRST: (Material.HOUSEHOLD_REGISTER,),
    ApplicationType.RENEWAL_EXPIRY: (),
    ApplicationType.RENEWAL_CHANGE: (Material.OLD_CARD, Material.HOUSEHOLD_REGISTER),
    ApplicationType.DAMAGED: (Material.OLD_CARD,),
    ApplicationType.LOST: (Material.HOUSEHOLD_REGISTER,),
    ApplicationType.TEMPORARY: (Material.HOUSEHOLD_REGISTER, Material.PHOTO),
}

GUARDIAN_AGE = 16  # under this age a guardian attends with their own ID


def required_materials(
    app_type: ApplicationType,
    *,
    age: int,
    out_of_province: bool,
    exemption: Exemption = Exemption.NONE,
) -> tuple[Material, ...]:
    """What the applicant must bring (at application; the old card for expiry renewals comes at collection)."""
    materials = list(_BASE_MATERIALS[app_type])
    if age < GUARDIAN_AGE:
        materials.append(Material.GUARDIAN_ID)
    if out_of_province and app_type is ApplicationType.FIRST:
        materials += [Material.RESIDENCE_PROOF, Material.COMMITMENT_LETTER]
    if exemption is not Exemption.NONE and app_type in EXEMPTIBLE_TYPES:
        materials.append(Material.EXEMPTION_CERTIFICATE)
    return tuple(materials)


def exemptions_for(app_type: ApplicationType, settings: StationSettings) -> tuple[Exemption, ...]:
    """The exemptions a citizen may claim for `app_type` at this station (none for lost, damaged, temporary)."""
    if app_type not in EXEMPTIBLE_TYPES:
        return ()
    return tuple(e for e in Exemption if e in settings.exemptions_offered)


def fee_yuan(app_type: ApplicationType, settings: StationSettings, exemption: Exemption = Exemption.NONE) -> int:
    """The fee in whole yuan after any exemption that applies to `app_type` at this station;
    half of an odd fee rounds down in the citizen's favour."""
    full = settings.fees[app_type]
    if exemption not in exemptions_for(app_type, settings):
        return full
    return full * settings.exemption_pay_percent[exemption] // 100


class Validity(StrEnum):
    FIVE_YEARS = "5y"
    TEN_YEARS = "10y"
    TWENTY_YEARS = "20y"
    LONG_TERM = "long_term"


def validity_for_age(age: int) -> Validity:
    """Resident Identity Card Law art. 5: validity by age at issue."""
    if age < 16:
        return Validity.FIVE_YEARS
    if age <= 25:
        return Validity.TEN_YEARS
    if age <= 45:
        return Validity.TWENTY_YEARS
    return Validity.LONG_TERM


def card_expiry(issued: dt.date, age_at_issue: int) -> dt.date | None:
    """The expiry date printed on a card issued on `issued`; None for long-term cards."""
    years = {Validity.FIVE_YEARS: 5, Validity.TEN_YEARS: 10, Validity.TWENTY_YEARS: 20}.get(
        validity_for_age(age_at_issue)
    )
    return None if years is None else add_years(issued, years)


@dataclass(frozen=True)
class Eligibility:
    ok: bool
    reason: str = ""  # a stable code the kiosk explains ("" when ok)
    earliest: dt.date | None = None  # when the person may come back, where that applies

    @classmethod
    def yes(cls) -> Eligibility:
        return cls(True)


def check_eligibility(
    app_type: ApplicationType,
    id_number: IdNumber,
    *,
    registered_province: str,
    settings: StationSettings,
    today: dt.date,
    card_expires: dt.date | None = None,
    card_long_term: bool = False,
) -> Eligibility:
    """Can this station take this case? Refusals name a reason the kiosk explains.

    Reasons: `not_resident` (HK/Macao/Taiwan numbers: a residence permit instead),
    `temporary_out_of_province` (this station issues no temporary IDs for other
    provinces), `renewal_too_early` (earliest = first day of the renewal window),
    `card_long_term` (a long-term card never expires, so it is not renewed for expiry).
    """
    if id_number.province_code in NON_RESIDENT_CODES or registered_province in NON_RESIDENT_CODES:
        return Eligibility(False, "not_resident")
    out_of_province = registered_province != settings.province_code
    if app_type is ApplicationType.TEMPORARY and out_of_province and not settings.temporary_id_out_of_province:
        return Eligibility(False, "temporary_out_of_province")
    if app_type is ApplicationType.RENEWAL_EXPIRY and card_long_term:
        return Eligibility(False, "card_long_term")
    if app_type is ApplicationType.RENEWAL_EXPIRY and card_expires is not None:
        earliest = card_expires - dt.timedelta(days=settings.renewal_window_days)
        if today < earliest:
            return Eligibility(False, "renewal_too_early", earliest)
    # Since 2024-05-27 every other type, first applications included, is
    # accepted nationwide; the extra materials are in `required_materials`.
    return Eligibility.yes()


def promised_working_days(
    app_type: ApplicationType, *, out_of_province: bool, settings: StationSettings, urgent: bool = False
) -> int:
    """Working days to the card being ready; an urgent case (要事急事特殊办, signed off by a
    supervisor) gets the station's shorter target when it is shorter (docs/domain.md "Commitments")."""
    table = settings.promise_out_of_province if out_of_province else settings.promise_local
    return min(table[app_type], settings.urgent_ready_days) if urgent else table[app_type]
