"""Hundreds of people pressing "book" on the same slot at the same moment, through HTTP.

The app runs under gunicorn with several worker processes on the test database
(SQLite by default, PostgreSQL when KIOSK_TEST_DATABASE_URL is set). Each attempt
is a different person with its own cookies and CSRF token; all POSTs are released
together by a barrier. Exactly the places left may be taken; everyone else must get
the "just taken" page, and nobody an error.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

from sqlalchemy import update
from sqlmodel import func, select

from kiosk.clock import utcnow
from kiosk.models import AuditEvent, Booking, Slot
from kiosk.services import slot_times
from tests.conftest import make_id

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from _serve import gunicorn  # noqa: E402

ATTEMPTS = 200
CAPACITY = 3
WORKERS = 8


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Citizen:
    """One phone or kiosk: its own cookies, CSRF token and idempotency key."""

    def __init__(self, base: str, number: int):
        self.base, self.number = base, number
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect())
        self.form: dict[str, str] = {}

    def _open(self, path: str, body: bytes | None = None) -> tuple[int, dict, str]:
        try:
            response = self.opener.open(self.base + path, data=body, timeout=60)
        except urllib.error.HTTPError as error:  # 3xx (not followed), 4xx, 5xx
            response = error
        with response:
            return response.code, dict(response.headers), response.read().decode()

    def open_form(self, path: str) -> None:
        status, _, page = self._open(path)
        assert status == 200, page
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
        key = re.search(r'name="idempotency_key" value="(\w+)"', page)
        assert csrf and key, "the details form lacks its CSRF token or idempotency key"
        self.form = {
            "csrf_token": csrf[1],
            "idempotency_key": key[1],
            "name": "王" + chr(0x4E00 + self.number),  # a name is letters only (kiosk.domain.fields)
            "id_number": make_id(f"33040219800315{self.number:03d}"),
            "phone": f"138{self.number:08d}",
        }

    def submit(self, path: str) -> tuple[int, dict, str]:
        return self._open(path, urllib.parse.urlencode(self.form).encode())


def _race_slot(database, station) -> int:
    """A scheduled slot a few days ahead whose walk-in share is widened to CAPACITY places, all
    open to the kiosk channel (requests from 127.0.0.1); online and home-visit places stay kept apart."""
    first = station.today(utcnow()) + dt.timedelta(days=2)
    # All the week's slots exist beforehand, so "just taken" answers only read them.
    days = slot_times.free_slots(
        database, station, first=first, days=station.settings.booking.days_ahead - 2, channel="kiosk"
    )
    slot_id = next(iter(days.values()))[0].id
    with database.transaction() as session:
        widened = update(Slot).where(Slot.id == slot_id)
        session.execute(widened.values(capacity=CAPACITY + 3, online_capacity=2, home_visit_capacity=1))
    return slot_id


def test_hundreds_racing_for_one_slot_over_http(tmp_path, database_url, database, station, clock):
    slot_id = _race_slot(database, station)
    env = {
        **clock.server_env(),  # the server counts its days from the same moment as this test
        "KIOSK_INSTANCE_PATH": str(tmp_path / "instance"),
        "KIOSK_DATABASE_URL": database_url,
        "KIOSK_SECRET_KEY": "race-secret",
        "KIOSK_BUSY_TIMEOUT_MS": "10000",
    }
    path = f"/book/details?service=lost&slot={slot_id}"
    barrier = threading.Barrier(ATTEMPTS)
    results: list[tuple[int, dict, str] | BaseException] = [None] * ATTEMPTS  # type: ignore[list-item]

    with gunicorn("kiosk.wsgi:app", env, workers=WORKERS) as base:
        citizens = [Citizen(base, n + 1) for n in range(ATTEMPTS)]

        def attempt(index: int) -> None:
            try:
                citizens[index].open_form(path)
            except BaseException as error:  # noqa: BLE001 - reported below
                results[index] = error
                barrier.abort()
                return
            try:
                barrier.wait(timeout=60)
                results[index] = citizens[index].submit(path)
            except BaseException as error:  # noqa: BLE001 - reported below
                results[index] = error

        threads = [threading.Thread(target=attempt, args=(i,)) for i in range(ATTEMPTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in threads)

    failures = [r for r in results if isinstance(r, BaseException)]
    assert not failures, failures[:3]
    booked = [r for r in results if r[0] == 303]
    taken = [r for r in results if r[0] == 409]
    others = [(r[0], r[2][:300]) for r in results if r[0] not in (303, 409)]
    assert others == []
    assert len(booked) == CAPACITY
    assert all(urllib.parse.urlsplit(h["Location"]).path == "/book/confirmation" for _, h, _ in booked)
    assert len(taken) == ATTEMPTS - CAPACITY
    assert all('id="taken"' in page for _, _, page in taken)
    assert all(f'data-slot="{slot_id}"' not in page for _, _, page in taken)  # alternatives are other slots

    with database.reading() as session:
        slot = session.get(Slot, slot_id)
        assert (slot.booked, slot.booked_online) == (CAPACITY, 0)
        rows = session.exec(select(Booking)).all()
        assert len(rows) == len(booked)
        assert {b.slot_id for b in rows} == {slot_id}
        assert {b.channel for b in rows} == {"kiosk"}
        assert len({b.id_number for b in rows}) == len(rows)
        audits = session.exec(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "book")).one()
        assert audits == len(booked)
