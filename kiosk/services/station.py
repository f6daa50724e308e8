"""Loading station settings into the database and reading them back."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

from sqlmodel import col, delete, select

from ..clock import utcnow
from ..db import Database
from ..domain.calendar import SpecialDay, WorkingCalendar, package_days
from ..domain.schedule import handling_day
from ..domain.station import SettingsError, StationSettings, locate_key, parse_station_settings
from ..domain.statutory import promise_beyond_law
from ..models import CalendarDay, Station

# Seeded calendar days, replaced on every seeding: "package" (the published schedule) and
# "estimated" (the package's rule-made guess). "manual" and "confirmed" days are the station's own.
SEEDED_SOURCES = ("package", "estimated")

DEMO_STATION_FILE = Path(__file__).resolve().parent.parent / "data" / "demo_station.toml"


class SettingsFileError(ValueError):
    """A settings file that cannot be used, located as precisely as the file allows."""

    def __init__(self, path: Path, message: str, line: int | None = None, key: str | None = None):
        where = f"{path}" + (f", line {line}" if line else "") + (f", key '{key}'" if key else "")
        super().__init__(f"{where}: {message}")
        self.path, self.line, self.key, self.message = path, line, key, message


def read_settings_file(path: Path) -> tuple[dict, StationSettings]:
    """The settings document and its parsed form, or SettingsFileError naming file, line and key."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SettingsFileError(path, f"cannot be read ({error})") from None
    return parse_settings_text(text, path)


def parse_settings_text(text: str, source: Path) -> tuple[dict, StationSettings]:
    """Settings written as TOML (a file, or the administrator's editor), checked, card promises
    against the legal time limit too; errors name line and key."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        # Python 3.11's TOMLDecodeError carries the position only in its message.
        match = re.search(r"line (\d+)", str(error))
        raise SettingsFileError(source, f"is not valid TOML: {error}", int(match[1]) if match else None) from None
    try:
        settings = parse_station_settings(doc)
        unlawful = promise_beyond_law(settings)
        if unlawful:
            raise unlawful
    except SettingsError as error:
        raise SettingsFileError(source, error.message, locate_key(text, error.key), error.key) from None
    return doc, settings


@dataclass(frozen=True)
class StationContext:
    """What a request needs to know about its station."""

    id: int
    settings: StationSettings
    calendar: WorkingCalendar
    special_days: dict[dt.date, SpecialDay]

    def today(self, now: dt.datetime | None = None) -> dt.date:
        return (now or utcnow()).astimezone(self.settings.zone).date()

    def handling_day(self, now: dt.datetime | None = None) -> dt.date:
        """Today when staff can still handle a case today, else the next working day."""
        moment = (now or utcnow()).astimezone(self.settings.zone)
        return handling_day(moment, self.settings, self.calendar, self.special_days.get(moment.date()))


def install_station(db: Database, doc: dict, settings: StationSettings, text: str = "") -> int:
    """Create or update a station from its settings; (re)seed its calendar years (`seed_years`).

    A year the package carries officially is seeded as "package", one it only estimates as
    "estimated" until an administrator confirms it (`calendar_days.confirm_year`). Days a person
    entered by hand or confirmed are kept; seeded days are replaced, so running it again is safe.
    """
    with db.transaction() as session:
        station = session.exec(select(Station).where(Station.code == settings.code)).first()
        if station is None:
            station = Station(
                code=settings.code, name=settings.name, province_code=settings.province_code, settings=doc
            )
        station.name, station.province_code, station.settings = settings.name, settings.province_code, doc
        station.settings_text = text or station.settings_text
        station.updated_at = utcnow()
        session.add(station)
        session.flush()

        session.exec(
            delete(CalendarDay).where(CalendarDay.station_id == station.id, col(CalendarDay.source).in_(SEEDED_SOURCES))
        )
        kept = session.exec(
            select(CalendarDay.day, CalendarDay.source).where(CalendarDay.station_id == station.id)
        ).all()
        confirmed_years = {day.year for day, source in kept if source == "confirmed"}
        kept_days = {day for day, _source in kept}
        for day in package_days(settings.calendar_seed_years):
            if day.day not in kept_days and day.day.year not in confirmed_years:
                session.add(calendar_row(station.id, day))
        return station.id


def calendar_row(station_id: int, day: SpecialDay) -> CalendarDay:
    source = "estimated" if day.estimated else "package"
    return CalendarDay(station_id=station_id, day=day.day, kind=day.kind, name=day.name, source=source)


def load_station(db: Database, code: str) -> StationContext | None:
    with db.reading() as session:
        station = session.exec(select(Station).where(Station.code == code)).first()
        if station is None:
            return None
        rows = session.exec(select(CalendarDay).where(CalendarDay.station_id == station.id)).all()
        days = [
            SpecialDay(d.day, d.kind, d.name, tuple(d.extra_sessions), estimated=d.source == "estimated") for d in rows
        ]
        return StationContext(
            id=station.id,
            settings=parse_station_settings(station.settings),
            calendar=WorkingCalendar.from_days(days),
            special_days={d.day: d for d in days},
        )


def station_codes(db: Database) -> list[str]:
    with db.reading() as session:
        return list(session.exec(select(Station.code).order_by(Station.code)))


def settings_text(db: Database, code: str) -> str:
    """The settings as their TOML text was last loaded (what the administrator edits)."""
    with db.reading() as session:
        return session.exec(select(Station.settings_text).where(Station.code == code)).first() or ""


_WEEKDAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def printed_opening_hours(station: StationContext) -> tuple[str, ...]:
    """The hall's hours as printed on receipts and slips, days with the same sessions together:
    "周一至周五 08:30-12:00、13:30-17:30", "周六 09:00-12:00"."""
    lines: list[str] = []
    days = list(zip(_WEEKDAY_NAMES, station.settings.opening_hours.values(), strict=True))
    for _sessions, run in groupby(days, key=lambda day: day[1]):
        run = list(run)
        if run[0][1]:
            label = run[0][0] if len(run) == 1 else f"{run[0][0]}至{run[-1][0]}"
            lines.append(f"{label} " + "、".join(str(session) for session in run[0][1]))
    return tuple(lines)
