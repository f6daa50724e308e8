import datetime as dt

import pytest

from kiosk.domain.calendar import (
    SpecialDay,
    WorkingCalendar,
    add_years,
    official_days,
    years_ahead,
    years_with_official_schedule,
)

D = dt.date


@pytest.fixture(scope="module")
def calendar():
    return WorkingCalendar.from_days(official_days([2026]))


def test_seeds_the_official_2026_make_up_working_days():
    workdays = {d.day for d in official_days([2026]) if d.kind == "workday"}
    assert workdays == {D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20), D(2026, 10, 10)}


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 2, 13), True),  # Friday before the Spring Festival
        (D(2026, 2, 14), True),  # Saturday, make-up working day
        (D(2026, 2, 15), False),  # Sunday
        (D(2026, 2, 17), False),  # Spring Festival
        (D(2026, 2, 23), False),  # Monday, day off in exchange for 28 Feb
        (D(2026, 2, 24), True),
        (D(2026, 2, 28), True),  # Saturday, make-up working day
        (D(2026, 10, 1), False),
        (D(2026, 10, 7), False),
        (D(2026, 10, 8), True),
        (D(2026, 10, 10), True),  # Saturday, make-up working day
        (D(2026, 11, 24), True),
    ],
)
def test_working_days(calendar, day, working):
    assert calendar.is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        # Across the 2026 Spring Festival (15-23 February off, 14 and 28 worked).
        (D(2026, 2, 12), 1, D(2026, 2, 13)),
        (D(2026, 2, 13), 1, D(2026, 2, 14)),
        (D(2026, 2, 13), 2, D(2026, 2, 24)),
        (D(2026, 2, 13), 5, D(2026, 2, 27)),
        (D(2026, 2, 13), 6, D(2026, 2, 28)),
        (D(2026, 2, 13), 7, D(2026, 3, 2)),
        # Accepted on a holiday: counting starts from the next working day.
        (D(2026, 2, 17), 0, D(2026, 2, 24)),
        (D(2026, 2, 17), 1, D(2026, 2, 25)),
        # Same day on a working day.
        (D(2026, 11, 24), 0, D(2026, 11, 24)),
        # The National Day week, with the make-up Saturday 10 October.
        (D(2026, 9, 30), 1, D(2026, 10, 8)),
        (D(2026, 9, 30), 3, D(2026, 10, 10)),
        (D(2026, 9, 30), 4, D(2026, 10, 12)),
        # 15 working days from a Tuesday in late November.
        (D(2026, 11, 24), 15, D(2026, 12, 15)),
    ],
)
def test_add_working_days(calendar, start, count, expected):
    assert calendar.add_working_days(start, count) == expected


def test_working_days_between(calendar):
    assert calendar.working_days_between(D(2026, 2, 13), D(2026, 2, 24)) == 2
    assert calendar.working_days_between(D(2026, 2, 13), D(2026, 2, 13)) == 0


def test_a_station_closure_and_an_extra_working_day_are_respected():
    calendar = WorkingCalendar.from_days(
        [SpecialDay(D(2026, 12, 1), "closure", "系统升级"), SpecialDay(D(2026, 12, 5), "workday", "加班")]
    )
    assert not calendar.is_working_day(D(2026, 12, 1))
    assert calendar.is_working_day(D(2026, 12, 5))
    assert calendar.add_working_days(D(2026, 11, 30), 1) == D(2026, 12, 2)
    assert calendar.add_working_days(D(2026, 12, 4), 1) == D(2026, 12, 5)


def test_negative_counts_are_refused(calendar):
    with pytest.raises(ValueError):
        calendar.add_working_days(D(2026, 1, 5), -1)


def test_only_years_the_package_carries_officially_are_seeded():
    """2027's schedule is not published in the package: its rule-made guesses (no make-up working
    days, invented substitute days) must not pass for the State Council's."""
    assert years_with_official_schedule([2026, 2027]) == {2026}
    assert official_days([2027]) == []
    assert {d.day.year for d in official_days([2026, 2027])} == {2026}


@pytest.mark.parametrize(
    ("today", "years"),
    [
        (D(2026, 3, 1), [2026]),
        (D(2026, 9, 2), [2026]),  # 120 days later is 31 December
        (D(2026, 9, 3), [2026, 2027]),
        (D(2026, 12, 31), [2026, 2027]),
    ],
)
def test_the_years_in_reach_of_todays_deadlines(today, years):
    assert list(years_ahead(today)) == years


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        (D(2028, 2, 29), 21, D(2049, 2, 28)),  # a leap day, in a year without one
        (D(2028, 2, 29), 4, D(2032, 2, 29)),
        (D(2026, 12, 31), 1, D(2027, 12, 31)),
    ],
)
def test_add_years(day, years, expected):
    assert add_years(day, years) == expected
