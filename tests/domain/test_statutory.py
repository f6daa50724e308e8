"""docs/domain.md "Processing time": the law's limit is 60 calendar days (+ up to 30 in areas hard
to reach, ID Card Law art. 12); a station's promises are working days and must end within it from
every start date of the year."""

import datetime as dt
import tomllib

import pytest

from kiosk.domain.calendar import WorkingCalendar, package_days
from kiosk.domain.catalogue import ApplicationType
from kiosk.domain.station import parse_station_settings
from kiosk.domain.statutory import LongestWait, legal_limit_days, longest_wait, promise_beyond_law
from kiosk.services.station import DEMO_STATION_FILE, SettingsFileError, parse_settings_text

TEXT = DEMO_STATION_FILE.read_text()
SETTINGS = parse_station_settings(tomllib.loads(TEXT))
CALENDAR = WorkingCalendar.from_days(package_days([2026, 2027]))
EVERY_DAY_OF_2026 = [dt.date(2026, 1, 1) + dt.timedelta(days=n) for n in range(365)]
CARD_PROMISES = [
    (table, service, days)
    for table, promises in (("local", SETTINGS.promise_local), ("out_of_province", SETTINGS.promise_out_of_province))
    for service, days in promises.items()
    if service is not ApplicationType.TEMPORARY
]


@pytest.mark.parametrize("start", EVERY_DAY_OF_2026, ids=str)
def test_every_demo_promise_ends_within_the_legal_limit_from_every_start_date_of_2026(start):
    for table, service, days in CARD_PROMISES:
        ready = CALENDAR.add_working_days(start, days)
        assert (ready - start).days <= 60, (table, service, days)


@pytest.mark.parametrize(
    ("working_days", "calendar_days", "start"),
    [
        (15, 29, dt.date(2026, 2, 15)),  # across the Spring Festival
        (20, 36, dt.date(2026, 2, 15)),
        (30, 51, dt.date(2026, 2, 15)),  # as long as from 26 December into 2027's (estimated) festival
        (36, 59, dt.date(2026, 2, 7)),
        (38, 61, dt.date(2026, 1, 1)),
        (60, 96, dt.date(2026, 1, 30)),  # the old demo promise: past 60 and past 90
    ],
)
def test_the_longest_a_promise_takes_over_2026(working_days, calendar_days, start):
    assert longest_wait(CALENDAR, working_days, 2026) == LongestWait(start, calendar_days)


@pytest.mark.parametrize(
    ("extension", "working_days", "refused"),
    [(0, 36, False), (0, 38, True), (0, 60, True), (30, 45, False), (30, 60, True)],
)
def test_a_promise_that_can_outlast_the_law_is_refused(extension, working_days, refused):
    settings = _with(SETTINGS, working_days, extension)
    error = promise_beyond_law(settings)
    assert (error is not None) is refused
    if refused:
        assert error.key == "promise.out_of_province.lost"
        assert f"past the legal limit of {legal_limit_days(extension)} calendar days" in error.message


def test_the_settings_file_names_the_line_of_an_unlawful_promise():
    """At `kiosk init` and in the settings editor (both read through parse_settings_text)."""
    text = TEXT.replace("lost = 30", "lost = 60")
    with pytest.raises(SettingsFileError) as raised:
        parse_settings_text(text, DEMO_STATION_FILE)
    assert raised.value.key == "promise.out_of_province.lost"
    assert text.splitlines()[raised.value.line - 1].startswith("lost = 60")


def test_the_remote_area_extension_is_at_most_30_days():
    assert legal_limit_days(30) == 90
    with pytest.raises(ValueError):
        legal_limit_days(31)
    with pytest.raises(SettingsFileError):
        parse_settings_text(TEXT.replace("extension_days = 0", "extension_days = 31"), DEMO_STATION_FILE)


def _with(settings, lost_days, extension):
    from dataclasses import replace

    promises = {**settings.promise_out_of_province, ApplicationType.LOST: lost_days}
    return replace(settings, promise_out_of_province=promises, remote_area_extension_days=extension)
