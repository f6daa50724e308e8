"""Window staff: one case, its page and every step taken on it (state machine actions, forwarding
to the home province, registering the card, retakes, fees, photos, temporary IDs, sign-off,
the receipt's copy). The queue and sign-in are kiosk.routes.staff.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import labels
from ..domain.access import Permission, may
from ..domain.catalogue import ApplicationType
from ..domain.fields import one_line
from ..domain.states import (
    OLD_CARD_FATES,
    REFUSAL_REASONS,
    Action,
    IllegalTransition,
    State,
    allowed_actions,
    window_may,
)
from ..services import cases, claims, photos, verification, visits
from ..services.applications import ApplicationNotFound
from ..services.assessment import NotEligible
from ..services.case_facts import facts_of
from ..services.printing import Subject, print_new
from .common import db, photo_store, print_outcome_message, printer, requires, station, station_application, track_url
from .display import listing
from .partial import done, fragment_for

bp = Blueprint("staff_case", __name__)
# The blueprints of staff pages: a case named in their URLs must be this station's.
STAFF_BLUEPRINTS = ("staff", "staff_case", "staff_photos", "visits")


MAX_PACKAGE_BYTES = 20 * 1024 * 1024  # a package with a photo is well under this


# What a window officer may do from the case page, by state machine action.
CASE_ACTIONS = (
    Action.APPROVE,
    Action.REQUEST_MATERIALS,
    Action.SUPPLY_MATERIALS,
    Action.REJECT,
    Action.START_PRODUCTION,
    Action.MARK_READY,
    Action.COLLECT,
    Action.POST,
)


@bp.before_app_request
def _only_this_stations_cases():
    """A case of another station, or none, is 404 before anything reads the request: never a 403 or
    a refusal that would confirm it exists."""
    application_id = (request.view_args or {}).get("application_id")
    if request.blueprint not in STAFF_BLUEPRINTS or application_id is None or not current_user.is_authenticated:
        return  # signing in comes first: to someone signed out no case exists or not
    if not cases.of_station(db(), station(), application_id):
        abort(404)


def _may_open(application_id: int) -> bool:
    """Case staff open any case of the station; a visit officer the cases of their own visits."""
    user = current_user.user
    if may(user.role, Permission.VIEW_CASE):
        return True
    return may(user.role, Permission.VISIT) and visits.visited_by(db(), application_id, user.id)


def _case_page(application_id: int, message: str | None = None, ok: bool = True, status: int = 200):
    """The case as it is now, opened again: every showing of the unmasked case, a refused action's
    page included, is audited. To a step taken with htmx, the case alone with the message."""
    user = current_user.user
    works_cases = may(user.role, Permission.WORK_CASE)
    try:
        view = cases.open_case(db(), station(), application_id, user, take_claim=works_cases)
    except ApplicationNotFound:
        abort(404)
    photo = photos.photo_of(db(), application_id)
    allowed = (
        [
            a
            for a in allowed_actions(State(view.application.state), out_of_province=view.application.out_of_province)
            if a in CASE_ACTIONS and window_may(a, view.application.collection)
        ]
        if view.mine and works_cases
        else []
    )
    today = station().today()
    default_deadline = station().calendar.add_working_days(today, 10)
    promised = view.application.materials_deadline
    return render_template(
        "staff/case_fragment.html" if fragment_for("case") else "staff/case.html",
        case=view,
        allowed=allowed,
        message=message,
        ok=ok,
        reject_reasons=labels.REJECT_REASONS,
        photo=photo,
        facts=facts_of(view.application, view.applicant, station()),
        temporary_fee=station().settings.fees[ApplicationType.TEMPORARY],
        default_deadline=default_deadline,
        # A return for materials keeps the deadline the citizen was already given (receipt, text).
        materials_by=promised if promised and promised >= today else default_deadline,
    ), status


def _case_done(application_id: int, message: str, ok: bool = True):
    """After a step that changed the case: to htmx the case as it is now with the message, else
    the case page by a redirect (reloading it takes no step again, prints no other copy)."""
    if fragment_for("case"):
        return _case_page(application_id, message, ok)
    return done(url_for("staff_case.case", application_id=application_id), message, ok)


@bp.get("/applications/<int:application_id>")
@login_required
def case(application_id: int):
    if not _may_open(application_id):
        abort(404)
    return _case_page(application_id)


@bp.post("/applications/<int:application_id>/act")
@requires(Permission.WORK_CASE)
def case_action(application_id: int):
    try:
        action = Action(request.form.get("action", ""))
    except ValueError:
        abort(400)
    if action not in CASE_ACTIONS:
        abort(400)
    reason = one_line(request.form.get("reason"), 400)
    refusal_reason = None
    if action is Action.REJECT:
        refusal_reason = request.form.get("reject_reason", "")
        if refusal_reason not in REFUSAL_REASONS:
            return _case_page(application_id, _("Please choose why the application is refused."), False, 422)
        if request.form.get("confirm") != "yes":
            return _case_page(application_id, _("Please confirm the refusal: it cannot be undone."), False, 422)
        reason = f"{refusal_reason}: {reason}" if reason else refusal_reason
    if action is Action.COLLECT:
        collector = one_line(request.form.get("collector"), 60) or _("the applicant")
        old_card = request.form.get("old_card", "")
        if old_card not in OLD_CARD_FATES:
            return _case_page(application_id, _("Please say whether the old card was handed back."), False, 422)
        reason = f"collected by {collector}; old card {old_card}" + (f"; {reason}" if reason else "")
    if action is Action.POST:
        tracking = re.sub(r"[^A-Za-z0-9-]", "", request.form.get("tracking", ""))[:40]
        if not tracking:
            return _case_page(application_id, _("Please give the postal tracking number."), False, 422)
        reason = f"tracking {tracking}" + (f"; {reason}" if reason else "")
    deadline, missing = None, ()
    if action is Action.REQUEST_MATERIALS:
        try:
            deadline = dt.date.fromisoformat(request.form.get("deadline", ""))
        except ValueError:
            deadline = None
        if deadline is None or deadline <= station().today():
            return _case_page(application_id, _("Please give a deadline after today."), False, 422)
        missing = tuple(m for m in labels.MATERIALS if m in request.form.getlist("missing"))
        if not missing:
            return _case_page(application_id, _("Please tick what is missing."), False, 422)
        reason = ", ".join(missing) + (f"; {reason}" if reason else "")
    return _case_step(
        application_id,
        lambda: cases.act(
            db(),
            station(),
            application_id,
            action,
            current_user.user,
            reason=reason,
            materials_deadline=deadline,
            refusal_reason=refusal_reason,
            missing=missing,
        ),
        lambda application: _("Done: %(state)s.", state=labels.STATES[application.state]),
    )


# What can stop a staff step on a case; `_refused` says why on the case page.
STEP_REFUSALS = (
    ApplicationNotFound,
    claims.ClaimedByOther,
    IllegalTransition,
    cases.SignOffNeeded,
    cases.NotReadyToProceed,
    NotEligible,
)


def _case_step(application_id: int, step: Callable[[], Any], done_message: Callable[[Any], str]):
    """Run one staff step on a case and show the case page with its outcome (or why it could not be)."""
    try:
        result = step()
    except STEP_REFUSALS as error:
        return _refused(application_id, error)
    return _case_done(application_id, done_message(result))


def _refused(application_id: int, error: Exception):
    if isinstance(error, ApplicationNotFound):
        abort(404)
    if isinstance(error, claims.ClaimedByOther):
        return _case_page(application_id, _("%(name)s is working on this case.", name=error.holder or "?"), False, 409)
    if isinstance(error, cases.SignOffNeeded):
        message = _("A supervisor must sign off urgent handling first.")
    elif isinstance(error, cases.NotReadyToProceed):
        message = _("Not yet: %(what)s.", what=listing([labels.NOT_READY_BECAUSE[what] for what in error.missing]))
    elif isinstance(error, NotEligible):
        message = str(labels.ELIGIBILITY_REASONS[error.reason])
    else:
        message = _("This is not possible in the case's present state.")
    return _case_page(application_id, message, False, 409)


def _keys() -> verification.Keys:
    return verification.Keys(Path(current_app.instance_path) / "keys")


@bp.post("/applications/<int:application_id>/forward")
@requires(Permission.WORK_CASE)
def forward(application_id: int):
    """Send an out-of-province case to its home province for verification (数据跑腿)."""
    outbox = Path(current_app.instance_path) / "outbox" / "verification"
    stored = photos.photo_of(db(), application_id)
    photo = photo_store().get(stored.file) if stored else None
    return _case_step(
        application_id,
        lambda: verification.forward(db(), station(), application_id, current_user.user, _keys(), outbox, photo=photo),
        lambda _path: _("The verification request is in the outbox for the home province."),
    )


@bp.post("/applications/<int:application_id>/answer")
@requires(Permission.WORK_CASE)
def import_answer(application_id: int):
    """Record the home province's signed answer, uploaded as the package file it sent."""
    upload = request.files.get("package")
    try:
        package = json.loads(upload.read(MAX_PACKAGE_BYTES)) if upload else None
        verification.import_answer(
            db(), station(), package, _keys(), actor=current_user.actor, application_id=application_id
        )
    except (ValueError, verification.PackageRefused) as error:
        reason = error.reason if isinstance(error, verification.PackageRefused) else "malformed"
        return _case_page(application_id, str(labels.PACKAGE_REFUSALS[reason]), False, 422)
    return _case_done(application_id, _("The home province's answer is recorded."))


