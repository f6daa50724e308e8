"""The tables (SQLModel). Schema changes go through Alembic migrations in kiosk/migrations/.

Personal fields live on `Applicant` only, all nullable, so the retention purge
can blank them and keep the anonymous case and its audit skeleton.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from .db import UTCDateTime, utcnow


def _created() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class Station(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=12, unique=True)
    name: str = Field(max_length=200)
    province_code: str = Field(max_length=2)
    settings: dict = Field(sa_column=Column(JSON, nullable=False))  # the validated settings document
    updated_at: dt.datetime = _created()


class CalendarDay(SQLModel, table=True):
    """A station's exceptions to the Monday-Friday week: closures and make-up working days."""

    __table_args__ = (UniqueConstraint("station_id", "day"),)
    id: int | None = Field(default=None, primary_key=True)
    station_id: int = Field(foreign_key="station.id", index=True)
    day: dt.date
    kind: str = Field(max_length=10)  # "closure" or "workday"
    name: str = Field(default="", max_length=100)
    source: str = Field(default="manual", max_length=10)  # "package" (seeded) or "manual" (edited)


class Applicant(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    id_number: str | None = Field(default=None, max_length=18, index=True)
    name: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=20)
    address: str | None = Field(default=None, max_length=300)
    # Kept after the purge for anonymous statistics.
    birth_year: int | None = None
    sex: str | None = Field(default=None, max_length=6)
    purged_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)


class Application(SQLModel, table=True):
    __table_args__ = (Index("ix_application_queue", "station_id", "state", "queue_rank", "handling_deadline"),)
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=32, unique=True)
    station_id: int = Field(foreign_key="station.id")
    applicant_id: int = Field(foreign_key="applicant.id", index=True)
    app_type: str = Field(max_length=20)
    state: str = Field(max_length=20)
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
