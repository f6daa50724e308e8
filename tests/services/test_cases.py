import datetime as dt
import threading
import uuid

import pytest
from sqlmodel import select

from kiosk.domain.catalogue import ApplicationType
from kiosk.domain.id_number import parse_id_number
from kiosk.domain.states import Action, IllegalTransition, State
from kiosk.models import Application, AuditEvent
from kiosk.services import cases, claims, deadlines
from kiosk.services.applications import submit_application
from kiosk.services.assessment import NewApplication
from kiosk.services.staff import Role, create_staff
from tests.conftest import LOCAL_ID, aware
from tests.helpers import photo_and_fee

NOW = aware(2026, 11, 24, 10)  # Tuesday


def _staff(database, name):
    return create_staff(
        database,
        station_code="330402",
        username=name,
        display_name=f"{name}警官",
        role=Role.WINDOW,
        password="a long password",
    )


def _submit(database, station, now=NOW, **kwargs):
    new = NewApplication(
        id_number=parse_id_number(LOCAL_ID),
        app_type=ApplicationType.LOST,
        registered_province="33",
        idempotency_key=uuid.uuid4().hex,
        name="王小明",
        phone="13812345678",
        **kwargs,
    )
    return submit_application(database, station, new, actor="kiosk", now=now)


def test_two_staff_claiming_at_once_exactly_one_wins(database, station):
    application = _submit(database, station)
    officers = [_staff(database, f"officer{n}") for n in range(6)]
    wins, barrier = [], threading.Barrier(len(officers))

    def grab(officer):
        barrier.wait()
        wins.append(claims.claim(database, station, application.id, officer, NOW))

    threads = [threading.Thread(target=grab, args=(o,)) for o in officers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wins.count(True) == 1


def test_a_claim_lapses_and_others_read_only(database, station):
    application = _submit(database, station)
    zhang, li = _staff(database, "zhang"), _staff(database, "li")
    view = cases.open_case(database, station, application.id, zhang, NOW)
    assert view.mine and view.holder == "zhang警官"
    other = cases.open_case(database, station, application.id, li, NOW)
    assert not other.mine and other.holder == "zhang警官"
    with pytest.raises(claims.ClaimedByOther):
        cases.act(database, station, application.id, Action.APPROVE, li, now=NOW)
    later = NOW + dt.timedelta(minutes=31)
    assert cases.open_case(database, station, application.id, li, later).mine
    with database.reading() as session:
        views = session.exec(select(AuditEvent).where(AuditEvent.action == "view")).all()
    assert len(views) == 3  # every unmasked view is in the trail


def test_return_for_materials_then_approve(database, station):
    application = _submit(database, station)
    zhang = _staff(database, "zhang")
    cases.open_case(database, station, application.id, zhang, NOW)
    returned = cases.act(
        database,
        station,
        application.id,
        Action.REQUEST_MATERIALS,
        zhang,
        materials_deadline=dt.date(2026, 12, 4),
        reason="户口簿",
        now=NOW,
    )
    assert returned.state == State.AWAITING_MATERIALS and returned.materials_deadline == dt.date(2026, 12, 4)
    cases.act(database, station, application.id, Action.SUPPLY_MATERIALS, zhang, now=NOW)
    photo_and_fee(database, station, application.id, zhang, NOW)
    approved = cases.act(database, station, application.id, Action.APPROVE, zhang, now=NOW)
    assert approved.state == State.APPROVED


def test_missed_deadlines_escalate_step_by_step(database, station):
    application = _submit(database, station)  # handling deadline: today (same-day promise)
    assert deadlines.sweep(database, station, NOW).escalated == 0
    wednesday = NOW + dt.timedelta(days=1)
    assert deadlines.sweep(database, station, wednesday).escalated == 1  # the holder is alerted
    assert deadlines.sweep(database, station, wednesday + dt.timedelta(hours=1)).escalated == 0  # not yet further
    assert deadlines.sweep(database, station, wednesday + dt.timedelta(hours=24)).escalated == 1  # the supervisor
    assert deadlines.sweep(database, station, wednesday + dt.timedelta(hours=72)).escalated == 1  # oversight
    assert deadlines.sweep(database, station, wednesday + dt.timedelta(hours=200)).escalated == 0  # the top
    with database.reading() as session:
        reasons = session.exec(
            select(AuditEvent.reason).where(AuditEvent.action == "escalate").order_by(AuditEvent.id)
        ).all()
        assert session.get(Application, application.id).escalation_level == 3
    assert reasons == ["holder", "supervisor", "oversight"]
    board = deadlines.overdue_board(database, station)
    assert [a.id for a, _holder in board] == [application.id]


def test_materials_deadline_passing_expires_the_case(database, station):
    application = _submit(database, station)
    zhang = _staff(database, "zhang")
    cases.open_case(database, station, application.id, zhang, NOW)
    cases.act(
        database,
        station,
        application.id,
        Action.REQUEST_MATERIALS,
        zhang,
        materials_deadline=dt.date(2026, 11, 27),
        now=NOW,
    )
    assert deadlines.sweep(database, station, aware(2026, 11, 27, 18)).expired == 0
    assert deadlines.sweep(database, station, aware(2026, 11, 28, 9)).expired == 1
    with database.reading() as session:
        assert session.get(Application, application.id).state == State.EXPIRED


def test_an_urgent_case_gets_the_shorter_target_and_needs_a_supervisors_sign_off(database, station):
    """docs/domain.md "Commitments": 要事急事特殊办 — the station's urgent target, signed off by a
    supervisor as a step before the window approves it."""
    from kiosk.domain.catalogue import Material

    urgent = _submit(database, station, urgent_reason="exam", held=frozenset(Material))
    normal = _submit(database, station, held=frozenset(Material))
    calendar = station.calendar
    assert urgent.expected_ready == calendar.add_working_days(NOW.date(), station.settings.urgent_ready_days)
    assert normal.expected_ready == calendar.add_working_days(
        NOW.date(), station.settings.promise_local[ApplicationType.LOST]
    )
    assert urgent.expected_ready < normal.expected_ready

    zhang = _staff(database, "zhang")
    boss = create_staff(
        database, station_code="330402", username="boss", display_name="王所长", role=Role.SUPERVISOR, password="x" * 12
    )
    cases.open_case(database, station, urgent.id, zhang, NOW)
    with pytest.raises(cases.SignOffNeeded):
        cases.act(database, station, urgent.id, Action.APPROVE, zhang, now=NOW)
    cases.sign_off_urgent(database, station, urgent.id, boss, NOW)
    with pytest.raises(IllegalTransition):
        cases.sign_off_urgent(database, station, urgent.id, boss, NOW)  # once
    photo_and_fee(database, station, urgent.id, zhang, NOW)
    assert cases.act(database, station, urgent.id, Action.APPROVE, zhang, now=NOW).state == State.APPROVED
    with pytest.raises(IllegalTransition):
        cases.sign_off_urgent(database, station, normal.id, boss, NOW)  # nothing to sign off
    with database.reading() as session:
        signed = session.exec(select(AuditEvent).where(AuditEvent.action == "urgent_signed_off")).one()
    assert (signed.application_id, signed.actor) == (urgent.id, "staff:boss")
