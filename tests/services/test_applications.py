import re
import threading
import uuid

import pytest
from sqlalchemy import func, text
from sqlmodel import select

from kiosk.db import Database, DatabaseUnavailable, make_engine
from kiosk.domain.catalogue import ApplicationType, Material
from kiosk.domain.commitments import SpecialGroup
from kiosk.domain.id_number import parse_id_number
from kiosk.domain.states import Action, IllegalTransition, State
from kiosk.models import Applicant, Application, ApplicationMaterial, AuditEvent
from kiosk.services.applications import audit_trail, change_state, list_applications, submit_application
from kiosk.services.assessment import NewApplication, NotEligible
from tests.conftest import JIANGXI_ID, LOCAL_ID, aware, make_id

NOW = aware(2026, 11, 24)


def new(number=LOCAL_ID, app_type=ApplicationType.RENEWAL_EXPIRY, province="33", key=None, **kwargs):
    return NewApplication(
        id_number=parse_id_number(number),
        app_type=app_type,
        registered_province=province,
        idempotency_key=key or uuid.uuid4().hex,
        name="王小明",
        **kwargs,
    )


def count(database, model):
    with database.reading() as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_submit_creates_a_submitted_application_with_its_audit(database, station):
    application = submit_application(database, station, new(), actor="kiosk:330402", now=NOW)
    assert application.state == State.SUBMITTED
    assert re.fullmatch(r"330402-261124-0001", application.number)
    assert application.fee_yuan == 20
    assert application.commitment == "immediate"
    assert application.handling_deadline.isoformat() == "2026-11-24"
    assert application.expected_ready.isoformat() == "2026-12-15"
    assert not application.out_of_province
    trail = audit_trail(database, application.id)
    assert [(e.action, e.from_state, e.to_state, e.actor) for e in trail] == [
        ("create", None, "draft", "kiosk:330402"),
        ("submit", "draft", "submitted", "kiosk:330402"),
    ]
    assert trail[0].at == NOW


def test_numbers_count_up_per_day_in_station_time(database, station):
    first = submit_application(database, station, new(), actor="kiosk", now=NOW)
    second = submit_application(database, station, new(), actor="kiosk", now=NOW)
    # 07:00 on 25 Nov in Jiaxing is still 24 Nov in UTC: the station day counts, a new sequence.
    late = submit_application(database, station, new(), actor="kiosk", now=aware(2026, 11, 25, 7))
    assert [first.number, second.number, late.number] == [
        "330402-261124-0001",
        "330402-261124-0002",
        "330402-261125-0001",
    ]


def test_out_of_province_case_with_missing_materials(database, station):
    application = submit_application(
        database,
        station,
        new(JIANGXI_ID, ApplicationType.FIRST, "36", held=frozenset({Material.HOUSEHOLD_REGISTER})),
        actor="kiosk",
        now=NOW,
    )
    assert application.out_of_province and application.registered_province == "36"
    assert application.commitment == "time_limited"
    assert application.materials_deadline.isoformat() == "2026-12-08"
    assert application.expected_ready is not None
    with database.reading() as session:
        materials = {m.material: m.held for m in session.exec(select(ApplicationMaterial))}
    assert materials == {"household_register": True, "residence_proof": False, "commitment_letter": False}


def test_a_double_tap_makes_one_application(database, station):
    request = new(key="same-key-123")
    first = submit_application(database, station, request, actor="kiosk", now=NOW)
    second = submit_application(database, station, request, actor="kiosk", now=NOW)
    assert first.id == second.id
    assert count(database, Application) == 1 and count(database, Applicant) == 1


def test_simultaneous_taps_make_one_application(database, station):
    request = new(key="raced-key-456")
    results, errors = [], []
    barrier = threading.Barrier(8)

    def tap():
        barrier.wait()
        try:
            results.append(submit_application(database, station, request, actor="kiosk", now=NOW).id)
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=tap) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(results)) == 1 and len(results) == 8
    assert count(database, Application) == 1
    assert count(database, Applicant) == 1
    assert count(database, AuditEvent) == 2


