"""The citizen's wizard session, shared by the wizard's pages (kiosk.py, wizard_pages.py) and the
kiosk's camera (photo.py): the answers behind the browser's token, saving them with the photos
they name, and forgetting the citizen."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from flask import session, url_for

from ..clock import utcnow
from ..domain import wizard as flow
from ..services import wizard as store
from ..services.assessment import Assessment, NotEligible, assess, with_main_link
from ..services.station import StationContext
from .common import db, photo_store


def max_idle(context: StationContext) -> dt.timedelta:
    return dt.timedelta(seconds=context.settings.idle_seconds + context.settings.countdown_seconds)


def current_answers(context: StationContext) -> dict[str, Any]:
    token = session.get("wizard")
    return store.load_answers(db(), token, max_idle=max_idle(context)) if token else {}


def save(answers: dict[str, Any], new_photo: tuple[str, bytes] | None = None) -> None:
    """Save the answers (with `new_photo`, name and JPEG, the photo they now name)."""
    # One wizard, one application: the key that makes a double tap on "send" harmless.
    answers.setdefault("idempotency_key", uuid.uuid4().hex)
    token = session.get("wizard") or store.new_token()
    session["wizard"] = token
    store.save_answers(db(), token, answers, new_photo=(photo_store(), *new_photo) if new_photo else None)


def wipe(keep_preferences: bool = False, submitted: dict | None = None) -> None:
    """Forget the citizen: their answers on the server, the photos they took (but the one a
    just-`submitted` application keeps: its answers, already deleted with the submission) and
    everything in the cookie (but the language and text size they chose, when starting)."""
    token = session.get("wizard")
    if submitted is not None:
        chosen = store.chosen_shot(submitted)
        _discard_photos(submitted, keep=chosen.file if chosen else "")
    elif token:
        _discard_photos(store.forget(db(), token), keep="")
    preferences = {key: session[key] for key in ("lang", "large") if key in session}
    session.clear()
    if keep_preferences:
        session.update(preferences)


def _discard_photos(answers: dict, keep: str = "") -> None:
    """Delete the photo files the answers name (candidate shots, the chosen one) but `keep`."""
    photo_store().delete([name for name in store.photo_files(answers) if name != keep])


def discard_unnamed_photos(named_before: list[str], answers: dict) -> None:
    """Once changed answers are saved: delete the files they named before and name no more
    (never earlier: answers that failed to save still name them)."""
    named = set(store.photo_files(answers))
    photo_store().delete([name for name in named_before if name not in named])


def refusal(answers: dict, context: StationContext) -> NotEligible | None:
    """Why this station cannot take the case, once the eligibility questions are answered."""
    deciding = [name for name in flow.needed_steps(answers, context.settings) if name in flow.ELIGIBILITY_STEPS]
    if not all(flow.is_answered(name, answers) for name in deciding):
        return None
    try:
        assessment(answers, context)
    except NotEligible as refused:
        return refused
    return None


def assessment(answers: dict, context: StationContext) -> Assessment:
    new = with_main_link(db(), context, store.to_new_application(answers, today=context.today()))
    return assess(context, new, utcnow())


def first_open_url(answers: dict, context: StationContext, refused: bool = False) -> str:
    """Where the first question still open is (or the refusal, or the check page)."""
    return url_for("kiosk.step", name=flow.first_unanswered(answers, context.settings, refused=refused))
