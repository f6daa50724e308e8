"""The public progress page: a citizen follows their case with the receipt's QR
code, or with the application number and the last four digits of their phone."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import format_time
from flask_babel import gettext as _

from ..services import tracking
from . import limiter
from .common import db, station

bp = Blueprint("track", __name__)

_NUMBER = re.compile(r"^[A-Za-z0-9]{2,12}-\d{6}-\d{4}$")
_PARTS = re.compile(r"([0-9A-Z]{2,12})(\d{6})(\d{4})")


def _typed_number(text: str) -> str:
    """The application number as printed (`330402-261124-0001`) from what was typed: in any case,
    full-width, with its hyphens, without them or with spaces instead."""
    parts = _PARTS.fullmatch(re.sub(r"[^0-9A-Z]", "", unicodedata.normalize("NFKC", text).upper()))
    return "-".join(parts.groups()) if parts else text.strip().upper()


def _limit() -> str:
    return current_app.config["TRACK_RATE_LIMIT"]


@bp.get("/")
def lookup_form():
    return render_template("track/lookup.html", errors={}, number="")


@bp.post("/")
@limiter.limit(_limit)
def lookup():
    number = _typed_number(request.form.get("number", ""))
    phone_tail = re.sub(r"\D", "", request.form.get("phone_tail", ""))
    errors = {}
    if not _NUMBER.match(number):
        errors["number"] = _("The application number looks like 330402-261124-0001. Please check it.")
    if len(phone_tail) != 4:
        errors["phone_tail"] = _("Please enter the last 4 digits of the phone number you gave.")
    if errors:
        return _lookup_page(errors, number, 422)
    try:
        case = tracking.look_up(db(), number, phone_tail)
    except tracking.TrackingRefused as refusal:
        if refusal.locked_until is None:
            # One message for both, so the page does not reveal which numbers exist.
            message = _("We found no application with this number and phone. Please check both.")
            return _lookup_page({"number": message}, number, 422)
        message = _(
            "There were too many wrong tries with this number, so it cannot be looked up until %(time)s. "
            "Please try again then, or ask at the window.",
            time=_local_minute_after(refusal.locked_until),
        )
        return _lookup_page({"number": message}, number, 429)
    return _show(case)


def _lookup_page(errors: dict[str, str], number: str, status: int):
    return render_template("track/lookup.html", errors=errors, number=number), status


def _local_minute_after(moment: dt.datetime) -> str:
    """`moment` in the station's time, rounded up to the minute: at that time it has passed."""
    local = moment.astimezone(station().settings.zone).replace(tzinfo=None)
    if local.second or local.microsecond:
        local = local.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    return format_time(local, "HH:mm")


@bp.get("/<number>/<token>")
@limiter.limit(_limit)
def by_link(number: str, token: str):
    case = tracking.open_link(db(), number, token)
    if case is None:
        return redirect(url_for("track.lookup_form"))
    return _show(case)


def _show(case: tracking.TrackedCase):
    return render_template("track/status.html", case=case)
