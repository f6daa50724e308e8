import datetime as dt
import re

import pytest

from kiosk import create_app
from kiosk.services.tracking import MAX_FAILED_LOOKUPS
from tests.conftest import LOCAL_ID, aware
from tests.helpers import answer_situation, apply, post_step


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


def test_the_number_is_found_without_its_hyphens_in_any_case(client, app):
    apply(client)
    number = _submitted(app).number
    for typed in (number.replace("-", ""), number.replace("-", " "), f" {number.lower()} ", number.replace("-", "－")):
        page = client.post("/track/", data={"number": typed, "phone_tail": "5678"})
        assert page.status_code == 200 and number in page.get_data(as_text=True), typed


def test_wrong_phone_and_unknown_number_get_the_same_answer(client, app):
    client.post("/language", data={"lang": "en"})
    apply(client)
    application = _submitted(app)
    wrong_phone = client.post("/track/", data={"number": application.number, "phone_tail": "0000"})
    unknown = client.post("/track/", data={"number": "330402-200101-9999", "phone_tail": "5678"})
    assert wrong_phone.status_code == unknown.status_code == 422
    assert "We found no application" in wrong_phone.get_data(as_text=True)
    assert "We found no application" in unknown.get_data(as_text=True)


def test_a_card_brought_home_is_not_announced_as_ready_to_collect(client, app):
    from kiosk.domain.states import Action
    from kiosk.services.applications import change_state
    from kiosk.services.station import load_station

    client.post("/language", data={"lang": "en"})
    day = re.search(r'name="dates" value="([\d-]+)"', _visit_page(client))[1]
    visit = {"address": "嘉兴市某某路 1 号", "dates": [day]}
    apply(client, app_type="lost", situation={"can_travel": "no"}, visit=visit)
    application = _submitted(app)
    database = app.extensions["kiosk_db"]
    for action in (Action.APPROVE, Action.START_PRODUCTION, Action.MARK_READY):
        change_state(database, load_station(database, "330402"), application.id, action, actor="staff:zhang")
    page = client.get(f"/track/{application.number}/{application.track_token}").get_data(as_text=True)
    state = page.split('id="history"')[0]
    assert "Ready: an officer brings it to your home" in state and "Ready to collect" not in state


def _visit_page(client) -> str:
    """The visit page of a home-visit case, for the days it offers."""
    client.post("/start")
    post_step(client, "type", {"app_type": "lost"})
    post_step(client, "id_number", {"id_number": LOCAL_ID})
    post_step(client, "name", {"name": "王小明"})
    post_step(client, "registration", {"registered_province": "33"})
    answer_situation(client, {"can_travel": "no"})
    return client.get("/apply/visit").get_data(as_text=True)


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


LOCKED = {
    "zh-CN": "这个申请编号输错的次数太多，10:16 前暂时不能查询。请到时再试，或到窗口咨询。",
    "zh-HK": "這個申請編號輸入錯誤的次數太多，10:16 前暫時未能查詢。請屆時再試，或到窗口諮詢。",
    "en": "There were too many wrong tries with this number, so it cannot be looked up until 10:16.",
}


def _from(address: str) -> dict:
    return {"REMOTE_ADDR": address}


@pytest.mark.parametrize("language", LOCKED)
def test_wrong_digits_from_many_addresses_lock_the_number(client, app, clock, language):
    clock.set(aware(2026, 11, 24, 10) + dt.timedelta(seconds=30))  # locked until 10:15:30, shown as 10:16
    apply(client)
    number = _submitted(app).number
    phone = app.test_client()
    headers = {"Accept-Language": language}
    _lock(phone, number)
    right = phone.post("/track/", data={"number": number, "phone_tail": "5678"}, headers=headers)
    assert right.status_code == 429 and LOCKED[language] in right.get_data(as_text=True)
    other = phone.post("/track/", data={"number": "330402-200101-9999", "phone_tail": "5678"}, headers=headers)
    assert other.status_code == 422, "another number is not locked"


def _lock(client, number: str) -> None:
    """Wrong digits for `number` until it locks, from an address of their own (its limit is not reached)."""
    for tail in range(MAX_FAILED_LOOKUPS):
        guess = {"number": number, "phone_tail": f"{tail:04d}"}
        assert client.post("/track/", data=guess, environ_base=_from(f"198.51.100.{tail}")).status_code == 422


def test_a_locked_number_tells_nothing_of_whether_it_exists(client, app):
    client.post("/language", data={"lang": "en"})
    apply(client)
    real, unknown = _submitted(app).number, "330402-200101-9999"
    _lock(client, real)
    _lock(client, unknown)
    answers = [client.post("/track/", data={"number": number, "phone_tail": "5678"}) for number in (real, unknown)]
    assert [answer.status_code for answer in answers] == [429, 429]
    pages = [
        answer.get_data(as_text=True).replace(number, "N")
        for answer, number in zip(answers, (real, unknown), strict=True)
    ]
    assert pages[0] == pages[1] and "too many wrong tries" in pages[0]


def test_the_count_is_shared_by_every_worker(app_config, app, client):
    """Two apps on one database, as two worker processes of one server (or two servers)."""
    apply(client)
    number = _submitted(app).number
    other_worker = create_app(app_config).test_client()
    for tail in range(MAX_FAILED_LOOKUPS):
        worker = client if tail % 2 else other_worker
        assert worker.post("/track/", data={"number": number, "phone_tail": f"{tail:04d}"}).status_code == 422
    assert client.post("/track/", data={"number": number, "phone_tail": "5678"}).status_code == 429
    assert other_worker.post("/track/", data={"number": number, "phone_tail": "5678"}).status_code == 429


def test_the_receipt_link_still_opens_a_locked_number(client, app):
    apply(client)
    application = _submitted(app)
    _lock(client, application.number)
    page = client.get(f"/track/{application.number}/{application.track_token}")
    assert page.status_code == 200 and application.number in page.get_data(as_text=True)


def test_a_refused_application_says_why_and_what_to_do_next(app, staff_client):
    from sqlmodel import select

    from kiosk.models import Notification

    citizen = app.test_client()
    apply(citizen)
    application = _submitted(app)
    staff_client.get(f"/staff/applications/{application.id}")  # the officer takes the case
    refused = staff_client.post(
        f"/staff/applications/{application.id}/act",
        data={
            "action": "reject",
            "reject_reason": "identity",
            "confirm": "yes",
            "reason": "internal note for colleagues",
        },
        follow_redirects=True,
    )
    assert refused.status_code == 200
    page = citizen.get(f"/track/{application.number}/{application.track_token}").get_data(as_text=True)
    assert "原因：无法核实身份。" in page and "请携带户口簿到窗口" in page
    assert "internal note" not in page  # the staff's note stays behind the glass
    assert "预计办好日期" not in page  # no card is coming
    with app.extensions["kiosk_db"].reading() as session:
        texts = session.exec(select(Notification.text).where(Notification.event == "rejected")).all()
    assert texts == [
        f"您的申请{application.number}审核未通过，原因：无法核实身份。请携带户口簿到窗口，工作人员将与您当面核实身份。"
        "如有疑问请致电0573-82000110。"
    ]
