"""A station's day, counted from whatever day the clock says: CI runs these on a Friday evening,
a Saturday, the eve of the Spring Festival, New Year's Eve, a make-up working day and a leap day
(see .ci/run). Nothing here writes a date down."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlmodel import select

from kiosk.domain.catalogue import ApplicationType
from kiosk.domain.id_number import parse_id_number
from kiosk.domain.states import Action, State
from kiosk.models import Applicant, Application, Booking
from kiosk.services import attendance, cases, dashboard, deadlines, retention, slot_times
from kiosk.services import booking as bookings
from kiosk.services.applications import change_state, submit_application
from kiosk.services.assessment import NewApplication
from kiosk.services.photo_store import FolderStore
from kiosk.services.printed_documents import receipt_data
from printing import Paper, receipt_pdf
from tests import when
from tests.conftest import make_id
from tests.helpers import photo_and_fee
from tests.printing.pdf_tools import page_texts, squeezed
from tests.services.test_cases import _staff

pytestmark = pytest.mark.dated


def _submit(database, station, now, app_type=ApplicationType.LOST, n=1):
    new = NewApplication(
        id_number=parse_id_number(make_id(f"33040219800315{n:03d}")),
        app_type=app_type,
        registered_province="33",
        idempotency_key=uuid.uuid4().hex,
        name="王小明",
        phone="13812345678",
    )
    return submit_application(database, station, new, actor="kiosk", now=now)


def test_promised_dates_are_working_days_from_today_on(database, station, clock):
    now = clock.now()
    application = _submit(database, station, now)
    today, calendar = when.today(station), station.calendar
    # Handled today when the hall is still open on a working day, else at the next opening
    # (docs/domain.md "Commitments").
    assert application.handling_deadline == station.handling_day(now) >= today
    assert calendar.is_working_day(application.handling_deadline)
    assert application.expected_ready > application.handling_deadline
    assert calendar.is_working_day(application.expected_ready)


def test_a_missed_deadline_escalates_after_its_day_and_never_before(database, station, clock):
    now = clock.now()
    application = _submit(database, station, now)
    last_moment = when.local(station, application.handling_deadline, 23, 59)
    assert deadlines.sweep(database, station, now).escalated == 0
    assert deadlines.sweep(database, station, last_moment).escalated == 0
    next_morning = last_moment + dt.timedelta(hours=9)
    assert deadlines.sweep(database, station, next_morning).escalated == 1
    with database.reading() as session:
        assert session.get(Application, application.id).escalation_level == 1


def test_a_materials_deadline_expires_the_case_the_day_after(database, station, clock):
    now = clock.now()
    application = _submit(database, station, now)
    zhang = _staff(database, "zhang")
    cases.open_case(database, station, application.id, zhang, now)
    deadline = when.working_day(station, 3)
    cases.act(database, station, application.id, Action.REQUEST_MATERIALS, zhang, materials_deadline=deadline, now=now)
    assert deadlines.sweep(database, station, when.local(station, deadline, 23, 59)).expired == 0
    assert deadlines.sweep(database, station, when.local(station, deadline + dt.timedelta(days=1), 8)).expired == 1
    with database.reading() as session:
        assert session.get(Application, application.id).state == State.EXPIRED


def test_the_dashboard_counts_todays_cases_and_kept_promises(database, station, clock):
    now = clock.now()
    zhang = _staff(database, "zhang")
    handled = _submit(database, station, now, n=1)
    _submit(database, station, now, n=2)
    by_state, by_commitment = dashboard.today_counts(database, station, now=now)
    assert by_state["submitted"] == 2 and sum(by_commitment.values()) == 2
    cases.open_case(database, station, handled.id, zhang, now)
    photo_and_fee(database, station, handled.id, zhang, now)
    cases.act(database, station, handled.id, Action.APPROVE, zhang, now=now)
    after_deadline = when.local(station, handled.handling_deadline + dt.timedelta(days=1), 9)
    rows = dashboard.promises_kept(database, station, now=after_deadline)
    assert sum(row.kept for row in rows) == 1 and sum(row.missed for row in rows) == 1


def test_book_change_check_in_and_miss_an_appointment(database, station, clock):
    def book(slot, n):
        return bookings.book(
            database,
            station,
            slot_id=slot.id,
            service="lost",
            channel="online",
            id_number=parse_id_number(make_id(f"33040219800315{n:03d}")),
            name="王小明",
            phone="13812345678",
            idempotency_key=uuid.uuid4().hex,
            actor="test",
        )

    times = when.free_times(database, station, "online")
    assert times and all(slot.starts > clock.now() for slot in times)
    assert times[-1].starts.date() == slot_times.last_bookable_day(station, clock.now())
    # Booked for the last day of the window, moved to an earlier day with the notice a change needs.
    last_day = times[-1].starts.date()
    booking = book(times[-1], 1)
    notice = dt.timedelta(hours=station.settings.booking.cancel_notice_hours)
    earlier = next(s for s in times if s.starts.date() < last_day and s.starts - clock.now() > notice)
    booking = bookings.change(database, station, booking.id, earlier.id, actor="test")
    starts = slot_times.slot_of(database, booking, station).starts
    assert starts == earlier.starts
    clock.set(starts - dt.timedelta(minutes=10))
    assert attendance.check_in(database, station, booking.code, actor="kiosk").state == "checked_in"

    missed = book(when.free_times(database, station, "online")[0], 2)
    missed_start = slot_times.slot_of(database, missed, station).starts
    clock.set(missed_start + dt.timedelta(minutes=station.settings.booking.no_show_grace_minutes + 1))
    assert attendance.mark_no_shows(database, station) == 1
    with database.reading() as session:
        assert session.get(Booking, missed.id).state == "no_show"


def test_personal_data_goes_a_retention_period_after_the_case_closed(database, station, clock, tmp_path):
    period = dt.timedelta(days=station.settings.retention_days)
    now = clock.now()
    old = _submit(database, station, now - period - dt.timedelta(days=2), n=1)
    change_state(database, station, old.id, Action.WITHDRAW, actor="kiosk", now=now - period - dt.timedelta(days=1))
    recent = _submit(database, station, now - period + dt.timedelta(days=1), n=2)
    change_state(database, station, recent.id, Action.WITHDRAW, actor="kiosk", now=now - period + dt.timedelta(days=2))
    report = retention.purge(database, station, photo_store=FolderStore(tmp_path))
    assert (report.applications, report.applicants) == (1, 1)
    with database.reading() as session:
        assert session.get(Applicant, old.applicant_id).id_number is None
        assert session.get(Applicant, recent.applicant_id).id_number == make_id("33040219800315002")
        assert len(session.exec(select(Application)).all()) == 2  # the cases stay as figures


def test_the_receipt_prints_todays_promise(database, station, clock):
    application = _submit(database, station, clock.now())
    with database.reading() as session:
        applicant = session.get(Applicant, application.applicant_id)
    receipt = receipt_data(application, applicant, station, "https://kiosk.test/track/x")
    text = squeezed("".join(page_texts(receipt_pdf(receipt, Paper.ROLL_80MM))))
    ready = application.expected_ready
    assert f"预计{ready.year}年{ready.month}月{ready.day}日前可领证" in text  # no zero before a month or day
    assert make_id("33040219800315001") not in text
