"""Two stations in one database, each with its own app server and staff of every role, and a
case, a booking and a home visit at each: what an attacker from one station would aim at."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kiosk import create_app
from kiosk.domain.access import Role
from kiosk.domain.catalogue import ApplicationType
from kiosk.domain.id_number import parse_id_number
from kiosk.models import Application, Booking, StaffUser, Visit
from kiosk.routes import limiter
from kiosk.services import booking as bookings
from kiosk.services import visits
from kiosk.services.applications import submit_application
from kiosk.services.assessment import NewApplication
from kiosk.services.staff import create_staff
from kiosk.services.station import DEMO_STATION_FILE, install_station, load_station, parse_settings_text
from tests import when
from tests.conftest import make_id

CODES = ("330402", "330411")
PASSWORD = "a long enough password"


@dataclass
class StationWorld:
    """One station: its server, its staff by role, one case of each kind, a booking."""

    code: str
    app: Flask
    staff: dict[Role, StaffUser] = field(default_factory=dict)
    case: Application | None = None  # a submitted case with a name, phone and address
    visit_case: Application | None = None  # a home-visit case given to this station's visit officer
    visit: Visit | None = None
    booking: Booking | None = None
    applicant_name: str = ""
    applicant_id_number: str = ""

    def client(self, role: Role | None = None) -> FlaskClient:
        """A browser on this station's server, signed in as its staff member of `role`."""
        client = self.app.test_client()
        if role is not None:
            user = self.staff[role]
            response = client.post("/staff/login", data={"username": user.username, "password": PASSWORD})
            assert response.status_code == 303, response.get_data(as_text=True)[:500]
        return client


def without_csrf_token(response) -> str:
    """A page as text with its CSRF token (different in every session) blanked."""
    return re.sub(r'("X-CSRFToken": "|name="csrf_token" value=")[^"]+', r"\1", response.get_data(as_text=True))


def _install_second_station(database) -> None:
    text = DEMO_STATION_FILE.read_text(encoding="utf-8").replace('code = "330402"', 'code = "330411"')
    doc, settings = parse_settings_text(text, DEMO_STATION_FILE)
    install_station(database, doc, settings, text)


def _populate(world: StationWorld, database, n: int) -> None:
    station = load_station(database, world.code)
    for role in Role:
        world.staff[role] = create_staff(
            database,
            station_code=world.code,
            username=f"{role.value}_{world.code}",
            display_name=f"{role.value} {world.code}",
            role=role,
            password=PASSWORD,
        )
    world.applicant_id_number = make_id(f"33040219800315{n:03d}")
    world.applicant_name = f"甄{'甲乙'[n - 1]}某"
    world.case = submit_application(
        database,
        station,
        NewApplication(
            id_number=parse_id_number(world.applicant_id_number),
            app_type=ApplicationType.LOST,
            registered_province="33",
            idempotency_key=uuid.uuid4().hex,
            name=world.applicant_name,
            phone=f"1390000{n:04d}",
            address=f"浙江省嘉兴市南湖区秘密路 {n} 号",
        ),
        actor="kiosk",
    )
    world.visit_case = submit_application(
        database,
        station,
        NewApplication(
            id_number=parse_id_number(make_id(f"33040219500101{n:03d}")),
            app_type=ApplicationType.LOST,
            registered_province="33",
            idempotency_key=uuid.uuid4().hex,
            name="访某",
            phone=f"1370000{n:04d}",
            cannot_travel=True,
            collection="visit",
            address=f"浙江省嘉兴市南湖区访问路 {n} 号",
            visit_dates=(when.visit_day(database, station),),
        ),
        actor="kiosk",
    )
    world.visit = visits.assign(
        database,
        station,
        world.visit_case.id,
        world.staff[Role.VISIT_OFFICER].id,
        when.visit_day(database, station),
        actor="test",
    )
    slot = when.free_times(database, station, "online")[-1]
    world.booking = bookings.book(
        database,
        station,
        slot_id=slot.id,
        service="lost",
        channel="online",
        id_number=parse_id_number(world.applicant_id_number),
        name=world.applicant_name,
        phone=f"1390000{n:04d}",
        idempotency_key=uuid.uuid4().hex,
        actor="test",
    )


@pytest.fixture
def stations(app_config, database, tmp_path) -> tuple[StationWorld, StationWorld]:
    """Station A (330402) and station B (330411) in one database, each served by its own app."""
    _install_second_station(database)
    worlds = []
    for n, code in enumerate(CODES, start=1):
        config = app_config | {"STATION_CODE": code, "INSTANCE_PATH": str(tmp_path / f"instance-{code}")}
        world = StationWorld(code, create_app(config))
        _populate(world, database, n)
        worlds.append(world)
    limiter.reset()
    yield tuple(worlds)
    for world in worlds:
        world.app.extensions["kiosk_db"].dispose()
