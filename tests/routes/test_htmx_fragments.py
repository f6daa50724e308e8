"""One URL, a whole page or a part of it (htmx): the typing checks of the keypad fields answer
with their message and save nothing, the queue answers with itself only when htmx aims at it,
and the camera page, to a boosted link, asks to be loaded whole."""

from __future__ import annotations

from tests.conftest import LOCAL_ID
from tests.helpers import walk_to_check


def _typing(client, step: str, field: str, value: str):
    return client.post(
        f"/apply/{step}",
        data={field: value},
        headers={"HX-Request": "true", "HX-Trigger-Name": field, "HX-Target": f"{field}-feedback"},
    )


def test_the_phone_is_checked_as_typed_and_nothing_is_saved(client):
    walk_to_check(client, phone="13812345678")
    partial = _typing(client, "contact", "phone", "1381234")
    assert partial.status_code == 200
    html = partial.get_data(as_text=True)
    assert html.strip().startswith('<p id="phone-feedback"') and "7 位，共 11 位" in html
    wrong = _typing(client, "contact", "phone", "12345678901").get_data(as_text=True)
    assert "field-error" in wrong and "手机号码" in wrong
    right = _typing(client, "contact", "phone", "13900001111").get_data(as_text=True)
    assert 'class="typing-feedback ok"' in right
    assert "5678" in client.get("/apply/check").get_data(as_text=True)  # the number given before stays


def test_the_id_number_is_checked_on_its_own_step_only(client):
    client.post("/start")
    client.post("/apply/type", data={"app_type": "lost"})
    assert "✓" in _typing(client, "id_number", "id_number", LOCAL_ID).get_data(as_text=True)
    assert "✓" in _typing(client, "id_number", "id_number", "330402491231002").get_data(as_text=True)  # 15 digits
    assert "14 位，共 18 位" in _typing(client, "id_number", "id_number", "33040249123100").get_data(as_text=True)
    assert "You entered" not in client.get("/apply/id_number").get_data(as_text=True)  # nothing saved
    # A field the step does not have is no typing check: the step's form is answered as a whole.
    assert _typing(client, "id_number", "phone", "13812345678").status_code == 422


def test_the_queue_answers_with_itself_only_when_htmx_aims_at_it(staff_client, app):
    walk_to_check(app.test_client())
    whole = staff_client.get("/staff/", headers={"HX-Request": "true", "HX-Boosted": "true"}).get_data(as_text=True)
    assert whole.lstrip().startswith("<!doctype html>")  # a boosted link gets the page
    part = staff_client.get("/staff/?page=2", headers={"HX-Request": "true", "HX-Target": "queue"})
    assert part.get_data(as_text=True).strip().startswith('<section id="queue"')
    assert "HX-Request" in part.headers["Vary"]


def test_the_camera_page_asks_a_boosted_link_to_load_it_whole(client):
    walk_to_check(client)
    boosted = client.get("/apply/photo/camera", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert boosted.headers["HX-Redirect"].endswith("/apply/photo/camera") and not boosted.get_data()
    assert client.get("/apply/photo/camera").status_code == 200


def test_a_typing_check_after_the_kiosk_forgot_the_person_takes_the_whole_page_to_the_start(client):
    client.post("/start")
    client.post("/apply/type", data={"app_type": "lost"})
    client.post("/reset")  # what the idle reset does while someone is typing
    check = _typing(client, "id_number", "id_number", "3304")
    assert check.status_code == 200 and not check.get_data()  # nothing put under the field
    start = client.get(check.headers["HX-Location"])
    assert start.status_code == 200 and "id_number" not in check.headers["HX-Location"]


def test_the_queue_refresh_after_signing_out_takes_the_whole_page_to_sign_in(staff_client):
    staff_client.post("/staff/logout")
    refresh = staff_client.get("/staff/", headers={"HX-Request": "true", "HX-Target": "queue"})
    assert refresh.status_code == 200 and not refresh.get_data()
    assert "/staff/login" in refresh.headers["HX-Location"]
    # A boosted link follows the redirect itself and shows the page it leads to.
    boosted = staff_client.get("/staff/", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert boosted.status_code == 302 and "HX-Location" not in boosted.headers
