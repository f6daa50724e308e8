"""The wizard's questions (kiosk.routes.kiosk shows them): each page parses its own form into
answers, or errors, and says what its template needs beyond the answers."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from .. import labels
from ..domain import wizard as flow
from ..domain.calendar import add_years
from ..domain.card_facts import OLD_CARD_TYPES, POSTAL_OLD_CARD_CHOICES
from ..domain.catalogue import ApplicationType
from ..domain.contact import InvalidMobile, parse_mobile
from ..domain.fields import InvalidField, parse_address, parse_person_name
from ..domain.id_number import InvalidIdNumber, parse_id_number
from ..domain.regions import MAINLAND_CODES
from ..services import wizard as store
from ..services.station import StationContext
from . import situation
from .common import field_message
from .wizard_session import assessment

VISIT_DATE_CHOICES = 8  # working days offered for a home visit


@dataclass(frozen=True)
class Page:
    """One question: parse its form into answers (or errors), and what its template needs."""

    parse: Callable[[MultiDict, dict, StationContext], tuple[dict, dict]]
    extra: Callable[[dict, StationContext], dict] = lambda answers, context: {}
    # Keypad fields checked as they are typed (htmx), with the number of characters a whole answer has.
    typed: dict[str, int] = field(default_factory=dict)


def _parse_type(form, answers, context):
    value = form.get("app_type", "")
    if value not in {t.value for t in ApplicationType}:
        return {}, {"app_type": _("Please choose what you need.")}
    updates: dict[str, Any] = {"app_type": value}
    collection = answers.get("collection", {})
    if value == ApplicationType.TEMPORARY or (
        collection.get("method") == "post" and "old_card" not in collection and ApplicationType(value) in OLD_CARD_TYPES
    ):
        answers.pop("collection", None)  # a temporary ID is collected here; a posted renewal asks about the old card
    return updates, {}


def _parse_id_number(form, answers, context):
    text = form.get("id_number", "").strip()
    if not text and "id_number" in answers:  # kept: the masked number was shown, nothing retyped
        return {}, {}
    try:
        return {"id_number": parse_id_number(text, today=context.today()).number}, {}
    except InvalidIdNumber as error:
        return {}, {"id_number": str(labels.ID_NUMBER_ERRORS[error.reason])}


def _parse_name(form, answers, context):
    try:
        return {"name": parse_person_name(form.get("name"))}, {}
    except InvalidField as error:
        return {}, {"name": field_message(error, _("Please enter your name as it is on your household register."))}


def _parse_registration(form, answers, context):
    province = form.get("registered_province", "")
    if province not in MAINLAND_CODES:
        return {}, {"registered_province": _("Please choose the province of your household registration.")}
    return {"registered_province": province}, {}


def _registration_extra(answers, context):
    """The province the ID number was issued in (its first two digits), offered first when it is
    not this station's: the registration is often still there."""
    code = answers["id_number"][:2]
    return {"suggested": code if code in MAINLAND_CODES and code != context.settings.province_code else None}


def _parse_expiry(form, answers, context):
    if form.get("long_term"):
        return _expiry(store.CardExpiry()), {}
    digits = re.sub(r"\D", "", form.get("card_expires", ""))
    try:
        expires = dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8])) if len(digits) == 8 else None
    except ValueError:
        expires = None
    today = context.today()
    if expires is None or not (dt.date(2000, 1, 1) <= expires <= add_years(today, 21)):
        message = _("Please type the end date printed on your card as 8 digits, for example 20260520.")
        return {}, {"card_expires": message}
    return _expiry(store.CardExpiry(expires)), {}


def _expiry(expiry: store.CardExpiry) -> dict:
    updates: dict = {}
    store.set_card_expiry(updates, expiry)
    return updates


def _choice(form, field: str, allowed, errors: dict, message: str) -> str:
    value = form.get(field, "")
    if value not in allowed:
        errors[field] = message
    return value


def _visit_date_choices(context: StationContext) -> list[dt.date]:
    day, dates = context.today(), []
    while len(dates) < VISIT_DATE_CHOICES:
        day = context.calendar.next_working_day(day + dt.timedelta(days=1))
        dates.append(day)
    return dates