@bp.post("/applications/<int:application_id>/register")
@requires(Permission.WORK_CASE)
def register(application_id: int):
    """客观原因登记办: the case waits on an outside cause, with a follow-up date."""
    code = request.form.get("cause", "")
    try:
        follow_up = dt.date.fromisoformat(request.form.get("follow_up", ""))
    except ValueError:
        follow_up = None
    if code not in labels.BLOCKING_REASONS or follow_up is None or follow_up <= station().today():
        return _case_page(application_id, _("Please choose the cause and a follow-up day after today."), False, 422)
    note = one_line(request.form.get("reason"), 300)
    reason = f"{code}: {note}" if note else code
    return _case_step(
        application_id,
        lambda: cases.register(db(), station(), application_id, current_user.user, reason=reason, follow_up=follow_up),
        lambda _application: _("Registered; the citizen is told."),
    )


@bp.post("/applications/<int:application_id>/retake")
@requires(Permission.WORK_CASE)
def retake(application_id: int):
    reason = one_line(request.form.get("reason"), 300)
    return _case_step(
        application_id,
        lambda: cases.request_retake(db(), station(), application_id, current_user.user, reason=reason),
        lambda _application: _("The photo will be taken again at the window; the citizen is told."),
    )


@bp.post("/applications/<int:application_id>/fee-paid")
@requires(Permission.WORK_CASE)
def fee_paid(application_id: int):
    return _case_step(
        application_id,
        lambda: cases.mark_fee_paid(db(), station(), application_id, current_user.user),
        lambda _result: _("Fee recorded as paid."),
    )


