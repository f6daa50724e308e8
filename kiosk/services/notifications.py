"""Messages to citizens: an SMS text in their language for each change they care about.

A message is queued in the same transaction as the change it reports (so none is lost or
sent for a change that was rolled back) and delivered later by `deliver_queued` through a
`Sender`. The default sender appends to a log file with the phone number masked; a real
SMS gateway implements the same one-method interface. Failed deliveries are retried up
to MAX_ATTEMPTS times and stay visible to staff.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from babel.dates import format_skeleton
from sqlmodel import Session, col, select

from ..clock import utcnow
from ..db import Database
from ..domain.masking import mask_phone
from ..domain.states import State, deadline_in
from ..i18n import N_
from ..keyfiles import open_private, private_folder
from ..labels import MATERIAL_TEXTS, REFUSAL_EXPLANATIONS
from ..models import Applicant, Application, ApplicationMaterial, Notification
from .station import StationContext
from .wording import catalogue

MAX_ATTEMPTS = 5


# The state an application reaches -> what the citizen is told.
MESSAGES: dict[str, str] = {
    State.SUBMITTED.value: N_(
        "ID card application %(number)s received. Staff will review it by %(deadline)s. "
        "Your card should be ready by %(ready)s."
    ),
    State.AWAITING_MATERIALS.value: N_("Application %(number)s: please bring %(missing)s by %(materials)s."),
    State.APPROVED.value: N_("Application %(number)s is approved. Your card will be made now."),
    State.READY.value: N_(
        "Your ID card for application %(number)s is ready. Please bring your receipt (and your old card) "
        "to collect it at the station."
    ),
    State.POSTED.value: N_("Your ID card for application %(number)s has been posted."),
    State.REJECTED.value: N_(
        "Application %(number)s was not approved. Reason: %(reason)s. %(next_step)s Questions: %(hotline)s."
    ),
    State.EXPIRED.value: N_("Application %(number)s has lapsed because the missing papers did not arrive in time."),
    # Events that are not changes of state:
    "registered": N_(
        "Application %(number)s is registered and waits on an outside cause. We will contact you by %(deadline)s."
    ),
    "retake": N_("Application %(number)s: please come to the window to have your photo taken again."),
    "visit_assigned": N_("Application %(number)s: an officer visits you at home on %(visit)s."),
    "materials_reminder": N_(
        "Application %(number)s: please bring %(missing)s by %(materials)s, or the application lapses."
    ),
}

# The submission of a case accepted with something missing (手续不全限时办): what, and by when.
SUBMITTED_MISSING = N_(
    "ID card application %(number)s received. Please bring %(missing)s by %(materials)s. "
    "Your card should be ready by %(ready)s."
)

SOME_PAPERS = N_("the missing papers")  # what was missing, not named (a case returned before staff named it)

# The same for a home visit (the card is collected "visit"): the officer comes, and brings the card.
HOME_VISIT_MESSAGES: dict[str, str] = {
    State.SUBMITTED.value: N_(
        "ID card application %(number)s received. The station calls you by %(deadline)s to arrange the "
        "officer's visit to your home."
    ),
    State.READY.value: N_(
        "Your ID card for application %(number)s is ready. An officer brings it to your home; "
        "the station calls you to arrange the day."
    ),
}

# Escalations of a missed deadline, texted to the station's supervisor and oversight office.
STAFF_MESSAGES: dict[str, str] = {
    "supervisor": N_(
        "Case %(number)s missed its deadline of %(deadline)s and has been escalated to you, the supervisor "
        "in charge. See the overdue board."
    ),
    "oversight": N_(
        "Case %(number)s missed its deadline of %(deadline)s and has been escalated to the oversight office. "
        "See the overdue board."
    ),
}
STAFF_LANGUAGE = "zh_Hans"  # the language of the station's own staff


class SendFailed(Exception):
    pass


class Sender(Protocol):
    def send(self, phone: str, text: str) -> None:
        """Deliver one text, or raise SendFailed."""


class LogFileSender:
    """The default: one JSON line per message in a log file (0600), the phone masked."""

    def __init__(self, path: Path):
        self.path = path

    def send(self, phone: str, text: str) -> None:
        try:
            private_folder(self.path.parent)
            with open_private(self.path, "a", encoding="utf-8") as log:
                record = {"at": utcnow().isoformat(), "to": mask_phone(phone), "text": text}
                log.write(json.dumps(record, ensure_ascii=False) + "\n")
        except OSError as error:
            raise SendFailed(str(error)) from error


def sender_from_config(config: Mapping, instance_path: str | Path) -> Sender:
    """`MESSAGE_SENDER`: "log" (default: <instance>/messages.log) or "package.module:factory", a
    station's SMS gateway adapter: `factory(config)` returns an object with `send(phone, text)`."""
    name = config.get("MESSAGE_SENDER", "log")
    if name == "log":
        return LogFileSender(Path(instance_path) / "messages.log")
    module, _, factory = name.partition(":")
    if not module or not factory:
        raise ValueError(f"MESSAGE_SENDER must be 'log' or 'package.module:factory', not {name!r}")
    return getattr(importlib.import_module(module), factory)(config)


