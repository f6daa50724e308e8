"""`GET /healthz`: is this server able to work? JSON for load balancers and monitoring.

503 only when the database cannot be used, read or written: nothing works without it. Low disk
space, a printer that is not taking jobs (or documents waiting for it), a kiosk camera that did
not start and a rate-limit store (Redis) that does not answer make the status "degraded" with
200, so a load balancer keeps sending people to this server. Nothing personal is reported:
counts, states and the kiosk terminals' addresses.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from collections.abc import Callable

from flask import Blueprint, current_app, jsonify

from printing import PrinterUnavailable

from .. import PUBLIC_URL_UNSET, migrate
from ..clock import utcnow
from ..db import DatabaseUnavailable
from ..services import operations
from . import shared_counting_works
from .common import StationMissing, db, printer, public_base_url, public_url_unset, station

bp = Blueprint("health", __name__)

# Asking CUPS (lpstat) costs a process: its answer is kept this long, per worker.
PRINTER_CHECK_SECONDS = 30
# A trial write waits for its turn among the writers: its answer is kept briefly, per worker.
WRITE_CHECK_SECONDS = 10


@bp.get("/healthz")
def healthz():
    checks = {"database": _database()}
    checks["disk"] = _disk()
    checks["printer"] = _printer(queue=checks["database"]["ok"])
    checks["camera"] = _camera(known=checks["database"]["ok"])
    checks["limits"] = _limits()
    if not checks["database"]["ok"]:
        return jsonify(status="unavailable", public_url=_public_url(), **checks), 503
    status = "ok" if all(check["ok"] for check in checks.values()) else "degraded"
    return jsonify(status=status, public_url=_public_url(), **checks), 200


def _database() -> dict:
    database = {"backend": db().dialect}
    try:
        with db().reading() as session:
            revision = migrate.current_revision(session.connection())
    except DatabaseUnavailable as error:
        return database | {"ok": False, "error": _first_line(error)}
    current = revision == migrate.head_revision()
    write_problem = _kept("database_write", WRITE_CHECK_SECONDS, _write_problem)
    database |= {"ok": current and write_problem is None, "revision": revision, "writable": write_problem is None}
    if not current:
        database["error"] = "schema is not current; run 'kiosk init'"
    elif write_problem:
        database["error"] = f"cannot be written: {write_problem}"
    return database


def _write_problem() -> str | None:
    try:
        operations.check_writable(db())
    except DatabaseUnavailable as error:
        return _first_line(error)
    return None


def _disk() -> dict:
    """Free space where the photos, prints and (embedded) database are kept."""
    usage = shutil.disk_usage(current_app.instance_path)
    minimum = int(current_app.config["DISK_MIN_FREE_MB"]) * 1024 * 1024
    return {
        "ok": usage.free >= minimum,
        "free_bytes": usage.free,
        "free_percent": round(100 * usage.free / usage.total, 1),
        "min_free_bytes": minimum,
    }


def _printer(queue: bool) -> dict:
    """Whether the printer takes jobs now (cached briefly), and this station's jobs waiting for it
    or recently failed (when the database can be asked)."""
    named = printer()

    def printer_problem() -> str | None:
        try:
            named.backend.check()
        except PrinterUnavailable as unavailable:
            return str(unavailable) or "printer unavailable"
        return None

    problem = _kept(f"printer {named.name}", PRINTER_CHECK_SECONDS, printer_problem)
    report = {"backend": named.name, "available": problem is None}
    if problem:
        report["error"] = problem
    if not queue:
        return report | {"ok": False}
    try:
        jobs = operations.print_queue(db(), station().id)
    except (StationMissing, DatabaseUnavailable) as error:
        return report | {"ok": False, "queue_error": _first_line(error)}
    oldest = jobs.oldest_queued
    report |= {
        "queued": jobs.queued,
        "oldest_queued_seconds": round((utcnow() - oldest).total_seconds()) if oldest else None,
        "failed_last_day": jobs.failed_recently,
    }
    return report | {"ok": report["available"] and jobs.queued == 0}


def _camera(known: bool) -> dict:
    """Each kiosk terminal's last camera report: `working` (refreshed while hints flow) or
    `no_camera` with the browser's reason, and how long ago. Kept in the database: unknown while
    it cannot be read (which makes the whole server unavailable anyway)."""
    if not known:
        return {"ok": True, "terminals": {}}
    try:
        reports = operations.camera_status(db(), station().id)
    except (StationMissing, DatabaseUnavailable):
        return {"ok": True, "terminals": {}}
    now = utcnow()
    terminals = {}
    for address, entry in reports.items():
        report = {"state": entry.get("state"), "reason": entry.get("reason", ""), "at": entry.get("at")}
        try:
            report["age_seconds"] = round((now - dt.datetime.fromisoformat(entry["at"])).total_seconds())
        except (KeyError, TypeError, ValueError):
            report["age_seconds"] = None
        terminals[address] = report
    return {
        "ok": all(report["state"] != operations.NO_CAMERA for report in terminals.values()),
        "terminals": terminals,
    }


def _public_url() -> dict:
    """Where printed QR codes point (for information: it changes no status). Unset, the address each
    request came to, which at the kiosk's own browser is 127.0.0.1: out of a phone's reach."""
    report = {"configured": not public_url_unset(), "qr_codes_point_to": public_base_url()}
    if public_url_unset():
        report["warning"] = PUBLIC_URL_UNSET
    return report


def _limits() -> dict:
    """Whether the store counting the rate limits answers: without it (Redis down) staff cannot
    sign in and the kiosk's limits count per worker process."""
    storage = current_app.config["RATELIMIT_STORAGE_URI"].split(":", 1)[0]
    return {"ok": shared_counting_works(), "storage": storage}


def _kept(name: str, seconds: float, find_problem: Callable[[], str | None]) -> str | None:
    """`find_problem()`'s answer (None: no problem), asked again after `seconds`, per worker."""
    cache = current_app.extensions.setdefault("kiosk_health_checks", {})
    checked = cache.get(name)
    if checked is None or time.monotonic() - checked[0] >= seconds:
        checked = cache[name] = (time.monotonic(), find_problem())
    return checked[1]


def _first_line(error: Exception) -> str:
    return str(error).splitlines()[0]
