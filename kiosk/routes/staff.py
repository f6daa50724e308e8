"""Window staff: sign in, the queue of submitted applications, the supervisor's figures and
the printed documents. One case, its page and its steps are kiosk.routes.staff_case.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import UserMixin, current_user, login_required, login_user, logout_user

from ..domain.access import Permission, may
from ..domain.commitments import Commitment
from ..domain.masking import mask_id_number, mask_name
from ..domain.states import State
from ..models import StaffUser
from ..services import claims, deadlines, notifications
from ..services import dashboard as dashboard_figures
from ..services.applications import list_applications
from ..services.attendance import checked_in_today
from ..services.calendar_days import years_without_holidays
from ..services.printing import PrintJobNotFound, recent_jobs, reprint
from ..services.staff import SignInRefused, end_session
from ..services.staff import sign_in as check_sign_in
from . import limiter, shared_counting_works
from .common import LANDING_PAGES, db, print_outcome_message, printer, requires, station
from .display import case_deadline
from .partial import done, fragment_for

bp = Blueprint("staff", __name__)


class StaffPrincipal(UserMixin):
    """The signed-in staff member; Flask-Login keeps `id`, the server-side session's id, in the cookie."""

    def __init__(self, user: StaffUser, session_id: str):
        self.user = user
        self.id = session_id

    @property
    def actor(self) -> str:
        return f"staff:{self.user.username}"


@bp.get("/login")
def sign_in():
    return render_template("staff/login.html", error=None, username="")


@bp.post("/login")
# Per client address, on top of the per-account lockout (services.staff); only refusals count.
# A sign-in the database could not decide (503) counts too: while no failure can be recorded on the
# account, the limit is all that stops guessing.
@limiter.limit(
    lambda: current_app.config["SIGN_IN_RATE_LIMIT"], deduct_when=lambda response: response.status_code in (401, 503)
)
def sign_in_submit():
    username = request.form.get("username", "").strip()[:40]
    password = request.form.get("password", "")[:200]
    if not shared_counting_works():
        # Fail closed: while refusals cannot be counted per address, none are decided.
        current_app.logger.warning("sign-in refused: the rate-limit store does not answer")
        error = _("The system is busy and nothing was saved. Please wait a moment and try again.")
        return render_template("staff/login.html", error=error, username=username), 503
    try:
        signed_in = check_sign_in(db(), username, password, station_id=station().id)
    except SignInRefused as refusal:
        if refusal.reason == "locked":
            error = _("Too many failed attempts. This account is locked for a while; ask a supervisor.")
        else:
            error = _("The user name or the password is wrong.")
        return render_template("staff/login.html", error=error, username=username), 401
    session.clear()  # nothing from a kiosk session survives into a staff session
    session.permanent = True
    login_user(StaffPrincipal(signed_in.user, signed_in.session_id))
    return redirect(url_for(LANDING_PAGES[signed_in.user.role]), 303)


@bp.post("/logout")
@login_required
def sign_out():
    end_session(db(), current_user.id)
    logout_user()
    session.clear()
    return redirect(url_for("staff.sign_in"), 303)


OPEN_STATES = [
    State.SUBMITTED,
    State.AWAITING_MATERIALS,
    State.APPROVED,
    State.VERIFYING,
    State.IN_PRODUCTION,
    State.READY,
]


# Rows on one page of the queue: a window's morning fits on the first.
QUEUE_PAGE_SIZE = 50


def _filters() -> dict[str, str]:
    """The queue's filters from the query string, kept valid (unknown values are dropped)."""
    args = request.args
    filters = {
        "state": args.get("state", "") if args.get("state") in {s.value for s in OPEN_STATES} else "",
        "commitment": args.get("commitment", "") if args.get("commitment") in {c.value for c in Commitment} else "",
        "oop": args.get("oop", "") if args.get("oop") in ("yes", "no") else "",
        "overdue": "yes" if args.get("overdue") == "yes" else "",
    }
    return filters


def _page_number() -> int:
    page = request.args.get("page", "")
    return int(page) if page.isdigit() and 0 < int(page) < 10_000 else 1


