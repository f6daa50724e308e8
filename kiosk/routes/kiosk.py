"""The citizen's kiosk: a one-question-per-page wizard to apply for an ID card.

The flow (which page, in which order, what may be skipped) is
`kiosk.domain.wizard`; each page parses its own form into answers
(`routes.wizard_pages`). The answers live on the server (`services.wizard`, kept for
the request by `routes.wizard_session`); the browser holds a token.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from flask import Blueprint, abort, redirect, render_template, request, session, url_for

from .. import i18n
from ..clock import utcnow
from ..domain import wizard as flow
from ..domain.masking import mask_address, mask_phone
from ..domain.regions import MAINLAND_CODES, province_name
from ..services import temporary_ids
from ..services import wizard as store
from ..services.applications import (
    ApplicationNotFound,
    find_by_idempotency_key,
    get_application,
    materials_of,
    submit_application,
)
from ..services.assessment import NotEligible
from ..services.case_facts import facts_of, main_number_of
from ..services.printing import Subject, request_print
from ..services.station import StationContext
from . import wizard_session as citizen
from .common import db, from_kiosk_terminal, printer, qr_svg, station, track_url
from .partial import typing_checked, typing_feedback
from .wizard_pages import PAGES, check_extra

bp = Blueprint("kiosk", __name__)


# --- the citizen's session -------------------------------------------------------------


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
    if seen is not None and now - dt.datetime.fromisoformat(seen) > citizen.max_idle(station()):
        citizen.wipe()
    session["seen_at"] = now.isoformat()


# --- welcome, language, display, reset -------------------------------------------------


@bp.get("/")
def welcome():
    return render_template("kiosk/welcome.html")


@bp.post("/start")
def start():
    citizen.wipe(keep_preferences=True)
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
    citizen.wipe()
    return redirect(url_for("kiosk.welcome"), 303)


def _same_page() -> str:
    """Back to the page the button was on (only paths of this site)."""
    back = request.form.get("back", "")
    # No "//host", and nothing a browser or the URL parser drops or reads as a slash ("/\t/host"
    # would become "//host").
    here = back.startswith("/") and not back.startswith("//") and "\\" not in back and back.isprintable()
    return back if here else url_for("kiosk.welcome")


# --- the wizard ------------------------------------------------------------------------


# Answering any of these again changes what the station promises: show the plan again.
_BEFORE_PLAN = set(flow.STEP_NAMES[: flow.STEP_NAMES.index("plan")])


@bp.route("/apply/<name>", methods=["GET", "POST"])
def step(name: str):
    context = station()
    answers = citizen.current_answers(context)
    refusal = citizen.refusal(answers, context)
    if name == "check":
        return _check(answers, context, refusal)
    if name == flow.REFUSED:
        if refusal is None:
            return redirect(citizen.first_open_url(answers, context))
        return _render(flow.REFUSED, answers, context, refusal=refusal)
    if name not in PAGES:
        abort(404)
    if not flow.may_show(name, answers, context.settings, refused=refusal is not None):
        # Skipping ahead is refused: back to the first question still open.
        return redirect(citizen.first_open_url(answers, context, refused=refusal is not None))

    page = PAGES[name]
    errors: dict[str, str] = {}
    if request.method == "POST" and (field := typing_checked(page.typed)):
        return typing_feedback(field, page.typed[field], page.parse(request.form, answers, context)[1].get(field))
    if request.method == "POST":
        named = store.photo_files(answers)
        updates, errors = page.parse(request.form, answers, context)
        if not errors:
            answers.update(updates)
            flow.forget_unasked(answers, context.settings)
            if name in _BEFORE_PLAN:
                answers.pop("plan_seen", None)
            citizen.save(answers)
            citizen.discard_unnamed_photos(named, answers)
            refused = citizen.refusal(answers, context) is not None
            return redirect(citizen.first_open_url(answers, context, refused=refused), 303)
    return _render(name, answers, context, errors=errors, **page.extra(answers, context))


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
            citizen.wipe(keep_preferences=True)
            session["done"] = sent.id
            return redirect(url_for("kiosk.done"), 303)
    if flow.first_unanswered(answers, context.settings, refused=refusal is not None) != "check":
        return redirect(citizen.first_open_url(answers, context, refused=refusal is not None))
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
        citizen.wipe(keep_preferences=True, submitted=answers)  # the done page stays in the citizen's language
        session["done"] = application.id
        return redirect(url_for("kiosk.done"), 303)
    return _render("check", answers, context, **check_extra(answers, context))


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
