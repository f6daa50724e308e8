"""Template filters and helpers: dates in the station's zone and language, labels for codes."""

from __future__ import annotations

import datetime as dt

from flask import Flask, session
from flask_babel import format_date, format_datetime, pgettext
from flask_babel import gettext as _
from markupsafe import Markup, escape

from .. import i18n
from ..db import DatabaseUnavailable
from ..domain.access import Permission
from ..domain.masking import mask_id_number, mask_name, mask_phone
from ..domain.regions import province_name
from ..domain.states import BookingState, deadline_in
from .common import StationMissing, staff_home, staff_may, station


def day(value: dt.date | None) -> str:
    """A date as people read it: 2026年12月15日 星期二 / Tuesday, 15 December 2026."""
    if value is None:
        return ""
    return format_date(value, "full")


def iso_day(value: str) -> str:
    """A date kept as ISO text in the wizard's answers, as people read it."""
    return day(dt.date.fromisoformat(value))


def moment(value: dt.datetime | None) -> str:
    """A stored UTC moment in the station's time zone."""
    if value is None:
        return ""
    local = value.astimezone(station().settings.zone).replace(tzinfo=None)
    return format_datetime(local, "medium")


def province(code: str) -> str:
    return province_name(code, i18n.current_language())


def material_label(code: str) -> str:
    return str(i18n.MATERIALS[code])


def material_choice(code: str) -> tuple[str, str]:
    return (str(code), material_label(code))


def date_label(value: dt.date) -> tuple[str, str]:
    return (value.isoformat(), day(value))


def listing(items) -> Markup:
    """Items joined as the language writes a list: "a, b" in English, "甲、乙" in Chinese
    (items are escaped unless they are markup already)."""
    return Markup(escape(pgettext("between the items of a list", ", "))).join(items)


def labelled(label, value) -> Markup:
    """"Label: value" with the language's own colon, full-width in Chinese (escaped like `listing`)."""
    return Markup(escape(_("%(label)s: %(value)s"))) % {"label": label, "value": value}


def situation_summary(situation: dict) -> str:
    parts = []
    if situation.get("cannot_travel"):
        parts.append(_("Home visit needed"))
    if situation.get("special_group"):
        parts.append(str(i18n.SPECIAL_GROUPS[situation["special_group"]]))
    if situation.get("urgent_reason"):
        parts.append(labelled(_("Urgent"), i18n.URGENT_REASONS[situation["urgent_reason"]]))
    if situation.get("blocking_reason"):
        parts.append(str(i18n.BLOCKING_REASONS[situation["blocking_reason"]]))
    if situation.get("out_of_hours"):
        parts.append(_("Booked time outside normal hours"))
    if situation.get("exemption", "none") != "none":
        parts.append(str(i18n.EXEMPTIONS[situation["exemption"]]))
    return listing(parts) or _("Nothing special")


def refusal_message(refusal) -> str:
    message = i18n.ELIGIBILITY_REASONS[refusal.reason]
    return str(message % {"date": day(refusal.earliest)}) if refusal.earliest else str(message)


def register(app: Flask) -> None:
    app.jinja_env.filters.update(
        mask_id=mask_id_number,
        mask_name=mask_name,
        mask_phone=mask_phone,
        day=day,
        iso_day=iso_day,
        moment=moment,
        material_label=material_label,
        material_choice=material_choice,
        date_label=date_label,
        listing=listing,
    )
    app.jinja_env.globals.update(
        LANGUAGES=i18n.LANGUAGES,
        APPLICATION_TYPES=i18n.APPLICATION_TYPES,
        COMMITMENTS=i18n.COMMITMENTS,
        PRINT_KINDS=i18n.PRINT_KINDS,
        CALENDAR_KINDS=i18n.CALENDAR_KINDS,
        CALENDAR_SOURCES=i18n.CALENDAR_SOURCES,
        case_deadline=lambda a: deadline_in(a.state, a.handling_deadline, a.expected_ready),
        PRINT_STATES=i18n.PRINT_STATES,
        STATES=i18n.STATES,
        REFUSAL_EXPLANATIONS=i18n.REFUSAL_EXPLANATIONS,
        MATERIALS=i18n.MATERIALS,
        SPECIAL_GROUPS=i18n.SPECIAL_GROUPS,
        URGENT_REASONS=i18n.URGENT_REASONS,
        BLOCKING_REASONS=i18n.BLOCKING_REASONS,
        EXEMPTIONS=i18n.EXEMPTIONS,
        NEXT_STEPS=i18n.NEXT_STEPS,
        NEXT_STEPS_LATER=i18n.NEXT_STEPS_LATER,
        BOOKING_STATES=i18n.BOOKING_STATES,
        BookingState=BookingState,
        SLOT_KINDS=i18n.SLOT_KINDS,
        ESCALATION_LABELS=i18n.ESCALATION_LABELS,
        ACTION_LABELS=i18n.ACTION_LABELS,
        NOTIFICATION_STATES=i18n.NOTIFICATION_STATES,
        VISIT_STATES=i18n.VISIT_STATES,
        VALIDITIES=i18n.VALIDITIES,
        OLD_CARD_FATES=i18n.OLD_CARD_FATES,
        MATERIALS_LABELS=i18n.MATERIALS,
        html_lang=i18n.html_lang,
        current_language=i18n.current_language,
        province=province,
        labelled=labelled,
        situation_summary=situation_summary,
        refusal_message=refusal_message,
    )
    app.context_processor(lambda: {"may": staff_may, "Permission": Permission, "staff_home": staff_home})
    app.context_processor(_kiosk_display)


def _kiosk_display() -> dict:
    """The idle timer (read by kiosk.js) and the large-text choice, on every page."""
    try:
        settings = station().settings
        idle = {"idle": settings.idle_seconds, "countdown": settings.countdown_seconds}
    except (StationMissing, DatabaseUnavailable):
        idle = None  # an error page still renders; it has no timer
    return {"idle": idle, "large_text": bool(session.get("large"))}
