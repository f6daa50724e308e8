"""The case page at the window (issue 17): what approval waits for, a confirmed refusal, a return
naming the missing items, a temporary ID applied for at the window, and the case told in words.

Two stations share the database: station 330411 has a case of its own, which nothing here shows
or touches."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlmodel import select

from kiosk.models import Application, ApplicationPhoto
from kiosk.services.applications import get_application
from tests.conftest import aware
from tests.helpers import apply

FRIDAY_EVENING = aware(2026, 12, 4, 21) + dt.timedelta(minutes=28)  # the hall closed at 20:00
MONDAY = dt.date(2026, 12, 7)


@pytest.fixture
def app_config(app_config):
    """This server serves station 330402: with two stations in the database it must be told which."""
    return app_config | {"STATION_CODE": "330402"}


def _ours(database) -> int:
    """The id of this station's (330402's) latest case."""
    with database.reading() as session:
        return session.exec(
            select(Application.id).where(Application.number.startswith("330402-")).order_by(Application.id.desc())
        ).first()


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_approval_production_and_ready_wait_for_the_photo_and_the_fee(staff_client, app, database):
    apply(app.test_client(), app_type="lost", name="李四")  # 40 yuan, photo to be taken at the window
    page = _text(staff_client.get("/staff/applications/1"))
    assert "尚缺 还没有照片（请在窗口拍照并登记）、尚未缴费" in page
    refused = staff_client.post("/staff/applications/1/act", data={"action": "approve"}, follow_redirects=True)
    assert refused.status_code == 409
    assert "暂不能办理：还没有照片（请在窗口拍照并登记）、尚未缴费。" in _text(refused)
    assert staff_client.post("/staff/applications/1/photo-taken", follow_redirects=True).status_code == 200
    assert "暂不能办理：尚未缴费。" in _text(
        staff_client.post("/staff/applications/1/act", data={"action": "approve"}, follow_redirects=True)
    )
    assert staff_client.post("/staff/applications/1/fee-paid", follow_redirects=True).status_code == 200
    assert (
        staff_client.post("/staff/applications/1/act", data={"action": "approve"}, follow_redirects=True).status_code
        == 200
    )
    assert get_application(database, 1)[0].state == "approved"


def test_a_fee_exemption_is_respected_and_a_kiosk_photo_is_enough_until_a_retake(staff_client, app, database):
    apply(app.test_client(), app_type="renewal_change", name="李四", situation={"exemption": "minimum_income"})
    with database.transaction() as session:
        session.add(ApplicationPhoto(application_id=1, file="a" * 32, report={"checks": []}))
    with database.transaction() as session:  # as if the kiosk had taken it
        session.get(Application, 1).photo_at_window = False
    staff_client.get("/staff/applications/1")
    assert get_application(database, 1)[0].fee_yuan == 0
    staff_client.post(
        "/staff/applications/1/retake", data={"reason": "反光"}, follow_redirects=True
    )  # the kiosk's photo is not usable
    refused = staff_client.post("/staff/applications/1/act", data={"action": "approve"}, follow_redirects=True)
    assert refused.status_code == 409 and "暂不能办理：还没有照片（请在窗口拍照并登记）。" in _text(refused)
    staff_client.post("/staff/applications/1/photo-taken", follow_redirects=True)
    assert (
        staff_client.post("/staff/applications/1/act", data={"action": "approve"}, follow_redirects=True).status_code
        == 200
    )


def test_a_refusal_is_confirmed_and_a_refused_case_takes_no_fee(staff_client, app, database):
    apply(app.test_client(), app_type="lost", name="李四")
    page = staff_client.get("/staff/applications/1").get_data(as_text=True)
    assert 'id="confirm-refusal"' in page and 'id="fee-paid"' in page
    unconfirmed = staff_client.post(
        "/staff/applications/1/act", data={"action": "reject", "reject_reason": "duplicate"}
    )
    assert unconfirmed.status_code == 422 and "请确认不予办理" in _text(unconfirmed)
    assert get_application(database, 1)[0].state == "submitted"
    done = staff_client.post(
        "/staff/applications/1/act",
        data={"action": "reject", "reject_reason": "duplicate", "confirm": "yes"},
        follow_redirects=True,
    )
    assert done.status_code == 200 and 'id="fee-paid"' not in done.get_data(as_text=True)
    assert staff_client.post("/staff/applications/1/fee-paid", follow_redirects=True).status_code == 409
    history = _text(done).split("办理记录")[-1]
    assert "不予办理 → 审核未通过 · 人口信息重复或不一致" in history
    assert "duplicate" not in history and " view" not in history and " create" not in history


def test_a_return_for_materials_names_the_missing_items_to_the_citizen(staff_client, app, database):
    kiosk = app.test_client()
    apply(kiosk, app_type="lost", name="李四", held=["household_register"])
    staff_client.get("/staff/applications/1")
    deadline = (get_application(database, 1)[0].handling_deadline + dt.timedelta(days=14)).isoformat()
    nothing = staff_client.post(
        "/staff/applications/1/act", data={"action": "request_materials", "deadline": deadline}, follow_redirects=True
    )
    assert nothing.status_code == 422 and "请勾选缺少的材料" in _text(nothing)
    returned = staff_client.post(
        "/staff/applications/1/act",
        data={"action": "request_materials", "deadline": deadline, "missing": ["old_card"], "reason": "旧证未带"},
        follow_redirects=True,
    )
    assert returned.status_code == 200 and "通知补正材料 → 待补正材料 · 您的旧身份证、旧证未带" in _text(returned)
    application = get_application(database, 1)[0]
    progress = _text(app.test_client().get(f"/track/{application.number}/{application.track_token}"))
    assert "您的旧身份证" in progress


def test_a_return_for_materials_offers_the_deadline_the_citizen_was_given(staff_client, app, database, clock):
    """Accepted on a Friday evening, the case counts its materials deadline from Monday's opening:
    the officer's return form keeps that day rather than counting again from Friday."""
    clock.set(FRIDAY_EVENING)
    apply(app.test_client(), app_type="lost", name="李四")  # without the household register
    promised = get_application(database, 1)[0].materials_deadline
    page = staff_client.get("/staff/applications/1").get_data(as_text=True)
    assert f'name="deadline" value="{promised.isoformat()}"' in page


