"""The progress look-up's lockout per application number: a few wrong phone digits lock the
number for a while, whoever typed them, and unknown numbers are locked alike."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlmodel import select

from kiosk.models import TrackingFailure
from kiosk.services.applications import submit_application
from kiosk.services.tracking import FAILURE_WINDOW, LOCKOUT, MAX_FAILED_LOOKUPS, TrackingRefused, look_up, open_link
from tests.services.test_applications import NOW, new

SECOND = dt.timedelta(seconds=1)


@pytest.fixture
def number(database, station) -> str:
    return submit_application(database, station, new(phone="13812345678"), actor="kiosk", now=NOW).number


def _fail(database, number: str, times: int, now=NOW) -> None:
    for _ in range(times):
        with pytest.raises(TrackingRefused) as refused:
            look_up(database, number, "0000", now=now)
        assert refused.value.locked_until is None


def _locked_until(database, number: str, now=NOW):
    with pytest.raises(TrackingRefused) as refused:
        look_up(database, number, "5678", now=now)
    return refused.value.locked_until


def test_the_right_digits_show_the_case(database, number):
    assert look_up(database, number, "5678", now=NOW).number == number


def test_a_few_wrong_digits_lock_the_number_even_for_the_right_ones(database, number):
    _fail(database, number, MAX_FAILED_LOOKUPS)
    assert _locked_until(database, number) == NOW + LOCKOUT
    assert _locked_until(database, number, now=NOW + LOCKOUT - SECOND) == NOW + LOCKOUT
    assert look_up(database, number, "5678", now=NOW + LOCKOUT).number == number


def test_unknown_numbers_are_locked_alike(database, number):
    unknown = number[:-4] + "9999"
    _fail(database, unknown, MAX_FAILED_LOOKUPS)
    assert _locked_until(database, unknown) == NOW + LOCKOUT
    assert look_up(database, number, "5678", now=NOW).number == number  # other numbers are not


def test_the_right_digits_start_the_count_again(database, number):
    _fail(database, number, MAX_FAILED_LOOKUPS - 1)
    look_up(database, number, "5678", now=NOW)
    _fail(database, number, MAX_FAILED_LOOKUPS - 1)
    assert look_up(database, number, "5678", now=NOW).number == number


def test_failures_far_apart_do_not_add_up(database, number):
    _fail(database, number, MAX_FAILED_LOOKUPS - 1)
    _fail(database, number, 1, now=NOW + FAILURE_WINDOW)
    _fail(database, number, MAX_FAILED_LOOKUPS - 2, now=NOW + FAILURE_WINDOW)
    assert look_up(database, number, "5678", now=NOW + FAILURE_WINDOW).number == number


def test_counts_that_no_longer_matter_are_forgotten(database, number):
    _fail(database, "330402-200101-0001", 1)
    _fail(database, number, 1, now=NOW + FAILURE_WINDOW + SECOND)
    with database.reading() as session:
        assert session.exec(select(TrackingFailure.number)).all() == [number]


def test_simultaneous_guesses_from_many_places_are_all_counted(database, number):
    """As from many worker processes: each guess waits for the one before, none slips past the lock."""
    outcomes: list[str] = []

    def guess(tail: str) -> None:
        try:
            look_up(database, number, tail, now=NOW)
            outcomes.append("found")
        except TrackingRefused as refused:
            outcomes.append("locked" if refused.locked_until else "wrong")

    threads = [threading.Thread(target=guess, args=(f"{tail:04d}",)) for tail in range(1000, 1020)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("wrong") == MAX_FAILED_LOOKUPS and outcomes.count("locked") == 20 - MAX_FAILED_LOOKUPS


def test_the_receipt_link_is_not_locked(database, number):
    case = look_up(database, number, "5678", now=NOW)
    _fail(database, number, MAX_FAILED_LOOKUPS)
    assert open_link(database, number, case.token).number == number
    assert open_link(database, number, "not-the-token") is None