def _parse_visit(form, answers, context):
    errors: dict[str, str] = {}
    missing = _("Please enter the address where the officer should come.")
    address = _field(form, "address", parse_address, errors, missing)
    offered = {d.isoformat() for d in _visit_date_choices(context)}
    dates = [d for d in form.getlist("dates") if d in offered]
    if not dates:
        errors["dates"] = _("Please choose at least one day that suits you.")
    if errors:
        return {}, errors
    return {"visit": {"address": address, "dates": sorted(set(dates))[:3]}}, {}


def _parse_materials(form, answers, context):
    asked = {m.value for m in assessment(answers, context).to_bring}
    return {"held": sorted(m for m in form.getlist("held") if m in asked)}, {}


def _parse_plan(form, answers, context):
    return {"plan_seen": True}, {}


def _parse_photo(form, answers, context):
    # The photo taken at the kiosk's camera (kiosk.routes.photo) is kept unless the citizen now
    # asks for the window; a station without the camera always takes photos at the window.
    if store.chosen_shot(answers) is not None and form.get("photo") != "window":
        return {}, {}
    answers.pop("photo_shots", None)  # their files go once this is saved
    updates: dict = {}
    store.set_photo_choice(updates, store.AT_WINDOW)
    return updates, {}


def _photo_extra(answers, context):
    return {"chosen": store.chosen_shot(answers)}


def _parse_contact(form, answers, context):
    try:
        return {"phone": parse_mobile(form.get("phone", ""))}, {}
    except InvalidMobile as error:
        return {}, {"phone": str(labels.MOBILE_ERRORS[error.reason])}


def _parse_collection(form, answers, context):
    method = form.get("method", "")
    if method == "station":
        return {"collection": {"method": "station"}}, {}
    if method != "post":
        return {}, {"method": _("Please choose how you want to receive your card.")}
    errors: dict[str, str] = {}
    missing = _("Please enter the address the card should be posted to.")
    address = _field(form, "address", parse_address, errors, missing)
    missing = _("Please enter the name of the person who will receive the card.")
    recipient = _field(form, "recipient", parse_person_name, errors, missing)
    collection = {"method": "post", "address": address, "recipient": recipient}
    if _old_card_choice_needed(answers):
        collection["old_card"] = _choice(
            form, "old_card", [c.value for c in POSTAL_OLD_CARD_CHOICES], errors, _("Please choose one answer.")
        )
    return ({}, errors) if errors else ({"collection": collection}, {})


def _field(form, name: str, parse, errors: dict[str, str], missing: str) -> str:
    """`parse` of the form's field `name`; on refusal its message in `errors` and ""."""
    try:
        return parse(form.get(name))
    except InvalidField as error:
        errors[name] = field_message(error, missing)
        return ""


def _collection_extra(answers, context):
    return {"old_card_choice": _old_card_choice_needed(answers)}


def _old_card_choice_needed(answers) -> bool:
    """A posted card that replaces one the citizen holds: the old card goes back at acceptance or by the courier."""
    return ApplicationType(answers["app_type"]) in OLD_CARD_TYPES


def _plan_extra(answers, context):
    return {"assessment": assessment(answers, context)}


def check_extra(answers, context):
    # The last look before sending: name, address and phone in full, for the person to catch a
    # slip (the address of a posted card cannot be changed afterwards); the idle wipe protects them.
    return {"assessment": assessment(answers, context), "card_expiry": store.card_expiry(answers)}


PAGES: dict[str, Page] = {
    "type": Page(_parse_type),
    "id_number": Page(_parse_id_number, typed={"id_number": 18}),
    "name": Page(_parse_name),
    "registration": Page(_parse_registration, _registration_extra),
    "expiry": Page(_parse_expiry, typed={"card_expires": 8}),  # yyyymmdd
    **{name: Page(partial(situation.parse, name), partial(situation.page, name)) for name in flow.SITUATION_STEPS},
    "visit": Page(_parse_visit, lambda answers, context: {"date_choices": _visit_date_choices(context)}),
    "materials": Page(_parse_materials, _plan_extra),
    "plan": Page(_parse_plan, _plan_extra),
    "photo": Page(_parse_photo, _photo_extra),
    "contact": Page(_parse_contact, typed={"phone": 11}),
    "collection": Page(_parse_collection, _collection_extra),
}
