"""What the done page and the receipt tell the citizen about an application already made:
the card facts (kiosk.domain.card_facts) and, for a temporary ID, the main application it bridges."""

from __future__ import annotations

from ..db import Database
from ..domain.card_facts import CardFacts, OldCard, card_facts
from ..domain.catalogue import ApplicationType, Validity
from ..domain.commitments import Commitment
from ..domain.id_number import parse_id_number
from ..models import Applicant, Application
from .station import StationContext
from .temporary_ids import TemporaryOffer


def facts_of(application: Application, applicant: Applicant, station: StationContext) -> CardFacts | None:
    """The facts as they were promised at acceptance; None once the ID number has been purged."""
    if not applicant.id_number:
        return None
    return card_facts(
        ApplicationType(application.app_type),
        parse_id_number(applicant.id_number),
        today=application.created_at.astimezone(station.settings.zone).date(),
        ready=application.expected_ready or application.handling_deadline,
        temporary_valid_days=station.settings.temporary_id_valid_days,
        home_visit=application.commitment == Commitment.HOME_VISIT,
        old_card=OldCard(application.old_card_handover),
    )


def main_number_of(db: Database, application: Application) -> str:
    """The number of the main application a temporary ID bridges ("" for any other application)."""
    if application.main_application_id is None:
        return ""
    with db.reading() as session:
        main = session.get(Application, application.main_application_id)
        return main.number if main else ""


_VALIDITY_NAMES = {Validity.FIVE_YEARS: "五年", Validity.TEN_YEARS: "十年", Validity.TWENTY_YEARS: "二十年"}
_OLD_CARD_NOTES = {
    OldCard.AT_COLLECTION: "领取新证时交回旧证",
    OldCard.AT_ACCEPTANCE: "旧证于受理时在窗口交回",
    OldCard.COURIER: "旧证凭本人签署的委托书，于新证送达时交快递员带回",
}


def _day(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def receipt_notes(
    facts: CardFacts | None, main_number: str = "", temporary: TemporaryOffer | None = None
) -> tuple[str, ...]:
    """The receipt's notes, in the words printed on the station's documents."""
    notes = [f"对应居民身份证受理编号：{main_number}"] if main_number else []
    if temporary:
        hours = "、".join(str(session) for session in temporary.hours)
        notes.append(
            f"等证期间可申领临时居民身份证：工本费{temporary.fee_yuan}元，{_day(temporary.ready_by)}前办好，"
            f"自签发之日起{temporary.valid_days}日内有效；可在自助终端或窗口申请"
            f"（窗口{_day(temporary.window_day)} {hours}）"
        )
    if facts is None:
        return tuple(notes)
    if facts.validity is Validity.LONG_TERM:
        notes.append("新证有效期长期")
    elif facts.validity is not None:
        notes.append(f"新证有效期{_VALIDITY_NAMES[facts.validity]}，预计至{_day(facts.expires)}")
    if facts.temporary_valid_until:
        notes.append(
            f"临时居民身份证自签发之日起{facts.temporary_valid_days}日内有效，按期领取的有效至{_day(facts.temporary_valid_until)}"
        )
    if facts.thumbprints == "visit":
        notes.append("上门服务时由民警采集双手拇指指纹")
    elif facts.thumbprints:
        notes.append("请到窗口采集双手拇指指纹")
    if facts.guardian:
        notes.append("未满十六周岁，由监护人陪同申领，携带监护人居民身份证和户口簿")
    if facts.apply_by:
        notes.append(f"公民应当自年满十六周岁之日起三个月内申领居民身份证，您应于{_day(facts.apply_by)}前申领")
    if facts.old_card in _OLD_CARD_NOTES:
        notes.append(_OLD_CARD_NOTES[facts.old_card])
    return tuple(notes)
