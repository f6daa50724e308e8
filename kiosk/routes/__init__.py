"""Blueprints, one per audience, and the wiring they share."""

from __future__ import annotations

import datetime as dt

from flask import Flask, render_template
from flask_babel import Babel
from flask_babel import gettext as _
from flask_login import LoginManager
from flask_wtf.csrf import CSRFError, CSRFProtect

from .. import i18n
from ..db import DatabaseUnavailable
from ..domain.masking import mask_id_number, mask_name
from ..services.staff import get_staff
from .common import StationMissing, db

csrf = CSRFProtect()
login_manager = LoginManager()


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=i18n.select_locale)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "staff.sign_in"
    login_manager.login_message = None
    app.permanent_session_lifetime = dt.timedelta(hours=int(app.config["STAFF_SESSION_HOURS"]))

    @login_manager.user_loader
    def _load_staff(user_id: str):
        from .staff import StaffPrincipal

        user = get_staff(db(), int(user_id))
        return StaffPrincipal(user) if user else None

    from . import health, kiosk, staff

    app.register_blueprint(health.bp)
    app.register_blueprint(kiosk.bp)
    app.register_blueprint(staff.bp, url_prefix="/staff")

    app.jinja_env.filters.update(mask_id=mask_id_number, mask_name=mask_name)
    app.jinja_env.globals.update(
        LANGUAGES=i18n.LANGUAGES,
        APPLICATION_TYPES=i18n.APPLICATION_TYPES,
        COMMITMENTS=i18n.COMMITMENTS,
        STATES=i18n.STATES,
        html_lang=i18n.html_lang,
        current_language=i18n.current_language,
    )

    @app.errorhandler(DatabaseUnavailable)
    def _database_unavailable(error):
        app.logger.warning("database unavailable: %s", error)
        message = _("The system is busy and nothing was saved. Please wait a moment and try again.")
        return render_template("error.html", message=message), 503

    @app.errorhandler(StationMissing)
    def _station_missing(error):
        app.logger.error("%s", error)
        return render_template("error.html", message=_("This kiosk is not set up yet. Please ask at the window.")), 503

    @app.errorhandler(CSRFError)
    def _csrf_error(error):
        message = _("This page was open too long. Please start again.")
        return render_template("error.html", message=message), 400

    @app.after_request
    def _no_store(response):
        # Pages carry personal data: never keep them in the browser cache.
        if response.mimetype == "text/html":
            response.headers["Cache-Control"] = "no-store"
            response.vary.add("HX-Request")
        return response
