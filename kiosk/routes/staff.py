"""Window staff: sign in, the queue of submitted applications, approve.

The foundation's slice of the staff side; the full queue, claiming and case
page grow from here.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import UserMixin, current_user, login_required, login_user, logout_user

from ..domain.masking import mask_id_number, mask_name
from ..domain.states import Action, IllegalTransition, State
from ..models import StaffUser
from ..services.applications import ApplicationNotFound, change_state, get_application, list_applications
from ..services.booking import checked_in_today
from ..services.printing import PrintJobNotFound, recent_jobs, reprint
from ..services.staff import SignInRefused
from ..services.staff import sign_in as check_sign_in
from .common import db, printer, station

bp = Blueprint("staff", __name__)


class StaffPrincipal(UserMixin):
    def __init__(self, user: StaffUser):
        self.user = user
        self.id = str(user.id)

    @property
    def actor(self) -> str:
        return f"staff:{self.user.username}"


@bp.get("/login")
def sign_in():
    return render_template("staff/login.html", error=None, username="")


@bp.post("/login")
def sign_in_submit():
    username = request.form.get("username", "").strip()[:40]
    password = request.form.get("password", "")[:200]
    try:
        user = check_sign_in(db(), username, password)
    except SignInRefused as refusal:
        if refusal.reason == "locked":
            error = _("Too many failed attempts. This account is locked for a while; ask a supervisor.")
        else:
            error = _("The user name or the password is wrong.")
        return render_template("staff/login.html", error=error, username=username), 401
    session.clear()  # nothing from a kiosk session survives into a staff session
    session.permanent = True
    login_user(StaffPrincipal(user))
    return redirect(url_for("staff.queue"), 303)


@bp.post("/logout")
@login_required
def sign_out():
    logout_user()
    session.clear()
    return redirect(url_for("staff.sign_in"), 303)


def _queue_rows():
    rows = list_applications(db(), station(), [State.SUBMITTED])
    return [
        {
            "application": application,
            "masked_id": mask_id_number(applicant.id_number or ""),
            "masked_name": mask_name(applicant.name or ""),
        }
        for application, applicant in rows
    ]


@bp.get("/")
@login_required
def queue():
    arrivals = [
        {"booking": booking, "slot": slot, "masked_name": mask_name(booking.name or "")}
        for booking, slot in checked_in_today(db(), station())
    ]
    return render_template("staff/queue.html", rows=_queue_rows(), arrivals=arrivals)


@bp.post("/applications/<int:application_id>/approve")
@login_required
def approve(application_id: int):
    try:
        application, _applicant = get_application(db(), application_id)
        if application.station_id != station().id:
            abort(404)
        change_state(db(), application_id, Action.APPROVE, actor=current_user.actor)
        message, ok = _("Application %(number)s approved.", number=application.number), True
    except ApplicationNotFound:
        abort(404)
    except IllegalTransition:
        message, ok = _("This application was already handled by someone else."), False
    if request.headers.get("HX-Request"):
        return render_template("staff/_queue.html", rows=_queue_rows(), message=message, ok=ok)
    return render_template("staff/queue.html", rows=_queue_rows(), message=message, ok=ok), (200 if ok else 409)


# --- printed documents -----------------------------------------------------------------


def _prints_page(message: str | None = None, ok: bool = True):
    rows = recent_jobs(db(), station())
    return render_template("staff/prints.html", rows=rows, message=message, ok=ok)


@bp.get("/prints")
@login_required
def prints():
    return _prints_page()


@bp.post("/prints/<int:job_id>/again")
@login_required
def print_again(job_id: int):
    try:
        outcome = reprint(db(), job_id, actor=current_user.actor, printer=printer(), station=station())
    except PrintJobNotFound:
        abort(404)
    if outcome.printed:
        return _prints_page(_("Sent to the printer."))
    return _prints_page(_("The printer is not working. The document waits in the queue."), ok=False)
