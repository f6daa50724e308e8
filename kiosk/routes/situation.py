"""The kiosk's questions about the citizen's situation, one page each, answered with one tap.

Which of them are asked, and in which order, is `kiosk.domain.wizard` (`SITUATION_KEYS`); here
are their wording and choices. Every answer goes into `answers["situation"]` under the
question's key, in the form the rest of the code reads (`services.wizard.to_new_application`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import pgettext

from .. import labels
from ..domain.catalogue import ApplicationType, exemptions_for
from ..domain.id_number import parse_id_number
from ..domain.wizard import SITUATION_KEYS
from ..services.station import StationContext

ELDERLY_AGE = 70  # the age from which the elderly group is suggested


@dataclass(frozen=True)
class Choice:
    value: str  # in the form
    answer: Any  # kept in answers["situation"]
    label: str


def _none_or(labels: dict, none_label: str, none_answer: Any) -> list[Choice]:
    """The "no" choice first, then one per entry of `labels`."""
    return [Choice("none", none_answer, none_label), *(Choice(key, key, str(label)) for key, label in labels.items())]


def _can_travel(answers: dict, context: StationContext) -> tuple[str, list[Choice]]:
    return _("Can the applicant come to the station in person?"), [
        Choice("yes", False, pgettext("the applicant can come to the station", "Yes")),
        Choice("no", True, _("No, I need an officer to visit me")),
    ]


def _special_group(answers: dict, context: StationContext) -> tuple[str, list[Choice]]:
    return _("Does one of these apply to you?"), _none_or(labels.SPECIAL_GROUPS, _("None of these"), None)


def _urgent(answers: dict, context: StationContext) -> tuple[str, list[Choice]]:
    no = pgettext("needs the card urgently", "No")
    return _("Do you need the card urgently?"), _none_or(labels.URGENT_REASONS, no, "")


def _blocking(answers: dict, context: StationContext) -> tuple[str, list[Choice]]:
    no = pgettext("something to sort out first", "No")
    return _("Has staff told you something must be sorted out first?"), _none_or(labels.BLOCKING_REASONS, no, "")


def _out_of_hours(answers: dict, context: StationContext) -> tuple[str, list[Choice]]:
    return _("Would you rather come back at a booked time in the evening, at a weekend or on a holiday?"), [
        Choice("no", False, pgettext("book an evening, weekend or holiday time", "No")),
        Choice("yes", True, _("Yes, book a time")),
    ]


def _exemption(answers: dict, context: StationContext) -> tuple[str, list[Choice]]:
    offered = exemptions_for(ApplicationType(answers["app_type"]), context.settings)
    offered_labels = {e.value: labels.EXEMPTIONS[e.value] for e in offered}
    none_label = str(labels.EXEMPTIONS["none"])
    return _("Do you have a certificate for a lower fee?"), _none_or(offered_labels, none_label, "none")


QUESTIONS: dict[str, Callable[[dict, StationContext], tuple[str, list[Choice]]]] = {
    "can_travel": _can_travel,
    "special_group": _special_group,
    "urgent": _urgent,
    "blocking": _blocking,
    "out_of_hours": _out_of_hours,
    "exemption": _exemption,
}


def parse(name: str, form, answers: dict, context: StationContext) -> tuple[dict, dict]:
    _question, choices = QUESTIONS[name](answers, context)
    chosen = next((choice for choice in choices if choice.value == form.get(name)), None)
    if chosen is None:
        return {}, {name: _("Please choose one answer.")}
    return {"situation": answers.get("situation", {}) | {SITUATION_KEYS[name]: chosen.answer}}, {}


def page(name: str, answers: dict, context: StationContext) -> dict:
    """What the page shows: the question, its choices, and the one to mark (the answer given,
    or on a first visit the elderly group suggested from the birth date)."""
    question, choices = QUESTIONS[name](answers, context)
    situation = answers.get("situation", {})
    key = SITUATION_KEYS[name]
    if key in situation:
        marked = next((choice.value for choice in choices if choice.answer == situation[key]), None)
    elif name == "special_group" and _age(answers, context) >= ELDERLY_AGE:
        marked = "elderly"
    else:
        marked = None
    return {"question": question, "choices": choices, "marked": marked}


def _age(answers: dict, context: StationContext) -> int:
    return parse_id_number(answers["id_number"], today=context.today()).age_on(context.today())
