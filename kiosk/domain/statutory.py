"""The legal time limit for issuing a resident identity card, in calendar days (docs/domain.md,
"Processing time").

The law counts calendar days from the application form (60, and up to 30 more in areas hard to
reach); a station promises working days. A promise is lawful only when, from every start date of
the year, its working days end within the legal limit: holidays stretch working days the most.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from .calendar import WorkingCalendar, package_days
from .catalogue import ApplicationType
from .station import SettingsError, StationSettings

STATUTORY_ISSUE_DAYS = 60  # 居民身份证法 第十二条: 自提交申领登记表之日起六十日内发放
REMOTE_AREA_EXTENSION_MAX_DAYS = 30  # 交通不便的地区 ... 延长的时间不得超过三十日


def legal_limit_days(remote_area_extension_days: int) -> int:
    """Calendar days the law allows a station, with its remote-area extension (0-30)."""
    if not 0 <= remote_area_extension_days <= REMOTE_AREA_EXTENSION_MAX_DAYS:
        raise ValueError("the remote-area extension is 0 to 30 days")
    return STATUTORY_ISSUE_DAYS + remote_area_extension_days


@dataclass(frozen=True)
class LongestWait:
    start: dt.date  # the start date on which the promise takes longest
    calendar_days: int


@lru_cache(maxsize=256)
def longest_wait(calendar: WorkingCalendar, working_days: int, year: int) -> LongestWait:
    """The most calendar days a promise of `working_days` takes, over every start date of `year`."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    worst = LongestWait(first, -1)
    day = first
    while day <= last:
        days = (calendar.add_working_days(day, working_days) - day).days
        if days > worst.calendar_days:
            worst = LongestWait(day, days)
        day += dt.timedelta(days=1)
    return worst


def promise_beyond_law(settings: StationSettings) -> SettingsError | None:
    """The first card promise of the station that can outlast the legal limit on some start date of
    its calendar years (`calendar.seed_years`), counted on the holidays package's days of those
    years and the next (a December start runs into January). The temporary ID has its own rules."""
    limit = legal_limit_days(settings.remote_area_extension_days)
    years = sorted(set(settings.calendar_seed_years))
    calendar = _package_calendar(frozenset(y for year in years for y in (year, year + 1)))
    tables = (("promise.local", settings.promise_local), ("promise.out_of_province", settings.promise_out_of_province))
    for key, promises in tables:
        for service, working_days in promises.items():
            if service is ApplicationType.TEMPORARY:
                continue
            for year in years:
                wait = longest_wait(calendar, working_days, year)
                if wait.calendar_days > limit:
                    return SettingsError(
                        f"{key}.{service.value}",
                        f"{working_days} working days from {wait.start.isoformat()} take {wait.calendar_days} "
                        f"calendar days, past the legal limit of {limit} calendar days (ID Card Law, article 12)",
                    )
    return None


@lru_cache(maxsize=16)
def _package_calendar(years: frozenset[int]) -> WorkingCalendar:
    return WorkingCalendar.from_days(package_days(years))
