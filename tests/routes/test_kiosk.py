import re

import pytest
from sqlalchemy import func
from sqlmodel import select

from kiosk.models import Application
from tests.conftest import JIANGXI_ID, LOCAL_ID, make_id


def form(**overrides):
    data = {
        "id_number": LOCAL_ID,
        "app_type": "renewal_expiry",
        "name": "王小明",
        "registered_province": "33",
        "idempotency_key": "k" * 32,
    }
    return data | overrides


def applications(app):
    with app.extensions["kiosk_db"].reading() as session:
        return session.exec(select(func.count()).select_from(Application)).one()


def test_the_kiosk_page_asks_for_number_type_and_province(client):
    page = client.get("/").get_data(as_text=True)
    assert 'name="id_number"' in page and 'name="app_type"' in page and 'name="registered_province"' in page
    assert 'lang="zh-Hans"' in page
    assert re.search(r'name="idempotency_key" value="[0-9a-f]{32}"', page)


def test_submit_shows_the_done_page_with_masked_data(client, app):
    response = client.post("/apply", data=form())
    assert response.status_code == 303
    done = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "330402-" in done
    assert LOCAL_ID not in done and LOCAL_ID[:6] + "********" + LOCAL_ID[-4:] in done
    assert "王小明" not in done and "王*明" in done
    assert applications(app) == 1


@pytest.mark.parametrize(
    ("number", "reason_words"),
    [
        ("1234", "18"),
        ("99010519491231002X", "province"),
        ("110105194902300021", "date of birth"),
        ("110105194912310021", "does not add up"),
    ],
)
def test_each_bad_id_number_gets_its_own_message(client, app, number, reason_words):
    client.post("/language", data={"lang": "en"})
    response = client.post("/apply", data=form(id_number=number))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert reason_words in page
    assert 'class="error-summary"' in page and 'href="#id_number"' in page
    assert applications(app) == 0


def test_messages_are_translated(client):
    page = client.post("/apply", data=form(id_number="1234")).get_data(as_text=True)
    assert "身份证号码" in page  # default language: Simplified Chinese
    client.post("/language", data={"lang": "zh_Hant"})
    page = client.post("/apply", data=form(id_number="1234")).get_data(as_text=True)
    assert "身份證號碼" in page


def test_missing_choices_are_reported_next_to_their_field(client):
    page = client.post("/apply", data=form(app_type="", registered_province="99")).get_data(as_text=True)
    assert 'href="#app_type"' in page and 'href="#registered_province"' in page


def test_a_double_tap_creates_one_application(client, app):
    first = client.post("/apply", data=form(idempotency_key="double-tap-key"))
    second = client.post("/apply", data=form(idempotency_key="double-tap-key"))
    assert first.status_code == second.status_code == 303
    assert applications(app) == 1


def test_refused_case_explains_what_to_do(client, app):
    client.post("/language", data={"lang": "en"})
    page = client.post("/apply", data=form(id_number=make_id("81000019900101001"))).get_data(as_text=True)
    assert "residence permit" in page
    assert applications(app) == 0


def test_out_of_province_case_is_accepted(client, app):
    response = client.post("/apply", data=form(id_number=JIANGXI_ID, app_type="first", registered_province="36"))
    assert response.status_code == 303


def test_start_over_forgets_the_citizen(client):
    client.post("/apply", data=form())
    assert client.get("/done").status_code == 200
    client.post("/start-over")
    assert client.get("/done").status_code == 302


def test_pages_are_not_cached(client):
    response = client.get("/")
    assert response.headers["Cache-Control"] == "no-store"
    assert "HX-Request" in response.headers["Vary"]


def test_a_locked_database_gives_a_translated_message_and_saves_nothing(client, app, database_url):
    from tests.services.test_applications import _hold_write_lock

    app.extensions["kiosk_db"].dispose()
    from kiosk.db import Database, make_engine

    app.extensions["kiosk_db"] = Database(make_engine(database_url, busy_timeout_ms=300))
    client.get("/")  # warm the station cache before the lock
    release = _hold_write_lock(database_url)
    try:
        response = client.post("/apply", data=form(idempotency_key="locked-web-key"))
    finally:
        release()
    assert response.status_code == 503
    assert "系统繁忙" in response.get_data(as_text=True)
    assert applications(app) == 0
    assert client.post("/apply", data=form(idempotency_key="locked-web-key")).status_code == 303
    assert applications(app) == 1


def test_csrf_is_enforced(app_config, database):
    from kiosk import create_app

    app = create_app(app_config | {"WTF_CSRF_ENABLED": True})
    response = app.test_client().post("/apply", data=form())
    assert response.status_code == 400
