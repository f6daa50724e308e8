import datetime as dt

import pytest

from kiosk.domain.calendar import (
    SpecialDay,
    WorkingCalendar,
    add_years,
    official_days,
    package_days,
    years_ahead,
    years_with_official_schedule,
)
from kiosk.domain.schedule import sessions_on
from kiosk.domain.station import parse_station_settings
from kiosk.services.station import DEMO_STATION_FILE

D = dt.date


@pytest.fixture(scope="module")
def settings():
    import tomllib

    return parse_station_settings(tomllib.loads(DEMO_STATION_FILE.read_text()))


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


@pytest.mark.parametrize(
    ("day", "festival"),
    [
        (D(2026, 1, 3), "元旦"),  # Saturday
        (D(2026, 2, 15), "春节"),  # Sunday before 除夕
        (D(2026, 2, 21), "春节"),  # Saturday inside the Spring Festival
        (D(2026, 2, 22), "春节"),
        (D(2026, 4, 4), "清明节"),  # Saturday
        (D(2026, 5, 2), "劳动节"),  # Saturday
        (D(2026, 5, 3), "劳动节"),
        (D(2026, 6, 20), "端午节"),
        (D(2026, 9, 27), "中秋节"),
        (D(2026, 10, 3), "国庆节"),  # Saturday
        (D(2026, 10, 4), "国庆节"),
    ],
)
def test_weekend_days_inside_a_holiday_are_holiday_days(day, festival):
    """docs/domain.md "Calendar": every day of a published holiday period is stored, weekends too."""
    days = {d.day: d for d in official_days([2026])}
    assert (days[day].kind, days[day].name) == ("closure", festival)


def test_the_2026_holiday_periods_are_the_published_ones():
    """The State Council's 2026 notice: 1-3 Jan, 15-23 Feb, 4-6 Apr, 1-5 May, 19-21 Jun, 25-27 Sep,
    1-7 Oct; and nothing else is a holiday (an ordinary weekend stays an ordinary weekend)."""

    def span(month, first, last):
        return {D(2026, month, n) for n in range(first, last + 1)}

    published = span(1, 1, 3) | span(2, 15, 23) | span(4, 4, 6) | span(5, 1, 5) | span(6, 19, 21)
    published |= span(9, 25, 27) | span(10, 1, 7)
    assert {d.day for d in official_days([2026]) if d.kind == "closure"} == published


def test_a_holiday_on_a_weekend_keeps_the_holiday_hours_not_saturdays(settings):
    """2026-10-03 is a Saturday of 国庆节: the station's holiday sessions, not its Saturday ones."""
    days = {d.day: d for d in official_days([2026])}
    holiday = sessions_on(D(2026, 10, 3), settings, days.get(D(2026, 10, 3)))
    assert holiday == list(settings.booking.holiday_sessions)
    assert holiday != list(settings.opening_hours["saturday"])
    ordinary = sessions_on(D(2026, 10, 17), settings, days.get(D(2026, 10, 17)))
    assert ordinary == list(settings.opening_hours["saturday"])


def test_a_year_the_package_only_estimates_is_marked_estimated():
    """docs/domain.md "Calendar": 2027 is computed by rule (invented 春节（补假）, no make-up working
    days); its days are estimates, never the official schedule."""
    estimated = package_days([2027])
    assert estimated and all(d.estimated and d.kind == "closure" for d in estimated)
    assert D(2027, 2, 9) in {d.day for d in estimated}  # the invented 春节（补假）
    assert not any(d.estimated for d in package_days([2026]))
    assert {d.day.year for d in package_days([2026, 2027]) if d.estimated} == {2027}


def test_the_holidays_package_is_pinned_to_the_checked_release():
    """docs/domain.md "Calendar": the schedules above were checked against holidays 0.109; a new
    release is taken on purpose, after checking its CN data again."""
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    dependencies = tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"]
    assert "holidays>=0.109,<0.110" in dependencies
    assert "holidays==0.109" in (root / "constraints.txt").read_text().splitlines()
