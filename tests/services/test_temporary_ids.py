"""docs/domain.md, "Temporary ID": issued only while the same person's main application is
pending at the station, linked to it, ready within 3 working days, valid three months."""

import datetime as dt
import tomllib
import uuid

import pytest

from kiosk.domain.catalogue import ApplicationType as T
from kiosk.domain.id_number import parse_id_number
from kiosk.domain.states import Action, State
from kiosk.domain.station import SettingsError, parse_station_settings
from kiosk.domain.temporary_id import valid_until
from kiosk.services.applications import change_state, submit_application
from kiosk.services.assessment import NewApplication, NotEligible
from kiosk.services.station import DEMO_STATION_FILE
from tests.conftest import JIANGXI_ID, LOCAL_ID, aware

NOW = aware(2026, 11, 24)  # a Tuesday


def new(app_type, number=LOCAL_ID, province="33"):
    return NewApplication(
        id_number=parse_id_number(number),
        app_type=app_type,
        registered_province=province,
        idempotency_key=uuid.uuid4().hex,
        name="王小明",
    )


def submit(database, station, app_type, **kwargs):
    return submit_application(database, station, new(app_type, **kwargs), actor="kiosk:330402", now=NOW)


@pytest.mark.parametrize("main_type", [T.FIRST, T.RENEWAL_EXPIRY, T.RENEWAL_CHANGE, T.DAMAGED, T.LOST])
def test_a_temporary_id_is_linked_to_the_pending_main_application(database, station, main_type):
    main = submit(database, station, main_type)
    temporary = submit(database, station, T.TEMPORARY)
    assert temporary.main_application_id == main.id
    assert temporary.fee_yuan == 10


def test_without_a_pending_main_application_a_temporary_id_is_refused(database, station):
    submit(database, station, T.LOST, number=JIANGXI_ID, province="36")  # someone else's
    with pytest.raises(NotEligible) as refused:
        submit(database, station, T.TEMPORARY)
    assert refused.value.reason == "temporary_without_main"


@pytest.mark.parametrize(
    ("actions", "pending"),
    [
        ((), True),
        ((Action.APPROVE,), True),
        ((Action.APPROVE, Action.START_PRODUCTION), True),
        ((Action.APPROVE, Action.START_PRODUCTION, Action.MARK_READY), False),  # the card itself is ready
        ((Action.REJECT,), False),
        ((Action.WITHDRAW,), False),
    ],
)
def test_only_a_main_application_still_in_progress_counts(database, station, actions, pending):
    main = submit(database, station, T.LOST)
    for action in actions:
        refusal = "other" if action is Action.REJECT else None
        change_state(database, station, main.id, action, actor="staff:zhang", refusal_reason=refusal, now=NOW)
    if pending:
        assert submit(database, station, T.TEMPORARY).main_application_id == main.id
    else:
        with pytest.raises(NotEligible, match="temporary_without_main"):
            submit(database, station, T.TEMPORARY)


def test_one_temporary_id_per_main_application_unless_the_first_ended(database, station):
    main = submit(database, station, T.LOST)
    first = submit(database, station, T.TEMPORARY)
    with pytest.raises(NotEligible, match="temporary_already_applied"):
        submit(database, station, T.TEMPORARY)
    change_state(database, station, first.id, Action.WITHDRAW, actor="staff:zhang", now=NOW)
    assert submit(database, station, T.TEMPORARY).main_application_id == main.id


def test_a_temporary_id_is_never_the_main_application_of_another(database, station):
    submit(database, station, T.LOST)
    temporary = submit(database, station, T.TEMPORARY)
    change_state(
        database,
        station,
        temporary.main_application_id,
        Action.REJECT,
        actor="staff:zhang",
        refusal_reason="other",
        now=NOW,
    )
    with pytest.raises(NotEligible, match="temporary_without_main"):
        submit(database, station, T.TEMPORARY)
    assert temporary.state == State.SUBMITTED


@pytest.mark.parametrize(("province", "ready"), [("33", dt.date(2026, 11, 25)), ("36", dt.date(2026, 11, 27))])
def test_a_temporary_id_is_ready_within_three_working_days(database, station, province, ready):
    number = LOCAL_ID if province == "33" else JIANGXI_ID
    submit(database, station, T.FIRST, number=number, province=province)
    temporary = submit(database, station, T.TEMPORARY, number=number, province=province)
    assert temporary.expected_ready == ready


@pytest.mark.parametrize("table", ["local", "out_of_province"])
def test_a_station_cannot_promise_a_temporary_id_later_than_three_working_days(table):
    doc = tomllib.loads(DEMO_STATION_FILE.read_text())
    doc["promise"][table]["temporary"] = 4
    with pytest.raises(SettingsError) as refused:
        parse_station_settings(doc)
    assert refused.value.key == f"promise.{table}.temporary"
    doc["promise"][table]["temporary"] = 3
    parse_station_settings(doc)


@pytest.mark.parametrize(("days", "accepted"), [(90, True), (92, True), (93, False), (180, False)])
def test_a_temporary_id_is_valid_three_months_at_most(days, accepted):
    doc = tomllib.loads(DEMO_STATION_FILE.read_text())
    doc["temporary_id"]["valid_days"] = days
    if accepted:
        assert parse_station_settings(doc).temporary_id_valid_days == days
    else:
        with pytest.raises(SettingsError, match="temporary_id.valid_days"):
            parse_station_settings(doc)


@pytest.mark.parametrize(
    ("issued", "days", "last_day"),
    [
        (dt.date(2026, 11, 25), 90, dt.date(2027, 2, 22)),
        (dt.date(2026, 12, 31), 90, dt.date(2027, 3, 30)),
        (dt.date(2028, 1, 1), 90, dt.date(2028, 3, 30)),  # a leap year
        (dt.date(2026, 11, 25), 1, dt.date(2026, 11, 25)),
    ],
)
def test_the_last_day_a_temporary_id_is_valid(issued, days, last_day):
    assert valid_until(issued, days) == last_day
