"""The kiosk wizard's answers, kept server-side between pages, and turning them into an application.

The browser holds only a random token. Answers idle for longer than the
kiosk's reset time are treated as gone, so a citizen who walks away leaves
nothing the next person could see, even if the browser never sends its reset.

The answers are a JSON object (stored as is in `KioskSession.answers`). The answers whose
stored shape varies (the photo: "window" or a shot; the card's end date: a day or
"long_term") are read and written only through the typed accessors below.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, delete, select

from ..clock import utcnow
from ..db import Database
from ..domain import wizard as flow
from ..domain.catalogue import ApplicationType, Exemption, Material
from ..domain.commitments import SpecialGroup
from ..domain.id_number import parse_id_number
from ..models import KioskSession
from .assessment import NewApplication
from .photo_store import PhotoStore

# --- the answers whose stored shape varies ----------------------------------------------

_LONG_TERM = "long_term"
_WINDOW = "window"


@dataclass(frozen=True)
class Shot:
    """A photo taken at the kiosk's camera that passed the checks: its file and the checks' report."""

    id: str
    file: str
    report: dict[str, Any]

    @classmethod
    def stored(cls, raw: dict[str, Any]) -> Shot:
        return cls(id=raw.get("id", ""), file=raw.get("file", ""), report=raw.get("report", {}))

    def to_stored(self) -> dict[str, Any]:
        return {"id": self.id, "file": self.file, "report": self.report}


@dataclass(frozen=True)
class PhotoChoice:
    """The photo answer: taken at the window, or `shot`, taken at the kiosk."""

    shot: Shot | None = None

    @property
    def at_window(self) -> bool:
        return self.shot is None


AT_WINDOW = PhotoChoice()


@dataclass(frozen=True)
class CardExpiry:
    """The end date printed on the card being renewed; `day` None: the card says long-term."""

    day: dt.date | None = None

    @property
    def long_term(self) -> bool:
        return self.day is None


def photo_choice(answers: dict[str, Any]) -> PhotoChoice | None:
    """The photo answer, None while unanswered."""
    raw = answers.get("photo")
    if raw is None:
        return None
    return AT_WINDOW if raw == _WINDOW else PhotoChoice(Shot.stored(raw))


def chosen_shot(answers: dict[str, Any]) -> Shot | None:
    """The shot the citizen chose at the kiosk, if any."""
    choice = photo_choice(answers)
    return choice.shot if choice is not None else None


def set_photo_choice(answers: dict[str, Any], choice: PhotoChoice) -> None:
    answers["photo"] = _WINDOW if choice.shot is None else choice.shot.to_stored()


def shots(answers: dict[str, Any]) -> list[Shot]:
    """The candidate shots waiting for the citizen to choose one."""
    return [Shot.stored(raw) for raw in answers.get("photo_shots", [])]


def set_shots(answers: dict[str, Any], candidates: list[Shot]) -> None:
    answers["photo_shots"] = [shot.to_stored() for shot in candidates]


def photo_files(answers: dict[str, Any]) -> list[str]:
    """Every photo file the answers name: the candidate shots and the chosen photo."""
    chosen = chosen_shot(answers)
    names = [shot.file for shot in shots(answers)] + ([chosen.file] if chosen else [])
    return [name for name in names if name]


def card_expiry(answers: dict[str, Any]) -> CardExpiry | None:
    """The card's end date answer, None while unanswered."""
    raw = answers.get("card_expires")
    if not raw:
        return None
    return CardExpiry() if raw == _LONG_TERM else CardExpiry(dt.date.fromisoformat(raw))


def set_card_expiry(answers: dict[str, Any], expiry: CardExpiry) -> None:
    answers["card_expires"] = _LONG_TERM if expiry.day is None else expiry.day.isoformat()


# --- keeping the answers ---------------------------------------------------------------


def new_token() -> str:
    return secrets.token_urlsafe(32)


