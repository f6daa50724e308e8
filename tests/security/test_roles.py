"""Every staff page tried as every role against the role × permission table (kiosk.domain.access,
shown in docs/security.md): a page a role lacks is 403; one it has is answered (any status but 403)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kiosk.domain.access import PERMISSIONS, Permission, Role
from kiosk.models import PrintJob
from kiosk.services.printing import Subject, request_print
from tests import when
from tests.security.conftest import PASSWORD

P = Permission
# What each staff endpoint needs. A new staff page fails the first test until it is listed here.
NEEDS: dict[str, Permission | None] = {
    "staff.sign_out": None,  # any signed-in staff member
    "staff.queue": P.QUEUE,
    "staff_case.case": P.VIEW_CASE,  # or the visit officer's own visit: see the test below
    "staff_case.case_action": P.WORK_CASE,
    "staff_case.forward": P.WORK_CASE,
    "staff_case.import_answer": P.WORK_CASE,
    "staff_case.register": P.WORK_CASE,
    "staff_case.retake": P.WORK_CASE,
    "staff_case.fee_paid": P.WORK_CASE,
    "staff_case.photo_taken": P.WORK_CASE,
    "staff_case.temporary_id": P.WORK_CASE,
    "staff_case.release": P.WORK_CASE,
    "staff_case.print_receipt": P.WORK_CASE,
    "staff.dashboard": P.OVERSEE,
    "staff.export": P.OVERSEE,
    "staff.overdue": P.OVERSEE,
    "staff.notification_log": P.MESSAGES,
    "staff.prints": P.PRINTS,
    "staff.print_again": P.PRINTS,
    "staff_photos.staff_photo": P.VIEW_CASE,
    "staff_photos.staff_photo_jpeg": P.VIEW_CASE,
    "visits.board": P.ASSIGN_VISITS,
    "visits.assign": P.ASSIGN_VISITS,
    "visits.my_round": P.VISIT,
    "visits.print_round": P.VISIT,
    "visits.record": P.VISIT,
    "admin.account_list": P.ADMINISTER,
    "admin.create_account": P.ADMINISTER,
    "admin.change_account": P.ADMINISTER,
    "admin.settings": P.ADMINISTER,
    "admin.calendar": P.ADMINISTER,
    "admin.set_calendar_day": P.ADMINISTER,
    "admin.remove_calendar_day": P.ADMINISTER,
    "admin.confirm_calendar_year": P.ADMINISTER,
    "staff_case.sign_off": P.SIGN_OFF,
}
PUBLIC = {"staff.sign_in", "staff.sign_in_submit"}
STAFF_BLUEPRINTS = ("staff", "staff_case", "staff_photos", "visits", "admin")


def _staff_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] in STAFF_BLUEPRINTS and rule.endpoint not in PUBLIC:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method


def test_every_staff_page_says_what_it_needs(stations):
    a, _b = stations
    assert {rule.endpoint for rule, _ in _staff_routes(a.app)} == set(NEEDS)


def test_the_documented_table_is_the_one_enforced():
    """docs/security.md's table, read back, is kiosk.domain.access.PERMISSIONS."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "security.md").read_text(encoding="utf-8")
    header = next(line for line in text.splitlines() if line.startswith("| permission |"))
    roles = [cell.strip().strip("`") for cell in header.strip("|").split("|")[1:] if "`" in cell]
    documented = {Role(role): set() for role in roles}
    for line in text.splitlines():
        match = re.match(r"\| `(\w+)` \|", line)
        if match and match[1] in {p.value for p in Permission}:
            marks = [cell.strip() for cell in line.strip().strip("|").split("|")[1:]][: len(roles)]
            for role, mark in zip(roles, marks, strict=True):
                if mark == "✓":
                    documented[Role(role)].add(Permission(match[1]))
    assert documented == {role: set(permissions) for role, permissions in PERMISSIONS.items()}


def _url(rule, a, job_id: int) -> str:
    values = {"application_id": a.case.id, "user_id": a.staff[Role.WINDOW].id, "job_id": job_id}
    return re.sub(r"<int:(\w+)>", lambda m: str(values[m[1]]), rule.rule)


@pytest.mark.parametrize("role", list(Role))
def test_each_role_opens_exactly_the_pages_of_its_job(stations, database, role, tmp_path):
    a, _b = stations
    from kiosk.services.printing import NamedPrinter
    from kiosk.services.station import load_station
    from printing import FilePrinter

    station = load_station(database, a.code)
    printer = NamedPrinter("file", FilePrinter(tmp_path / "prints"))
    request_print(database, Subject.receipt(station.id, a.case.id), "test", printer, "http://x/track")
    with database.reading() as session:
        job_id = session.exec(PrintJob.__table__.select()).first().id
    client = a.client(role)
    granted = PERMISSIONS[role]
    for rule, method in _staff_routes(a.app):
        if rule.endpoint == "staff.sign_out":
            continue
        needed = NEEDS[rule.endpoint]
        url = _url(rule, a, job_id)
        response = client.get(url) if method == "GET" else client.post(url, data={})
        if needed in granted:
            assert response.status_code != 403, (role, method, url)
        elif rule.endpoint == "staff_case.case":
            assert response.status_code == 404, (role, url)  # a case one may not open does not exist
        else:
            assert response.status_code == 403, (role, method, url, response.status_code)


def test_a_visit_officer_opens_only_the_cases_of_their_own_visits_and_takes_no_claim(stations, database):
    from kiosk.models import Application

    a, _b = stations
    officer = a.client(Role.VISIT_OFFICER)
    assert officer.get(f"/staff/applications/{a.case.id}").status_code == 404
    page = officer.get(f"/staff/applications/{a.visit_case.id}")
    assert page.status_code == 200 and "访问路" in page.get_data(as_text=True)
    assert officer.post(f"/staff/applications/{a.visit_case.id}/act", data={"action": "approve"}).status_code == 403
    with database.reading() as session:
        case = session.get(Application, a.visit_case.id)
        assert case.claimed_by is None and case.state == "submitted"


def test_a_visit_officer_records_only_their_own_visits(stations, database, clock):
    from kiosk.services.staff import create_staff
    from kiosk.services.station import load_station

    a, _b = stations
    # A visit is recorded on its day or after (not before it happened).
    clock.set(when.local(load_station(database, a.code), a.visit.visit_date, 10))
    create_staff(
        database, station_code=a.code, username="t_vo2", display_name="赵", role=Role.VISIT_OFFICER, password=PASSWORD
    )
    colleague = a.app.test_client()
    colleague.post("/staff/login", data={"username": "t_vo2", "password": PASSWORD})
    assert (
        colleague.post(
            "/staff/visits/record", data={"code": a.visit.code, "nobody_home": "1"}, follow_redirects=True
        ).status_code
        == 422
    )
    own = a.client(Role.VISIT_OFFICER).post(
        "/staff/visits/record", data={"code": a.visit.code, "photo_taken": "1"}, follow_redirects=True
    )
    assert own.status_code == 200


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        (Role.WINDOW, "/staff/"),
        (Role.SUPERVISOR, "/staff/"),
        (Role.VISIT_OFFICER, "/staff/visits/round"),
        (Role.ADMIN, "/staff/admin/accounts"),
    ],
)
def test_each_role_starts_on_the_page_of_its_job(stations, role, landing):
    a, _b = stations
    user = a.staff[role]
    response = a.app.test_client().post("/staff/login", data={"username": user.username, "password": PASSWORD})
    assert response.headers["Location"].endswith(landing)
