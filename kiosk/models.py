"""The tables (SQLModel). Schema changes go through Alembic migrations in kiosk/migrations/.

Personal fields live on `Applicant` only, all nullable, so the retention purge
can blank them and keep the anonymous case and its audit skeleton.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, Index, LargeBinary, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from .clock import utcnow
from .db import UTCDateTime
from .domain.states import BookingState, PrintState, VisitState


def _created() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class Station(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=12, unique=True)
    name: str = Field(max_length=200)
    province_code: str = Field(max_length=2)
    settings: dict = Field(sa_column=Column(JSON, nullable=False))  # the validated settings document
    settings_text: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))  # as written
    updated_at: dt.datetime = _created()


class CalendarDay(SQLModel, table=True):
    """A station's exceptions to the Monday-Friday week: closures and make-up working days."""

    __table_args__ = (UniqueConstraint("station_id", "day"),)
    id: int | None = Field(default=None, primary_key=True)
    station_id: int = Field(foreign_key="station.id", index=True)
    day: dt.date
    kind: str = Field(max_length=10)  # "closure", "workday", "closed" or "extra" (domain/calendar.py)
    name: str = Field(default="", max_length=100)
    extra_sessions: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]"))
    source: str = Field(default="manual", max_length=10)  # seeded: "package", "estimated"; "confirmed", "manual"


class Applicant(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    id_number: str | None = Field(default=None, max_length=18, index=True)
    name: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=20)
    address: str | None = Field(default=None, max_length=300)
    recipient_name: str | None = Field(default=None, max_length=100)  # who receives a posted card
    # Kept after the purge for anonymous statistics.
    birth_year: int | None = None
    sex: str | None = Field(default=None, max_length=6)
    purged_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)


class Application(SQLModel, table=True):
    __table_args__ = (
        Index("ix_application_queue", "station_id", "state", "queue_rank", "handling_deadline"),
        # The whole open queue in its order: read in index order, filtered by state, stopped at the page size.
        Index("ix_application_queue_order", "station_id", "queue_rank", "handling_deadline", "id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=32, unique=True)
    station_id: int = Field(foreign_key="station.id")
    applicant_id: int = Field(foreign_key="applicant.id", index=True)
    app_type: str = Field(max_length=20)
    state: str = Field(max_length=20)
    refusal_reason: str | None = Field(default=None, max_length=20)  # one of REFUSAL_REASONS, once refused
    out_of_province: bool = False
    registered_province: str = Field(max_length=2)
    commitment: str = Field(max_length=20)
    queue_rank: int
    handling_deadline: dt.date
    materials_deadline: dt.date | None = None
    expected_ready: dt.date | None = None
    fee_yuan: int = 0
    exemption: str = Field(default="none", max_length=20)
    fee_paid: bool = False
    postal_fee_yuan: int = 0
    collection: str = Field(default="station", max_length=10)  # "station" or "post" (fixed at acceptance)
    # What becomes of the old card (kiosk.domain.card_facts.OldCard): "none", "at_collection", and
    # for a posted card "at_acceptance" or "courier" (with the citizen's signed authorisation).
    old_card_handover: str = Field(default="none", max_length=16)
    photo_at_window: bool = False  # staff must still take the photo
    # The secret in the receipt's QR link to the public progress page.
    track_token: str = Field(max_length=24, index=True)
    # Free-text answers that route the case (urgent reason, blocking reason,
    # special group); purged with the applicant's personal data.
    situation: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    channel: str = Field(default="kiosk", max_length=10)
    idempotency_key: str = Field(max_length=64, unique=True)
    created_at: dt.datetime = _created()
    updated_at: dt.datetime = _created()
    closed_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Who works the case now (a claim lapses after inactivity; see services/claims.py).
    claimed_by: int | None = Field(default=None, foreign_key="staffuser.id")
    claimed_until: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    # How far a missed deadline has been escalated: 0 none, 1 holder, 2 supervisor, 3 oversight.
    escalation_level: int = 0
    escalated_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    language: str = Field(default="zh_Hans", max_length=8)  # the citizen's, for messages to them
    # A temporary ID's link to the same person's pending main application (kiosk.domain.temporary_id).
    main_application_id: int | None = Field(default=None, foreign_key="application.id", index=True)


class ApplicationMaterial(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("application_id", "material"),)
    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    material: str = Field(max_length=30)
    held: bool


class AuditEvent(SQLModel, table=True):
    """Append-only: who did what to which application, when, from which state to which, and why."""

    id: int | None = Field(default=None, primary_key=True)
    application_id: int | None = Field(default=None, foreign_key="application.id", index=True)
    at: dt.datetime = _created()
    actor: str = Field(max_length=64)  # "kiosk:330402", "staff:zhang", "system:sweep"
    action: str = Field(max_length=40)
    from_state: str | None = Field(default=None, max_length=20)
    to_state: str | None = Field(default=None, max_length=20)
    reason: str = Field(default="", max_length=500)


class StaffUser(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=40, unique=True)
    display_name: str = Field(max_length=100)
    password_hash: str = Field(max_length=255)
    role: str = Field(max_length=20)  # window, supervisor, visit_officer, admin
    station_id: int = Field(foreign_key="station.id")
    active: bool = True
    failed_logins: int = 0
    locked_until: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: dt.datetime = _created()


class StaffSession(SQLModel, table=True):
    """A staff sign-in, kept on the server: the cookie carries only its random id. Signing out, a
    password change or reset and deactivation end it (`ended_at`); it also ends a fixed time
    after it began, however often the cookie is renewed."""

    id: str = Field(primary_key=True, max_length=64)
    staff_id: int = Field(foreign_key="staffuser.id", index=True)
    created_at: dt.datetime = _created()
    ended_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)


class TrackingFailure(SQLModel, table=True):
    """Failed progress look-ups of one application number (kiosk.services.tracking), counted for
    every worker. Numbers that do not exist are counted alike, so a lock tells nothing of which do."""

    number: str = Field(primary_key=True, max_length=32)
    failures: int = 0
    # Failures count until then; later ones start a new count, and the row may be deleted.
    counted_until: dt.datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    locked_until: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)


