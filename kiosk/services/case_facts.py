"""What the done page and the receipt tell the citizen about an application already made:
the card facts (kiosk.domain.card_facts) and, for a temporary ID, the main application it bridges."""

from __future__ import annotations

from ..db import Database
from ..domain.card_facts import CardFacts, OldCard, card_facts
from ..domain.catalogue import ApplicationType, Validity
from ..domain.commitments import Commitment
from ..domain.id_number import parse_id_number
from ..i18n import N_
from ..labels import VALIDITIES
from ..models import Applicant, Application
from .station import StationContext
from .temporary_ids import TemporaryOffer
from .wording import Wording


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


# The receipt's notes, in the citizen's language (kiosk.services.wording).
_OLD_CARD_NOTES = {
    OldCard.AT_COLLECTION: N_("Hand in your old card when you collect the new one"),
    OldCard.AT_ACCEPTANCE: N_("Your old card is handed in at the window when the application is accepted"),
    OldCard.COURIER: N_(
        "Your old card is given to the courier when the new card arrives, on the authorisation you signed"
    ),
    OldCard.AT_VISIT: N_("Give your old card to the officer who brings the new one to your home"),
}


def receipt_notes(
    facts: CardFacts | None, words: Wording, main_number: str = "", temporary: TemporaryOffer | None = None
) -> tuple[str, ...]:
    """What is true of the card and the visit, and the temporary ID offered meanwhile, as the
    receipt's notes in the citizen's language."""
    notes = [words(N_("For the ID card application %(number)s"), number=main_number)] if main_number else []
    if temporary:
        notes.append(
            words(
                N_(
                    "While you wait you can get a temporary ID card: %(fee)d yuan, ready by %(ready)s, valid %(days)d "
                    "days from the day it is issued. Ask for it at this kiosk once this application is sent, or at "
                    "the window on %(day)s (%(hours)s)."
                ),
                fee=temporary.fee_yuan,
                ready=words.day(temporary.ready_by),
                days=temporary.valid_days,
                day=words.day(temporary.window_day),
                hours=words.listing(str(session) for session in temporary.hours),
            )
        )
    if facts is None:
        return tuple(notes)
    if facts.validity is Validity.LONG_TERM:
        notes.append(words(N_("The new card is valid long-term")))
    elif facts.validity is not None:
        notes.append(
            words(
                N_("The new card is valid for %(years)s, until about %(date)s"),
                years=words(VALIDITIES[facts.validity]),
                date=words.day(facts.expires),
            )
        )
    if facts.temporary_valid_until:
        notes.append(
            words(
                N_(
                    "The temporary card is valid %(days)d days from the day it is issued: "
                    "until %(date)s if collected when ready"
                ),
                days=facts.temporary_valid_days,
                date=words.day(facts.temporary_valid_until),
            )
        )
    if facts.thumbprints == "visit":
        notes.append(words(N_("The officer takes both your thumbprints on the home visit")))
    elif facts.thumbprints:
        notes.append(words(N_("Please have both your thumbprints taken at the window")))
    if facts.guardian:
        notes.append(
            words(
                N_("Under 16: a parent or guardian applies with you, with their own ID card and the household register")
            )
        )
    if facts.apply_by:
        notes.append(
            words(
                N_("Everyone must apply for their first card within three months of turning 16: for you, by %(date)s"),
                date=words.day(facts.apply_by),
            )
        )
    if facts.old_card in _OLD_CARD_NOTES:
        notes.append(words(_OLD_CARD_NOTES[facts.old_card]))
    return tuple(notes)
