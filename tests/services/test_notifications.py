import json
import uuid

import pytest
from sqlmodel import select

from kiosk.domain.catalogue import ApplicationType, Material
from kiosk.domain.id_number import parse_id_number
from kiosk.domain.states import Action
from kiosk.models import ApplicationMaterial, Notification
from kiosk.services import cases, notifications, visits
from kiosk.services.applications import submit_application
from kiosk.services.assessment import NewApplication
from kiosk.services.notifications import LogFileSender, SendFailed, deliver_queued
from kiosk.services.staff import Role, create_staff
from tests import when
from tests.conftest import JIANGXI_ID, LOCAL_ID
from tests.helpers import photo_and_fee
from tests.services.test_cases import _staff


def _submit(database, station, language, **answers):
    new = NewApplication(
        id_number=parse_id_number(LOCAL_ID),
        app_type=ApplicationType.LOST,
        registered_province="33",
        idempotency_key=uuid.uuid4().hex,
        name="王小明",
        phone="13812345678",
        language=language,
        **answers,
    )
    return submit_application(database, station, new, actor="kiosk")


def _texts(database):
    with database.reading() as session:
        return [n.text for n in session.exec(select(Notification).order_by(Notification.id))]


def test_each_change_the_citizen_cares_about_queues_a_message_in_their_language(database, station):
    english = _submit(database, station, "en")
    chinese = _submit(database, station, "zh_Hans")
    staff = _staff(database, "zhang")
    cases.open_case(database, station, english.id, staff)
    photo_and_fee(database, station, english.id, staff)
    cases.act(database, station, english.id, Action.APPROVE, staff)
    texts = _texts(database)
    assert texts[0].startswith(f"ID card application {english.number} received")
    assert chinese.number in texts[1] and "申请" in texts[1]
    assert texts[2] == f"Application {english.number} is approved. Your card will be made now."


def test_a_posted_card_is_not_announced_as_ready_to_collect(database, station):
    """docs/domain.md, "Postal delivery"."""
    posted = _submit(database, station, "en", collection="post", address="浙江省嘉兴市南湖区某某路 1 号")
    staff = _staff(database, "zhang")
    cases.open_case(database, station, posted.id, staff)
    photo_and_fee(database, station, posted.id, staff)
    for action in (Action.APPROVE, Action.START_PRODUCTION, Action.MARK_READY, Action.POST):
        cases.act(database, station, posted.id, action, staff)
    texts = _texts(database)
    assert not any("collect" in text for text in texts)
    assert texts[-1] == f"Your ID card for application {posted.number} has been posted."


def test_a_home_visit_is_told_of_the_visit_not_the_window(database, station):
    """The officer comes to arrange and brings the card: no text sends the person to the station."""
    visit = _submit(database, station, "en", cannot_travel=True, collection="visit", address="嘉兴市某某路 1 号")
    staff = _staff(database, "zhang")
    cases.open_case(database, station, visit.id, staff)
    photo_and_fee(database, station, visit.id, staff)  # as the first visit brings them
    for action in (Action.APPROVE, Action.START_PRODUCTION, Action.MARK_READY):
        cases.act(database, station, visit.id, action, staff)
    received, _approved, ready = _texts(database)[:3]
    deadline = notifications.text_date(visit.handling_deadline, "en")
    assert f"The station calls you by {deadline} to arrange the officer's visit to your home." in received
    assert "An officer brings it to your home" in ready
    assert not any("collect" in text or "station." in text for text in (received, ready))
    officer = create_staff(
        database, station_code="330402", username="li", display_name="李", role=Role.VISIT_OFFICER, password="x" * 12
    )
    day = when.visit_day(database, station)
    visits.assign(database, station, visit.id, officer.id, day, actor="staff:boss")
    assert _texts(database)[-1] == (
        f"Application {visit.number}: an officer visits you at home on {notifications.text_date(day, 'en')}."
    )


def test_the_log_sender_masks_the_phone(database, station, tmp_path):
    _submit(database, station, "zh_Hans")
    log = tmp_path / "messages.log"
    assert deliver_queued(database, LogFileSender(log)) == (1, 0)
    record = json.loads(log.read_text().splitlines()[0])
    assert record["to"] == "138****5678" and "13812345678" not in log.read_text()
    assert deliver_queued(database, LogFileSender(log)) == (0, 0)  # nothing twice


def test_failures_are_retried_then_marked_failed(database, station):
    _submit(database, station, "zh_Hans")

    class Down:
        def send(self, phone, text):
            raise SendFailed("gateway unreachable")

    for _ in range(notifications.MAX_ATTEMPTS):
        assert deliver_queued(database, Down()) == (0, 1)
    with database.reading() as session:
        message = session.exec(select(Notification)).one()
    assert message.state == "failed" and message.attempts == notifications.MAX_ATTEMPTS
    assert message.last_error == "gateway unreachable"