class CameraReport(SQLModel, table=True):
    """What a kiosk terminal last said about its camera (kiosk.services.operations), kept in the
    database so that every worker and every app server of the station reports the same."""

    station_id: int = Field(foreign_key="station.id", primary_key=True)
    terminal: str = Field(primary_key=True, max_length=64)  # the terminal's address
    state: str = Field(max_length=16)
    reason: str = Field(default="", max_length=64)
    at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)


class PhotoBlob(SQLModel, table=True):
    """A photo kept in the database (PHOTO_STORE = "database", kiosk.services.photo_store): an
    ID photo or a camera candidate, named as the wizard's answers and ApplicationPhoto.file name it."""

    name: str = Field(primary_key=True, max_length=40)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: dt.datetime = _created()


class DailyCounter(SQLModel, table=True):
    """The last application number handed out per station and local day."""

    station_id: int = Field(foreign_key="station.id", primary_key=True)
    day: dt.date = Field(primary_key=True)
    last: int = 0


class KioskSession(SQLModel, table=True):
    """A citizen's answers between wizard pages, kept on the server (the cookie holds only the token).

    Deleted when the citizen finishes, starts over or walks away; rows idle for
    longer than the kiosk's reset time are ignored and purged.
    """

    token: str = Field(primary_key=True, max_length=64)
    answers: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: dt.datetime = _created()


class Slot(SQLModel, table=True):
    """A bookable time at a station. Capacity is enforced by a conditional update of `booked`."""

    __table_args__ = (
        UniqueConstraint("station_id", "starts_at"),
        CheckConstraint("booked >= 0 AND booked <= capacity", name="slot_within_capacity"),
        CheckConstraint("booked_online >= 0 AND booked_online <= booked", name="slot_online_within_booked"),
        CheckConstraint(
            "booked_home_visit >= 0 AND booked_online + booked_home_visit <= booked",
            name="slot_home_visit_within_booked",
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    station_id: int = Field(foreign_key="station.id")
    starts_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)
    ends_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)
    local_day: dt.date = Field(index=True)
    extended: bool = False  # evening, weekend or holiday service
    capacity: int
    online_capacity: int  # places kept for phone/web bookings until the release time
    home_visit_capacity: int = 0  # places kept for home visits (an officer away from the window)
    booked: int = 0
    booked_online: int = 0
    booked_home_visit: int = 0