def test_simultaneous_kiosks_get_distinct_numbers(database, station):
    numbers, barrier = [], threading.Barrier(6)

    def submit():
        barrier.wait()
        numbers.append(submit_application(database, station, new(), actor="kiosk", now=NOW).number)

    threads = [threading.Thread(target=submit) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(numbers) == [f"330402-261124-{n:04d}" for n in range(1, 7)]


def test_ineligible_cases_are_refused_and_nothing_is_written(database, station):
    with pytest.raises(NotEligible) as caught:
        submit_application(database, station, new(make_id("81000019900101001")), actor="kiosk", now=NOW)
    assert caught.value.reason == "not_resident"
    assert count(database, Application) == 0 and count(database, Applicant) == 0


def test_change_state_writes_audit_and_refuses_illegal_moves(database, station):
    application = submit_application(database, station, new(), actor="kiosk", now=NOW)
    approved = change_state(
        database, station, application.id, Action.APPROVE, actor="staff:zhang", reason="ok", now=NOW
    )
    assert approved.state == State.APPROVED
    with pytest.raises(IllegalTransition):
        change_state(database, station, application.id, Action.APPROVE, actor="staff:li", now=NOW)
    with pytest.raises(IllegalTransition):  # a local case is not sent for verification
        change_state(database, station, application.id, Action.FORWARD_FOR_VERIFICATION, actor="staff:li", now=NOW)
    trail = audit_trail(database, application.id)
    assert [(e.action, e.actor, e.reason) for e in trail][-1] == ("approve", "staff:zhang", "ok")
    assert len(trail) == 3


def test_closing_states_stamp_closed_at(database, station):
    application = submit_application(database, station, new(), actor="kiosk", now=NOW)
    withdrawn = change_state(database, station, application.id, Action.WITHDRAW, actor="kiosk", now=NOW)
    assert withdrawn.closed_at == NOW


def test_queue_order_is_commitment_then_deadline(database, station):
    plain = submit_application(database, station, new(), actor="kiosk", now=NOW)
    urgent = submit_application(database, station, new(urgent_reason="明天出国"), actor="kiosk", now=NOW)
    priority = submit_application(database, station, new(special_group=SpecialGroup.ELDERLY), actor="kiosk", now=NOW)
    order = [a.id for a, _ in list_applications(database, station, [State.SUBMITTED])]
    assert order == [urgent.id, priority.id, plain.id]


def _hold_write_lock(database_url, table="applicant"):
    """Another writer that holds the database (on PostgreSQL: `table`): returns release()."""
    engine = make_engine(database_url)
    connection = engine.execution_options(kiosk_write=True).connect()
    if engine.dialect.name == "sqlite":
        connection.execute(text("SELECT 1"))  # begins with BEGIN IMMEDIATE: the write lock is held
    else:
        connection.execute(text(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"))

    def release():
        connection.rollback()
        connection.close()
        engine.dispose()

    return release


def test_a_locked_database_gives_a_clear_error_and_writes_nothing(database_url, database, station):
    busy = Database(make_engine(database_url, busy_timeout_ms=300))
    release = _hold_write_lock(database_url)
    try:
        with pytest.raises(DatabaseUnavailable):
            submit_application(busy, station, new(key="locked-key-1"), actor="kiosk", now=NOW)
    finally:
        release()
        busy.dispose()
    assert count(database, Application) == 0 and count(database, Applicant) == 0
    # Once the other writer is gone the same request goes through.
    assert submit_application(database, station, new(key="locked-key-1"), actor="kiosk", now=NOW).number


def test_a_database_that_is_down_gives_a_clear_error(station):
    down = Database(make_engine("postgresql://postgres@127.0.0.1:1/test"))
    with pytest.raises(DatabaseUnavailable):
        submit_application(down, station, new(), actor="kiosk", now=NOW)


def test_sqlite_writers_queue_and_a_stuck_writer_gives_a_clear_error(database_url, station):
    """Writers take turns on a lock beside the SQLite file; one that never lets go is reported."""
    import fcntl
    import os

    if not database_url.startswith("sqlite"):
        pytest.skip("the writers' queue is SQLite's")
    path = database_url.removeprefix("sqlite:///") + ".writers"
    impatient = Database(make_engine(database_url), busy_timeout_ms=200)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        with pytest.raises(DatabaseUnavailable):
            submit_application(impatient, station, new(key="queued-key-1"), actor="kiosk", now=NOW)
    finally:
        os.close(fd)
    assert submit_application(impatient, station, new(key="queued-key-1"), actor="kiosk", now=NOW).number
    impatient.dispose()


@pytest.mark.parametrize(
    ("hour", "handled_today", "deadline"),
    [(10, True, "2026-11-24"), (21, False, "2026-11-25")],  # the hall closes at 20:00
)
def test_a_same_day_promise_is_made_only_while_the_hall_is_open(database, station, hour, handled_today, deadline):
    """docs/domain.md "Commitments": after closing time the case is handled at the next opening."""
    from kiosk.services.assessment import assess

    moment = aware(2026, 11, 24, hour)
    assessment = assess(station, new(held=frozenset(Material)), moment)
    assert assessment.handled_today is handled_today
    assert assessment.decision.handling_deadline.isoformat() == deadline
    application = submit_application(database, station, new(held=frozenset(Material)), actor="kiosk", now=moment)
    assert application.handling_deadline.isoformat() == deadline


@pytest.mark.parametrize("photo", ["kiosk", "window", "visit"])
def test_the_photo_is_taken_never_missing(database, station, photo):
    """docs/domain.md "Application types, fees and validity": by the kiosk's camera, at the window
    or by the visiting officer, the photo is never a material to supply."""
    from kiosk.domain.catalogue import Material
    from kiosk.services.applications import materials_of

    submit_application(database, station, new(app_type=ApplicationType.LOST), actor="kiosk", now=NOW)
    temporary = new(
        app_type=ApplicationType.TEMPORARY,
        held=frozenset({Material.HOUSEHOLD_REGISTER}),
        photo_file="shot.jpg" if photo == "kiosk" else "",
        photo_at_window=photo == "window",
        cannot_travel=photo == "visit",
        collection="visit" if photo == "visit" else "station",
    )
    application = submit_application(database, station, temporary, actor="kiosk", now=NOW)
    assert application.materials_deadline is None and application.commitment != "time_limited"
    assert dict(materials_of(database, application.id)) == {"household_register": True, "photo": True}
