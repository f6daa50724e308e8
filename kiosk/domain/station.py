"""Station settings: what differs from one police station to the next.

A station's settings are kept as data in the database and seeded from a TOML
file (see `kiosk/data/demo_station.toml`). `parse_station_settings` checks a
parsed document and names the offending key; `locate_key` finds that key's line
so `kiosk init` can report file, line and key.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass
from typing import Any

from . import temporary_id
from .catalogue import ApplicationType, Exemption
from .commitments import Commitment
from .regions import MAINLAND_CODES

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_SESSION = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")


class SettingsError(ValueError):
    def __init__(self, key: str, message: str):
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message


@dataclass(frozen=True)
class Session:
    opens: dt.time
    closes: dt.time

    def __str__(self) -> str:
        return f"{self.opens:%H:%M}-{self.closes:%H:%M}"


@dataclass(frozen=True)
class BookingRules:
    """How appointments work at this station (docs/domain.md "Calendar": example defaults)."""

    slot_minutes: int  # the grid of the day's slots
    service_minutes: dict[ApplicationType, int]  # how long each service takes: a multiple of slot_minutes
    windows: int  # places per slot
    online_places: int  # of those, kept for phone/web bookings...
    home_visit_places: int  # ...and for home visits (an officer out of the hall)...
    release_minutes: int  # ...until this long before the slot, when walk-ins may take them
    days_ahead: int  # how many working days ahead a slot can be booked
    cancel_notice_hours: int  # change or cancel at least this long before
    no_show_grace_minutes: int  # not checked in this long after the start: a no-show
    no_show_limit: int  # this many no-shows within 30 days...
    no_show_ban_days: int  # ...and online booking is closed to the person for this long
    normal_hours: Session  # weekday hours that count as normal; others are extended service
    holiday_sessions: tuple[Session, ...]  # appointment service on public holidays (假日期间预约办)


@dataclass(frozen=True)
class StationSettings:
    code: str
    name: str  # official, in Simplified Chinese: on paper and to other offices
    names: dict[str, str]  # the name shown to a person reading zh_Hant or en, where the station gives one
    province_code: str
    address: str
    hotline: str
    timezone: str
    opening_hours: dict[str, tuple[Session, ...]]  # weekday name -> sessions
    renewal_window_days: int
    fees: dict[ApplicationType, int]  # yuan
    exemption_pay_percent: dict[Exemption, int]
    exemptions_offered: frozenset[Exemption]  # the veterans'-families exemption only where the station grants it
    postal_delivery_fee: int
    promise_local: dict[ApplicationType, int]  # working days to collection (within the law: domain/statutory.py)
    promise_out_of_province: dict[ApplicationType, int]
    commitment_target_days: dict[Commitment, int]  # working days to handle
    materials_deadline_days: int
    remote_area_extension_days: int  # calendar days the law's 60 may be extended here (0-30, 交通不便的地区)
    temporary_id_out_of_province: bool
    temporary_id_valid_days: int
    retention_days: int
    calendar_seed_years: tuple[int, ...]
    idle_seconds: int  # a kiosk untouched this long asks "are you still there?"
    countdown_seconds: int  # ... and wipes itself when nobody answers within this
    photo_capture: str  # "kiosk" (self-service camera) or "window" (staff take it)
    booking: BookingRules
    claim_minutes: int  # a claimed case untouched this long is free again
    escalate_supervisor_hours: int  # a missed deadline goes to the supervisor this long after the holder
    escalate_oversight_hours: int  # ...and to the oversight office this long after the supervisor
    supervisor_phone: str  # the supervisor (分管领导) is texted an escalated case; "" for the board only
    oversight_phone: str  # ...and the oversight office (分局法制（督察）部门)
    materials_reminder_days: int  # working days before a materials deadline the citizen is reminded
    urgent_ready_days: int  # an urgent case's card is ready within this many working days (signed off)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def name_in(self, language: str) -> str:
        """The name a person reading `language` sees: the one given for it, else the official one."""
        return self.names.get(language, self.name)


class _Reader:
    """Typed access to a nested document that raises SettingsError naming the dotted key."""

    def __init__(self, doc: dict[str, Any]):
        self.doc = doc

    def get(self, key: str) -> Any:
        node: Any = self.doc
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                raise SettingsError(key, "missing")
            node = node[part]
        return node

    def text(self, key: str) -> str:
        value = self.get(key)
        if not isinstance(value, str) or not value.strip():
            raise SettingsError(key, "must be a non-empty string")
        return value.strip()

    def integer(self, key: str, low: int = 0, high: int = 100_000) -> int:
        value = self.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise SettingsError(key, "must be a whole number")
        if not low <= value <= high:
            raise SettingsError(key, f"must be between {low} and {high}")
        return value

    def flag(self, key: str) -> bool:
        value = self.get(key)
        if not isinstance(value, bool):
            raise SettingsError(key, "must be true or false")
        return value

    def table(self, key: str, enum: type, low: int = 0, high: int = 100_000) -> dict:
        return {member: self.integer(f"{key}.{member.value}", low, high) for member in enum}

    def has(self, key: str) -> bool:
        try:
            self.get(key)
        except SettingsError:
            return False
        return True


def parse_session(text: object) -> Session | None:
    """`"08:30-12:00"` as a Session, or None when it is not one."""
    match = _SESSION.match(text) if isinstance(text, str) else None
    if not match:
        return None
    try:
        opens, closes = dt.time(int(match[1]), int(match[2])), dt.time(int(match[3]), int(match[4]))
    except ValueError:
        return None
    return Session(opens, closes) if closes > opens else None


def _sessions(reader: _Reader, key: str) -> tuple[Session, ...]:
    value = reader.get(key)
    if not isinstance(value, list):
        raise SettingsError(key, 'must be a list like ["08:30-12:00", "13:30-17:30"]')
    sessions: list[Session] = []
    for item in value:
        session = parse_session(item)
        if session is None:
            raise SettingsError(key, f"{item!r} is not a session like 08:30-12:00")
        if sessions and session.opens < sessions[-1].closes:
            raise SettingsError(key, f"{item!r} overlaps the session before it")
        sessions.append(session)
    return tuple(sessions)


def parse_station_settings(doc: dict[str, Any]) -> StationSettings:
    r = _Reader(doc)
    province = r.text("station.province_code")
    if province not in MAINLAND_CODES:
        raise SettingsError("station.province_code", "must be a mainland province code such as 33")
    timezone = r.text("station.timezone")
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise SettingsError("station.timezone", f"unknown time zone {timezone!r}") from None
    code = r.text("station.code")
    if not re.fullmatch(r"[A-Za-z0-9]{2,12}", code):
        raise SettingsError("station.code", "must be 2-12 letters or digits")
    seed_years = r.get("calendar.seed_years")
    if not isinstance(seed_years, list) or not all(isinstance(y, int) and 2000 <= y <= 2100 for y in seed_years):
        raise SettingsError("calendar.seed_years", "must be a list of years such as [2026]")
    photo_capture = r.text("kiosk.photo_capture")
    if photo_capture not in ("kiosk", "window"):
        raise SettingsError("kiosk.photo_capture", 'must be "kiosk" or "window"')
    for table in ("local", "out_of_province"):
        key = f"promise.{table}.{ApplicationType.TEMPORARY.value}"
        if r.integer(key, 0, 90) > temporary_id.READY_WITHIN_WORKING_DAYS:
            days = temporary_id.READY_WITHIN_WORKING_DAYS
            raise SettingsError(key, f"a temporary ID is ready within {days} working days")
    return StationSettings(
        code=code,
        name=r.text("station.name"),
        names=_names(r),
        province_code=province,
        address=r.text("station.address"),
        hotline=r.text("station.hotline"),
        timezone=timezone,
        opening_hours={day: _sessions(r, f"opening_hours.{day}") for day in WEEKDAYS},
        renewal_window_days=r.integer("renewal.window_days", 0, 366),
        fees=r.table("fees", ApplicationType, 0, 1000),
        exemption_pay_percent={
            e: r.integer(f"exemptions.{e.value}", 0, 100) for e in Exemption if e is not Exemption.NONE
        }
        | {Exemption.NONE: 100},
        exemptions_offered=_exemptions_offered(r),
        postal_delivery_fee=r.integer("fees.postal_delivery", 0, 1000),
        promise_local=r.table("promise.local", ApplicationType, 0, 90),
        promise_out_of_province=r.table("promise.out_of_province", ApplicationType, 0, 90),
        commitment_target_days=r.table("commitments", Commitment, 0, 90),
        materials_deadline_days=r.integer("commitments.materials_deadline_days", 1, 90),
        remote_area_extension_days=(
            r.integer("law.remote_area_extension_days", 0, 30) if r.has("law.remote_area_extension_days") else 0
        ),
        temporary_id_out_of_province=r.flag("temporary_id.out_of_province"),
        temporary_id_valid_days=r.integer("temporary_id.valid_days", 1, temporary_id.LONGEST_VALID_DAYS),
        retention_days=r.integer("retention.days", 30, 3650),
        calendar_seed_years=tuple(seed_years),
        idle_seconds=r.integer("kiosk.idle_seconds", 20, 600),
        countdown_seconds=r.integer("kiosk.countdown_seconds", 5, 120),
        photo_capture=photo_capture,
        booking=_booking_rules(r),
        claim_minutes=r.integer("staff.claim_minutes", 1, 24 * 60),
        escalate_supervisor_hours=r.integer("staff.escalate_supervisor_hours", 0, 24 * 30),
        escalate_oversight_hours=r.integer("staff.escalate_oversight_hours", 0, 24 * 30),
        supervisor_phone=_phone(r, "staff.supervisor_phone"),
        oversight_phone=_phone(r, "staff.oversight_phone"),
        urgent_ready_days=r.integer("commitments.urgent_ready_days", 0, 90),
        materials_reminder_days=(
            r.integer("commitments.materials_reminder_days", 0, 30)
            if r.has("commitments.materials_reminder_days")
            else 2
        ),
    )


# The kiosk languages other than the official name's (Simplified Chinese).
OTHER_NAME_LANGUAGES = ("zh_Hant", "en")


def _names(r: _Reader) -> dict[str, str]:
    """`[station.names]`: the station's name in Traditional Chinese and in English (optional)."""
    if not r.has("station.names"):
        return {}
    given = r.get("station.names")
    if not isinstance(given, dict) or not set(given) <= set(OTHER_NAME_LANGUAGES):
        raise SettingsError("station.names", f"must be a table of names in {', '.join(OTHER_NAME_LANGUAGES)}")
    return {language: r.text(f"station.names.{language}") for language in given}


