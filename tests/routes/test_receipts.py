"""What the done page and the printed receipt tell the citizen: in their language, with the
official field labels in Chinese, one date format, and a photo taken here never missing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import LOCAL_ID
from tests.helpers import answer_situation, apply, idempotency_key, post_step
from tests.printing.pdf_tools import page_texts, squeezed
from tests.routes.test_photo import compliant_frame, shoot

# Labels of the official form: printed in Chinese whatever the citizen's language.
OFFICIAL_LABELS = (
    "居民身份证受理回执",
    "申请编号",
    "申请人",
    "身份证号",
    "业务类型",
    "承诺事项",
    "预计领证",
    "领取方式",
)


def printed_receipt(client, app) -> str:
    assert client.post("/apply/done/print").status_code == 200
    [pdf] = (Path(app.instance_path) / "prints").glob("*.pdf")
    [page] = page_texts(pdf.read_bytes())  # an A4 receipt is one page, whatever its language
    return squeezed(page)


def assert_dates_unpadded(text: str) -> None:
    assert not re.search(r"年0\d月|月0\d日", text), text


@pytest.mark.parametrize(
    ("language", "explained", "not_explained"),
    [
        (
            "en",
            (
                "Cardreadyby",
                "payatthewindow",
                "Thisreceipt",
                "Pleasehavebothyourthumbprintstakenatthewindow",
                "Keepthisreceipt",
            ),
            ("前可领证", "请到窗口", "本回执"),
        ),
        (
            "zh_Hant",
            ("前可領證", "請到窗口繳納", "本回執", "請到窗口採集雙手拇指指紋", "請妥善保管本回執"),
            ("请到窗口", "本回执"),
        ),
        (
            "zh_Hans",
            ("前可领证", "请到窗口缴纳", "本回执", "请到窗口采集双手拇指指纹", "请妥善保管本回执"),
            ("受理编号",),  # the screen's word: 申请编号
        ),
    ],
)
def test_the_receipt_explains_in_the_persons_language_under_official_chinese_labels(
    client, app, language, explained, not_explained
):
    client.post("/language", data={"lang": language})
    apply(client, app_type="lost")
    text = printed_receipt(client, app)
    for words in OFFICIAL_LABELS + explained:
        assert words in text, words
    for words in not_explained:
        assert words not in text, words
    assert_dates_unpadded(text)


def test_the_receipt_prints_every_date_one_way(client, app):
    """The promise (预计2027年2月26日前可领证) and the fields (2027年2月26日（星期五）) write dates alike:
    no zero before a month or a day."""
    apply(client, app_type="first", situation={"exemption": "none"})
    text = printed_receipt(client, app)
    days = re.findall(r"\d{4}年\d{1,2}月\d{1,2}日", text)
    assert len(days) >= 3  # accepted, promised, expected, the new card's validity
    assert_dates_unpadded(text)


def _temporary_id_with_the_kiosk_photo(client) -> str:
    """A temporary ID in Traditional Chinese whose photo the kiosk's camera took; the done page."""
    client.post("/language", data={"lang": "zh_Hant"})
    client.post("/start")
    post_step(client, "type", {"app_type": "temporary"})
    post_step(client, "id_number", {"id_number": LOCAL_ID})
    post_step(client, "name", {"name": "王小明"})
    post_step(client, "registration", {"registered_province": "33"})
    answer_situation(client)
    materials = client.get("/apply/materials").get_data(as_text=True)
    assert 'value="household_register"' in materials and 'value="photo"' not in materials  # taken, not brought
    post_step(client, "materials", {"held": ["household_register"]})
    post_step(client, "plan")
    shot = shoot(client, compliant_frame())["shot"]
    assert client.post("/apply/photo/choose", data={"shot": shot["id"]}).status_code == 303
    post_step(client, "contact", {"phone": "13812345678"})
    check = client.get("/apply/check")
    assert "待補正材料" not in check.get_data(as_text=True)
    post_step(client, "check", {"idempotency_key": idempotency_key(check)})
    return client.get("/apply/done").get_data(as_text=True)


def test_a_photo_taken_at_the_kiosk_is_never_listed_as_missing(client, app):
    apply(client, app_type="lost", held=("household_register",))  # the card a temporary ID bridges
    client.post("/reset")
    for pdf in (Path(app.instance_path) / "prints").glob("*.pdf"):
        pdf.unlink()
    done = _temporary_id_with_the_kiosk_photo(client)
    assert "待補正材料" not in done and "證件照" not in done and "手續不全" not in done
    text = printed_receipt(client, app)
    for words in ("待补正材料", "相片", "證件照", "Missing"):
        assert words not in text, words
