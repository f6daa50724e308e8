"""Helpers the blueprints share: the database, this server's station, the clock."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from io import BytesIO

import qrcode
import qrcode.image.svg
from flask import abort, current_app, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import labels
from ..db import Database
from ..domain.access import Permission, Role, may
from ..domain.fields import InvalidField
from ..models import Applicant, Application
from ..services.applications import ApplicationNotFound, get_application
from ..services.photo_store import PhotoStore
from ..services.printing import NamedPrinter, printer_from_config
from ..services.station import StationContext, load_station, station_codes


class StationMissing(RuntimeError):
    pass


def db() -> Database:
    return current_app.extensions["kiosk_db"]


def photo_store() -> PhotoStore:
    """Where this server keeps photos (PHOTO_STORE): the instance folder or the database."""
    return current_app.extensions["kiosk_photos"]


def station() -> StationContext:
    """This server's station (KIOSK_STATION_CODE, or the only one), cached for a short while."""
    cache = current_app.extensions.setdefault("kiosk_station_cache", {})
    ttl = float(current_app.config["STATION_CACHE_SECONDS"])
    cached = cache.get("station")
    if cached and time.monotonic() - cached[0] < ttl:
        return cached[1]
    code = current_app.config["STATION_CODE"]
    if not code:
        codes = station_codes(db())
        if len(codes) != 1:
            raise StationMissing(
                "no station in the database; run 'kiosk init'"
                if not codes
                else "several stations in the database; set KIOSK_STATION_CODE"
            )
        code = codes[0]
    context = load_station(db(), code)
    if context is None:
        raise StationMissing(f"station {code} is not in the database; run 'kiosk init'")
    cache["station"] = (time.monotonic(), context)
    return context


def from_kiosk_terminal() -> bool:
    """Whether this request comes from one of the station's kiosk terminals (KIOSK_ADDRESSES)."""
    return request.remote_addr in current_app.config["KIOSK_ADDRESSES"]


def printer() -> NamedPrinter:
    """The printer this server prints to (PRINTER_BACKEND, PRINTER_QUEUE)."""
    return printer_from_config(current_app.config, current_app.instance_path)


def print_outcome_message(printed: bool) -> tuple[str, bool]:
    """What staff are told after sending a document to the printer, and whether it went well."""
    if printed:
        return _("Sent to the printer."), True
    return _("The printer is not working. The document waits in the queue."), False


def public_base_url() -> str:
    """The address printed QR codes point to: PUBLIC_URL, else the one this request came to (at the
    kiosk's own browser 127.0.0.1, which no phone reaches: see `public_url_unset`)."""
    return (current_app.config["PUBLIC_URL"] or request.url_root).rstrip("/")


def public_url_unset() -> bool:
    return not current_app.config["PUBLIC_URL"]


def track_url(application: Application) -> str:
    """The public progress page of an application, as printed in its QR code."""
    path = url_for("track.by_link", number=application.number, token=application.track_token)
    return public_base_url() + path


def qr_svg(data: str) -> str:
    """An inline SVG QR code (error correction M, quiet zone of 4 modules)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, box_size=10)
    code.add_data(data)
    out = BytesIO()
    code.make_image(image_factory=qrcode.image.svg.SvgPathImage).save(out)
    svg = out.getvalue().decode()
    return svg[svg.index("<svg") :]  # drop the XML declaration for inline use


def requires(permission: Permission) -> Callable:
    """A staff view: signed in (else the sign-in page) and with `permission` by role (else 403)."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        @login_required
        def checked(*args, **kwargs):
            if not may(current_user.user.role, permission):
                abort(403)
            return view(*args, **kwargs)

        return checked

    return decorate


def staff_may(permission: Permission) -> bool:
    """For templates: whether the signed-in staff member has `permission`."""
    return current_user.is_authenticated and may(current_user.user.role, permission)


# Where each role starts after signing in: the page of its job.
LANDING_PAGES = {
    Role.WINDOW: "staff.queue",
    Role.SUPERVISOR: "staff.queue",
    Role.VISIT_OFFICER: "visits.my_round",
    Role.ADMIN: "admin.account_list",
}


def staff_home() -> str:
    """The signed-in staff member's start page."""
    return url_for(LANDING_PAGES[Role(current_user.user.role)])


def field_message(error: InvalidField, missing: str) -> str:
    """What to tell the person about a refused field: `missing` in the field's own words, else the
    rule it broke."""
    if error.reason == "missing":
        return missing
    return str(labels.FIELD_ERRORS[error.reason]) % {"count": error.limit}


def station_application(application_id: int) -> tuple[Application, Applicant]:
    """An application of this server's station with its applicant; 404 for any other, or none."""
    try:
        application, applicant = get_application(db(), application_id)
    except ApplicationNotFound:
        abort(404)
    if application.station_id != station().id:
        abort(404)
    return application, applicant
