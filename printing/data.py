"""What each printed document shows, as plain frozen dataclasses.

The caller masks personal data before it gets here (docs/domain.md "ID number": `110105********002X`,
`王*明`, `138****5678`; kiosk.domain.masking does it): fields named `*_masked` are printed as
given. As a safety net, an ID number or phone field that still holds a run of seven or more
digits is refused. Labels such as the application reason or the payment state arrive as the
text to print, already in the reader's language.

Times are printed as given: pass them in the station's time zone.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import MISSING, dataclass, fields
from decimal import Decimal

_UNMASKED = re.compile(r"\d{7,}")


def _refuse_unmasked(document: object, *names: str) -> None:
    for name in names:
        if _UNMASKED.search(getattr(document, name)):
            raise ValueError(f"{type(document).__name__}.{name} must be masked by the caller")


def _require_filled(document: object) -> None:
    """Every text field without a default says something."""
    for field in fields(document):  # type: ignore[arg-type]
        value = getattr(document, field.name)
        if field.default is MISSING and isinstance(value, str) and not value.strip():
            raise ValueError(f"{type(document).__name__}.{field.name} is empty")


@dataclass(frozen=True)
class CollectAtStation:
    """The card is collected at the station's window."""

    address: str
    hours: tuple[str, ...]  # e.g. "周一至周五 08:30–12:00、13:30–20:00"

    def __post_init__(self) -> None:
        if not self.hours:
            raise ValueError("CollectAtStation.hours is empty: print the station's opening hours")


@dataclass(frozen=True)
class DeliverAtHome:
    """An officer brings the card to the applicant's home (行动不便上门办)."""

    address_masked: str
    hours: tuple[str, ...]  # the station's opening hours, for questions

    def __post_init__(self) -> None:
        _require_filled(self)
        if not self.hours:
            raise ValueError("DeliverAtHome.hours is empty: print the station's opening hours")


@dataclass(frozen=True)
class DeliverByPost:
    """The card is posted to the applicant (chosen at acceptance, cannot be changed later)."""

    address_masked: str
    note: str = ""  # e.g. "邮费到付" or who may sign for it
    recipient_masked: str = ""  # who receives it, e.g. "李*红"


Collection = CollectAtStation | DeliverByPost | DeliverAtHome


@dataclass(frozen=True)
class Receipt:
    """受理回执: what the applicant takes home when the application is accepted (docs/domain.md "The receipt")."""

    application_number: str
    progress_url: str  # carried by the QR code
    name_masked: str
    id_number_masked: str
    service: str  # 业务类型: 居民身份证 · 有效期满换领, or 临时居民身份证 (a document of its own)
    station: str
    accepted_by: str  # the kiosk or the officer, e.g. "自助终端 K-01"
    accepted_at: dt.datetime
    commitment: str  # 手续齐全立即办
    promise: str  # what the commitment promises this applicant
    fee_yuan: Decimal
    payment_status: str  # 已缴费, 免费, 领证时缴纳 ...
    expected_collection: dt.date
    collection: Collection
    phone_masked: str
    hotline: str
    bring_at_collection: tuple[str, ...] = ()
    missing_materials: tuple[str, ...] = ()
    materials_deadline: dt.date | None = None
    temporary_id_number: str = ""  # the temporary ID card issued today, if any
    notes: tuple[str, ...] = ()  # what is true of the new card and the visit (validity, thumbprints, old card...)
    materials_note: str = ""  # under the missing materials, e.g. "请于2026年12月8日前补交"
    footer: str = "请妥善保管本回执。凭申请编号可在自助终端或网上查询办理进度。"

    def __post_init__(self) -> None:
        _require_filled(self)
        _refuse_unmasked(self, "id_number_masked", "phone_masked")


@dataclass(frozen=True)
class BookingConfirmation:
    """预约凭证: the appointment's code (typed or scanned to check in), its time and place."""

    code: str  # carried by the QR code
    service: str  # e.g. 居民身份证 · 首次申领
    station: str
    address: str
    starts: dt.datetime
    ends: dt.datetime
    name_masked: str
    id_number_masked: str
    phone_masked: str
    hotline: str
    manage_url: str  # where to change or cancel
    cancel_notice_hours: int
    bring: tuple[str, ...] = ()
    kind: str = ""  # "holiday", "weekend", "evening", "early" (outside office hours) or "" (office hours)

    def __post_init__(self) -> None:
        _require_filled(self)
        _refuse_unmasked(self, "id_number_masked", "phone_masked")


@dataclass(frozen=True)
class PickupSlip:
    """领取凭证: shown at the window when the card is collected; its code proves the slip."""

    application_number: str
    verification_code: str  # carried by the QR code
    name_masked: str
    id_number_masked: str
    service: str  # as on the receipt
    station: str
    collection: CollectAtStation | DeliverAtHome
    expected_collection: dt.date
    issued_at: dt.datetime
    hotline: str
    bring_at_collection: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # e.g. who may collect on the applicant's behalf

    def __post_init__(self) -> None:
        _require_filled(self)
        _refuse_unmasked(self, "id_number_masked")


@dataclass(frozen=True)
class VisitSlip:
    """One stop of an officer's home-visit round (行动不便上门办).

    The officer has to find, call and identify the applicant, so name, address and phone are
    printed as given; only the ID number must be masked.
    """

    application_number: str
    purpose: str  # 上门受理, 上门送证 ...
    name: str
    id_number_masked: str
    address: str
    phone: str
    station: str
    officer: str
    visit_date: dt.date
    time_window: str = ""  # e.g. "09:00–10:00"
    collect: tuple[str, ...] = ()  # what to take from the applicant
    hand_over: tuple[str, ...] = ()  # what to give the applicant
    notes: str = ""
    verification_code: str = ""  # scanned or typed when the officer records the outcome

    def __post_init__(self) -> None:
        _require_filled(self)
        _refuse_unmasked(self, "id_number_masked")
