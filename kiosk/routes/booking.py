"""Appointments from a phone browser or the kiosk: choose a service, a day, a time; change,
cancel and check in with the booking code."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass

import icalendar
from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from .. import i18n, labels
from ..clock import utcnow
from ..domain.catalogue import ApplicationType
from ..domain.contact import InvalidMobile, parse_mobile
from ..domain.fields import InvalidField, one_line, parse_person_name
from ..domain.id_number import IdNumber, InvalidIdNumber, parse_id_number
from ..models import Booking
from ..services import attendance, slot_times
from ..services import booking as bookings
from ..services.applications import ApplicationNotFound, get_application
from ..services.booking import BookingRefused, SlotTaken
from ..services.printing import Subject, request_print
from . import MAX_ROW_ID, limiter
from .common import db, field_message, from_kiosk_terminal, printer, public_base_url, qr_svg, station
from .partial import typing_checked, typing_feedback

bp = Blueprint("booking", __name__)

_CODE = re.compile(r"^\d{8}$")


def _channel() -> str:
    """Kiosk terminals (known addresses) book walk-in places; everyone else books online."""
    return "kiosk" if from_kiosk_terminal() else slot_times.ONLINE


def _service() -> str:
    service = request.values.get("service", "")
    if service not in {t.value for t in ApplicationType}:
        abort(400)
    return service


def _refusal_message(refusal: BookingRefused) -> str:
    settings = station().settings
    return str(labels.BOOKING_REFUSALS[refusal.reason]) % {
        "date": refusal.until or "",
        "hours": settings.booking.cancel_notice_hours,
        "phone": settings.hotline,
    }


@dataclass(frozen=True)
class Person:
    name: str
    id_number: IdNumber
    phone: str


def _just_applied() -> Person | None:
    """The person of the application just submitted in this browser (the done page's "book a
    time"): the booking takes their details instead of asking again. Gone with the idle reset,
    which clears the session."""
    application_id = session.get("done")
    if application_id is None:
        return None
    try:
        application, applicant = get_application(db(), application_id)
        id_number = parse_id_number(applicant.id_number or "")
        phone = parse_mobile(applicant.phone or "")
    except (ApplicationNotFound, InvalidIdNumber, InvalidMobile):
        return None
    if application.station_id != station().id or not applicant.name:
        return None
    return Person(applicant.name, id_number, phone)


# Fields checked as they are typed (htmx), with the number of characters a whole answer has.
TYPED_FIELDS = {"id_number": 18, "phone": 11}


def _person_from_form(values: dict[str, str], errors: dict[str, str]) -> Person | None:
    """The details typed in, or None with `errors` filled in."""
    try:
        name = parse_person_name(values["name"])
    except InvalidField as error:
        errors["name"] = field_message(error, _("Please enter your name as it is on your household register."))
    try:
        id_number = parse_id_number(values["id_number"], today=station().today())
    except InvalidIdNumber as error:
        errors["id_number"] = str(labels.ID_NUMBER_ERRORS[error.reason])
    try:
        phone = parse_mobile(values["phone"])
    except InvalidMobile as error:
        errors["phone"] = str(labels.MOBILE_ERRORS[error.reason])
    return None if errors else Person(name, id_number, phone)


@bp.get("/")
def choose_service():
    return render_template("booking/service.html", changing=session.get("changing"))


@bp.get("/days")
def choose_day():
    context, service = station(), _service()
    days = slot_times.bookable_free_slots(db(), context, channel=_channel(), service=service)
    return render_template("booking/days.html", service=service, days=days)


@bp.get("/slots")
def choose_slot():
    context, service = station(), _service()
    try:
        day = dt.date.fromisoformat(request.args.get("day", ""))
    except ValueError:
        abort(400)
    slots = slot_times.bookable_free_slots(db(), context, channel=_channel(), service=service, day=day).get(day, [])
    return render_template("booking/slots.html", service=service, day=day, slots=slots)


@bp.route("/details", methods=["GET", "POST"])
def details():
    service = _service()
    slot_id = request.values.get("slot", type=int)
    if slot_id is None or not 0 < slot_id <= MAX_ROW_ID:
        abort(400)
    if session.get("changing"):
        return _change_to(slot_id)
    known = _just_applied()
    values = {k: one_line(request.form.get(k)) for k in ("name", "id_number", "phone")}
    errors: dict[str, str] = {}
    if request.method == "POST" and not known and (field := typing_checked(TYPED_FIELDS)):
        _person_from_form(values, errors)
        return typing_feedback(field, TYPED_FIELDS[field], errors.get(field))
    if request.method == "POST":
        person = known or _person_from_form(values, errors)
        if person is not None:
            try:
                booking = bookings.book(
                    db(),
                    station(),
                    slot_id=slot_id,
                    service=service,
                    channel=_channel(),
                    id_number=person.id_number,
                    name=person.name,
                    phone=person.phone,
                    idempotency_key=request.form.get("idempotency_key", "")[:64] or uuid.uuid4().hex,
                    actor=f"{_channel()}:booking",
                    application_id=session.get("done"),  # booked from the kiosk's done page
                )
            except SlotTaken as taken:
                return render_template(
                    "booking/slots.html", service=service, day=None, slots=taken.alternatives, taken=True
                ), 409
            except BookingRefused as refusal:
                errors["slot"] = _refusal_message(refusal)
            else:
                session["booking"] = booking.id
                return redirect(url_for("booking.confirmation"), 303)
    return render_template(
        "booking/details.html",
        service=service,
        slot_id=slot_id,
        chosen=bookings.chosen_time(db(), station(), slot_id, service, _channel()),
        known=known,
        at_kiosk=from_kiosk_terminal(),
        values=values,
        errors=errors,
        idempotency_key=request.form.get("idempotency_key") or uuid.uuid4().hex,
    ), (422 if errors else 200)


def _own_booking():
    booking_id = session.get("booking")
    if booking_id is None:
        abort(404)
    with db().reading() as s:
        booking = s.get(Booking, booking_id)
    if booking is None or booking.station_id != station().id:
        abort(404)
    return booking


def _confirmation_page(print_result: str | None = None):
    booking = _own_booking()
    slot = slot_times.slot_of(db(), booking, station())
    return render_template(
        "booking/confirmation.html",
        booking=booking,
        slot=slot,
        qr=qr_svg(booking.code),
        can_print=_channel() == "kiosk",  # the station's printer stands beside the kiosk, not the phone
        print_result=print_result,
    )


@bp.get("/confirmation")
def confirmation():
    return _confirmation_page()


@bp.post("/confirmation/print")
def print_confirmation():
    """The kiosk prints the confirmation once, however often the button is tapped."""
    if _channel() != "kiosk":
        abort(403)
    booking = _own_booking()
    outcome = request_print(
        db(),
        Subject.booking(booking.station_id, booking.id),
        actor=f"kiosk:{station().settings.code}",
        printer=printer(),
        url=public_base_url() + url_for("booking.manage"),
    )
    return _confirmation_page(print_result="printed" if outcome.printed else "unavailable")


@bp.get("/appointment.ics")
def calendar_file():
    booking = _own_booking()
    context = station()
    slot = slot_times.slot_of(db(), booking, context)
    # icalendar folds long lines and escapes commas, semicolons and newlines (RFC 5545), also in Chinese.
    event = icalendar.Event()
    event.add("uid", f"{booking.code}@{context.settings.code}")
    event.add("dtstamp", utcnow())
    event.add("dtstart", slot.starts.astimezone(dt.UTC))
    event.add("dtend", slot.ends.astimezone(dt.UTC))
    event.add("summary", _("ID card appointment %(code)s", code=booking.code))
    event.add("location", f"{context.settings.name_in(i18n.current_language())} {context.settings.address}")
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//kiosk//appointment//ZH")
    calendar.add("version", "2.0")
    calendar.add_component(event)
    response = Response(calendar.to_ical(), mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="appointment-{booking.code}.ics"'
    return response


@bp.route("/manage", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["TRACK_RATE_LIMIT"], methods=["POST"])
def manage():
    errors: dict[str, str] = {}
    code = re.sub(r"\D", "", request.form.get("code", ""))  # typed with or without spaces or hyphens
    if request.method == "POST":
        tail = re.sub(r"\D", "", request.form.get("phone_tail", ""))
        booking = bookings.find_booking(db(), station(), code, tail) if _CODE.match(code) else None
        if booking is None:
            errors["code"] = _("We found no booking with this code and phone. Please check both.")
        else:
            session["booking"] = booking.id
            return redirect(url_for("booking.manage_one"), 303)
    return render_template("booking/manage.html", errors=errors, code=code, at_kiosk=from_kiosk_terminal()), (
        422 if errors else 200
    )


def _may_change(booking: Booking, slot: slot_times.SlotView) -> bool:
    return booking.state == "booked" and not bookings.too_late_to_change(station(), slot.starts)


def _booking_page(booking: Booking, *, error: str = "", message: str | None = None, confirm_cancel=False, status=200):
    """The citizen's booking. Inside the notice the change and cancel buttons give way to the
    station's phone number, before any day or time is chosen."""
    slot = slot_times.slot_of(db(), booking, station())
    may_change = _may_change(booking, slot)
    if booking.state == "booked" and not may_change:
        error = error or _refusal_message(BookingRefused("notice"))
    return render_template(
        "booking/booking.html",
        booking=booking,
        slot=slot,
        may_change=may_change,
        confirm_cancel=confirm_cancel,
        error=error,
        message=message,
    ), status


@bp.get("/manage/booking")
def manage_one():
    return _booking_page(_own_booking(), message=request.args.get("m"))


@bp.get("/manage/cancel")
def confirm_cancel():
    """Cancelling asks once more, on a page of its own (no script needed)."""
    return _booking_page(_own_booking(), confirm_cancel=True)


@bp.post("/manage/cancel")
def cancel():
    booking = _own_booking()
    try:
        bookings.cancel(db(), station(), booking.id, actor="online:manage")
    except BookingRefused as refusal:
        return _booking_page(booking, error=_refusal_message(refusal), status=409)
    return redirect(url_for("booking.manage_one", m="cancelled"), 303)


@bp.post("/manage/change")
def start_change():
    booking = _own_booking()
    if not _may_change(booking, slot_times.slot_of(db(), booking, station())):
        return _booking_page(booking, status=409)  # refused now, not after a day and a time are picked
    session["changing"] = booking.id
    return redirect(url_for("booking.choose_day", service=booking.service), 303)


def _change_to(slot_id: int):
    booking = _own_booking()
    context = station()
    session.pop("changing", None)
    try:
        bookings.change(db(), context, booking.id, slot_id, actor="online:manage")
    except SlotTaken as taken:
        session["changing"] = booking.id
        return render_template(
            "booking/slots.html", service=booking.service, day=None, slots=taken.alternatives, taken=True
        ), 409
    except BookingRefused as refusal:
        return _booking_page(booking, error=_refusal_message(refusal), status=409)
    return redirect(url_for("booking.manage_one", m="changed"), 303)


@bp.route("/check-in", methods=["GET", "POST"])
# Guessing codes: refused check-ins count per client address (a kiosk checks many people in).
@limiter.limit(
    lambda: current_app.config["CHECK_IN_RATE_LIMIT"],
    methods=["POST"],
    deduct_when=lambda response: response.status_code == 422,
)
def check_in():
    errors: dict[str, str] = {}
    if request.method == "POST":
        code = re.sub(r"\D", "", request.form.get("code", ""))
        try:
            booking = attendance.check_in(db(), station(), code, actor=f"{_channel()}:check-in")
        except BookingRefused as refusal:
            errors["code"] = _refusal_message(refusal)
        else:
            slot = slot_times.slot_of(db(), booking, station())
            return render_template("booking/checked_in.html", booking=booking, slot=slot)
    return render_template("booking/check_in.html", errors=errors), (422 if errors else 200)
