"""An urgent case made after the hall closed on a Friday evening (issue 17 points 5 to 7): what is
promised and when, the shorter target, the temporary ID with its fee, date and hours, and the
same dates in the text message and on the receipt. docs/domain.md "Commitments", "Temporary ID"."""

from __future__ import annotations

import datetime as dt
import re

from sqlmodel import select

from kiosk.models import Application, Notification
from kiosk.services.applications import get_application
from kiosk.services.printed_documents import receipt_data
from kiosk.services.station import load_station
from tests.conftest import aware
from tests.helpers import apply, walk_to_check

FRIDAY_EVENING = aware(2026, 12, 4, 21) + dt.timedelta(minutes=28)  # the hall closed at 20:00
URGENT_TRAVEL = {"urgent": "travel"}
OFFER = (
    "等证期间可以办理临时居民身份证：10 元，2026年12月7日星期一前办好，自签发之日起90天内有效。"
    "提交本申请后可在本机申请，也可于2026年12月7日星期一到窗口申请（08:30-12:00、13:30-20:00）。"
)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace(" 。", "。")


def _by_id(html: str, element_id: str) -> str:
    return _text(re.search(rf'id="{element_id}"[^>]*>(.*?)</dd>', html, re.S)[1]).strip()


def test_after_closing_the_urgent_promise_names_the_next_opening_and_the_shorter_date(client, clock):
    clock.set(FRIDAY_EVENING)
    check = walk_to_check(client, app_type="lost", held=["household_register"], situation=URGENT_TRAVEL)
    html = check.get_data(as_text=True)
    assert _by_id(html, "next") == (
        "您的申请将按要事急事特殊办办理：大厅下次开放时（2026年12月7日星期一）由分管领导审批。"
        "证件预计2026年12月11日星期五前办好。"
    )
    assert "今天" not in _by_id(html, "next")
    assert _by_id(html, "temporary-offer") == OFFER


def test_the_done_page_the_text_and_the_receipt_keep_the_promise_and_the_offer(client, database, clock):
    clock.set(FRIDAY_EVENING)
    done = apply(client, app_type="lost", held=["household_register"], situation=URGENT_TRAVEL)
    assert _by_id(done, "temporary-offer") == OFFER
    assert "大厅下次开放时（2026年12月7日星期一）由分管领导审批" in _by_id(done, "next")
    with database.reading() as session:
        application = session.exec(select(Application)).one()
        text = session.exec(select(Notification.text)).one()
    assert application.expected_ready == dt.date(2026, 12, 11)  # 5 working days, not 15
    assert text.endswith("工作人员将于12月7日前审核，证件预计12月11日前办好。")
    application, applicant = get_application(database, application.id)
    receipt = receipt_data(application, applicant, load_station(database, "330402"), "https://x/track")
    assert OFFER.replace("星期一", "") in receipt.notes  # the screen's words, dates without the weekday


def test_a_temporary_id_is_offered_where_it_helps(client, clock):
    clock.set(FRIDAY_EVENING)
    lost = walk_to_check(client, app_type="lost", held=["household_register"]).get_data(as_text=True)
    assert 'id="temporary-offer"' in lost  # no card while the new one is made
    renewal = walk_to_check(client, app_type="renewal_expiry").get_data(as_text=True)
    assert 'id="temporary-offer"' not in renewal  # the old card is still valid