def load_answers(db: Database, token: str, *, max_idle: dt.timedelta, now: dt.datetime | None = None) -> dict:
    now = now or utcnow()
    with db.reading() as session:
        row = session.get(KioskSession, token)
        if row is None or now - row.updated_at > max_idle:
            return {}
        return dict(row.answers)


def save_answers(
    db: Database,
    token: str,
    answers: dict[str, Any],
    *,
    now: dt.datetime | None = None,
    new_photo: tuple[PhotoStore, str, bytes] | None = None,
) -> None:
    """Save the answers; with `new_photo` (store, name, JPEG), the photo they now name is kept in
    the same transaction, so neither is kept without the other."""
    try:
        with db.transaction() as session:
            if new_photo is not None:
                new_photo[0].put_in(session, new_photo[1], new_photo[2])
            row = session.get(KioskSession, token) or KioskSession(token=token)
            row.answers = answers
            row.updated_at = now or utcnow()
            session.add(row)
    except BaseException:
        if new_photo is not None:
            new_photo[0].abandon(new_photo[1])
        raise


def forget(db: Database, token: str) -> dict:
    """Delete the answers; returns what they were (to clean up what they name), {} when none."""
    with db.transaction() as session:
        row = session.get(KioskSession, token)
        if row is None:
            return {}
        answers = dict(row.answers)
        session.delete(row)
        return answers


def purge_idle(
    db: Database, *, max_idle: dt.timedelta, now: dt.datetime | None = None, photo_store: PhotoStore | None = None
) -> int:
    """Delete every wizard session idle for longer than `max_idle`, and the photos its answers
    name when `photo_store` is given; returns how many sessions."""
    cutoff = (now or utcnow()) - max_idle
    with db.transaction() as session:
        idle = session.exec(select(KioskSession).where(col(KioskSession.updated_at) < cutoff)).all()
        named = [name for row in idle for name in photo_files(row.answers or {})]
        left = photo_store.delete_in(session, named) if photo_store is not None else []
        result = session.exec(delete(KioskSession).where(col(KioskSession.updated_at) < cutoff))
    if photo_store is not None:
        photo_store.delete(left)
    return result.rowcount


def to_new_application(answers: dict[str, Any], *, today: dt.date, idempotency_key: str = "") -> NewApplication:
    """The application the answers describe (the answers were validated page by page)."""
    situation = answers.get("situation", {})
    visit = answers.get("visit", {})
    collection = answers.get("collection", {})
    expiry = card_expiry(answers)
    address = visit.get("address") or collection.get("address") or ""
    photo = photo_choice(answers)
    chosen = photo.shot if photo is not None else None
    return NewApplication(
        id_number=parse_id_number(answers["id_number"], today=today),
        app_type=ApplicationType(answers["app_type"]),
        registered_province=answers["registered_province"],
        idempotency_key=idempotency_key or answers.get("idempotency_key", ""),
        name=answers.get("name", ""),
        phone=answers.get("phone", ""),
        held=frozenset(Material(m) for m in answers.get("held", [])),
        exemption=Exemption(situation.get("exemption", "none")),
        cannot_travel=bool(situation.get("cannot_travel")),
        special_group=SpecialGroup(situation["special_group"]) if situation.get("special_group") else None,
        urgent_reason=situation.get("urgent_reason", ""),
        blocking_reason=situation.get("blocking_reason", ""),
        wants_out_of_hours_slot=bool(situation.get("out_of_hours")),
        card_expires=expiry.day if expiry is not None else None,
        card_long_term=expiry is not None and expiry.long_term,
        visit_dates=tuple(dt.date.fromisoformat(d) for d in visit.get("dates", [])),
        collection="visit" if flow.home_visit(answers) else collection.get("method", "station"),
        address=address,
        recipient_name=collection.get("recipient", ""),
        old_card_handover=collection.get("old_card", ""),
        photo_at_window=photo is not None and photo.at_window,
        photo_file=chosen.file if chosen else "",
        photo_report=chosen.report if chosen else {},
    )
