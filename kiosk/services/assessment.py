"""A new application before it is submitted: what the citizen gave (NewApplication) and what the
station promises for it (assess), or why the station cannot take it (NotEligible)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from ..db import Database
from ..domain.card_facts import CardFacts, card_facts, old_card_fate
from ..domain.catalogue import (
    ApplicationType,
    Exemption,
    Material,
    check_eligibility,
    exemptions_for,
    fee_yuan,
    promised_working_days,
    required_materials,
)
from ..domain.commitments import Commitment, Decision, Situation, SpecialGroup, decide_commitment
from ..domain.id_number import IdNumber
from ..domain.temporary_id import MAIN_TYPES
from . import temporary_ids
from .station import StationContext
from .temporary_ids import MainLink, TemporaryOffer, temporary_offer


class NotEligible(ValueError):
    """This station cannot take the case; `reason` is a catalogue eligibility code."""

    def __init__(self, reason: str, earliest: dt.date | None = None):
        super().__init__(reason)
        self.reason = reason
        self.earliest = earliest


@dataclass(frozen=True)
class NewApplication:
    """Everything the kiosk collected, already validated field by field."""

    id_number: IdNumber
    app_type: ApplicationType
    registered_province: str
    idempotency_key: str
    name: str = ""
    phone: str = ""
    held: frozenset[Material] = frozenset()
    exemption: Exemption = Exemption.NONE
    cannot_travel: bool = False
    special_group: SpecialGroup | None = None
    urgent_reason: str = ""
    blocking_reason: str = ""
    wants_out_of_hours_slot: bool = False
    card_expires: dt.date | None = None
    card_long_term: bool = False
    visit_dates: tuple[dt.date, ...] = ()  # preferred dates for a home visit
    collection: str = "station"  # "station", "post", or "visit" (the officer brings it home)
    address: str = ""  # the home-visit or postal address
    recipient_name: str = ""  # who receives a posted card
    old_card_handover: str = ""  # a posted card replacing an old one: "at_acceptance" or "courier"
    photo_at_window: bool = False  # the photo is still to be taken by staff
    language: str = "zh_Hans"  # the citizen's language, for the messages sent to them
    main_link: MainLink | None = None  # a temporary ID: the pending main application it bridges
    # The photo taken at the kiosk: its file under <instance>/photos/ and its checks (Report.to_dict).
    photo_file: str = ""
    photo_report: dict = field(default_factory=dict)
    channel: str = "kiosk"


@dataclass(frozen=True)
class Assessment:
    """What the station promises for a case: shown before submitting, stored on submit."""

    out_of_province: bool
    required: tuple[Material, ...]
    decision: Decision
    fee_yuan: int
    postal_fee_yuan: int
    expected_ready: dt.date
    handled_today: bool  # staff can still act today (a working day, the hall not yet closed)
    facts: CardFacts  # what is true of the new card and the visit
    exemption: Exemption = Exemption.NONE  # the one claimed, where it applies to this type at this station
    temporary_offer: TemporaryOffer | None = None  # a temporary ID helps while the card is made

    @property
    def to_bring(self) -> tuple[Material, ...]:
        """The papers the citizen is asked about: the photo is taken, never brought."""
        return tuple(m for m in self.required if m is not Material.PHOTO)


def assess(station: StationContext, new: NewApplication, now: dt.datetime) -> Assessment:
    """The commitment, deadlines, fee and expected date for `new` made at `now`, or NotEligible."""
    settings = station.settings
    today, handled_on = station.today(now), station.handling_day(now)
    eligibility = check_eligibility(
        new.app_type,
        new.id_number,
        registered_province=new.registered_province,
        settings=settings,
        today=today,
        card_expires=new.card_expires,
        card_long_term=new.card_long_term,
    )
    if not eligibility.ok:
        raise NotEligible(eligibility.reason, eligibility.earliest)
    if new.app_type is ApplicationType.TEMPORARY and (new.main_link is None or new.main_link.refusal):
        raise NotEligible(new.main_link.refusal if new.main_link else "temporary_without_main")

    out_of_province = new.registered_province != settings.province_code
    exemption = new.exemption if new.exemption in exemptions_for(new.app_type, settings) else Exemption.NONE
    required = required_materials(
        new.app_type, age=new.id_number.age_on(today), out_of_province=out_of_province, exemption=exemption
    )
    situation = Situation(
        required=required,
        # The photo is never missing: it is taken by the kiosk's camera, at the window when the
        # citizen comes in, or by the officer on a home visit (photo_at_window tells staff).
        held=new.held | {Material.PHOTO},
        cannot_travel=new.cannot_travel,
        special_group=new.special_group,
        urgent_reason=new.urgent_reason,
        blocking_reason=new.blocking_reason,
        wants_out_of_hours_slot=new.wants_out_of_hours_slot,
        card_lost=new.app_type is ApplicationType.LOST,
    )
    decision = decide_commitment(
        situation,
        accepted_on=handled_on,
        calendar=station.calendar,
        settings=settings,
        temporary_id_possible=new.app_type in MAIN_TYPES
        and (not out_of_province or settings.temporary_id_out_of_province),
    )
    promised = promised_working_days(
        new.app_type, out_of_province=out_of_province, settings=settings, urgent=decision.supervisor_sign_off
    )
    expected_ready = station.calendar.add_working_days(today, promised)
    facts = card_facts(
        new.app_type,
        new.id_number,
        today=today,
        ready=expected_ready,
        temporary_valid_days=settings.temporary_id_valid_days,
        home_visit=decision.commitment is Commitment.HOME_VISIT,
        old_card=old_card_fate(new.app_type, new.collection, new.old_card_handover),
    )
    return Assessment(
        out_of_province=out_of_province,
        required=required,
        decision=decision,
        fee_yuan=fee_yuan(new.app_type, settings, exemption),
        postal_fee_yuan=settings.postal_delivery_fee if new.collection == "post" else 0,
        expected_ready=expected_ready,
        handled_today=handled_on == today,
        facts=facts,
        exemption=exemption,
        temporary_offer=temporary_offer(station, out_of_province=out_of_province, at=now)
        if decision.offer_temporary_id
        else None,
    )


def with_main_link(db: Database, station: StationContext, new: NewApplication) -> NewApplication:
    """A temporary ID application with its link to the pending main application looked up now."""
    if new.app_type is not ApplicationType.TEMPORARY:
        return new
    return replace(new, main_link=temporary_ids.main_link(db, station.id, new.id_number.number))
