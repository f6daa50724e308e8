from tests.helpers import apply


def _submitted(app):
    from sqlmodel import select

    from kiosk.models import Application

    with app.extensions["kiosk_db"].reading() as session:
        return session.exec(select(Application)).one()


def test_lookup_with_number_and_phone(client, app):
    apply(client)
    application = _submitted(app)
    page = client.post("/track/", data={"number": application.number, "phone_tail": "5678"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert application.number in text and 'id="state"' in text and 'id="history"' in text
    assert "13812345678" not in text


def test_wrong_phone_and_unknown_number_get_the_same_answer(client, app):
    client.post("/language", data={"lang": "en"})
    apply(client)
    application = _submitted(app)
    wrong_phone = client.post("/track/", data={"number": application.number, "phone_tail": "0000"})
    unknown = client.post("/track/", data={"number": "330402-200101-9999", "phone_tail": "5678"})
    assert wrong_phone.status_code == unknown.status_code == 422
    assert "We found no application" in wrong_phone.get_data(as_text=True)
    assert "We found no application" in unknown.get_data(as_text=True)


def test_the_qr_link_opens_the_status(client, app):
    apply(client)
    application = _submitted(app)
    page = client.get(f"/track/{application.number}/{application.track_token}")
    assert page.status_code == 200 and application.number in page.get_data(as_text=True)
    forged = client.get(f"/track/{application.number}/not-the-token")
    assert forged.status_code == 302


def test_guessing_is_rate_limited(client, app):
    statuses = [
        client.post("/track/", data={"number": f"330402-261124-{n:04d}", "phone_tail": "1234"}).status_code
        for n in range(12)
    ]
    assert statuses[:10] == [422] * 10
    assert statuses[10:] == [429, 429]
