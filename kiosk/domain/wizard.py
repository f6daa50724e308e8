"""The kiosk wizard's flow: which questions a case needs, in which order, and
which is the first one still unanswered. One question per page.

Answers are a plain dict (kept server-side between pages). A step is *needed*
when the answers so far (and what the station offers) make it relevant, and
*answered* when its keys are set. Posting to a later step than the first
unanswered one is refused by the routes using `first_unanswered`.

The questions about the citizen's situation are one page each too; their answers
are kept together under `answers["situation"]`, one key per question.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .catalogue import ApplicationType, exemptions_for
from .station import StationSettings

Answers = Mapping[str, Any]

REFUSED = "not_here"  # the page that explains why this station cannot take the case


@dataclass(frozen=True)
class Step:
    name: str
    answered: Callable[[Answers], bool]
    needed: Callable[[Answers, StationSettings], bool] = lambda answers, settings: True


def _has(*keys: str) -> Callable[[Answers], bool]:
    return lambda answers: all(key in answers for key in keys)


def _situation_has(key: str) -> Callable[[Answers], bool]:
    return lambda answers: key in answers.get("situation", {})


def home_visit(answers: Answers) -> bool:
    """The applicant cannot travel: an officer comes to them, takes the photo, the thumbprints and
    the fee, and later brings the card home. The kiosk asks nothing about a photo or how the card
    comes back."""
    return bool(answers.get("situation", {}).get("cannot_travel"))


def _can_travel(answers: Answers, settings: StationSettings) -> bool:
    return not home_visit(answers)


def _offers_exemption(answers: Answers, settings: StationSettings) -> bool:
    app_type = answers.get("app_type")
    return app_type is not None and bool(exemptions_for(ApplicationType(app_type), settings))


# The situation questions: step name (the form field too) -> key in answers["situation"]. A
# question that does not apply is not asked, and its key is absent (read as "no").
SITUATION_KEYS = {
    "can_travel": "cannot_travel",
    "special_group": "special_group",
    "urgent": "urgent_reason",
    "blocking": "blocking_reason",
    "out_of_hours": "out_of_hours",  # a booked time at the station: not for a home visit
    "exemption": "exemption",  # a lower fee: only for the types and certificates the station allows
}
_SITUATION_NEEDED = {"out_of_hours": _can_travel, "exemption": _offers_exemption}
SITUATION_STEPS = tuple(SITUATION_KEYS)


STEPS: tuple[Step, ...] = (
    Step("type", _has("app_type")),
    Step("id_number", _has("id_number")),
    Step("name", _has("name")),
    Step("registration", _has("registered_province")),
    Step("expiry", _has("card_expires"), needed=lambda a, s: a.get("app_type") == "renewal_expiry"),
    *(
        Step(name, _situation_has(key), needed=_SITUATION_NEEDED.get(name, lambda a, s: True))
        for name, key in SITUATION_KEYS.items()
    ),
    Step("visit", _has("visit"), needed=lambda a, s: not _can_travel(a, s)),
    Step("materials", _has("held")),
    Step("plan", _has("plan_seen")),
    Step("photo", _has("photo"), needed=_can_travel),
    Step("contact", _has("phone")),
    # A temporary ID is handed over at the station (kiosk.domain.temporary_id); a home visit's card
    # is brought home.
    Step("collection", _has("collection"), needed=lambda a, s: a.get("app_type") != "temporary" and _can_travel(a, s)),
    Step("check", lambda answers: False),
)
STEP_NAMES = tuple(step.name for step in STEPS)
_BY_NAME = {step.name: step for step in STEPS}


# The steps that decide whether this station can take the case at all.
ELIGIBILITY_STEPS = ("type", "id_number", "name", "registration", "expiry")


def is_answered(name: str, answers: Answers) -> bool:
    return _BY_NAME[name].answered(answers)


def needed_steps(answers: Answers, settings: StationSettings) -> list[str]:
    return [step.name for step in STEPS if step.needed(answers, settings)]


# The answers a step keeps outside the situation, besides its own key: the camera's shots go with
# the photo.
_STEP_ANSWERS = {"visit": ("visit",), "photo": ("photo", "photo_shots"), "collection": ("collection",)}


def forget_unasked(answers: dict, settings: StationSettings) -> None:
    """Drop the answers of questions that no longer apply (a home visit after all, a type without
    a lower fee, a home visit no more): asked again, not carried over, should they apply once more."""
    asked = needed_steps(answers, settings)
    situation = answers.get("situation", {})
    for name, key in SITUATION_KEYS.items():
        if name not in asked:
            situation.pop(key, None)
    for name, keys in _STEP_ANSWERS.items():
        if name not in asked:
            for key in keys:
                answers.pop(key, None)


def first_unanswered(answers: Answers, settings: StationSettings, refused: bool = False) -> str:
    """The step to show now; REFUSED once the eligibility steps are answered and the case was refused."""
    for name in needed_steps(answers, settings):
        if refused and name not in ELIGIBILITY_STEPS:
            return REFUSED
        if not _BY_NAME[name].answered(answers):
            return name
    return "check"


def may_show(step: str, answers: Answers, settings: StationSettings, refused: bool = False) -> bool:
    """A step may be shown when it is needed and every needed step before it is answered."""
    current = first_unanswered(answers, settings, refused)
    if step == REFUSED:
        return current == REFUSED
    steps = needed_steps(answers, settings)
    if step not in steps:
        return False
    if current == REFUSED:
        return step in ELIGIBILITY_STEPS
    return steps.index(step) <= steps.index(current)


def previous_step(step: str, answers: Answers, settings: StationSettings) -> str | None:
    """The needed step before `step` (for the Back button); None on the first."""
    steps = needed_steps(answers, settings)
    if step == REFUSED:
        return [name for name in steps if name in ELIGIBILITY_STEPS][-1]
    index = steps.index(step)
    return steps[index - 1] if index > 0 else None
