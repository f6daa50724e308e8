"""Home visits: the supervisor's board, the officer's round (printed as one batch), outcomes."""

from __future__ import annotations

import datetime as dt
import re

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import labels
from ..domain.access import Permission
from ..domain.states import OLD_CARD_FATES
from ..services import visits
from ..services.applications import ApplicationNotFound
from ..services.booking import BookingRefused
from ..services.printing import Subject, latest_job, request_print
from . import MAX_ROW_ID, display
from .common import db, print_outcome_message, printer, requires, station
from .partial import done

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
        return _board_page(str(labels.BOOKING_REFUSALS[refusal.reason]))
    officer = next(officer for officer in visits.officers(db(), station()) if officer.id == officer_id)
    given = _("The visit is given to %(officer)s on %(day)s.", officer=officer.display_name, day=display.day(day))
    return done(url_for("visits.board"), given)


def _day() -> dt.date:
    try:
        return dt.date.fromisoformat(request.args.get("day", "")) if request.args.get("day") else station().today()
    except ValueError:
        abort(400)


@bp.get("/round")
@requires(Permission.VISIT)
def my_round():
    """The officer's visits of a day (today unless `day` says), with the days before and after."""
    day, context = _day(), station()
    return render_template(
        "visits/round.html",
        rows=visits.round_of(db(), context, current_user.user.id, day),
        day=day,
        day_before=day - dt.timedelta(days=1),
        day_after=day + dt.timedelta(days=1),
        today=context.today(),
        printed=latest_job(db(), Subject.round_of(context.id, current_user.user.id, day)),
    )


@bp.post("/round/print")
@requires(Permission.VISIT)
def print_round():
    """The round's visit and pickup slips as one print job, printed again on request; answered
    by a redirect, so that reloading the page prints nothing."""
    context, day = station(), _day()
    if not visits.round_of(db(), context, current_user.user.id, day):
        abort(404)
    outcome = request_print(
        db(), Subject.round_of(context.id, current_user.user.id, day), actor=current_user.actor, printer=printer()
    )
    return done(url_for("visits.my_round", day=day.isoformat()), *print_outcome_message(outcome.printed))


@bp.route("/record", methods=["GET", "POST"])
@requires(Permission.VISIT)
def record():
    message, ok = None, True
    if request.method == "POST":
        message, ok = _record_visit()
        if ok:
            return done(url_for("visits.record"), message)
    return render_template("visits/record.html", message=message, ok=ok), (200 if ok else 422)


def _record_visit() -> tuple[str, bool]:
    code = re.sub(r"\D", "", request.form.get("code", ""))
    outcome = {name for name in visits.OUTCOMES if request.form.get(name)}
    nobody_home = bool(request.form.get("nobody_home"))
    old_card = request.form.get("old_card") or None
    if not _CODE.match(code):
        return _("No visit has this code. Please check the slip."), False
    if "card_handed_over" in outcome and not nobody_home and old_card not in OLD_CARD_FATES:
        return _("Please say whether the old card was handed back."), False
    try:
        visits.record_outcome(db(), station(), code, outcome, nobody_home, current_user.user, old_card=old_card)
    except visits.VisitNotFound:
        return _("No visit has this code. Please check the slip."), False
    except visits.VisitNotYet as early:
        return _("This visit is on %(day)s: record it on that day or after.", day=display.day(early.day)), False
    return _("The visit is recorded."), True
