"""The public progress page: a citizen follows their case with the receipt's QR
code, or with the application number and the last four digits of their phone."""

from __future__ import annotations

import hmac
import re

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..services.applications import TrackedCase, find_for_tracking
from . import limiter
from .common import db

bp = Blueprint("track", __name__)

_NUMBER = re.compile(r"^[A-Za-z0-9]{2,12}-\d{6}-\d{4}$")


def _limit() -> str:
    return current_app.config["TRACK_RATE_LIMIT"]


@bp.get("/")
def lookup_form():
    return render_template("track/lookup.html", errors={}, number="")


@bp.post("/")
@limiter.limit(_limit)
def lookup():
    number = request.form.get("number", "").strip().upper()
    phone_tail = re.sub(r"\D", "", request.form.get("phone_tail", ""))
    errors = {}
    if not _NUMBER.match(number):
        errors["number"] = _("The application number looks like 330402-261124-0001. Please check it.")
    if len(phone_tail) != 4:
        errors["phone_tail"] = _("Please enter the last 4 digits of the phone number you gave.")
    case = None if errors else find_for_tracking(db(), number)
    if not errors and (case is None or not _same(case.phone_tail, phone_tail)):
        # One message for both, so the page does not reveal which numbers exist.
        errors["number"] = _("We found no application with this number and phone. Please check both.")
    if errors:
        return render_template("track/lookup.html", errors=errors, number=number), 422
    return _show(case)


@bp.get("/<number>/<token>")
@limiter.limit(_limit)
def by_link(number: str, token: str):
    case = find_for_tracking(db(), number)
    if case is None or not _same(case.token, token):
        return redirect(url_for("track.lookup_form"))
    return _show(case)


def _same(secret: str, given: str) -> bool:
    """A comparison in constant time, of bytes: what was typed may be any Unicode (Arabic-Indic
    digits pass as digits), which compare_digest refuses to compare as text."""
    return hmac.compare_digest(secret.encode(), given.encode())


def _show(case: TrackedCase):
    return render_template("track/status.html", case=case)
