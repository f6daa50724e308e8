"""The citizen's kiosk: a one-question-per-page wizard to apply for an ID card.

The flow (which page, in which order, what may be skipped) is
`kiosk.domain.wizard`; each page here parses its own form into answers. The
answers live on the server (`services.wizard`); the browser holds a token.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from .. import i18n
from ..clock import utcnow
from ..domain import wizard as flow
from ..domain.calendar import add_years
from ..domain.card_facts import OLD_CARD_TYPES, POSTAL_OLD_CARD_CHOICES
from ..domain.catalogue import ApplicationType
from ..domain.contact import InvalidMobile, parse_mobile
from ..domain.fields import InvalidField, parse_address, parse_person_name
from ..domain.id_number import InvalidIdNumber, parse_id_number
from ..domain.masking import mask_address, mask_phone
from ..domain.regions import MAINLAND_CODES, province_name
from ..services import photos, temporary_ids
from ..services import wizard as store
from ..services.applications import (
    ApplicationNotFound,
    Assessment,
    NotEligible,
    assess,
    find_by_idempotency_key,
    get_application,
    materials_of,
    submit_application,
    with_main_link,
)
from ..services.case_facts import facts_of, main_number_of
from ..services.printing import Subject, request_print
from ..services.station import StationContext
from . import situation
from .common import db, field_message, from_kiosk_terminal, photo_store, printer, qr_svg, station, track_url

bp = Blueprint("kiosk", __name__)

VISIT_DATE_CHOICES = 8  # working days offered for a home visit


# --- the citizen's session -------------------------------------------------------------


def _max_idle(context: StationContext) -> dt.timedelta:
    return dt.timedelta(seconds=context.settings.idle_seconds + context.settings.countdown_seconds)


def _answers(context: StationContext) -> dict[str, Any]:
    token = session.get("wizard")
    return store.load_answers(db(), token, max_idle=_max_idle(context)) if token else {}


def _save(answers: dict[str, Any], new_photo: tuple[str, bytes] | None = None) -> None:
    """Save the answers (with `new_photo`, name and JPEG, the photo they now name)."""
    # One wizard, one application: the key that makes a double tap on "send" harmless.
    answers.setdefault("idempotency_key", uuid.uuid4().hex)
    token = session.get("wizard") or store.new_token()
    session["wizard"] = token
    store.save_answers(db(), token, answers, new_photo=(photo_store(), *new_photo) if new_photo else None)


# The citizen's pages: at a kiosk terminal they are the next person's once the idle time is over.
CITIZEN_BLUEPRINTS = ("kiosk", "photo", "booking", "track")


@bp.before_app_request
def _end_an_idle_kiosk_session() -> None:
    """At a kiosk terminal the idle reset happens on the server too: whatever the last person
    left (answers, photos, the done page with its progress link, a booking with its cancel
    button) is forgotten once they have been away longer than the idle time and the countdown,
    whether or not their browser posted the reset."""
    if request.blueprint not in CITIZEN_BLUEPRINTS or not from_kiosk_terminal():
        return
    now = utcnow()
    seen = session.get("seen_at")
    if seen is not None and now - dt.datetime.fromisoformat(seen) > _max_idle(station()):
        _wipe()
    session["seen_at"] = now.isoformat()


def _wipe(keep_preferences: bool = False, submitted: dict | None = None) -> None:
    """Forget the citizen: their answers on the server, the photos they took (but the one a
    just-`submitted` application keeps: its answers, already deleted with the submission) and
    everything in the cookie (but the language and text size they chose, when starting)."""
    token = session.get("wizard")
    if submitted is not None:
        chosen = submitted.get("photo") if isinstance(submitted.get("photo"), dict) else {}
        _discard_photos(submitted, keep=chosen.get("file", ""))
    elif token:
        _discard_photos(store.forget(db(), token), keep="")
    preferences = {key: session[key] for key in ("lang", "large") if key in session}
    session.clear()
    if keep_preferences:
        session.update(preferences)


def _discard_photos(answers: dict, keep: str = "") -> None:
    """Delete the photo files the answers name (candidate shots, the chosen one) but `keep`."""
    photo_store().delete([name for name in photos.wizard_files(answers) if name != keep])


def _discard_unnamed_photos(named_before: list[str], answers: dict) -> None:
    """Once changed answers are saved: delete the files they named before and name no more
    (never earlier: answers that failed to save still name them)."""
    named = set(photos.wizard_files(answers))
    photo_store().delete([name for name in named_before if name not in named])


def _refusal(answers: dict, context: StationContext) -> NotEligible | None:
    """Why this station cannot take the case, once the eligibility questions are answered."""
    deciding = [name for name in flow.needed_steps(answers, context.settings) if name in flow.ELIGIBILITY_STEPS]
    if not all(flow.is_answered(name, answers) for name in deciding):
        return None
    try:
        _assessment(answers, context)
    except NotEligible as refusal:
        return refusal
    return None


def _assessment(answers: dict, context: StationContext) -> Assessment:
    new = with_main_link(db(), context, store.to_new_application(answers, today=context.today()))
    return assess(context, new, utcnow())


# --- welcome, language, display, reset -------------------------------------------------


@bp.get("/")
def welcome():
    return render_template("kiosk/welcome.html")


@bp.post("/start")
def start():
    _wipe(keep_preferences=True)
    return redirect(url_for("kiosk.step", name="type"), 303)


@bp.post("/language")
def choose_language():
    chosen = request.form.get("lang", "")
    if chosen in i18n.LANGUAGES:
        session["lang"] = chosen
    return redirect(_same_page(), 303)


@bp.post("/display")
def toggle_display():
    """Large text and extra contrast, for poor eyesight."""
    session["large"] = not session.get("large", False)
    return redirect(_same_page(), 303)


@bp.post("/reset")
def reset():
    """Start over, or the idle timer ran out: the next person starts clean."""
    _wipe()
    return redirect(url_for("kiosk.welcome"), 303)


def _same_page() -> str:
    """Back to the page the button was on (only paths of this site)."""
    back = request.form.get("back", "")
    # No "//host", and nothing a browser or the URL parser drops or reads as a slash ("/\t/host"
    # would become "//host").
    here = back.startswith("/") and not back.startswith("//") and "\\" not in back and back.isprintable()
    return back if here else url_for("kiosk.welcome")


# --- the wizard ------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One question: parse its form into answers (or errors), and what its template needs."""

    parse: Callable[[MultiDict, dict, StationContext], tuple[dict, dict]]
    extra: Callable[[dict, StationContext], dict] = lambda answers, context: {}


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
        return {}, {"id_number": str(i18n.ID_NUMBER_ERRORS[error.reason])}


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
        return {"card_expires": "long_term"}, {}
    digits = re.sub(r"\D", "", form.get("card_expires", ""))
    try:
        expires = dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8])) if len(digits) == 8 else None
    except ValueError:
        expires = None
    today = context.today()
    if expires is None or not (dt.date(2000, 1, 1) <= expires <= add_years(today, 21)):
        message = _("Please type the end date printed on your card as 8 digits, for example 20260520.")
        return {}, {"card_expires": message}
    return {"card_expires": expires.isoformat()}, {}


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
    asked = {m.value for m in _assessment(answers, context).to_bring}
    return {"held": sorted(m for m in form.getlist("held") if m in asked)}, {}


