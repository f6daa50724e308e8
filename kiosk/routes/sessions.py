"""Staff sign-in sessions: the cookie names a session kept on the server (kiosk.services.staff)."""

from __future__ import annotations

import datetime as dt

from flask import Flask, current_app
from flask_login import LoginManager

from ..services.staff import session_user
from .common import db, station

login_manager = LoginManager()
login_manager.login_view = "staff.sign_in"
login_manager.login_message = None


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    app.permanent_session_lifetime = dt.timedelta(hours=int(app.config["STAFF_SESSION_HOURS"]))


@login_manager.user_loader
def _load_staff(session_id: str):
    """Only a live session of this station counts."""
    from .staff import StaffPrincipal

    lifetime = current_app.permanent_session_lifetime
    user = session_user(db(), session_id, station_id=station().id, lifetime=lifetime)
    return StaffPrincipal(user, session_id) if user else None
