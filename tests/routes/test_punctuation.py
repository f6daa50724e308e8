"""Pages put their pieces together with the language's own punctuation: full-width ，：、 next to
Chinese (no "20 元, 在窗口缴费", "申请编号: ", "急需用证: "), and Traditional province names."""

import re

from tests.helpers import apply, walk_to_check

CHINESE = "\u4e00-\u9fff"
ASCII_BESIDE_CHINESE = re.compile(rf"[{CHINESE}）][,:;?!]|[,:;?!(]\s*[{CHINESE}]")


def visible(page: str) -> str:
    """The page's text as a reader sees it: no scripts, styles or tags."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page))


def test_the_check_page_joins_its_answers_the_chinese_way(client):
    check = walk_to_check(client, situation={"urgent": "exam", "exemption": "hardship"})
    page = visible(check.get_data(as_text=True))
    assert ASCII_BESIDE_CHINESE.findall(page) == []
    assert "急需用证：要参加考试、其他生活困难" in page


def test_the_done_page_joins_its_pieces_the_chinese_way(client):
    html = apply(client, held=())
    assert re.search(r'申请编号：<strong id="application-number">\d{6}-\d{6}-\d{4}</strong>', html)  # markup kept
    page = visible(html)
    assert ASCII_BESIDE_CHINESE.findall(page) == []
    assert "申请编号：" in page and "20 元，请到窗口缴费" in page
    assert "这个申请编号、您的旧身份证" in page


def test_english_keeps_its_own_punctuation(client):
    client.post("/language", data={"lang": "en"})
    page = visible(apply(client, held=()))
    assert "Application number: " in page and "20 yuan, pay at the window" in page


def test_traditional_pages_name_the_province_in_traditional(client):
    client.post("/language", data={"lang": "zh_Hant"})
    page = visible(walk_to_check(client, province="44", id_number="440524188001010014").get_data(as_text=True))
    hint = client.get("/apply/id_number").get_data(as_text=True)
    assert re.search(r'您已輸入：<strong class="masked">440524\*{8}0014</strong>', hint)
    assert "廣東省" in page and "广东省" not in page
