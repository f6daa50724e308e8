"""Many stations in one database: nothing of station B can be seen or changed from station A,
and what is refused is answered as if it did not exist (404), echoing no personal data."""

from __future__ import annotations

import io
import json

import pytest
from sqlmodel import select

from kiosk.domain.access import Role
from kiosk.models import AuditEvent, Booking
from tests.security.conftest import PASSWORD, without_csrf_token


def _personal_data_of(world) -> list[str]:
    return [world.applicant_name, world.applicant_id_number, "秘密路", world.booking.phone]


def _audit_actions(database, application_id: int) -> list[str]:
    with database.reading() as session:
        return list(session.exec(select(AuditEvent.action).where(AuditEvent.application_id == application_id)))


def test_an_administrator_cannot_touch_another_stations_account(stations):
    a, b = stations
    admin = a.client(Role.ADMIN)
    victim = b.staff[Role.WINDOW]
    for change in ("password", "deactivate", "unlock"):
        response = admin.post(f"/staff/admin/accounts/{victim.id}", data={"change": change})
        assert response.status_code == 404, change
    b.client(Role.WINDOW)  # the old password still works: nothing changed


def test_staff_sign_in_only_on_their_own_stations_server(stations):
    a, b = stations
    other = b.app.test_client()
    user = a.staff[Role.WINDOW]
    refused = other.post("/staff/login", data={"username": user.username, "password": PASSWORD})
    wrong = other.post("/staff/login", data={"username": user.username, "password": "not the password"})
    assert refused.status_code == wrong.status_code == 401
    assert without_csrf_token(refused) == without_csrf_token(wrong)  # nothing tells them apart

    # A session cookie of station A carried to B's server is no session there.
    signed_in = a.client(Role.WINDOW)
    cookie = signed_in.get_cookie("session")
    other.set_cookie("session", cookie.value)
    assert other.get("/staff/").status_code == 302
    assert other.get(f"/staff/applications/{b.case.id}").status_code == 302


CASE_POSTS = [
    ("act", {"action": "reject"}),  # no reason
    ("act", {"action": "collect"}),  # no old-card answer
    ("act", {"action": "post"}),  # no tracking number
    ("act", {"action": "request_materials", "deadline": "yesterday"}),
    ("register", {"cause": "records", "follow_up": "bad"}),
    ("retake", {}),
    ("fee-paid", {}),
    ("release", {}),
    ("forward", {}),
    ("print-receipt", {}),
]


@pytest.mark.parametrize(("path", "form"), CASE_POSTS, ids=[f"{p}:{f.get('action', '')}" for p, f in CASE_POSTS])
def test_no_case_action_reaches_another_station(stations, database, path, form):
    a, b = stations
    attacker = a.client(Role.SUPERVISOR)
    before = _audit_actions(database, b.case.id)
    response = attacker.post(f"/staff/applications/{b.case.id}/{path}", data=form)
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert not [item for item in _personal_data_of(b) if item in page]
    assert _audit_actions(database, b.case.id) == before


def test_a_malformed_answer_file_for_another_stations_case_is_404(stations):
    a, b = stations
    upload = {"package": (io.BytesIO(json.dumps({"nonsense": 1}).encode()), "answer.json")}
    response = a.client(Role.WINDOW).post(f"/staff/applications/{b.case.id}/answer", data=upload)
    assert response.status_code == 404 and b.applicant_name not in response.get_data(as_text=True)


def test_a_refused_action_on_ones_own_case_is_audited_as_a_view(stations, database):
    a, _b = stations
    officer = a.client(Role.WINDOW)
    officer.get(f"/staff/applications/{a.case.id}")
    views = _audit_actions(database, a.case.id).count("view")
    response = officer.post(f"/staff/applications/{a.case.id}/act", data={"action": "reject"})
    assert response.status_code == 422
    assert a.applicant_name in response.get_data(as_text=True)  # the case page, with why it was refused
    assert _audit_actions(database, a.case.id).count("view") == views + 1