class _Gateway:
    def __init__(self, config):
        self.account = config["SMS_ACCOUNT"]
        self.sent: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        self.sent.append((phone, text))


def test_the_sender_comes_from_the_config(tmp_path):
    from kiosk.services.notifications import sender_from_config

    default = sender_from_config({}, tmp_path)
    assert isinstance(default, LogFileSender) and default.path == tmp_path / "messages.log"
    gateway = sender_from_config(
        {"MESSAGE_SENDER": "tests.services.test_notifications:_Gateway", "SMS_ACCOUNT": "station-330402"}, tmp_path
    )
    assert isinstance(gateway, _Gateway) and gateway.account == "station-330402"
    with pytest.raises(ValueError):
        sender_from_config({"MESSAGE_SENDER": "sms"}, tmp_path)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "zh_Hans",
            "您的居民身份证申请{number}已受理，工作人员将于{month}月{day}日前审核，证件预计{r_month}月{r_day}日前办好。",
        ),
        (
            "zh_Hant",
            "您的居民身份證申請{number}已受理，工作人員將於{month}月{day}日前審核，證件預計{r_month}月{r_day}日前辦妥。",
        ),
        (
            "en",
            "ID card application {number} received. Staff will review it by {month_name} {day}. "
            "Your card should be ready by {r_month_name} {r_day}.",
        ),
    ],
)
def test_the_submission_message_promises_a_review_and_the_ready_date_written_as_people_write_them(
    database, station, language, expected
):
    """The text names the dates of the done page: staff's review and the day the card is ready."""
    application = _submit(database, station, language, held=frozenset({Material.HOUSEHOLD_REGISTER}))
    deadline, ready = application.handling_deadline, application.expected_ready
    assert _texts(database) == [
        expected.format(
            number=application.number,
            month=deadline.month,
            day=deadline.day,
            month_name=f"{deadline:%B}",
            r_month=ready.month,
            r_day=ready.day,
            r_month_name=f"{ready:%B}",
        )
    ]


def test_a_case_accepted_with_something_missing_is_texted_what_and_by_when(database, station):
    """As its done page and receipt say (手续不全限时办): the missing item and its deadline."""
    application = _submit(database, station, "zh_Hans")  # without the household register
    materials, ready = application.materials_deadline, application.expected_ready
    assert application.commitment == "time_limited" and materials
    assert _texts(database) == [
        f"您的居民身份证申请{application.number}已受理，请于{materials.month}月{materials.day}日前到窗口补交户口簿，"
        f"证件预计{ready.month}月{ready.day}日前办好。"
    ]


def test_an_out_of_province_case_is_texted_its_own_ready_date(database, station):
    """Issue: an out-of-province case ready weeks later was texted only the review date, read as the end."""
    application = submit_application(
        database,
        station,
        NewApplication(
            id_number=parse_id_number(JIANGXI_ID),
            app_type=ApplicationType.LOST,
            registered_province="36",
            idempotency_key=uuid.uuid4().hex,
            phone="13812345678",
            held=frozenset({Material.HOUSEHOLD_REGISTER}),
        ),
        actor="kiosk",
    )
    ready = application.expected_ready
    assert ready > application.handling_deadline
    assert f"证件预计{ready.month}月{ready.day}日前办好" in _texts(database)[0]


def test_a_refusal_says_the_application_was_not_approved(database, station):
    application = _submit(database, station, "zh_Hans")
    staff = _staff(database, "zhang")
    cases.open_case(database, station, application.id, staff)
    cases.act(database, station, application.id, Action.REJECT, staff, reason="identity", refusal_reason="identity")
    assert "审核未通过" in _texts(database)[-1] and "未能受理" not in _texts(database)[-1]


def test_a_return_for_materials_names_what_is_missing(database, station):
    """Staff pick the missing items; the text names them, as the progress page does."""
    application = _submit(database, station, "en")
    staff = _staff(database, "zhang")
    cases.open_case(database, station, application.id, staff)
    deadline = station.calendar.add_working_days(application.handling_deadline, 5)
    cases.act(
        database,
        station,
        application.id,
        Action.REQUEST_MATERIALS,
        staff,
        materials_deadline=deadline,
        missing=("old_card", "household_register"),
    )
    assert _texts(database)[-1] == (
        f"Application {application.number}: please bring Household register (hukou booklet), Your old ID card "
        f"by {deadline:%B} {deadline.day}."
    )
    with database.reading() as session:
        rows = session.exec(select(ApplicationMaterial).where(ApplicationMaterial.application_id == application.id))
        assert sorted(row.material for row in rows if not row.held) == ["household_register", "old_card"]
