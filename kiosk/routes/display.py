"""Template filters and helpers: dates in the station's zone and language, labels for codes."""

from __future__ import annotations

import datetime as dt

from flask import Flask, session
from flask_babel import format_date, format_datetime, pgettext
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from .. import i18n, labels
from ..db import DatabaseUnavailable
from ..domain.access import Permission
from ..domain.masking import mask_id_number, mask_name, mask_phone
from ..domain.regions import province_name
from ..domain.states import FINAL_STATES, BookingState, State, deadline_in
from .common import StationMissing, from_kiosk_terminal, staff_home, staff_may, station


def day(value: dt.date | None) -> str:
    """A date as people read it: 2026年12月15日 星期二 / Tuesday, 15 December 2026."""
    if value is None:
        return ""
    return format_date(value, "full")


def case_state(case, for_staff: bool = False) -> str:
    """The label of a case's state (an Application or a tracked case): a home-visit card that is
    ready is brought home, not collected."""
    if case.state == State.READY and case.collection == "visit":
        return str(labels.READY_FOR_THE_OFFICER if for_staff else labels.READY_BROUGHT_HOME)
    return str(labels.STATES[case.state])


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
    return str(labels.MATERIALS[code])


def material_choice(code: str) -> tuple[str, str]:
    return (str(code), material_label(code))


def date_label(value: dt.date) -> tuple[str, str]:
    return (value.isoformat(), day(value))


def listing(items) -> Markup:
    """Items joined as the language writes a list: "a, b" in English, "甲、乙" in Chinese
    (items are escaped unless they are markup already)."""
    return Markup(escape(pgettext("between the items of a list", ", "))).join(items)


def labelled(label, value) -> Markup:
    """ "Label: value" with the language's own colon, full-width in Chinese (escaped like `listing`)."""
    return Markup(escape(_("%(label)s: %(value)s"))) % {"label": label, "value": value}


def situation_summary(situation: dict, causes: dict = labels.BLOCKING_REASONS) -> str:
    """The citizen's situation in a line; `causes`: the words for an outside cause (the citizen's own
    on the kiosk, the station's on staff pages)."""
    parts = []
    if situation.get("cannot_travel"):
        parts.append(_("Home visit needed"))
    if situation.get("special_group"):
        parts.append(str(labels.SPECIAL_GROUPS[situation["special_group"]]))
    if situation.get("urgent_reason"):
        parts.append(labelled(_("Urgent"), labels.URGENT_REASONS[situation["urgent_reason"]]))
    if situation.get("blocking_reason"):  # a code, or as staff registered it: "code: their note"
        code, _sep, note = situation["blocking_reason"].partition(": ")
        parts += [str(causes[code]), *filter(None, [note])]
    if situation.get("out_of_hours"):
        parts.append(_("Booked time outside normal hours"))
    if situation.get("exemption", "none") != "none":
        parts.append(str(labels.EXEMPTIONS[situation["exemption"]]))
    return listing(parts) or _("Nothing special")


def case_deadline(application) -> dt.date:
    """The deadline a case is held to in its state (staff's handling deadline, then the ready date)."""
    return deadline_in(application.state, application.handling_deadline, application.expected_ready)


def staff_situation(situation: dict, exemption: str) -> str:
    """A case's situation as staff read it: the groups, the urgent reason, the station's words for
    an outside cause, the fee exemption."""
    return situation_summary({**situation, "exemption": exemption}, labels.BLOCKING_REASONS_STAFF)


def event_reason(event) -> str:
    """An audit row's reason in words: the codes staff chose (a refusal, an outside cause, the
    missing materials, an escalation's target) translated, a note as written."""
    reason = event.reason
    if event.action == "reject":
        code, _sep, note = reason.partition(": ")
        return listing([labels.REJECT_REASONS.get(code, code), *filter(None, [note])])
    if event.action == "register":
        cause, _sep, follow_up = reason.rpartition("; follow up ")
        code, _sep, note = cause.partition(": ")
        when = _("follow up on %(date)s", date=iso_day(follow_up)) if follow_up else ""
        return listing([labels.BLOCKING_REASONS_STAFF.get(code, code), *filter(None, [note, when])])
    if event.action == "request_materials":
        codes, _sep, note = reason.partition("; ")
        named = [labels.MATERIALS[c] for c in codes.split(", ") if c in labels.MATERIALS]
        return listing(named + list(filter(None, [note]))) if named else reason
    if event.action == "record_visit":
        return listing([labels.VISIT_OUTCOMES.get(code, code) for code in reason.split(", ") if code != "visited"])
    if event.action == "fee_paid" and reason.endswith(" yuan"):
        return _("%(amount)d yuan", amount=int(reason.removesuffix(" yuan")))
    if event.action == "escalate":
        return str(labels.ESCALATION_LABELS.get(reason, reason))
    return reason


