"""Error pages: translated, in the kiosk's style, with a way back; never the framework's bare page."""

from __future__ import annotations

import pytest

from kiosk.services.staff import Role, create_staff


def test_a_missing_kiosk_page_says_so_in_the_chosen_language_with_a_way_back(client):
    page = client.get("/apply/no-such-step")
    text = page.get_data(as_text=True)
    assert page.status_code == 404
    assert "没有这个页面" in text and 'href="/" id="home"' in text and 'lang="zh-Hans"' in text
    assert "Not Found" not in text
    client.post("/language", data={"lang": "en"})
    assert "There is no such page" in client.get("/no-such-page").get_data(as_text=True)


def test_a_wrong_method_is_a_page_too(client):
    page = client.put("/")
    assert page.status_code == 405 and "提交的内容无法处理" in page.get_data(as_text=True)


def test_a_staff_member_is_sent_back_to_their_own_pages(app, database):
    create_staff(
        database, station_code="330402", username="li", display_name="李", role=Role.VISIT_OFFICER, password="x" * 12
    )
    officer = app.test_client()
    assert "返回登录" in officer.get("/staff/no-such-page").get_data(as_text=True)  # not signed in
    officer.post("/staff/login", data={"username": "li", "password": "x" * 12})
    page = officer.get("/staff/no-such-page").get_data(as_text=True)
    assert "返回我的工作页面" in page and 'href="/staff/visits/round"' in page


@pytest.fixture
def failing_app(app):
    @app.get("/fails-for-the-test")
    def _fails():
        raise RuntimeError("a bug")

    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the error page, not the traceback
    return app


def test_a_failure_on_our_side_gets_a_page_not_a_traceback(failing_app):
    page = failing_app.test_client().get("/fails-for-the-test")
    text = page.get_data(as_text=True)
    assert page.status_code == 500 and "系统出现故障" in text and "a bug" not in text and "Traceback" not in text
