"""The citizen's kiosk: apply for an ID card.

The foundation's slice: one page takes the ID number, the type of application
and where the household registration is, and submits. The full one-question-
per-page wizard grows from here.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from .. import i18n
from ..domain.catalogue import ApplicationType
from ..domain.id_number import InvalidIdNumber, parse_id_number
from ..domain.regions import MAINLAND_CODES, province_name
from ..domain.states import State
from ..services.applications import (
    ApplicationNotFound,
    NewApplication,
    NotEligible,
    get_application,
    submit_application,
)
from .common import db, station

bp = Blueprint("kiosk", __name__)

MAX_NAME_LENGTH = 50


def _provinces() -> list[tuple[str, str]]:
    english = i18n.is_english()
    return [(code, province_name(code, english)) for code in MAINLAND_CODES]


def _render_form(values: dict, errors: dict, status: int = 200):
    return (
        render_template(
            "kiosk/apply.html",
            values=values,
            errors=errors,
            provinces=_provinces(),
            idempotency_key=values.get("idempotency_key") or uuid.uuid4().hex,
        ),
        status,
    )


@bp.get("/")
def apply_form():
    return _render_form({"registered_province": station().settings.province_code}, {})


@bp.post("/language")
def choose_language():
    chosen = request.form.get("lang", "")
    if chosen in i18n.LANGUAGES:
        session["lang"] = chosen
    return redirect(url_for("kiosk.apply_form"))


@bp.post("/apply")
def apply_submit():
    context = station()
    form = request.form
    values = {
        key: form.get(key, "").strip()
        for key in ("id_number", "app_type", "name", "registered_province", "idempotency_key")
    }
    errors: dict[str, str] = {}

    try:
        id_number = parse_id_number(values["id_number"], today=context.today())
    except InvalidIdNumber as error:
        errors["id_number"] = str(i18n.ID_NUMBER_ERRORS[error.reason])
    if values["app_type"] not in {t.value for t in ApplicationType}:
        errors["app_type"] = _("Please choose what you need.")
    if values["registered_province"] not in MAINLAND_CODES:
        errors["registered_province"] = _("Please choose the province of your household registration.")
    if len(values["name"]) > MAX_NAME_LENGTH:
        errors["name"] = _("A name has at most %(count)d characters.", count=MAX_NAME_LENGTH)
    if not (8 <= len(values["idempotency_key"]) <= 64):
        abort(400)
    if errors:
        return _render_form(values, errors, 422)

    try:
        application = submit_application(
            db(),
            context,
            NewApplication(
                id_number=id_number,
                app_type=ApplicationType(values["app_type"]),
                registered_province=values["registered_province"],
                name=values["name"],
                idempotency_key=values["idempotency_key"],
            ),
            actor=f"kiosk:{context.settings.code}",
        )
    except NotEligible as refusal:
        message = i18n.ELIGIBILITY_REASONS[refusal.reason]
        errors["app_type"] = str(message % {"date": refusal.earliest}) if refusal.earliest else str(message)
        return _render_form(values, errors, 422)

    session["done_application_id"] = application.id
    return redirect(url_for("kiosk.done"), 303)


@bp.get("/done")
def done():
    application_id = session.get("done_application_id")
    if application_id is None:
        return redirect(url_for("kiosk.apply_form"))
    try:
        application, applicant = get_application(db(), application_id)
    except ApplicationNotFound:
        session.pop("done_application_id", None)
        return redirect(url_for("kiosk.apply_form"))
    return render_template(
        "kiosk/done.html", application=application, applicant=applicant, submitted=State.SUBMITTED.value
    )


@bp.post("/start-over")
def start_over():
    """Forget everything about this citizen; the next person starts clean."""
    session.clear()
    return redirect(url_for("kiosk.apply_form"), 303)
