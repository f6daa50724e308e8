from kiosk.services.staff import MAX_FAILED_SIGN_INS
from tests.conftest import LOCAL_ID, STAFF_PASSWORD
from tests.helpers import apply


def submit(client):
    apply(client, app_type="lost", name="李四")


def test_staff_pages_need_sign_in(client):
    response = client.get("/staff/")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]
    assert client.post("/staff/applications/1/approve").status_code == 302


def test_a_kiosk_session_cannot_reach_staff_pages(client):
    submit(client)
    assert client.get("/staff/").status_code == 302


def test_starting_at_the_kiosk_ends_a_staff_session(staff_client):
    staff_client.post("/start")
    assert staff_client.get("/staff/").status_code == 302


def test_wrong_password_is_refused(client, staff_user):
    response = client.post("/staff/login", data={"username": "zhang", "password": "wrong"})
    assert response.status_code == 401
    response = client.post("/staff/login", data={"username": "nobody", "password": "wrong"})
    assert response.status_code == 401


def test_lockout_after_repeated_failures(client, staff_user):
    for _ in range(MAX_FAILED_SIGN_INS):
        client.post("/staff/login", data={"username": "zhang", "password": "wrong"})
    response = client.post("/staff/login", data={"username": "zhang", "password": STAFF_PASSWORD})
    assert response.status_code == 401
    assert "locked" in response.get_data(as_text=True) or "锁定" in response.get_data(as_text=True)


def test_queue_lists_masked_applications_and_approves(staff_client, app):
    submit(app.test_client())  # a kiosk: starting there would end a staff session
    page = staff_client.get("/staff/").get_data(as_text=True)
    assert LOCAL_ID not in page and LOCAL_ID[:6] + "********" in page
    assert "李*" in page
    response = staff_client.post("/staff/applications/1/approve", headers={"HX-Request": "true"})
    assert response.status_code == 200
    fragment = response.get_data(as_text=True)
    assert fragment.startswith('<section id="queue">') and "330402-" in fragment
    assert "application-1" not in fragment
    again = staff_client.post("/staff/applications/1/approve")
    assert again.status_code == 409


def test_approving_an_unknown_application_is_404(staff_client):
    assert staff_client.post("/staff/applications/999/approve").status_code == 404


def test_sign_out(staff_client):
    assert staff_client.post("/staff/logout").status_code == 303
    assert staff_client.get("/staff/").status_code == 302
