"""The kiosk's words (issue 18, points 9-11): zh_Hans in the terms a household-registration window
uses, zh_Hant as Hong Kong writes it (no Simplified character left), Chinese punctuation in both,
English that says what is true, and short answers told apart by their context."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from kiosk.domain.regions import PROVINCES, province_name
from photo.messages import MESSAGES as PHOTO_HINTS
from tests.simplified_only import SIMPLIFIED_ONLY

TRANSLATIONS = Path(__file__).resolve().parent.parent / "kiosk" / "translations"


def catalogue(language: str) -> dict[tuple[str | None, str], str]:
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return {(m.context, m.id): m.string for m in read_po(handle) if m.id and isinstance(m.id, str)}


@pytest.fixture(scope="module")
def hans():
    return catalogue("zh_Hans")


@pytest.fixture(scope="module")
def hant():
    return catalogue("zh_Hant")


@pytest.fixture(scope="module")
def traditional_texts(hant) -> dict[str, str]:
    """Every Traditional text the kiosk shows: its catalogue and the camera's hints (photo/messages.py)."""
    return {msgid: text for (_, msgid), text in hant.items()} | {
        key: hints["zh_Hant"] for key, hints in PHOTO_HINTS.items()
    }


@pytest.fixture(scope="module")
def english():
    return catalogue("en")


def test_the_simplified_only_set_holds_the_characters_seen_and_spares_shared_ones():
    assert set("门当备录设联众") <= SIMPLIFIED_ONLY
    assert not set("后台干里着周制范") & SIMPLIFIED_ONLY  # Traditional writes these too


def test_no_simplified_character_is_left_in_the_traditional_catalogue(traditional_texts):
    left = {msgid: text for msgid, text in traditional_texts.items() if set(text) & SIMPLIFIED_ONLY}
    assert left == {}


def test_province_names_in_traditional_carry_no_simplified_character():
    assert province_name("44", "zh_Hant") == "廣東省" and province_name("44") == "广东省"
    assert province_name("44", "en") == "Guangdong"
    for code, (_simplified, traditional, _latin) in PROVINCES.items():
        assert not set(traditional) & SIMPLIFIED_ONLY, code


# Mainland words and the Hong Kong ones the Traditional catalogue uses instead.
HONG_KONG_TERMS = [
    ("信息", "資料"),
    ("短信", "短訊"),
    ("攝像頭", "鏡頭"),
    ("登錄", "登入"),
    ("服務器", "伺服器"),
    ("設置", "設定"),
    (re.compile("打印(?!機)"), "列印"),
    ("備注", "備註"),
    ("身分證", "身份證"),
    ("督查", "督察"),
]


@pytest.mark.parametrize(("mainland", "hong_kong"), HONG_KONG_TERMS, ids=[term for _, term in HONG_KONG_TERMS])
def test_traditional_uses_hong_kong_terms(traditional_texts, mainland, hong_kong):
    pattern = mainland if isinstance(mainland, re.Pattern) else re.compile(re.escape(mainland))
    assert [text for text in traditional_texts.values() if pattern.search(text)] == []
    assert any(hong_kong in text for text in traditional_texts.values())


@pytest.mark.parametrize("name", ["居民身份證", "戶口簿", "臨時居民身份證"])
def test_official_names_stay_as_they_are_in_traditional(hant, name):
    assert any(name in text for text in hant.values())


def _visible_text(text: str) -> str:
    """A translation without its placeholders, times (19:00) and decimals."""
    text = re.sub(r"%\(\w+\)[sd]|%%", "", text)
    return re.sub(r"(?<=\d)[:.](?=\d)", "", text)


@pytest.mark.parametrize("language", ["zh_Hans", "zh_Hant"])
def test_chinese_uses_full_width_punctuation(language):
    texts = {msgid: text for (_, msgid), text in catalogue(language).items()}
    texts |= {key: hints[language] for key, hints in PHOTO_HINTS.items()}
    ascii_punctuation = re.compile(r"[,:;.?!()\"]")
    assert {key: text for key, text in texts.items() if ascii_punctuation.search(_visible_text(text))} == {}