class Booking(SQLModel, table=True):
    """An appointment. Personal fields are nullable so the retention purge can blank them."""

    __table_args__ = (
        # One active booking per person per day, enforced by the database.
        Index(
            "ux_booking_person_day",
            "station_id",
            "id_number",
            "local_day",
            unique=True,
            sqlite_where=text(f"state = '{BookingState.BOOKED}'"),
            postgresql_where=text(f"state = '{BookingState.BOOKED}'"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=12, unique=True)  # what the citizen types or scans
    station_id: int = Field(foreign_key="station.id")
    slot_id: int = Field(foreign_key="slot.id", index=True)
    local_day: dt.date
    service: str = Field(max_length=20)  # an application type
    channel: str = Field(max_length=10)  # "online", "kiosk", "staff", "home_visit"
    state: str = Field(default=BookingState.BOOKED.value, max_length=12)  # a BookingState
    name: str | None = Field(default=None, max_length=100)
    id_number: str | None = Field(default=None, max_length=18, index=True)
    phone: str | None = Field(default=None, max_length=20)
    application_id: int | None = Field(default=None, foreign_key="application.id", index=True)
    idempotency_key: str = Field(max_length=64, unique=True)
    created_at: dt.datetime = _created()
    updated_at: dt.datetime = _created()


class BookingSlot(SQLModel, table=True):
    """The further slots a booking of a longer service holds a place in, after its first
    (`Booking.slot_id`); a one-slot booking has none."""

    booking_id: int = Field(foreign_key="booking.id", primary_key=True)
    slot_id: int = Field(foreign_key="slot.id", primary_key=True, index=True)


class PrintJob(SQLModel, table=True):
    """A document to print, and what became of it (kiosk.services.printing): an application's
    receipt, a booking's confirmation, or an officer's round of visit slips (`officer_id` and
    `round_date`).

    `queued` waits for the printer (it was unavailable: `last_error` says why); `printing` is
    being handed over now; `done` was handed to the printer; `failed` could not be rendered.
    """

    __table_args__ = (
        Index("ix_printjob_application_kind", "application_id", "kind"),
        Index("ix_printjob_booking", "booking_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    station_id: int = Field(foreign_key="station.id", index=True)
    application_id: int | None = Field(default=None, foreign_key="application.id")
    booking_id: int | None = Field(default=None, foreign_key="booking.id")
    officer_id: int | None = Field(default=None, foreign_key="staffuser.id")
    round_date: dt.date | None = None
    kind: str = Field(max_length=20)  # "receipt", "booking", "round"
    printer: str = Field(max_length=100)  # "file", "cups:kioskpdf"
    requested_by: str = Field(max_length=64)  # "kiosk:330402", "staff:zhang"
    progress_url: str = Field(max_length=300)  # what the document's QR code carries (receipt, booking)
    state: str = Field(default=PrintState.QUEUED.value, max_length=10, index=True)  # a PrintState
    attempts: int = 0
    last_error: str = Field(default="", max_length=500)
    backend_job: str | None = Field(default=None, max_length=200)  # the printer's job reference
    created_at: dt.datetime = _created()
    updated_at: dt.datetime = _created()


class ApplicationPhoto(SQLModel, table=True):
    """The ID photo taken at the kiosk: a 358 x 441 JPEG under <instance>/photos/ (never served
    statically; `file` is its random name) and the checks it passed (photo.Report.to_dict)."""

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", unique=True)
    file: str = Field(max_length=64, unique=True)
    report: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: dt.datetime = _created()


class Notification(SQLModel, table=True):
    """A message to a citizen (SMS text in their language), queued in the same transaction as
    the change it reports and delivered by the sweep through the configured sender."""

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    event: str = Field(max_length=30)
    phone: str | None = Field(default=None, max_length=20)  # purged with the applicant's data
    text: str = Field(max_length=500)
    state: str = Field(default="queued", max_length=10, index=True)  # queued, sent, failed
    attempts: int = 0
    last_error: str = Field(default="", max_length=300)
    created_at: dt.datetime = _created()
    sent_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)


class Visit(SQLModel, table=True):
    """A home visit (行动不便上门办): assigned to an officer and a date, its outcome recorded
    with the code printed on the visit slip."""

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", unique=True)
    officer_id: int | None = Field(default=None, foreign_key="staffuser.id", index=True)
    visit_date: dt.date | None = Field(default=None, index=True)
    code: str = Field(max_length=8, unique=True)  # printed on the slip as text and QR
    state: str = Field(default=VisitState.ASSIGNED.value, max_length=12)  # a VisitState
    outcome: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    recorded_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: dt.datetime = _created()
