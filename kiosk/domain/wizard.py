"""The kiosk wizard's flow: which questions a case needs, in which order, and
which is the first one still unanswered. One question per page.

Answers are a plain dict (kept server-side between pages). A step is *needed*
when the answers so far make it relevant, and *answered* when its keys are set.
Posting to a later step than the first unanswered one is refused by the routes
using `first_unanswered`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Answers = Mapping[str, Any]

REFUSED = "not_here"  # the page that explains why this station cannot take the case


@dataclass(frozen=True)
class Step:
    name: str
    answered: Callable[[Answers], bool]
    needed: Callable[[Answers], bool] = lambda answers: True


def _has(*keys: str) -> Callable[[Answers], bool]:
    return lambda answers: all(key in answers for key in keys)


def home_visit(answers: Answers) -> bool:
    """The applicant cannot travel: an officer comes to them, takes the photo and the thumbprints,
    takes the fee, and later brings the card home. The kiosk asks nothing about a photo or how the
    card comes back."""
    return bool(answers.get("situation", {}).get("cannot_travel"))


STEPS: tuple[Step, ...] = (
    Step("type", _has("app_type")),
    Step("id_number", _has("id_number")),
    Step("name", _has("name")),
    Step("registration", _has("registered_province")),
    Step("expiry", _has("card_expires"), needed=lambda a: a.get("app_type") == "renewal_expiry"),
    Step("situation", _has("situation")),
    Step("visit", _has("visit"), needed=home_visit),
    Step("materials", _has("held")),
    Step("plan", _has("plan_seen")),
    Step("photo", _has("photo"), needed=lambda a: not home_visit(a)),
    Step("contact", _has("phone")),
    # A temporary ID is handed over at the station (kiosk.domain.temporary_id).
    Step("collection", _has("collection"), needed=lambda a: a.get("app_type") != "temporary" and not home_visit(a)),
    Step("check", lambda answers: False),
)
STEP_NAMES = tuple(step.name for step in STEPS)
_BY_NAME = {step.name: step for step in STEPS}


# The steps that decide whether this station can take the case at all.
ELIGIBILITY_STEPS = ("type", "id_number", "name", "registration", "expiry")


def is_answered(name: str, answers: Answers) -> bool:
    return _BY_NAME[name].answered(answers)


def needed_steps(answers: Answers) -> list[str]:
    return [step.name for step in STEPS if step.needed(answers)]


def first_unanswered(answers: Answers, refused: bool = False) -> str:
    """The step to show now; REFUSED once the eligibility steps are answered and the case was refused."""
    for name in needed_steps(answers):
        if refused and name not in ELIGIBILITY_STEPS:
            return REFUSED
        if not _BY_NAME[name].answered(answers):
            return name
    return "check"


def may_show(step: str, answers: Answers, refused: bool = False) -> bool:
    """A step may be shown when it is needed and every needed step before it is answered."""
    current = first_unanswered(answers, refused)
    if step == REFUSED:
        return current == REFUSED
    steps = needed_steps(answers)
    if step not in steps:
        return False
    if current == REFUSED:
        return step in ELIGIBILITY_STEPS
    return steps.index(step) <= steps.index(current)


def previous_step(step: str, answers: Answers) -> str | None:
    """The needed step before `step` (for the Back button); None on the first."""
    steps = needed_steps(answers)
    if step == REFUSED:
        return [name for name in steps if name in ELIGIBILITY_STEPS][-1]
    index = steps.index(step)
    return steps[index - 1] if index > 0 else None