@bp.post("/applications/<int:application_id>/photo-taken")
@requires(Permission.WORK_CASE)
def photo_taken(application_id: int):
    return _case_step(
        application_id,
        lambda: cases.record_photo_taken(db(), station(), application_id, current_user.user),
        lambda _result: _("Photo recorded as taken at the window."),
    )


@bp.post("/applications/<int:application_id>/temporary")
@requires(Permission.WORK_CASE)
def temporary_id(application_id: int):
    """A temporary ID applied for at the window while this main application is handled."""
    try:
        temporary = cases.apply_for_temporary(db(), station(), application_id, current_user.user)
    except STEP_REFUSALS as error:
        return _refused(application_id, error)
    return redirect(url_for("staff_case.case", application_id=temporary.id), 303)


@bp.post("/applications/<int:application_id>/sign-off")
@requires(Permission.SIGN_OFF)
def sign_off(application_id: int):
    return _case_step(
        application_id,
        lambda: cases.sign_off_urgent(db(), station(), application_id, current_user.user),
        lambda _result: _("Urgent handling signed off."),
    )


@bp.post("/applications/<int:application_id>/release")
@requires(Permission.WORK_CASE)
def release(application_id: int):
    claims.release(db(), application_id, current_user.user)
    return redirect(url_for("staff.queue"), 303)


@bp.post("/applications/<int:application_id>/print-receipt")
@requires(Permission.WORK_CASE)
def print_receipt(application_id: int):
    """A copy of the receipt for the citizen at the window (a lost one, or a case taken there)."""
    application, _applicant = station_application(application_id)
    outcome = print_new(
        db(),
        Subject.receipt(application.station_id, application.id),
        actor=current_user.actor,
        printer=printer(),
        url=track_url(application),
    )
    return _case_done(application_id, *print_outcome_message(outcome.printed))
