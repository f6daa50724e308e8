"""Working days: weekends and public holidays off, make-up working days (调休) on.

The calendar is data: a station keeps an editable table of closures and
make-up working days, seeded from the `holidays` package's CN schedule (see
`package_days`): the State Council's published schedule where the package
carries it, otherwise the package's estimate, labelled as such until an
administrator confirms the year (docs/domain.md, "Calendar").
Deadlines in working days are counted here.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

import holidays

# "closure": a public holiday (no normal service; holiday appointments may run);
# "workday": a make-up working day (调休), worked like a weekday;
# "closed": the station is shut (no service at all, not a working day);
# "extra": an extra session on top of the day's hours (see `extra_sessions`).
DayKind = Literal["closure", "workday", "closed", "extra"]
OFF_KINDS = ("closure", "closed")

# How far ahead a station needs its public holidays: its longest promise (at most the law's 60
# calendar days, 90 in remote areas: domain/statutory.py) with a margin. The State Council
# publishes the next year's schedule in October to December.
SCHEDULE_HORIZON_DAYS = 120


@dataclass(frozen=True)
class SpecialDay:
    day: dt.date
    kind: DayKind
    name: str = ""
    extra_sessions: tuple[str, ...] = ()  # "19:00-21:00", for kind "extra"
    estimated: bool = False  # computed by the package's rules, not the published schedule


@dataclass(frozen=True)
class WorkingCalendar:
    closures: frozenset[dt.date] = field(default_factory=frozenset)
    workdays: frozenset[dt.date] = field(default_factory=frozenset)

    @classmethod
    def from_days(cls, days: Iterable[SpecialDay]) -> WorkingCalendar:
        days = list(days)
        return cls(
            closures=frozenset(d.day for d in days if d.kind in OFF_KINDS),
            workdays=frozenset(d.day for d in days if d.kind == "workday"),
        )

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.closures:
            return False
        return day.weekday() < 5

    def next_working_day(self, day: dt.date) -> dt.date:
        """`day` itself when it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def add_working_days(self, start: dt.date, count: int) -> dt.date:
        """The working day `count` working days after `start`.

        With `count == 0` this is the same day when `start` is a working day
        (the "same-day" promise), else the next working day. A case accepted on
        a day off starts counting from the next working day.
        """
        if count < 0:
            raise ValueError("count must not be negative")
        day = self.next_working_day(start)
        for _ in range(count):
            day = self.next_working_day(day + dt.timedelta(days=1))
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in the half-open range (start, end]."""
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            count += self.is_working_day(day)
        return count


def add_years(day: dt.date, years: int) -> dt.date:
    """The same date `years` later; 29 February becomes 28 February in a year without it."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def years_with_official_schedule(years: Iterable[int]) -> set[int]:
    """Those of `years` for which the `holidays` package carries the State Council's published
    schedule. Every published year moves working days onto weekends (调休); a year the package only
    computes by rule has none, and its invented days must not pass for the official ones."""
    country = holidays.country_holidays("CN", years=sorted(set(years)))
    return {day.year for day in country.weekend_workdays} & set(years)


def official_days(years: Iterable[int]) -> list[SpecialDay]:
    """Every public holiday day (weekend days inside a holiday too) and the make-up working days of
    those `years` whose official schedule the package carries (see `years_with_official_schedule`)."""
    return [day for day in package_days(years) if not day.estimated]


def package_days(years: Iterable[int]) -> list[SpecialDay]:
    """The `holidays` package's days for `years`: the published schedule where the package carries
    it, else its estimate by rule, marked `estimated` (it invents substitute days and knows no
    make-up working days, docs/domain.md "Calendar"). Weekend days inside a holiday are holiday
    days: the station keeps its holiday hours on them, not Saturday's."""
    years = sorted(set(years))
    if not years:
        return []
    official = years_with_official_schedule(years)
    country = holidays.country_holidays("CN", years=years, language="zh_CN")
    workdays = {day for day in country.weekend_workdays if day.year in official}
    named = {day: name for day, name in country.items() if day.year in years}
    days = [
        SpecialDay(day, "closure", name, estimated=day.year not in official)
        for day, name in _holiday_periods(named, workdays).items()
        if day.year in years
    ]
    days += [SpecialDay(day, "workday", "调休上班") for day in workdays]
    return sorted(days, key=lambda d: d.day)


def _holiday_periods(named: dict[dt.date, str], workdays: set[dt.date]) -> dict[dt.date, str]:
    """`named` holidays with the weekend days that join them into one holiday period (春节 2026 is
    15-23 February though the package names only the weekdays). A joined day takes the festival's
    name."""

    def off(day: dt.date) -> bool:
        return day in named or (day.weekday() >= 5 and day not in workdays)

    periods: dict[dt.date, str] = {}
    for first in sorted(named):
        if first in periods:
            continue
        start, end = first, first
        while off(start - dt.timedelta(days=1)):
            start -= dt.timedelta(days=1)
        while off(end + dt.timedelta(days=1)):
            end += dt.timedelta(days=1)
        run = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
        festival = _festival_name([named[day] for day in run if day in named])
        periods.update({day: named.get(day, festival) for day in run})
    return periods


def _festival_name(names: list[str]) -> str:
    """The festival a holiday period is for: its most frequent name, substitute days aside."""
    festivals = [name.removesuffix("（补假）") for name in names if not name.startswith("休息日")]
    return Counter(festivals or names).most_common(1)[0][0]


def years_ahead(today: dt.date, horizon_days: int = SCHEDULE_HORIZON_DAYS) -> range:
    """The calendar years from `today` to `horizon_days` later."""
    return range(today.year, (today + dt.timedelta(days=horizon_days)).year + 1)
