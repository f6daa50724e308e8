"""Home visits: the supervisor's board, the officer's round (printed as one batch), outcomes."""

from __future__ import annotations

import datetime as dt
import re

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import i18n
from ..domain.access import Permission
from ..services import visits
from ..services.applications import ApplicationNotFound
from ..services.booking import BookingRefused
from ..services.printing import Subject, latest_job, request_print
from . import MAX_ROW_ID
from .common import db, printer, requires, station

bp = Blueprint("visits", __name__)

_CODE = re.compile(r"^\d{8}$")


def _board_page(message: str | None = None):
    context = station()
    return render_template(
        "visits/board.html",
        rows=visits.board(db(), context),
        officers=visits.officers(db(), context),
        tomorrow=context.calendar.add_working_days(context.today(), 1),
        message=message,
    ), (409 if message else 200)


@bp.get("/")
@requires(Permission.ASSIGN_VISITS)
def board():
    return _board_page()


@bp.post("/<int:application_id>/assign")
@requires(Permission.ASSIGN_VISITS)
def assign(application_id: int):
    try:
        day = dt.date.fromisoformat(request.form.get("day", ""))
        officer_id = int(request.form.get("officer", ""))
    except ValueError:
        abort(400)
    if not 0 < officer_id <= MAX_ROW_ID:
        abort(400)
    try:
        visits.assign(db(), station(), application_id, officer_id, day, actor=current_user.actor)
    except (ApplicationNotFound, visits.VisitNotFound):
        abort(404)
    except BookingRefused as refusal:
        return _board_page(str(i18n.BOOKING_REFUSALS[refusal.reason]))
    return redirect(url_for("visits.board"), 303)


def _day() -> dt.date:
    try:
        return dt.date.fromisoformat(request.args.get("day", "")) if request.args.get("day") else station().today()
    except ValueError:
        abort(400)


def _round_page(message: str | None = None, ok: bool = True):
    day, context = _day(), station()
    subject = Subject.round_of(context.id, current_user.user.id, day)
    return render_template(
        "visits/round.html",
        rows=visits.round_of(db(), context, current_user.user.id, day),
        day=day,
        printed=latest_job(db(), subject),
        message=message,
        ok=ok,
    ), (200 if ok else 503)


@bp.get("/round")
@requires(Permission.VISIT)
def my_round():
    return _round_page()


@bp.post("/round/print")
@requires(Permission.VISIT)
def print_round():
    """The round's visit and pickup slips as one print job (reprinted from the printed documents page)."""
    context = station()
    if not visits.round_of(db(), context, current_user.user.id, _day()):
        abort(404)
    outcome = request_print(
        db(), Subject.round_of(context.id, current_user.user.id, _day()), actor=current_user.actor, printer=printer()
    )
    if outcome.printed:
        return _round_page(_("Sent to the printer."))
    return _round_page(_("The printer is not working. The document waits in the queue."), ok=False)


@bp.route("/record", methods=["GET", "POST"])
@requires(Permission.VISIT)
def record():
    message, ok = None, True
    if request.method == "POST":
        code = re.sub(r"\D", "", request.form.get("code", ""))
        outcome = {name for name in visits.OUTCOMES if request.form.get(name)}
        try:
            if not _CODE.match(code):
                raise visits.VisitNotFound(code)
            visits.record_outcome(
                db(), station(), code, outcome, bool(request.form.get("nobody_home")), current_user.user
            )
            message = _("The visit is recorded.")
        except visits.VisitNotFound:
            message, ok = _("No visit has this code. Please check the slip."), False
    return render_template("visits/record.html", message=message, ok=ok), (200 if ok else 422)