def _phone(r: _Reader, key: str) -> str:
    """An optional phone number for messages to staff: digits, "" when not set."""
    value = r.get(key) if r.has(key) else ""
    if not isinstance(value, str) or not re.fullmatch(r"(\d{7,15})?", value.strip()):
        raise SettingsError(key, 'must be a phone number of 7-15 digits, or ""')
    return value.strip()


def _exemptions_offered(r: _Reader) -> frozenset[Exemption]:
    """Minimum income and hardship everywhere; the veterans'-families exemption when
    `exemptions.veteran_family_offered` is true (off when the key is absent)."""
    offered = {Exemption.MINIMUM_INCOME, Exemption.HARDSHIP}
    if r.has("exemptions.veteran_family_offered") and r.flag("exemptions.veteran_family_offered"):
        offered.add(Exemption.VETERAN_FAMILY)
    return frozenset(offered)


def _booking_rules(r: _Reader) -> BookingRules:
    normal = parse_session(r.get("booking.normal_hours"))
    if normal is None:
        raise SettingsError("booking.normal_hours", "must be a session like 08:30-17:30")
    windows = r.integer("booking.windows", 1, 100)
    slot_minutes = r.integer("booking.slot_minutes", 5, 240)
    online_places = r.integer("booking.online_places", 0, windows)
    return BookingRules(
        slot_minutes=slot_minutes,
        service_minutes=_service_minutes(r, slot_minutes),
        windows=windows,
        online_places=online_places,
        home_visit_places=(
            r.integer("booking.home_visit_places", 0, windows - online_places)
            if r.has("booking.home_visit_places")
            else 0
        ),
        release_minutes=r.integer("booking.release_minutes", 0, 24 * 60),
        days_ahead=r.integer("booking.days_ahead", 1, 90),
        cancel_notice_hours=r.integer("booking.cancel_notice_hours", 0, 24 * 14),
        no_show_grace_minutes=r.integer("booking.no_show_grace_minutes", 0, 240),
        no_show_limit=r.integer("booking.no_show_limit", 1, 100),
        no_show_ban_days=r.integer("booking.no_show_ban_days", 0, 365),
        normal_hours=normal,
        holiday_sessions=_sessions(r, "booking.holiday_sessions"),
    )


