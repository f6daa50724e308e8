import pytest

from kiosk import labels
from kiosk.domain.states import (
    FINAL_STATES,
    TRANSITIONS,
    Action,
    BookingState,
    IllegalTransition,
    PrintState,
    State,
    VisitState,
    allowed_actions,
    transition,
)

S, A = State, Action

# Every legal move, for a local (L) and an out-of-province (P) case. Anything
# not listed must raise.
LEGAL = {
    (S.DRAFT, A.SUBMIT): S.SUBMITTED,
    (S.DRAFT, A.WITHDRAW): S.WITHDRAWN,
    (S.DRAFT, A.EXPIRE): S.EXPIRED,
    (S.SUBMITTED, A.REQUEST_MATERIALS): S.AWAITING_MATERIALS,
    (S.SUBMITTED, A.APPROVE): S.APPROVED,
    (S.SUBMITTED, A.REJECT): S.REJECTED,
    (S.SUBMITTED, A.WITHDRAW): S.WITHDRAWN,
    (S.SUBMITTED, A.EXPIRE): S.EXPIRED,  # a kiosk case whose missing materials never came
    (S.AWAITING_MATERIALS, A.SUPPLY_MATERIALS): S.SUBMITTED,
    (S.AWAITING_MATERIALS, A.REJECT): S.REJECTED,
    (S.AWAITING_MATERIALS, A.WITHDRAW): S.WITHDRAWN,
    (S.AWAITING_MATERIALS, A.EXPIRE): S.EXPIRED,
    (S.APPROVED, A.REJECT): S.REJECTED,
    (S.VERIFYING, A.REJECT): S.REJECTED,
    (S.IN_PRODUCTION, A.MARK_READY): S.READY,
    (S.READY, A.COLLECT): S.COLLECTED,
    (S.READY, A.POST): S.POSTED,
}
LOCAL_ONLY = {(S.APPROVED, A.START_PRODUCTION): S.IN_PRODUCTION}
OUT_OF_PROVINCE_ONLY = {
    (S.APPROVED, A.FORWARD_FOR_VERIFICATION): S.VERIFYING,
    (S.VERIFYING, A.VERIFICATION_PASSED): S.IN_PRODUCTION,
}

CASES = [(state, action) for state in State for action in Action]


@pytest.mark.parametrize(("state", "action"), CASES)
def test_local_case(state, action):
    expected = (LEGAL | LOCAL_ONLY).get((state, action))
    if expected is None:
        with pytest.raises(IllegalTransition):
            transition(state, action, out_of_province=False)
    else:
        assert transition(state, action, out_of_province=False) is expected


@pytest.mark.parametrize(("state", "action"), CASES)
def test_out_of_province_case(state, action):
    expected = (LEGAL | OUT_OF_PROVINCE_ONLY).get((state, action))
    if expected is None:
        with pytest.raises(IllegalTransition):
            transition(state, action, out_of_province=True)
    else:
        assert transition(state, action, out_of_province=True) is expected


def test_final_states_have_no_way_out():
    for state in FINAL_STATES:
        assert allowed_actions(state, out_of_province=False) == []
        assert allowed_actions(state, out_of_province=True) == []


def test_allowed_actions_agree_with_transition():
    for state in State:
        for oop in (False, True):
            for action in allowed_actions(state, out_of_province=oop):
                transition(state, action, out_of_province=oop)


def test_every_state_but_draft_is_reachable():
    reached = {target for targets in TRANSITIONS.values() for target in targets.values()}
    assert reached == set(State) - {State.DRAFT}


def test_the_full_out_of_province_path():
    state = State.DRAFT
    for action in (
        A.SUBMIT,
        A.REQUEST_MATERIALS,
        A.SUPPLY_MATERIALS,
        A.APPROVE,
        A.FORWARD_FOR_VERIFICATION,
        A.VERIFICATION_PASSED,
        A.MARK_READY,
        A.POST,
    ):
        state = transition(state, action, out_of_province=True)
    assert state is State.POSTED


def test_the_error_names_state_and_action():
    with pytest.raises(IllegalTransition, match="cannot approve an application that is collected"):
        transition(State.COLLECTED, Action.APPROVE, out_of_province=False)


@pytest.mark.parametrize(
    ("states", "stored", "table"),
    [
        (BookingState, {"booked", "cancelled", "checked_in", "no_show"}, "BOOKING_STATES"),
        (PrintState, {"queued", "printing", "done", "failed"}, "PRINT_STATES"),
        (VisitState, {"assigned", "done", "nobody_home"}, "VISIT_STATES"),
    ],
)
def test_the_states_of_bookings_print_jobs_and_visits_keep_their_stored_values(states, stored, table):
    """The rows written before the enums hold these strings: no migration, and each has a label."""
    assert {state.value for state in states} == stored
    assert set(getattr(labels, table)) == set(states)


def test_the_window_hands_a_card_over_only_the_way_the_citizen_chose():
    from kiosk.domain.states import window_may

    assert window_may(Action.COLLECT, "station") and not window_may(Action.POST, "station")
    assert window_may(Action.POST, "post") and not window_may(Action.COLLECT, "post")
    # A card brought home is handed over by the visiting officer's record, not at the window.
    assert not window_may(Action.COLLECT, "visit") and not window_may(Action.POST, "visit")
    assert all(window_may(action, "visit") for action in (Action.APPROVE, Action.REJECT, Action.MARK_READY))
