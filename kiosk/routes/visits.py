"""Home visits: the supervisor's board, the officer's round (printed as one batch), outcomes."""

from __future__ import annotations

import datetime as dt
import re

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..services import visits
from ..services.applications import ApplicationNotFound
from .common import db, station

bp = Blueprint("visits", __name__)

_CODE = re.compile(r"^\d{8}$")


def _roles(*roles: str) -> None:
    if current_user.user.role not in (*roles, "admin"):
        abort(403)


@bp.get("/")
@login_required
def board():
    _roles("supervisor")
    context = station()
    return render_template(
        "visits/board.html",
        rows=visits.board(db(), context),
        officers=visits.officers(db(), context),
        tomorrow=context.calendar.add_working_days(context.today(), 1),
    )


@bp.post("/<int:application_id>/assign")
@login_required
def assign(application_id: int):
    _roles("supervisor")
    try:
        day = dt.date.fromisoformat(request.form.get("day", ""))
        officer_id = int(request.form.get("officer", ""))
    except ValueError:
        abort(400)
    try:
        visits.assign(db(), station(), application_id, officer_id, day, actor=current_user.actor)
    except (ApplicationNotFound, visits.VisitNotFound):
        abort(404)
    return redirect(url_for("visits.board"), 303)


def _day() -> dt.date:
    try:
        return dt.date.fromisoformat(request.args.get("day", "")) if request.args.get("day") else station().today()
    except ValueError:
        abort(400)


@bp.get("/round")
@login_required
def my_round():
    _roles("visit_officer", "supervisor")
    day = _day()
    return render_template(
        "visits/round.html", rows=visits.round_of(db(), station(), current_user.user.id, day), day=day
    )


@bp.get("/round.pdf")
@login_required
def round_pdf():
    _roles("visit_officer", "supervisor")
    rows = visits.round_of(db(), station(), current_user.user.id, _day())
    if not rows:
        abort(404)
    response = Response(visits.round_pdf(rows, station()), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="round-{_day().isoformat()}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/record", methods=["GET", "POST"])
@login_required
def record():
    _roles("visit_officer", "supervisor")
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
