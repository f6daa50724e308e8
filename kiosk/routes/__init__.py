"""Blueprints, one per audience, and the wiring they share."""

from __future__ import annotations

import datetime as dt
import time

from flask import Flask, g, request, session
from flask_babel import Babel
from flask_babel import gettext as _
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from werkzeug.routing import IntegerConverter

from .. import i18n
from ..db import DatabaseUnavailable
from ..domain.access import Permission
from ..services.staff import session_user
from . import errors
from .common import StationMissing, db, staff_home, staff_may, station

csrf = CSRFProtect()
# A shared store (Redis) that cannot be reached: the kiosk's limits fall back to counting in the
# worker's memory (fail open, the hall keeps working) until the store answers again; staff sign-ins
# are refused instead (fail closed, see `shared_counting_works`).
limiter = Limiter(key_func=get_remote_address, default_limits=[], swallow_errors=True, in_memory_fallback_enabled=True)
login_manager = LoginManager()

# Scripts, styles, pictures and requests only from this server; no inline script or style (the
# templates have none, and htmx is told not to add its indicator style), no eval, no plugins, no
# framing. The camera preview is a MediaStream (srcObject), which needs no media source.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; media-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
PERMISSIONS_POLICY = "camera=(self), microphone=(), geolocation=()"


# The largest row id the database holds (PostgreSQL's integer): a bigger <int:...> in a URL
# matches no route (404) instead of failing in the database.
MAX_ROW_ID = 2**31 - 1


def shared_counting_works() -> bool:
    """Whether the store counting the limits answers now (the worker's memory always does)."""
    return bool(limiter.storage.check())


class RowIdConverter(IntegerConverter):
    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ROW_ID)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=i18n.select_locale)
    app.url_map.converters["int"] = RowIdConverter

    @app.before_request
    def _refuse_unreadable_input():
        """A NUL character (which PostgreSQL cannot store) or a form field without a name comes
        from no page of ours: refused before anything, the CSRF check included, reads it."""
        fields = [*request.args.items(multi=True), *request.form.items(multi=True)]
        names = [name for name, _ in fields]
        texts = [*names, *(value for _, value in fields), *(request.view_args or {}).values()]
        if None in names or any(isinstance(text, str) and "\x00" in text for text in texts):
            message = _("Something in what was sent could not be read. Please go back and try again.")
            return errors.error_page(message, 400)
        return None

    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "staff.sign_in"
    login_manager.login_message = None
    app.permanent_session_lifetime = dt.timedelta(hours=int(app.config["STAFF_SESSION_HOURS"]))

    @login_manager.user_loader
    def _load_staff(session_id: str):
        """The cookie names a session kept on the server: only a live one of this station counts."""
        from .staff import StaffPrincipal

        user = session_user(db(), session_id, station_id=station().id, lifetime=app.permanent_session_lifetime)
        return StaffPrincipal(user, session_id) if user else None

    timeout = float(app.config["RATELIMIT_STORAGE_TIMEOUT_SECONDS"])
    app.config["RATELIMIT_STORAGE_OPTIONS"] = {
        "key_prefix": app.config["RATELIMIT_KEY_PREFIX"],
        "socket_timeout": timeout,
        "socket_connect_timeout": timeout,
    }
    limiter.init_app(app)

    from . import admin, booking, display, health, kiosk, photo, staff, track, visits

    app.register_blueprint(health.bp)
    app.register_blueprint(kiosk.bp)
    app.register_blueprint(photo.bp)
    app.register_blueprint(photo.staff_bp)
    app.register_blueprint(track.bp, url_prefix="/track")
    app.register_blueprint(booking.bp, url_prefix="/book")
    app.register_blueprint(visits.bp, url_prefix="/staff/visits")
    app.register_blueprint(admin.bp, url_prefix="/staff/admin")
    app.register_blueprint(staff.bp, url_prefix="/staff")

    display.register(app)
    errors.register(app)

    @app.context_processor
    def _staff_permissions():
        return {"may": staff_may, "Permission": Permission, "staff_home": staff_home}

    @app.context_processor
    def _kiosk_display():
        """The idle timer (read by kiosk.js) and the large-text choice, on every page."""
        try:
            settings = station().settings
            idle = {"idle": settings.idle_seconds, "countdown": settings.countdown_seconds}
        except (StationMissing, DatabaseUnavailable):
            idle = None  # an error page still renders; it has no timer
        return {"idle": idle, "large_text": bool(session.get("large"))}

    @app.after_request
    def _server_timing(response):
        # The server's own time for this request (the clock starts in kiosk.logs), for
        # monitoring and bench/wizard_bench.py.
        started = g.get("request_started")
        if started is not None:
            response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.2f}"
        return response

    @app.after_request
    def _no_store(response):
        # Pages, exports, photos and answers carry personal data: only the static files may be
        # kept by a browser or a proxy.
        if request.endpoint != "static":
            response.headers["Cache-Control"] = "no-store"
        if response.mimetype == "text/html":
            response.vary.add("HX-Request")
        return response

    @app.after_request
    def _security_headers(response):
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"  # progress links carry their token
        response.headers["Permissions-Policy"] = PERMISSIONS_POLICY
        return response
