"""Blueprints, one per audience, and the wiring they share, each concern in its own module:
`errors` (error pages, unreadable input), `sessions` (staff sign-in), `limits` (rate limits),
`display` (template filters and globals), `headers` (security and caching headers), `partial`
(htmx: whole pages or one part of them); the request ids and access lines are kiosk.logs'."""

from __future__ import annotations

from flask import Flask
from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect
from werkzeug.routing import IntegerConverter

from .. import i18n
from . import display, errors, headers, limits, partial, sessions
from .limits import limiter, shared_counting_works

__all__ = ["MAX_ROW_ID", "init_app", "limiter", "shared_counting_works"]

csrf = CSRFProtect()

# The largest row id the database holds (PostgreSQL's integer): a bigger <int:...> in a URL
# matches no route (404) instead of failing in the database.
MAX_ROW_ID = 2**31 - 1


class RowIdConverter(IntegerConverter):
    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ROW_ID)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=i18n.select_locale)
    app.url_map.converters["int"] = RowIdConverter
    app.before_request(errors.refuse_unreadable_input)  # first: before the CSRF check reads the form
    csrf.init_app(app)
    partial.init_app(app)
    sessions.init_app(app)
    limits.init_app(app)
    _register_blueprints(app)
    display.register(app)
    errors.register(app)
    headers.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from . import admin, booking, health, kiosk, photo, staff, staff_case, track, visits

    app.register_blueprint(health.bp)
    app.register_blueprint(kiosk.bp)
    app.register_blueprint(photo.bp)
    app.register_blueprint(photo.staff_bp)
    app.register_blueprint(track.bp, url_prefix="/track")
    app.register_blueprint(booking.bp, url_prefix="/book")
    app.register_blueprint(visits.bp, url_prefix="/staff/visits")
    app.register_blueprint(admin.bp, url_prefix="/staff/admin")
    app.register_blueprint(staff.bp, url_prefix="/staff")
    app.register_blueprint(staff_case.bp, url_prefix="/staff")