def test_a_temporary_id_is_applied_for_at_the_window_on_the_main_application(
    staff_client, app, database, clock, other_station_case
):
    clock.set(FRIDAY_EVENING)
    apply(app.test_client(), app_type="lost", name="李四")
    main_id = _ours(database)
    main = staff_client.get(f"/staff/applications/{main_id}").get_data(as_text=True)
    assert 'id="temporary-id"' in main and "办理临时居民身份证（10 元）" in main
    made = staff_client.post(f"/staff/applications/{main_id}/temporary")
    assert made.status_code == 303
    temporary_id = int(made.headers["Location"].rsplit("/", 1)[-1])
    temporary, applicant = get_application(database, temporary_id)
    assert (temporary.app_type, temporary.main_application_id, temporary.fee_yuan) == ("temporary", main_id, 10)
    assert (temporary.channel, applicant.name) == ("window", "李四")
    page = staff_client.get(f"/staff/applications/{main_id}").get_data(as_text=True)
    assert temporary.number in page and 'id="temporary-id"' not in page  # one at a time
    double_tap = staff_client.post(f"/staff/applications/{main_id}/temporary")
    assert double_tap.headers["Location"] == made.headers["Location"]  # the same one, not a second
    clock.set(FRIDAY_EVENING + dt.timedelta(minutes=5))
    again = staff_client.post(f"/staff/applications/{main_id}/temporary")
    assert again.status_code == 409 and "已申领过临时居民身份证" in _text(again)
    assert staff_client.post(f"/staff/applications/{other_station_case.id}/temporary").status_code == 404


def test_the_queue_shows_who_holds_a_case_and_an_evening_case_is_not_due_today(
    staff_client, app, database, clock, other_station_case
):
    clock.set(FRIDAY_EVENING)
    apply(app.test_client(), app_type="lost", name="李四")
    row = _text(staff_client.get("/staff/", headers={"HX-Request": "true", "HX-Target": "queue"}))
    assert "今天到期" not in row and "2026年12月7日星期一" in row and "张警官" not in row
    assert other_station_case.number not in row
    staff_client.get(f"/staff/applications/{_ours(database)}")  # opening it claims it
    assert "张警官" in _text(staff_client.get("/staff/", headers={"HX-Request": "true", "HX-Target": "queue"}))


def test_the_case_page_tells_the_situation_collection_card_and_visit(staff_client, app, database):
    apply(
        app.test_client(),
        name="王老",
        situation={"special_group": "elderly"},
        collection={
            "method": "post",
            "address": "浙江省嘉兴市南湖区新兴路 12 号",
            "recipient": "王老",
            "old_card": "courier",
        },
    )
    application = get_application(database, 1)[0]
    page = _text(staff_client.get("/staff/applications/1"))
    assert "情况 年满 70 岁的老人" in page
    assert "领取方式 邮寄 · 浙江省嘉兴市南湖区新兴路 12 号" in page
    assert "旧证有效期至 " + _day(dt.date.fromisoformat(application.situation["card_expires"])) in page
    assert "新证有效期限 长期" in page


def test_an_outside_cause_is_written_as_the_station_speaks(staff_client, app, database, station):
    apply(app.test_client(), app_type="lost", name="李四")
    page = staff_client.get("/staff/applications/1").get_data(as_text=True)
    register_form = page.split('id="register"')[1].split("</form>")[0]
    assert "户口正在迁移或更正" in register_form and "我的" not in register_form
    follow_up = (station.calendar.add_working_days(station.today(), 5)).isoformat()
    done = staff_client.post(
        "/staff/applications/1/register",
        data={"cause": "records", "follow_up": follow_up, "reason": "待核查"},
        follow_redirects=True,
    )
    text = _text(done)
    assert "户籍登记信息有问题、待核查" in text and "records" not in text and "我的" not in text


def test_photo_checks_are_named_and_measured_in_words(staff_client, app, database):
    apply(app.test_client(), app_type="lost", name="李四")
    report = {
        "checks": [
            {"name": "face_count", "ok": True, "value": 1, "limit": [1, 1]},
            {"name": "face_size", "ok": True, "value": 240.4, "limit": [193.0, 339.125]},
            {"name": "roll", "ok": True, "value": 1.234, "limit": [-8.0, 8.0]},
            {"name": "exposure", "ok": True, "value": 0.5, "limit": [0.2, 0.8]},
        ]
    }
    with database.transaction() as session:
        session.add(ApplicationPhoto(application_id=1, file="b" * 32, report=report))
    page = _text(staff_client.get("/staff/photos/1"))
    assert "画面中的人脸数 1 1 – 1" in page
    assert "脸宽（摄像头画面像素） 240 像素 193 像素 – 339 像素" in page
    assert "头部左右倾斜 1.2° -8.0° – 8.0°" in page and "面部亮度 50 % 20 % – 80 %" in page
    assert "face_count" not in page and "339.125" not in page


def _day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
