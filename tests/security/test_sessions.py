"""Staff sessions end on the server: a cookie replayed after signing out, after a new password,
after deactivation (also once reactivated) or past the absolute limit opens nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event

from kiosk.db import DatabaseUnavailable
from kiosk.domain.access import Role
from tests.security.conftest import without_csrf_token


def _replay(app, cookie: str):
    """Another browser presenting a copied cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief.get("/staff/")


def _cookie(client) -> str:
    return client.get_cookie("session").value


def test_signing_out_ends_the_session_for_a_copied_cookie_too(stations):
    a, _b = stations
    officer = a.client(Role.WINDOW)
    stolen = _cookie(officer)
    assert _replay(a.app, stolen).status_code == 200
    officer.post("/staff/logout")
    assert _replay(a.app, stolen).status_code == 302  # to the sign-in page


@pytest.mark.parametrize("changes", [["password"], ["deactivate"], ["deactivate", "activate"]])
def test_an_administrators_change_ends_the_accounts_sessions(stations, changes):
    a, _b = stations
    stolen = _cookie(a.client(Role.WINDOW))
    admin = a.client(Role.ADMIN)
    for change in changes:
        changed = admin.post(f"/staff/admin/accounts/{a.staff[Role.WINDOW].id}", data={"change": change})
        assert changed.status_code == 200
    assert _replay(a.app, stolen).status_code == 302


def test_a_session_ends_eight_hours_after_signing_in_however_often_it_is_renewed(stations, clock):
    a, _b = stations
    start = clock.now()
    clock.set(start)
    officer = a.client(Role.WINDOW)
    for hours in (2, 4, 6, 7.9):
        clock.set(start + dt.timedelta(hours=hours))
        assert officer.get("/staff/").status_code == 200  # each answer renews the cookie
    renewed = _cookie(officer)
    clock.set(start + dt.timedelta(hours=8, minutes=1))
    assert officer.get("/staff/").status_code == 302
    assert _replay(a.app, renewed).status_code == 302


def test_sign_ins_the_database_cannot_decide_look_alike_and_count(stations):
    """While no write succeeds, a right and a wrong password get the same answer, and the refusals
    count against the address's limit (nothing else can count them)."""
    a, _b = stations
    engine = a.app.extensions["kiosk_db"].engine
    user = a.staff[Role.WINDOW]

    def refuse_writes(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE")):
            raise DatabaseUnavailable("read-only")

    event.listen(engine, "before_cursor_execute", refuse_writes)
    try:
        client = a.app.test_client()
        answers = [
            client.post("/staff/login", data={"username": user.username, "password": password})
            for password in ("a long enough password", "wrong", "a long enough password")
        ]
        assert [answer.status_code for answer in answers] == [503, 503, 503]
        assert len({without_csrf_token(answer) for answer in answers}) == 1
        guesses = [client.post("/staff/login", data={"username": user.username, "password": "x"}) for _ in range(10)]
    finally:
        event.remove(engine, "before_cursor_execute", refuse_writes)
    assert 429 in [guess.status_code for guess in guesses]  # the undecided sign-ins used up the limit


def test_the_sweep_deletes_the_records_of_sessions_past_their_time(stations, database, clock):
    from sqlmodel import func, select

    from kiosk.models import StaffSession
    from kiosk.services.staff import forget_old_sessions

    a, _b = stations
    start = clock.now()
    clock.set(start)
    a.client(Role.WINDOW)
    a.client(Role.SUPERVISOR)
    lifetime = a.app.permanent_session_lifetime
    assert forget_old_sessions(database, lifetime, now=start + lifetime - dt.timedelta(minutes=1)) == 0
    assert forget_old_sessions(database, lifetime, now=start + lifetime) == 2
    with database.reading() as session:
        assert session.exec(select(func.count()).select_from(StaffSession)).one() == 0