def _queue_rows(filters: dict[str, str], page: int):
    """One page of the queue, and whether a next page follows."""
    context = station()
    today = context.today()
    rows = list_applications(
        db(),
        context,
        [State(filters["state"])] if filters["state"] else OPEN_STATES,
        commitment=filters["commitment"] or None,
        out_of_province={"yes": True, "no": False}.get(filters["oop"]),
        overdue_on=today if filters["overdue"] else None,
        limit=QUEUE_PAGE_SIZE + 1,  # one more than shown says whether a next page follows
        offset=(page - 1) * QUEUE_PAGE_SIZE,
    )
    more = len(rows) > QUEUE_PAGE_SIZE
    rows = rows[:QUEUE_PAGE_SIZE]
    holders = claims.holders(db(), [application for application, _applicant in rows])
    return [
        {
            "application": application,
            "masked_id": mask_id_number(applicant.id_number or ""),
            "masked_name": mask_name(applicant.name or ""),
            "deadline": (deadline := case_deadline(application)),
            "days_left": context.calendar.working_days_between(today, deadline)
            if deadline >= today
            else -context.calendar.working_days_between(deadline, today),
            "holder": holders.get(application.id),
        }
        for application, applicant in rows
    ], more


@bp.get("/")
@requires(Permission.QUEUE)
def queue():
    filters = _filters()
    page = _page_number()
    rows, more = _queue_rows(filters, page)
    shown = {"rows": rows, "filters": filters, "page": page, "more": more}
    if fragment_for("queue"):  # filters, paging, or the queue refreshing itself
        return render_template("staff/_queue.html", **shown)
    arrivals = [
        {"booking": booking, "slot": slot, "masked_name": mask_name(booking.name or "")}
        for booking, slot in checked_in_today(db(), station())
    ]
    return render_template("staff/queue.html", arrivals=arrivals, **shown)


@bp.get("/dashboard")
@requires(Permission.OVERSEE)
def dashboard():
    by_state, by_commitment = dashboard_figures.today_counts(db(), station())
    return render_template(
        "staff/dashboard.html",
        by_state=by_state,
        by_commitment=by_commitment,
        promises=dashboard_figures.promises_kept(db(), station()),
        today=station().today(),
        years_without_holidays=years_without_holidays(db(), station().id, station().today()),
    )


@bp.get("/export.csv")
@requires(Permission.OVERSEE)
def export():
    try:
        first = dt.date.fromisoformat(request.args.get("first", ""))
        last = dt.date.fromisoformat(request.args.get("last", ""))
    except ValueError:
        abort(400)
    # At most a year, and days whose midnights exist in UTC too (not the calendar's first or last).
    if not dt.date.min < first <= last < dt.date.max or (last - first).days > 366:
        abort(400)
    body = dashboard_figures.export_csv(db(), station(), first, last)
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="cases-{first}-{last}.csv"'
    return response


@bp.get("/notifications")
@requires(Permission.MESSAGES)
def notification_log():
    """Messages to citizens: what was sent, what waits for a retry, what failed."""
    return render_template("staff/notifications.html", rows=notifications.recent(db(), station()))


@bp.get("/overdue")
@requires(Permission.OVERSEE)
def overdue():
    return render_template(
        "staff/overdue.html", rows=deadlines.overdue_board(db(), station()), targets=deadlines.ESCALATION_TARGETS
    )


# --- printed documents -----------------------------------------------------------------


def _own_rounds_only() -> int | None:
    """A visit officer's printed documents are their own rounds; case staff see the station's."""
    user = current_user.user
    return user.id if may(user.role, Permission.VISIT) else None


@bp.get("/prints")
@requires(Permission.PRINTS)
def prints():
    rows = recent_jobs(db(), station(), officer_id=_own_rounds_only())
    return render_template("staff/prints.html", rows=rows)


@bp.post("/prints/<int:job_id>/again")
@requires(Permission.PRINTS)
def print_again(job_id: int):
    try:
        outcome = reprint(
            db(), job_id, actor=current_user.actor, printer=printer(), station=station(), officer_id=_own_rounds_only()
        )
    except PrintJobNotFound:
        abort(404)
    return done(url_for("staff.prints"), *print_outcome_message(outcome.printed))