def _service_minutes(r: _Reader, slot_minutes: int) -> dict[ApplicationType, int]:
    """`[booking.service_minutes]`: optional per service; a service not named takes one slot."""
    minutes = {}
    for service in ApplicationType:
        key = f"booking.service_minutes.{service.value}"
        if not r.has(key):
            minutes[service] = slot_minutes
            continue
        value = r.integer(key, slot_minutes, 8 * 60)
        if value % slot_minutes:
            raise SettingsError(key, f"must be a multiple of booking.slot_minutes ({slot_minutes})")
        minutes[service] = value
    return minutes


_TABLE_HEADER = re.compile(r"^\s*\[\s*([A-Za-z0-9_.\s\"]+?)\s*\]\s*(#.*)?$")


def locate_key(toml_text: str, key: str) -> int | None:
    """The 1-based line where dotted `key` is set (or its nearest enclosing table starts)."""
    parts = key.split(".")
    best: int | None = None
    table: list[str] = []
    for number, line in enumerate(toml_text.splitlines(), start=1):
        header = _TABLE_HEADER.match(line)
        if header:
            table = [p.strip().strip('"') for p in header[1].split(".")]
            if parts[: len(table)] == table and best is None:
                best = number
            continue
        if "=" not in line or line.lstrip().startswith("#"):
            continue
        name = line.split("=", 1)[0].strip().strip('"')
        if table + name.split(".") == parts:
            return number
        if parts[: len(table) + 1] == table + [name]:
            best = number  # an inline table holding the key
    return best