def _parse_plan(form, answers, context):
    return {"plan_seen": True}, {}


def _parse_photo(form, answers, context):
    # The photo taken at the kiosk's camera (kiosk.routes.photo) is kept unless the citizen now
    # asks for the window; a station without the camera always takes photos at the window.
    if isinstance(answers.get("photo"), dict) and form.get("photo") != "window":
        return {}, {}
    answers.pop("photo_shots", None)  # their files go once this is saved
    return {"photo": "window"}, {}


def _photo_extra(answers, context):
    chosen = answers.get("photo")
    return {"chosen": chosen if isinstance(chosen, dict) else None}


def _parse_contact(form, answers, context):
    try:
        return {"phone": parse_mobile(form.get("phone", ""))}, {}
    except InvalidMobile as error:
        return {}, {"phone": str(i18n.MOBILE_ERRORS[error.reason])}


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
    return {"assessment": _assessment(answers, context)}


def _check_extra(answers, context):
    # The last look before sending: name, address and phone in full, for the person to catch a
    # slip (the address of a posted card cannot be changed afterwards); the idle wipe protects them.
    return {"assessment": _assessment(answers, context)}


PAGES: dict[str, Page] = {
    "type": Page(_parse_type),
    "id_number": Page(_parse_id_number),
    "name": Page(_parse_name),
    "registration": Page(_parse_registration, _registration_extra),
    "expiry": Page(_parse_expiry),
    **{name: Page(partial(situation.parse, name), partial(situation.page, name)) for name in flow.SITUATION_STEPS},
    "visit": Page(_parse_visit, lambda answers, context: {"date_choices": _visit_date_choices(context)}),
    "materials": Page(_parse_materials, _plan_extra),
    "plan": Page(_parse_plan, _plan_extra),
    "photo": Page(_parse_photo, _photo_extra),
    "contact": Page(_parse_contact),
    "collection": Page(_parse_collection, _collection_extra),
}

# Answering any of these again changes what the station promises: show the plan again.
_BEFORE_PLAN = set(flow.STEP_NAMES[: flow.STEP_NAMES.index("plan")])