def test_other_stations_objects_are_not_found_on_any_staff_page(stations):
    a, b = stations
    supervisor, admin, officer = a.client(Role.SUPERVISOR), a.client(Role.ADMIN), a.client(Role.VISIT_OFFICER)
    assert supervisor.get(f"/staff/applications/{b.case.id}").status_code == 404
    assert supervisor.get(f"/staff/photos/{b.case.id}").status_code == 404
    day = b.visit.visit_date.isoformat()
    assigned = supervisor.post(
        f"/staff/visits/{b.visit_case.id}/assign", data={"day": day, "officer": b.staff[Role.VISIT_OFFICER].id}
    )
    assert assigned.status_code == 404
    own_officer = {"day": day, "officer": b.staff[Role.VISIT_OFFICER].id}
    assert supervisor.post(f"/staff/visits/{a.visit_case.id}/assign", data=own_officer).status_code == 404
    for client, url in ((supervisor, "/staff/"), (supervisor, "/staff/overdue"), (admin, "/staff/admin/accounts")):
        page = client.get(url).get_data(as_text=True)
        assert not [item for item in _personal_data_of(b) if item in page], url
        assert b.staff[Role.WINDOW].username not in page, url
    recorded = officer.post("/staff/visits/record", data={"code": b.visit.code, "photo_taken": "1"})
    assert recorded.status_code == 422


def test_the_message_log_shows_only_this_stations_messages(stations, database):
    from kiosk.models import Notification

    a, b = stations
    with database.reading() as session:
        texts = {n.application_id: n.text for n in session.exec(select(Notification))}
    page = a.client(Role.WINDOW).get("/staff/notifications").get_data(as_text=True)
    assert texts[a.case.id] in page and texts[b.case.id] not in page


def test_a_booking_is_managed_only_at_its_own_station(stations, database):
    a, b = stations
    phone = {"REMOTE_ADDR": "203.0.113.7"}
    citizen = a.app.test_client()
    found = citizen.post(
        "/book/manage", data={"code": b.booking.code, "phone_tail": b.booking.phone[-4:]}, environ_base=phone
    )
    assert found.status_code == 422
    assert citizen.post("/book/manage/cancel", environ_base=phone).status_code in (303, 404)
    with database.reading() as session:
        assert session.get(Booking, b.booking.id).state == "booked"
    at_home = b.app.test_client().post(
        "/book/manage", data={"code": b.booking.code, "phone_tail": b.booking.phone[-4:]}, environ_base=phone
    )
    assert at_home.status_code == 303  # at its own station it is found


@pytest.mark.parametrize("role", list(Role))
def test_every_staff_url_with_another_stations_ids_is_refused(stations, database, role, tmp_path):
    """The URL map's staff routes, each with station B's ids, as each role of station A."""
    import re

    from kiosk.models import PrintJob
    from kiosk.services.printing import NamedPrinter, Subject, request_print
    from kiosk.services.station import load_station
    from printing import FilePrinter

    a, b = stations
    printer = NamedPrinter("file", FilePrinter(tmp_path / "prints"))
    request_print(database, Subject.receipt(load_station(database, b.code).id, b.case.id), "test", printer, "http://x")
    with database.reading() as session:
        job_id = session.exec(select(PrintJob.id)).one()
    ids = {"application_id": b.case.id, "user_id": b.staff[Role.WINDOW].id, "job_id": job_id}
    client = a.client(role)
    tried = 0
    staff_pages = ("staff", "staff_case", "staff_photos", "visits", "admin")
    for rule in a.app.url_map.iter_rules():
        if "<int:" not in rule.rule or rule.endpoint.split(".")[0] not in staff_pages:
            continue
        url = re.sub(r"<int:(\w+)>", lambda m: str(ids[m[1]]), rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.get(url) if method == "GET" else client.post(url, data={})
            assert response.status_code in (403, 404), (role, method, url, response.status_code)
            page = response.get_data(as_text=True)
            assert not [item for item in _personal_data_of(b) if item in page], (role, url)
            tried += 1
    assert tried >= 10
    with database.reading() as session:
        assert session.get(PrintJob, job_id).attempts == 1  # B's document was not printed again
