"""Administrators: staff accounts, the station's settings and its calendar."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import labels
from ..domain.access import Permission
from ..services import calendar_days
from ..services import staff as accounts
from ..services.station import SettingsFileError, install_station, parse_settings_text, settings_text
from .common import db, public_base_url, public_url_unset, requires, station
from .partial import done

bp = Blueprint("admin", __name__)


@bp.before_request
@requires(Permission.ADMINISTER)
def _administrators_only():
    """Every page here is the administrators'."""


def _accounts_page(message: str | None = None, ok: bool = True, password: str | None = None, status: int = 200):
    code = station().settings.code
    return render_template(
        "admin/accounts.html",
        users=accounts.list_staff(db(), code),
        roles=[r.value for r in accounts.Role],
        message=message,
        ok=ok,
        password=password,
    ), status


@bp.get("/accounts")
def account_list():
    return _accounts_page()


@bp.post("/accounts")
def create_account():
    password = accounts.generate_password()
    username = request.form.get("username", "").strip()[:40]
    try:
        role = accounts.Role(request.form.get("role", ""))
        if not username.isidentifier():
            raise accounts.StaffError(_("A user name has letters, digits and _ only."))
        accounts.create_staff(
            db(),
            station_code=station().settings.code,
            username=username,
            display_name=request.form.get("display_name", "").strip()[:100] or username,
            role=role,
            password=password,
        )
    except (ValueError, accounts.StaffError) as error:
        return _accounts_page(str(error), False, status=422)
    return _accounts_page(_("Account %(name)s created.", name=username), password=password)


@bp.post("/accounts/<int:user_id>")
def change_account(user_id: int):
    change = request.form.get("change", "")
    password = accounts.generate_password() if change == "password" else None
    try:
        accounts.update_account(
            db(),
            station().id,
            user_id,
            actor=current_user.actor,
            active={"activate": True, "deactivate": False}.get(change),
            new_password=password,
            unlock=change == "unlock",
        )
    except accounts.StaffError:
        abort(404)
    return _accounts_page(_("Account updated."), password=password)


def _forget_cached_station() -> None:
    current_app.extensions.pop("kiosk_station_cache", None)  # this server sees it at once; others within a minute


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    code = station().settings.code
    text = settings_text(db(), code)
    message, ok, status = None, True, 200
    if request.method == "POST":
        text = request.form.get("settings", "")[:100_000]
        try:
            doc, parsed = parse_settings_text(text, Path("settings"))
            if parsed.code != code:
                raise SettingsFileError(Path("settings"), "the station code cannot be changed here", key="station.code")
            install_station(db(), doc, parsed, text)
            _forget_cached_station()
            message = _("Settings saved. Other servers pick them up within a minute.")
        except SettingsFileError as error:
            message, ok, status = str(error), False, 422
    qr_warning = public_url_unset() and _(
        "KIOSK_PUBLIC_URL is not set: printed QR codes point to %(address)s, the address this page came "
        "from, which phones may not reach. Set it to the address phones use.",
        address=public_base_url(),
    )
    return render_template("admin/settings.html", text=text, message=message, ok=ok, qr_warning=qr_warning), status


def _calendar_page(message: str | None = None, ok: bool = True, status: int = 200):
    context = station()
    return render_template(
        "admin/calendar.html",
        days=calendar_days.upcoming_days(db(), context.id, context.today()),
        years_without_holidays=calendar_days.years_without_holidays(db(), context.id, context.today()),
        estimated_years=calendar_days.estimated_years(db(), context.id),
        kinds=calendar_days.KINDS,
        message=message,
        ok=ok,
    ), status


def _day_from_form() -> dt.date | None:
    try:
        return dt.date.fromisoformat(request.form.get("day", ""))
    except ValueError:
        return None


@bp.get("/calendar")
def calendar():
    return _calendar_page()


@bp.post("/calendar")
def set_calendar_day():
    day = _day_from_form()
    if day is None:
        return _calendar_page(_("Please choose a date."), False, 422)
    sessions = [text.strip() for text in request.form.get("sessions", "").replace("，", ",").split(",") if text.strip()]
    try:
        change = calendar_days.set_day(
            db(),
            station().id,
            day,
            request.form.get("kind", ""),
            request.form.get("name", ""),
            sessions,
            actor=current_user.actor,
        )
    except calendar_days.CalendarDayRefused as refusal:
        return _calendar_page(str(labels.CALENDAR_REFUSALS[refusal.reason]), False, 422)
    _forget_cached_station()
    message = _("%(day)s saved.", day=day.isoformat())
    if change.bookings_on_day:
        message += " " + _(
            "Appointments booked on this day: %(count)s. Please contact those citizens.",
            count=change.bookings_on_day,
        )
    return done(url_for("admin.calendar"), message, ok=not change.bookings_on_day)


@bp.post("/calendar/remove")
def remove_calendar_day():
    day = _day_from_form()
    if day is None:
        abort(400)
    context = station()
    try:
        calendar_days.remove_day(db(), context.id, day, context.settings.calendar_seed_years, actor=current_user.actor)
    except calendar_days.CalendarDayRefused as refusal:
        return _calendar_page(str(labels.CALENDAR_REFUSALS[refusal.reason]), False, 409)
    _forget_cached_station()
    return done(url_for("admin.calendar"), _("%(day)s removed.", day=day.isoformat()))


@bp.post("/calendar/confirm")
def confirm_calendar_year():
    try:
        year = int(request.form.get("year", ""))
    except ValueError:
        abort(400)
    if not dt.MINYEAR <= year <= dt.MAXYEAR:  # no year a date can have
        abort(400)
    confirmed = calendar_days.confirm_year(db(), station().id, year, actor=current_user.actor)
    if not confirmed:
        return _calendar_page(_("%(year)s has no estimated days to confirm.", year=year), False, 409)
    _forget_cached_station()
    message = _("The %(year)s public holidays are confirmed as the station's schedule.", year=year)
    return done(url_for("admin.calendar"), message)
