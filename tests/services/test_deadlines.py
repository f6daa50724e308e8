"""docs/domain.md "Escalation" and "Commitments": every open state with a deadline escalates, the
supervisor and the oversight office are texted, and a kiosk case accepted with materials missing
(手续不全限时办) is reminded before its deadline and lapses like a case staff returned."""

import dataclasses
import datetime as dt
import uuid

import pytest
from sqlmodel import select

from kiosk.domain.catalogue import ApplicationType, Material
from kiosk.domain.id_number import parse_id_number
from kiosk.domain.states import Action, State
from kiosk.models import Application, Notification
from kiosk.services import cases, deadlines
from kiosk.services.applications import submit_application
from kiosk.services.assessment import NewApplication
from kiosk.services.staff import Role, create_staff
from tests.conftest import JIANGXI_ID, LOCAL_ID, aware

NOW = aware(2026, 11, 24, 10)  # Tuesday
EVERYTHING = frozenset(Material)


def _submit(database, station, *, held=EVERYTHING, out_of_province=False):
    new = NewApplication(
        id_number=parse_id_number(JIANGXI_ID if out_of_province else LOCAL_ID),
        app_type=ApplicationType.LOST,
        registered_province="36" if out_of_province else "33",
        idempotency_key=uuid.uuid4().hex,
        name="王小明",
        phone="13812345678",
        held=held,
    )
    return submit_application(database, station, new, actor="kiosk", now=NOW)


def _put_in(database, application, state):
    with database.transaction() as session:
        row = session.get(Application, application.id)
        row.state = state.value
        session.add(row)
    return row


@pytest.mark.parametrize(
    ("state", "out_of_province", "deadline", "escalates"),
    [
        (State.SUBMITTED, False, "handling_deadline", True),
        (State.APPROVED, False, "expected_ready", True),
        (State.VERIFYING, True, "expected_ready", True),  # awaiting the home province
        (State.IN_PRODUCTION, False, "expected_ready", True),
        (State.IN_PRODUCTION, True, "expected_ready", True),
        (State.READY, False, "expected_ready", False),  # the card is there: nothing is late
        (State.COLLECTED, False, "expected_ready", False),
    ],
)
def test_every_open_state_with_a_deadline_escalates(database, station, state, out_of_province, deadline, escalates):
    application = _put_in(database, _submit(database, station, out_of_province=out_of_province), state)
    day_after = getattr(application, deadline) + dt.timedelta(days=1)
    moment = dt.datetime.combine(day_after, dt.time(9), station.settings.zone)
    assert deadlines.sweep(database, station, moment - dt.timedelta(days=1)).escalated == 0
    assert deadlines.sweep(database, station, moment).escalated == int(escalates)
    board = [a.id for a, _holder in deadlines.overdue_board(database, station)]
    assert board == ([application.id] if escalates else [])


def test_the_supervisor_and_the_oversight_office_are_texted(database, station):
    application = _submit(database, station)
    wednesday = NOW + dt.timedelta(days=1)
    deadlines.sweep(database, station, wednesday)  # the holder: the board and the queue only
    deadlines.sweep(database, station, wednesday + dt.timedelta(hours=24))
    deadlines.sweep(database, station, wednesday + dt.timedelta(hours=72))
    with database.reading() as session:
        texts = session.exec(
            select(Notification).where(Notification.event.startswith("escalate_")).order_by(Notification.id)
        ).all()
    settings = station.settings
    assert [(t.event, t.phone) for t in texts] == [
        ("escalate_supervisor", settings.supervisor_phone),
        ("escalate_oversight", settings.oversight_phone),
    ]
    assert all(application.number in t.text and "11月24日" in t.text for t in texts)  # as texts write dates


def test_without_a_phone_the_escalation_stays_on_the_board(database, station):
    quiet = dataclasses.replace(station, settings=dataclasses.replace(station.settings, supervisor_phone=""))
    _submit(database, station)
    deadlines.sweep(database, quiet, NOW + dt.timedelta(days=1))
    assert deadlines.sweep(database, quiet, NOW + dt.timedelta(days=2)).escalated == 1
    with database.reading() as session:
        assert not session.exec(select(Notification).where(Notification.event.startswith("escalate_"))).all()


def test_a_kiosk_case_with_materials_missing_is_reminded_then_lapses(database, station):
    application = _submit(database, station, held=frozenset())
    assert application.state == State.SUBMITTED
    assert application.materials_deadline == dt.date(2026, 12, 8)  # 10 working days
    assert deadlines.sweep(database, station, aware(2026, 12, 3, 9)).reminded == 0
    assert deadlines.sweep(database, station, aware(2026, 12, 4, 9)).reminded == 1  # 2 working days before
    assert deadlines.sweep(database, station, aware(2026, 12, 7, 9)).reminded == 0  # once
    with database.reading() as session:
        texts = session.exec(select(Notification.text).order_by(Notification.id)).all()
    # The submission named the deadline; the one reminder names it again, with what follows.
    submitted, reminder = [text for text in texts if "12月8日" in text]
    assert "逾期" not in submitted and "逾期" in reminder and application.number in reminder
    assert deadlines.sweep(database, station, aware(2026, 12, 8, 20)).expired == 0
    assert deadlines.sweep(database, station, aware(2026, 12, 9, 9)).expired == 1
    with database.reading() as session:
        assert session.get(Application, application.id).state == State.EXPIRED


def test_a_complete_case_or_one_whose_materials_came_does_not_lapse(database, station):
    complete = _submit(database, station)
    returned = _submit(database, station, held=frozenset())
    officer = create_staff(
        database, station_code="330402", username="zhang", display_name="张警官", role=Role.WINDOW, password="x" * 12
    )
    cases.open_case(database, station, returned.id, officer, NOW)
    cases.act(
        database,
        station,
        returned.id,
        Action.REQUEST_MATERIALS,
        officer,
        materials_deadline=dt.date(2026, 11, 27),
        now=NOW,
    )
    cases.act(database, station, returned.id, Action.SUPPLY_MATERIALS, officer, now=NOW)
    result = deadlines.sweep(database, station, aware(2026, 12, 10, 9))
    assert (result.expired, result.reminded) == (0, 0)
    with database.reading() as session:
        assert {session.get(Application, a.id).state for a in (complete, returned)} == {State.SUBMITTED}


def test_staff_see_the_deadline_the_case_is_held_to(database, station):
    """The case page and the overdue board show the promised date once the case is approved."""
    from kiosk.domain.states import deadline_in

    application = _put_in(database, _submit(database, station), State.IN_PRODUCTION)
    assert deadline_in(application.state, application.handling_deadline, application.expected_ready) == (
        application.expected_ready
    )
    assert deadline_in("submitted", application.handling_deadline, application.expected_ready) == (
        application.handling_deadline
    )
