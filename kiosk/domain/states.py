"""The states of what the station keeps: the application's state machine (every change of state
goes through `transition`), and the states of bookings, print jobs and home visits. Each is stored
as its value: the strings in the database are these."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum


class State(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    AWAITING_MATERIALS = "awaiting_materials"
    APPROVED = "approved"
    VERIFYING = "verifying"  # out-of-province: waiting for the home province
    IN_PRODUCTION = "in_production"
    READY = "ready"
    COLLECTED = "collected"
    POSTED = "posted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


class BookingState(StrEnum):
    BOOKED = "booked"  # the one active state: one per person per day (ux_booking_person_day)
    CANCELLED = "cancelled"
    CHECKED_IN = "checked_in"
    NO_SHOW = "no_show"


class PrintState(StrEnum):
    QUEUED = "queued"  # waiting for the printer (or for its first attempt)
    PRINTING = "printing"
    DONE = "done"  # handed to the printer
    FAILED = "failed"  # the document could not be made


class VisitState(StrEnum):
    ASSIGNED = "assigned"
    DONE = "done"
    NOBODY_HOME = "nobody_home"


class Action(StrEnum):
    SUBMIT = "submit"
    REQUEST_MATERIALS = "request_materials"
    SUPPLY_MATERIALS = "supply_materials"
    APPROVE = "approve"
    FORWARD_FOR_VERIFICATION = "forward_for_verification"
    VERIFICATION_PASSED = "verification_passed"
    START_PRODUCTION = "start_production"
    MARK_READY = "mark_ready"
    COLLECT = "collect"
    POST = "post"
    REJECT = "reject"
    WITHDRAW = "withdraw"
    EXPIRE = "expire"


# Why staff refuse an application (its `refusal_reason`).
REFUSAL_REASONS = ("identity", "duplicate", "not_eligible", "materials", "other")

# What became of the old card when the new one was handed over (at the window or at the door).
OLD_CARD_FATES = ("returned", "not_returned", "none")

FINAL_STATES = frozenset({State.COLLECTED, State.POSTED, State.REJECTED, State.WITHDRAWN, State.EXPIRED})

_OPEN_BEFORE_APPROVAL = (State.SUBMITTED, State.AWAITING_MATERIALS)

# (action) -> {from state: to state}
TRANSITIONS: dict[Action, dict[State, State]] = {
    Action.SUBMIT: {State.DRAFT: State.SUBMITTED},
    Action.REQUEST_MATERIALS: {State.SUBMITTED: State.AWAITING_MATERIALS},
    Action.SUPPLY_MATERIALS: {State.AWAITING_MATERIALS: State.SUBMITTED},
    Action.APPROVE: {State.SUBMITTED: State.APPROVED},
    Action.FORWARD_FOR_VERIFICATION: {State.APPROVED: State.VERIFYING},
    Action.VERIFICATION_PASSED: {State.VERIFYING: State.IN_PRODUCTION},
    Action.START_PRODUCTION: {State.APPROVED: State.IN_PRODUCTION},
    Action.MARK_READY: {State.IN_PRODUCTION: State.READY},
    Action.COLLECT: {State.READY: State.COLLECTED},
    Action.POST: {State.READY: State.POSTED},
    Action.REJECT: {s: State.REJECTED for s in (*_OPEN_BEFORE_APPROVAL, State.APPROVED, State.VERIFYING)},
    Action.WITHDRAW: {s: State.WITHDRAWN for s in (State.DRAFT, *_OPEN_BEFORE_APPROVAL)},
    # A case lapses when the materials it was accepted without never came: returned by staff
    # (awaiting materials) or accepted at the kiosk with something missing (手续不全限时办).
    Action.EXPIRE: {s: State.EXPIRED for s in (State.DRAFT, *_OPEN_BEFORE_APPROVAL)},
}

# The deadline an open case is held to, by state (docs/domain.md "Escalation"): staff's handling
# deadline until the case is approved, then the promised date the card is ready. A case waiting
# for the citizen's materials is held to the materials deadline instead (it lapses).
HANDLING_DEADLINE_STATES = frozenset({State.SUBMITTED})
READY_DEADLINE_STATES = frozenset({State.APPROVED, State.VERIFYING, State.IN_PRODUCTION})


def deadline_in(state: str, handling_deadline: dt.date, expected_ready: dt.date | None) -> dt.date | None:
    """The deadline a case in `state` is held to (shown to staff, escalated by the sweep)."""
    return expected_ready if State(state) in READY_DEADLINE_STATES else handling_deadline

# Out-of-province cases are verified by the home province before production;
# local cases never are.
_OUT_OF_PROVINCE_ONLY = frozenset({Action.FORWARD_FOR_VERIFICATION, Action.VERIFICATION_PASSED})
_LOCAL_ONLY = frozenset({Action.START_PRODUCTION})


class IllegalTransition(ValueError):
    def __init__(self, state: State, action: Action, why: str):
        super().__init__(f"cannot {action.value} an application that is {state.value}: {why}")
        self.state = state
        self.action = action


def _refusal(state: State, action: Action, out_of_province: bool) -> str | None:
    """Why `action` cannot be taken now, or None when it can."""
    if state not in TRANSITIONS[action]:
        return "not allowed from this state"
    if action in _OUT_OF_PROVINCE_ONLY and not out_of_province:
        return "only out-of-province cases are verified"
    if action in _LOCAL_ONLY and out_of_province:
        return "out-of-province cases are verified first"
    return None


# How a ready card leaves the station at the window, by the collection chosen: collected there or
# posted. A card brought home is handed over when the officer records the visit
# (kiosk.services.visits), never by a window action.
WINDOW_HANDOVER = {"station": Action.COLLECT, "post": Action.POST}


def window_may(action: Action, collection: str) -> bool:
    """Whether the window may take `action` on a case whose card is received this way."""
    return action not in WINDOW_HANDOVER.values() or WINDOW_HANDOVER.get(collection) is action


def transition(state: State, action: Action, *, out_of_province: bool) -> State:
    """The state after `action`, or IllegalTransition."""
    why = _refusal(state, action, out_of_province)
    if why:
        raise IllegalTransition(state, action, why)
    return TRANSITIONS[action][state]


def allowed_actions(state: State, *, out_of_province: bool) -> list[Action]:
    """The actions a person may take now, in the order they are usually taken."""
    return [a for a in TRANSITIONS if _refusal(state, a, out_of_province) is None]