def photo_value(value: float | None, unit: str) -> str:
    """A photo check's measured value or limit as people read it: 1, 207 px, 3.5°, 42 %, 0.85."""
    if value is None:
        return "…"
    if unit == "count":
        return f"{value:.0f}"
    if unit == "px":
        pixels = round(value)
        return _("%(value)d px", value=pixels)
    if unit == "degrees":
        return f"{value:.1f}°"
    if unit == "percent":
        return f"{value * 100:.0f} %"
    return f"{value:.2f}"


def refusal_message(refusal) -> str:
    message = labels.ELIGIBILITY_REASONS[refusal.reason]
    return str(message % {"date": day(refusal.earliest)}) if refusal.earliest else str(message)


def hidden_csrf() -> Markup:
    """The CSRF token every POST form carries, as its hidden field."""
    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(generate_csrf())


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
        not_ready_label=lambda code: str(labels.NOT_READY_BECAUSE[code]),
    )
    app.jinja_env.globals.update(
        hidden_csrf=hidden_csrf,
        LANGUAGES=i18n.LANGUAGES,
        APPLICATION_TYPES=labels.APPLICATION_TYPES,
        COMMITMENTS=labels.COMMITMENTS,
        PRINT_KINDS=labels.PRINT_KINDS,
        CALENDAR_KINDS=labels.CALENDAR_KINDS,
        CALENDAR_SOURCES=labels.CALENDAR_SOURCES,
        case_deadline=case_deadline,
        PRINT_STATES=labels.PRINT_STATES,
        STATES=labels.STATES,
        REFUSAL_EXPLANATIONS=labels.REFUSAL_EXPLANATIONS,
        MATERIALS=labels.MATERIALS,
        SPECIAL_GROUPS=labels.SPECIAL_GROUPS,
        URGENT_REASONS=labels.URGENT_REASONS,
        BLOCKING_REASONS=labels.BLOCKING_REASONS,
        EXEMPTIONS=labels.EXEMPTIONS,
        NEXT_STEPS=labels.NEXT_STEPS,
        NEXT_STEPS_LATER=labels.NEXT_STEPS_LATER,
        BOOKING_STATES=labels.BOOKING_STATES,
        BookingState=BookingState,
        SLOT_KINDS=labels.SLOT_KINDS,
        ESCALATION_LABELS=labels.ESCALATION_LABELS,
        ACTION_LABELS=labels.ACTION_LABELS,
        NOTIFICATION_STATES=labels.NOTIFICATION_STATES,
        VISIT_STATES=labels.VISIT_STATES,
        VISIT_OUTCOMES=labels.VISIT_OUTCOMES,
        VALIDITIES=labels.VALIDITIES,
        OLD_CARD_FATES=labels.OLD_CARD_FATES,
        MATERIALS_LABELS=labels.MATERIALS,
        html_lang=i18n.html_lang,
        current_language=i18n.current_language,
        province=province,
        case_state=case_state,
        labelled=labelled,
        situation_summary=situation_summary,
        refusal_message=refusal_message,
        event_reason=event_reason,
        staff_situation=staff_situation,
        FINAL_STATES=[state.value for state in FINAL_STATES],
        EVENTS=labels.EVENTS,
        BLOCKING_REASONS_STAFF=labels.BLOCKING_REASONS_STAFF,
        PHOTO_CHECKS=labels.PHOTO_CHECKS,
        photo_value=photo_value,
        at_kiosk_terminal=from_kiosk_terminal,
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
