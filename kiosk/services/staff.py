"""Staff accounts: creation, sign-in with lockout after repeated failures, sessions kept on the
server (signing out, a new password and deactivation end them; none outlives its time)."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, update
from sqlmodel import col, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..clock import utcnow
from ..db import Database
from ..domain.access import Role
from ..models import AuditEvent, StaffSession, StaffUser, Station

MAX_FAILED_SIGN_INS = 5
LOCKOUT = dt.timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10


class StaffError(ValueError):
    pass


class SignInRefused(Exception):
    """`reason`: "invalid" (unknown user or wrong password) or "locked"."""

    def __init__(self, reason: str, until: dt.datetime | None = None):
        super().__init__(reason)
        self.reason = reason
        self.until = until


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def create_staff(
    db: Database, *, station_code: str, username: str, display_name: str, role: Role, password: str
) -> StaffUser:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    with db.transaction() as session:
        station = session.exec(select(Station).where(Station.code == station_code)).first()
        if station is None:
            raise StaffError(f"no station with code {station_code}; run 'kiosk init' first")
        if session.exec(select(StaffUser).where(StaffUser.username == username)).first():
            raise StaffError(f"a staff account named {username} exists already")
        user = StaffUser(
            username=username,
            display_name=display_name,
            role=role.value,
            station_id=station.id,
            password_hash=generate_password_hash(password),
        )
        session.add(user)
        session.flush()
        session.add(AuditEvent(actor="system:cli", action="create_staff", reason=f"{username} ({role.value})"))
        return user


def staff_exists(db: Database, username: str) -> bool:
    with db.reading() as session:
        return session.exec(select(StaffUser.id).where(StaffUser.username == username)).first() is not None


@dataclass(frozen=True)
class SignedIn:
    user: StaffUser
    session_id: str  # the server-side session the cookie names


def sign_in(
    db: Database, username: str, password: str, *, station_id: int, now: dt.datetime | None = None
) -> SignedIn:
    """A new session for the user, or SignInRefused. Only the accounts of `station_id` (the
    server's station) exist here. Failures count towards a temporary lockout; a right password
    and a wrong one both write, so neither can be told apart while the database refuses writes."""
    now = now or utcnow()
    with db.transaction() as session:
        user = session.exec(
            select(StaffUser).where(
                StaffUser.username == username, StaffUser.active, StaffUser.station_id == station_id
            )
        ).first()
        if user is None:
            # Spend the same time as a real check so timing does not reveal names.
            check_password_hash(generate_password_hash("x"), password)
            raise SignInRefused("invalid")
        if user.locked_until is not None and user.locked_until > now:
            raise SignInRefused("locked", user.locked_until)
        if not check_password_hash(user.password_hash, password):
            user.failed_logins += 1
            if user.failed_logins >= MAX_FAILED_SIGN_INS:
                user.failed_logins = 0
                user.locked_until = now + LOCKOUT
            session.add(user)
            session.commit()  # the count must survive the refusal below
            raise SignInRefused("invalid")
        user.failed_logins = 0
        user.locked_until = None
        session.add(user)
        signed_in = StaffSession(id=secrets.token_urlsafe(32), staff_id=user.id, created_at=now)
        session.add(signed_in)
        return SignedIn(user, signed_in.id)


def session_user(
    db: Database, session_id: str, *, station_id: int, lifetime: dt.timedelta, now: dt.datetime | None = None
) -> StaffUser | None:
    """The active account of a live session of this station: not ended, begun less than
    `lifetime` ago (renewing the cookie does not extend it)."""
    now = now or utcnow()
    with db.reading() as session:
        row = session.exec(
            select(StaffUser)
            .join(StaffSession, col(StaffSession.staff_id) == StaffUser.id)
            .where(
                StaffSession.id == session_id,
                col(StaffSession.ended_at).is_(None),
                StaffSession.created_at > now - lifetime,
                StaffUser.active,
                StaffUser.station_id == station_id,
            )
        ).first()
        return row


def end_session(db: Database, session_id: str, now: dt.datetime | None = None) -> None:
    with db.transaction() as session:
        session.execute(
            update(StaffSession)
            .where(StaffSession.id == session_id, col(StaffSession.ended_at).is_(None))
            .values(ended_at=now or utcnow())
        )


def forget_old_sessions(db: Database, lifetime: dt.timedelta, now: dt.datetime | None = None) -> int:
    """Delete the records of sessions begun longer ago than `lifetime`: over, whether or not
    anyone signed out. The sweep calls it, so the table holds only the day's sign-ins."""
    now = now or utcnow()
    with db.transaction() as session:
        return session.execute(delete(StaffSession).where(StaffSession.created_at <= now - lifetime)).rowcount


def _end_sessions_of(session, user_id: int, now: dt.datetime) -> None:
    session.execute(
        update(StaffSession)
        .where(StaffSession.staff_id == user_id, col(StaffSession.ended_at).is_(None))
        .values(ended_at=now)
    )


def list_staff(db: Database, station_code: str) -> list[StaffUser]:
    with db.reading() as session:
        return list(
            session.exec(
                select(StaffUser)
                .join(Station, Station.id == StaffUser.station_id)
                .where(Station.code == station_code)
                .order_by(StaffUser.username)
            )
        )


def update_account(
    db: Database,
    station_id: int,
    user_id: int,
    *,
    actor: str,
    active: bool | None = None,
    new_password: str | None = None,
    unlock: bool = False,
    now: dt.datetime | None = None,
) -> StaffUser:
    """An administrator's change to an account of their station: (de)activate, set a new password,
    lift a lockout. A new password and (de)activation end the account's sessions: a cookie taken
    before is worth nothing after, also once the account is active again."""
    now = now or utcnow()
    with db.transaction() as session:
        user = session.get(StaffUser, user_id)
        if user is None or user.station_id != station_id:
            raise StaffError("no such account")
        changes = []
        if active is not None:
            user.active = active
            changes.append("activated" if active else "deactivated")
        if new_password is not None:
            if len(new_password) < MIN_PASSWORD_LENGTH:
                raise StaffError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
            user.password_hash = generate_password_hash(new_password)
            changes.append("new password")
        if unlock or new_password is not None:
            user.failed_logins, user.locked_until = 0, None
            changes.append("unlocked")
        if active is not None or new_password is not None:
            _end_sessions_of(session, user.id, now)
        session.add(user)
        session.add(
            AuditEvent(at=now, actor=actor, action="update_staff", reason=f"{user.username}: {', '.join(changes)}")
        )
        return user
