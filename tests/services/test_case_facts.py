"""docs/domain.md, "The citizen's card and visit": what the receipt tells the citizen of their new
card, their thumbprints, a guardian, the duty at 16, the old card and a posted card's recipient."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk.domain.catalogue import ApplicationType as T
from kiosk.services.applications import get_application, submit_application
from kiosk.services.case_facts import main_number_of
from kiosk.services.printed_documents import receipt_data
from tests.conftest import LOCAL_ID, make_id
from tests.services.test_applications import NOW, new

URL = "http://kiosk.test/track/x"
CHILD_ID = make_id("33040220150601123")  # 11 years old on 2026-11-24
SIXTEEN_ID = make_id("33040220100915123")  # turned 16 on 2026-09-15


def receipt_for(database, station, **answers):
    application = submit_application(database, station, new(**answers), actor="kiosk:330402", now=NOW)
    application, applicant = get_application(database, application.id)
    return receipt_data(application, applicant, station, URL, (), main_number_of(database, application))


@pytest.mark.parametrize(
    ("answers", "expected", "absent"),
    [
        # A 46-year-old's renewal: a long-term card; the old card is handed in at collection.
        ({}, ("新证有效期长期", "请到窗口采集双手拇指指纹", "领取新证时交回旧证"), ("监护人",)),
        # An 11-year-old's first card: five years, with a guardian, and the law's date at 16.
        (
            {"number": CHILD_ID, "app_type": T.FIRST},
            ("新证有效期五年，预计至2031年12月15日", "由监护人陪同申领", "您应于2031年9月1日前申领"),
            ("旧证",),
        ),
        # Sixteen since September: ten years, and the three months end on 15 December.
        ({"number": SIXTEEN_ID, "app_type": T.FIRST}, ("新证有效期十年", "您应于2026年12月15日前申领"), ("监护人",)),
        # A home visit: the officer takes the thumbprints.
        ({"app_type": T.LOST, "cannot_travel": True}, ("上门服务时由民警采集双手拇指指纹",), ("请到窗口采集", "旧证")),
        # Posted, the old card handed in at acceptance or taken by the courier.
        (
            {"collection": "post", "address": "浙江省嘉兴市南湖区某某路 1 号", "recipient_name": "李小红",
             "old_card_handover": "at_acceptance"},
            ("旧证于受理时在窗口交回",),
            ("领取新证时交回旧证",),
        ),
        (
            {"collection": "post", "address": "浙江省嘉兴市南湖区某某路 1 号", "recipient_name": "李小红",
             "old_card_handover": "courier"},
            ("旧证凭本人签署的委托书，于新证送达时交快递员带回",),
            ("领取新证时交回旧证",),
        ),
    ],
)
def test_the_receipt_tells_what_is_true_of_the_card_and_the_visit(database, station, answers, expected, absent):
    answers = {"card_expires": dt.date(2026, 12, 31)} | answers
    notes = "\n".join(receipt_for(database, station, **answers).notes)
    for words in expected:
        assert words in notes
    for words in absent:
        assert words not in notes


def test_a_posted_card_names_its_recipient_masked_and_asks_nothing_to_be_brought(database, station):
    receipt = receipt_for(
        database,
        station,
        card_expires=dt.date(2026, 12, 31),
        collection="post",
        address="浙江省嘉兴市南湖区某某路 1 号",
        recipient_name="李小红",
        old_card_handover="courier",
    )
    assert receipt.collection.recipient_masked == "李*红"
    assert receipt.bring_at_collection == ()


def test_a_card_collected_here_asks_for_the_receipt_and_the_old_card(database, station):
    receipt = receipt_for(database, station, card_expires=dt.date(2026, 12, 31))
    assert receipt.bring_at_collection == ("本回执", "旧居民身份证（领证时交回）")


def test_a_temporary_id_receipt_names_its_main_application_and_its_validity(database, station):
    main = submit_application(database, station, new(app_type=T.LOST), actor="kiosk:330402", now=NOW)
    notes = "\n".join(receipt_for(database, station, app_type=T.TEMPORARY).notes)
    assert f"对应居民身份证申请编号：{main.number}" in notes
    # Ready on Wednesday 25 November (one working day at the demo station), valid 90 days.
    assert "自签发之日起90日内有效，按期领取的有效至2027年2月22日" in notes
    assert "指纹" not in notes and "新证有效期" not in notes
    assert LOCAL_ID not in notes