@bp.route("/apply/<name>", methods=["GET", "POST"])
def step(name: str):
    context = station()
    answers = _answers(context)
    refusal = _refusal(answers, context)
    if name == "check":
        return _check(answers, context, refusal)
    if name == flow.REFUSED:
        if refusal is None:
            return redirect(_first_open(answers, context))
        return _render(flow.REFUSED, answers, context, refusal=refusal)
    if name not in PAGES:
        abort(404)
    if not flow.may_show(name, answers, context.settings, refused=refusal is not None):
        # Skipping ahead is refused: back to the first question still open.
        return redirect(_first_open(answers, context, refused=refusal is not None))

    page = PAGES[name]
    errors: dict[str, str] = {}
    if request.method == "POST":
        named = photos.wizard_files(answers)
        updates, errors = page.parse(request.form, answers, context)
        if not errors:
            answers.update(updates)
            flow.forget_unasked(answers, context.settings)
            if name in _BEFORE_PLAN:
                answers.pop("plan_seen", None)
            _save(answers)
            _discard_unnamed_photos(named, answers)
            return redirect(_first_open(answers, context, refused=_refusal(answers, context) is not None), 303)
    return _render(name, answers, context, errors=errors, **page.extra(answers, context))


def _first_open(answers: dict, context: StationContext, refused: bool = False) -> str:
    """Where the first question still open is (or the refusal, or the check page)."""
    return url_for("kiosk.step", name=flow.first_unanswered(answers, context.settings, refused=refused))


def _render(name: str, answers: dict, context: StationContext, errors: dict | None = None, **extra):
    steps = flow.needed_steps(answers, context.settings)
    back = flow.previous_step(name, answers, context.settings) if name != "check" else steps[-2]
    status = 422 if errors else 200
    template = "situation" if name in flow.SITUATION_STEPS else name
    provinces = [(code, province_name(code, i18n.current_language())) for code in MAINLAND_CODES]
    return (
        render_template(
            f"kiosk/steps/{template}.html",
            step=name,
            answers=answers,
            errors=errors or {},
            back=back,
            settings=context.settings,
            provinces=provinces,
            **extra,
        ),
        status,
    )


def _check(answers: dict, context: StationContext, refusal: NotEligible | None):
    if request.method == "POST" and not answers:
        sent = find_by_idempotency_key(db(), request.form.get("idempotency_key", "")[:64])
        if sent is not None and sent.station_id == context.id:
            # The submit went through but its answer never arrived (a worker died, the network
            # dropped): the retry shows that application; only this page knew its random key.
            _wipe(keep_preferences=True)
            session["done"] = sent.id
            return redirect(url_for("kiosk.done"), 303)
    if flow.first_unanswered(answers, context.settings, refused=refusal is not None) != "check":
        return redirect(_first_open(answers, context, refused=refusal is not None))
    if request.method == "POST":
        key = request.form.get("idempotency_key", "")
        if key != answers.get("idempotency_key"):
            # A stale page (e.g. the citizen changed an answer in another tab): show it again.
            return redirect(url_for("kiosk.step", name="check"), 303)
        application = submit_application(
            db(),
            context,
            replace(store.to_new_application(answers, today=context.today()), language=i18n.select_locale()),
            actor=f"kiosk:{context.settings.code}",
            forget_answers=session.get("wizard"),
        )
        _wipe(keep_preferences=True, submitted=answers)  # the done page stays in the citizen's language
        session["done"] = application.id
        return redirect(url_for("kiosk.done"), 303)
    return _render("check", answers, context, **_check_extra(answers, context))


@bp.get("/apply/done")
def done():
    return _done_page()


@bp.post("/apply/done/print")
def print_receipt():
    """The big "Print receipt" button: prints once per application, however often it is tapped."""
    application_id = session.get("done")
    if application_id is None:
        return redirect(url_for("kiosk.welcome"), 303)
    try:
        application, _applicant = get_application(db(), application_id)
    except ApplicationNotFound:
        session.clear()
        return redirect(url_for("kiosk.welcome"), 303)
    outcome = request_print(
        db(),
        Subject.receipt(application.station_id, application.id),
        actor=f"kiosk:{station().settings.code}",
        printer=printer(),
        url=track_url(application),
    )
    return _done_page(print_result="printed" if outcome.printed else "unavailable")


def _done_page(print_result: str | None = None):
    application_id = session.get("done")
    if application_id is None:
        return redirect(url_for("kiosk.welcome"))
    try:
        application, applicant = get_application(db(), application_id)
    except ApplicationNotFound:
        session.clear()
        return redirect(url_for("kiosk.welcome"))
    url = track_url(application)
    return render_template(
        "kiosk/done.html",
        application=application,
        applicant=applicant,
        settings=station().settings,
        track_link=url,
        qr=qr_svg(url),
        masked_phone=mask_phone(applicant.phone or ""),
        masked_address=mask_address(applicant.address or ""),
        missing=[material for material, held in materials_of(db(), application.id) if not held],
        facts=facts_of(application, applicant, station()),
        main_number=main_number_of(db(), application),
        temporary_offer=temporary_ids.offer_of(station(), application),
        handled_later=station().handling_day(application.created_at) != station().today(application.created_at),
        print_result=print_result,
    )
