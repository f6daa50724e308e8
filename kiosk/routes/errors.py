"""Error pages: translated, in the kiosk's style, each with a way back (the start, or the staff
member's own pages), never the framework's bare English page."""

from __future__ import annotations

from flask import Flask, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..db import DatabaseUnavailable
from .common import StationMissing, staff_home


def error_page(message: str, status: int):
    home, home_label = _way_back()
    return render_template("error.html", message=message, home=home, home_label=home_label), status


def refuse_unreadable_input():
    """A NUL character (which PostgreSQL cannot store) or a form field without a name comes
    from no page of ours: refused before anything, the CSRF check included, reads it."""
    fields = [*request.args.items(multi=True), *request.form.items(multi=True)]
    names = [name for name, _value in fields]
    texts = [*names, *(value for _name, value in fields), *(request.view_args or {}).values()]
    if None in names or any(isinstance(text, str) and "\x00" in text for text in texts):
        message = _("Something in what was sent could not be read. Please go back and try again.")
        return error_page(message, 400)
    return None


def _way_back() -> tuple[str, str]:
    if request.path.startswith("/staff"):
        try:
            if current_user.is_authenticated:
                return staff_home(), _("Back to my pages")
        except (DatabaseUnavailable, StationMissing):
            pass  # who is signed in cannot be told now: the sign-in page will say
        return url_for("staff.sign_in"), _("Back to sign in")
    return url_for("kiosk.welcome"), _("Back to the start")


def _http_error_message(code: int) -> str:
    if code == 404:
        return _("There is no such page. Please go back and start again.")
    if code == 403:
        return _("This page is not open to you.")
    if code == 429:
        return _("Too many tries. Please wait a minute and try again, or ask at the window.")
    if code == 413:
        return _("What was sent is too large. Please go back and try again, or ask at the window.")
    if code >= 500:
        return _("Something went wrong on our side and nothing was saved. Please try again, or ask at the window.")
    return _("Something in what was sent could not be used. Please go back and try again.")


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error  # redirects raised by routing are not errors
        return error_page(_http_error_message(error.code), error.code)

    @app.errorhandler(DatabaseUnavailable)
    def _database_unavailable(error):
        current_app.logger.warning("database unavailable: %s", error)
        return error_page(_("The system is busy and nothing was saved. Please wait a moment and try again."), 503)

    @app.errorhandler(StationMissing)
    def _station_missing(error):
        current_app.logger.error("%s", error)
        return error_page(_("This kiosk is not set up yet. Please ask at the window."), 503)

    @app.errorhandler(CSRFError)
    def _csrf_error(error):
        return error_page(_("This page was open too long. Please start again."), 400)
