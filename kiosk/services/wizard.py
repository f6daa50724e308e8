"""The kiosk wizard's answers, kept server-side between pages, and turning them into an application.

The browser holds only a random token. Answers idle for longer than the
kiosk's reset time are treated as gone, so a citizen who walks away leaves
nothing the next person could see, even if the browser never sends its reset.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from sqlmodel import col, delete, select

from ..clock import utcnow
from ..db import Database
from ..domain import wizard as flow
from ..domain.catalogue import ApplicationType, Exemption, Material
from ..domain.commitments import SpecialGroup
from ..domain.id_number import parse_id_number
from ..models import KioskSession
from . import photos
from .applications import NewApplication
from .photo_store import PhotoStore


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
        named = [name for row in idle for name in photos.wizard_files(row.answers or {})]
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
    expires = answers.get("card_expires")
    address = visit.get("address") or collection.get("address") or ""
    photo = answers.get("photo")
    chosen = photo if isinstance(photo, dict) else {}  # {"file": ..., "report": ...}: taken at the kiosk
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
        card_expires=dt.date.fromisoformat(expires) if expires and expires != "long_term" else None,
        card_long_term=expires == "long_term",
        visit_dates=tuple(dt.date.fromisoformat(d) for d in visit.get("dates", [])),
        collection="visit" if flow.home_visit(answers) else collection.get("method", "station"),
        address=address,
        recipient_name=collection.get("recipient", ""),
        old_card_handover=collection.get("old_card", ""),
        photo_at_window=photo == "window",
        photo_file=chosen.get("file", ""),
        photo_report=chosen.get("report", {}),
    )
