"""What the printed documents say: an application's receipt and a booking's confirmation, built
from the database's rows with personal data masked (kiosk.domain.masking); the official field
labels in Chinese, what they explain in the citizen's language. kiosk.services.printing prints them.
"""

from __future__ import annotations

from decimal import Decimal

from printing import BookingConfirmation, CollectAtStation, DeliverAtHome, DeliverByPost, Receipt

from ..domain.catalogue import ApplicationType, required_materials
from ..domain.id_number import parse_id_number
from ..domain.masking import mask_address, mask_id_number, mask_name, mask_phone
from ..domain.official_names import COMMITMENT_NAMES, MATERIAL_NAMES, printed_service
from ..i18n import N_
from ..labels import MATERIALS
from ..models import Applicant, Application, Booking
from .case_facts import facts_of, receipt_notes
from .slot_times import SlotView
from .station import StationContext, printed_opening_hours
from .temporary_ids import offer_of
from .wording import Wording

_NOT_KNOWN = "—"  # printed for a field the retention purge has blanked


def receipt_data(
    application: Application,
    applicant: Applicant,
    station: StationContext,
    progress_url: str,
    missing: tuple[str, ...] = (),
    main_number: str = "",
) -> Receipt:
    """What the receipt shows, masked: the official field labels in Chinese, what they explain in
    the citizen's language; `missing`: the materials still to be supplied; `main_number`: the
    application a temporary ID bridges."""
    settings = station.settings
    words = Wording(application.language)
    facts = facts_of(application, applicant, station)
    service = printed_service(application.app_type)
    if application.out_of_province:
        service += "（跨省异地办理）"
    address = mask_address(applicant.address or "") or _NOT_KNOWN
    if application.collection == "post":
        collection = DeliverByPost(address_masked=address, recipient_masked=mask_name(applicant.recipient_name or ""))
    elif application.collection == "visit":
        collection = DeliverAtHome(address_masked=address, hours=printed_opening_hours(station))
    else:
        collection = CollectAtStation(address=settings.address, hours=printed_opening_hours(station))
    expected = application.expected_ready or application.handling_deadline
    bring = []
    if application.collection == "station":  # a card posted or brought home is signed for at the door
        bring.append(words(N_("This receipt")))
        if application.old_card_handover == "at_collection":
            bring.append(words(N_("Your old ID card, handed in for the new one")))
    notes = list(receipt_notes(facts, words, main_number, offer_of(station, application)))
    if application.collection == "visit":
        notes[:0] = [
            words(
                N_("The station calls you by %(date)s to arrange the officer's visit to your home"),
                date=words.day(application.handling_deadline),
            ),
            words(N_("The officer takes your ID photo on the home visit")),
        ]
    elif application.photo_at_window:
        notes.insert(0, words(N_("Your ID photo is taken at the window when you come in")))
    deadline = application.materials_deadline if missing else None
    return Receipt(
        application_number=application.number,
        progress_url=progress_url,
        name_masked=mask_name(applicant.name or "") or _NOT_KNOWN,
        id_number_masked=mask_id_number(applicant.id_number or "") or _NOT_KNOWN,
        service=service,
        station=settings.name,
        accepted_by=f"自助终端 {settings.code}" if application.channel == "kiosk" else "窗口受理",
        accepted_at=application.created_at.astimezone(settings.zone),
        commitment=COMMITMENT_NAMES.get(application.commitment, application.commitment),
        promise=words(N_("Card ready by %(date)s"), date=words.day(expected)),
        fee_yuan=Decimal(application.fee_yuan + application.postal_fee_yuan),
        payment_status=words(_payment(application)),
        expected_collection=expected,
        collection=collection,
        phone_masked=mask_phone(applicant.phone or "") or _NOT_KNOWN,
        hotline=settings.hotline,
        bring_at_collection=tuple(bring),
        missing_materials=tuple(words(MATERIALS[m]) for m in missing),
        materials_deadline=deadline,
        materials_note=words(N_("Please supply them by %(date)s"), date=words.day(deadline)) if deadline else "",
        notes=tuple(notes),
        footer=words(
            N_("Keep this receipt. With its application number you can follow your application at the kiosk or online.")
        ),
    )


def _payment(application: Application) -> str:
    if application.fee_paid:
        return N_("paid")
    if not application.fee_yuan:
        return N_("free")
    return N_("paid to the officer on the home visit") if application.collection == "visit" else N_("pay at the window")


def booking_data(booking: Booking, slot: SlotView, station: StationContext, manage_url: str) -> BookingConfirmation:
    """What the booking confirmation shows, masked; what to bring follows from the person's ID number."""
    settings = station.settings
    bring: tuple[str, ...] = ()
    if booking.id_number:  # blanked by the retention purge
        person = parse_id_number(booking.id_number)
        materials = required_materials(
            ApplicationType(booking.service),
            age=person.age_on(slot.starts.date()),
            out_of_province=person.is_out_of_province(settings.province_code),
        )
        bring = tuple(MATERIAL_NAMES.get(m, m) for m in materials)
    return BookingConfirmation(
        code=booking.code,
        service=printed_service(booking.service),
        station=settings.name,
        address=settings.address,
        starts=slot.starts,
        ends=slot.ends,
        kind=slot.kind,
        name_masked=mask_name(booking.name or "") or _NOT_KNOWN,
        id_number_masked=mask_id_number(booking.id_number or "") or _NOT_KNOWN,
        phone_masked=mask_phone(booking.phone or "") or _NOT_KNOWN,
        hotline=settings.hotline,
        manage_url=manage_url,
        cancel_notice_hours=settings.booking.cancel_notice_hours,
        bring=bring,
    )
