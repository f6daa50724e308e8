"""The one clock: every service, route and command asks `utcnow()` for "now".

In production it is the system clock. A test freezes it (`freeze`) or starts it at a moment of its
choosing (`start_at`, the clock then runs on); a server started for a test or a demonstration is
set by configuration, `KIOSK_CLOCK=2027-02-05T10:00+08:00`, read by `create_app`. Durations
(timeouts, rate limits, the idle timer) are not dates and keep using `time.monotonic`.
"""

from __future__ import annotations

import datetime as dt
import time


class ClockError(ValueError):
    """A configured moment that cannot be read."""


def _system_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


_now = _system_now


def utcnow() -> dt.datetime:
    """The current moment as an aware UTC datetime."""
    return _now()


def freeze(moment: dt.datetime) -> None:
    """The clock stands at `moment` until it is set again."""
    frozen = _aware(moment).astimezone(dt.UTC)
    _use(lambda: frozen)


def start_at(moment: dt.datetime) -> None:
    """The clock reads `moment` now and runs on from there at the system's pace."""
    started, origin = _aware(moment).astimezone(dt.UTC), time.monotonic()
    _use(lambda: started + dt.timedelta(seconds=time.monotonic() - origin))


def reset() -> None:
    """Back to the system clock."""
    _use(_system_now)


def parse_moment(text: str) -> dt.datetime:
    """An ISO 8601 moment with its UTC offset (`2027-02-05T10:00+08:00`), as configured."""
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise ClockError(f"{text!r} is not an ISO 8601 moment such as 2027-02-05T10:00+08:00") from None
    if moment.tzinfo is None:
        raise ClockError(f"{text!r} has no UTC offset (write e.g. +08:00)")
    return moment


def _aware(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime given; use an aware one")
    return moment


def _use(source) -> None:
    global _now
    _now = source
