"""`GET /healthz`: is this server able to work? JSON for load balancers and monitoring."""

from __future__ import annotations

from flask import Blueprint, jsonify

from .. import migrate
from ..db import DatabaseUnavailable
from .common import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    database = {"backend": db().dialect}
    try:
        with db().reading() as session:
            revision = migrate.current_revision(session.connection())
        database |= {"ok": revision == migrate.head_revision(), "revision": revision}
        if not database["ok"]:
            database["error"] = "schema is not current; run 'kiosk init'"
    except DatabaseUnavailable as error:
        database |= {"ok": False, "error": str(error).splitlines()[0]}
    status = 200 if database["ok"] else 503
    return jsonify(status="ok" if database["ok"] else "unavailable", database=database), status