def text_date(day: dt.date, language: str) -> str:
    """A date as a short text message writes it: 11月24日, November 24 (the deadlines are weeks away,
    never a year)."""
    return format_skeleton("MMMMd", day, locale=language)


def queue_for_state(
    session: Session,
    application: Application,
    hotline: str,
    now: dt.datetime,
    event: str | None = None,
    visit: dt.date | None = None,
) -> None:
    """Queue the message for the state `application` has just reached (or for `event`), if the
    citizen cares; `visit`: the day of the home visit an officer was given."""
    event = event or application.state
    messages = HOME_VISIT_MESSAGES if application.collection == "visit" and event in HOME_VISIT_MESSAGES else MESSAGES
    message = messages.get(event)
    if message is None or (event == State.READY.value and application.collection == "post"):
        return  # a posted card's citizen is told when it is posted, not asked to come and collect it
    applicant = session.get(Applicant, application.applicant_id)
    if not applicant.phone:
        return
    language = application.language
    words = catalogue(language)
    reason, next_step = REFUSAL_EXPLANATIONS[application.refusal_reason or "other"]
    missing = session.exec(
        select(ApplicationMaterial.material)
        .where(ApplicationMaterial.application_id == application.id, col(ApplicationMaterial.held).is_(False))
        .order_by(ApplicationMaterial.id)
    ).all()
    if event == State.SUBMITTED.value and messages is MESSAGES and missing and application.materials_deadline:
        message = SUBMITTED_MISSING
    text = words.gettext(message) % {
        "number": application.number,
        "deadline": text_date(application.handling_deadline, language),
        "ready": text_date(application.expected_ready or application.handling_deadline, language),
        "missing": words.pgettext("between the items of a list", ", ").join(
            words.gettext(MATERIAL_TEXTS[m]) for m in missing
        )
        or words.gettext(SOME_PAPERS),
        "materials": text_date(application.materials_deadline, language) if application.materials_deadline else "",
        "visit": text_date(visit, language) if visit else "",
        "hotline": hotline,
        "reason": words.gettext(reason),
        "next_step": words.gettext(next_step),
    }
    session.add(
        Notification(
            application_id=application.id, event=application.state, phone=applicant.phone, text=text, created_at=now
        )
    )


def queue_for_staff(session: Session, application: Application, target: str, phone: str, now: dt.datetime) -> None:
    """Queue the text telling the supervisor or the oversight office (`target`) of an escalated case."""
    deadline = deadline_in(application.state, application.handling_deadline, application.expected_ready)
    text = catalogue(STAFF_LANGUAGE).gettext(STAFF_MESSAGES[target]) % {
        "number": application.number,
        "deadline": text_date(deadline, STAFF_LANGUAGE),
    }
    session.add(
        Notification(application_id=application.id, event=f"escalate_{target}", phone=phone, text=text, created_at=now)
    )


def deliver_queued(db: Database, sender: Sender, now: dt.datetime | None = None, limit: int = 500) -> tuple[int, int]:
    """Send what is queued; returns (sent, not sent)."""
    now = now or utcnow()
    with db.reading() as session:
        ids = list(
            session.exec(
                select(Notification.id).where(Notification.state == "queued").order_by(Notification.id).limit(limit)
            )
        )
    sent = 0
    for notification_id in ids:
        with db.transaction() as session:
            notification = session.get(Notification, notification_id, with_for_update=True)
            if notification is None or notification.state != "queued":
                continue
            notification.attempts += 1
            try:
                sender.send(notification.phone or "", notification.text)
            except SendFailed as error:
                notification.last_error = str(error)[:300]
                if notification.attempts >= MAX_ATTEMPTS:
                    notification.state = "failed"
            else:
                notification.state, notification.sent_at, notification.last_error = "sent", now, ""
                sent += 1
            session.add(notification)
    return sent, len(ids) - sent


def recent(db: Database, station: StationContext, limit: int = 200) -> list[Notification]:
    """The station's latest messages to citizens, newest first."""
    with db.reading() as session:
        return list(
            session.exec(
                select(Notification)
                .join(Application, Application.id == Notification.application_id)
                .where(Application.station_id == station.id)
                .order_by(Notification.id.desc())
                .limit(limit)
            )
        )