def test_traditional_quotes_with_corner_brackets(hant):
    assert [text for text in hant.values() if re.search("[“”‘’]", text)] == []


# What the window says (issue 18 point 9), keyed by the English message.
WINDOW_TERMS = [
    ("Type the end date printed on the back of your card, for example 20260520.", "国徽面“有效期限”"),
    (
        "Staff will review your application by %(deadline)s. Your card will be ready by %(date)s.",
        "工作人员将于%(deadline)s前为您审核",
    ),
    (
        "ID card application %(number)s received. Staff will review it by %(deadline)s. "
        "Your card should be ready by %(ready)s.",
        "工作人员将于%(deadline)s前审核，证件预计%(ready)s前办好",
    ),
    (
        "Application %(number)s was not approved. Reason: %(reason)s. %(next_step)s Questions: %(hotline)s.",
        "审核未通过",
    ),
    ("Not approved", "审核未通过"),
    ("Refuse", "不予办理"),
    ("Sent to the supervisor", "已推送分管领导"),
    ("Sent to the oversight office", "已推送分局法制（督察）部门"),
    ("Return for missing materials", "通知补正材料"),
    ("Waiting for missing papers", "待补正材料"),
    ("What is your name?", "请输入您的姓名"),
    ("Can the applicant come to the station in person?", "申请人本人能来派出所办理吗？"),
    ("Your application is handled with priority. Your card will be ready by %(date)s.", "将为您优先办理"),
    (
        "Would you rather come back at a booked time in the evening, at a weekend or on a holiday?",
        "您是否需要预约晚上、周末或节假日来办理？",
    ),
    ("Signed commitment letter (you can sign it at the window)", "本人签署的承诺书（可在窗口现场签署）"),
    (
        "Your ID card for application %(number)s is ready. Please bring your receipt (and your old card) "
        "to collect it at the station.",
        "您的居民身份证（申请编号%(number)s）已制作完成，请携带受理回执（及旧证）到本所领取",
    ),
    ("Booked time outside normal hours", "预约延时或节假日办理"),
]


@pytest.mark.parametrize(("msgid", "words"), WINDOW_TERMS, ids=[words for _, words in WINDOW_TERMS])
def test_simplified_chinese_in_the_windows_terms(hans, msgid, words):
    assert words in hans[None, msgid]


@pytest.mark.parametrize("wrong", ["今天就为您办理", "未能受理", "办结。", "背面", "督查", "排在队伍最前面", "上报"])
def test_words_the_window_does_not_use_are_gone(hans, wrong):
    assert [text for text in hans.values() if wrong in text] == []


@pytest.mark.parametrize(
    "message",
    [
        "Card ready by",
        "Application %(number)s was not approved. Reason: %(reason)s. %(next_step)s Questions: %(hotline)s.",
        "Not approved",
        "ID card application %(number)s received. Staff will review it by %(deadline)s. "
        "Your card should be ready by %(ready)s.",
        "Renew: my card has expired or expires soon",
    ],
)
def test_english_says_what_is_true(english, message):
    assert english[None, message] in ("", message)  # the English catalogue keeps the message itself


def test_english_drops_the_old_words(english):
    for old in ("could not be accepted", "Refused", "front of the queue", "handle your application today"):
        assert [msgid for (_, msgid) in english if old in msgid and not msgid.startswith("Refused:")] == []


def test_short_answers_carry_their_question_as_context(hans):
    for (context, msgid), text in hans.items():
        if msgid in ("Yes", "No"):
            assert context, f"{msgid!r} ({text}) needs a msgctxt: its Chinese depends on the question"
    assert hans["the applicant can come to the station", "Yes"] == "能"
    assert hans["book an evening, weekend or holiday time", "No"] == "不需要"


def test_no_message_hides_inside_an_f_string():
    """The extractor cannot see `_("...")` inside an f-string: such a message is never translated
    (the calendar file's summary once stayed English in Chinese)."""
    source = Path(__file__).resolve().parent.parent / "kiosk"
    hidden = re.compile(r"""\bf(["'])[^"'\n]*\{_l?\(""")
    assert [
        f"{path.relative_to(source)}:{number}"
        for path in source.rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if hidden.search(line)
    ] == []
