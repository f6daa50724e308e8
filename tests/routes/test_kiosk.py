import datetime as dt
import re

import pytest
from sqlalchemy import func
from sqlmodel import select

from kiosk.domain.calendar import add_years
from kiosk.models import Application, KioskSession
from tests import when
from tests.conftest import JIANGXI_ID, LOCAL_ID, make_id
from tests.helpers import answer_situation, apply, idempotency_key, post_step, walk_to_check


def count(app, model=Application):
    with app.extensions["kiosk_db"].reading() as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_welcome_offers_languages_start_and_follow(client):
    page = client.get("/").get_data(as_text=True)
    for label in ("简体中文", "繁體中文", "English"):
        assert label in page
    assert 'id="start"' in page and 'id="follow"' in page
    assert 'lang="zh-Hans"' in page


def test_the_whole_wizard_submits_one_application(client, app):
    done = apply(client)
    assert re.search(r'id="application-number">330402-\d{6}-0001<', done)
    assert LOCAL_ID not in done and LOCAL_ID[:6] + "********" + LOCAL_ID[-4:] in done
    assert "王小明" not in done and "王*明" in done
    assert "13812345678" not in done and "138****5678" in done
    assert "<svg" in done  # the QR code to the progress page
    assert count(app) == 1
    assert count(app, KioskSession) == 0  # the answers are gone once submitted


def test_skipping_ahead_is_refused(client):
    client.post("/start")
    response = client.post("/apply/contact", data={"phone": "13812345678"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/apply/type")
    post_step(client, "type", {"app_type": "lost"})
    response = client.get("/apply/check")
    assert response.headers["Location"].endswith("/apply/id_number")


@pytest.mark.parametrize(
    ("number", "reason_words"),
    [
        ("1234", "18"),
        ("99010519491231002X", "province"),
        ("110105194902300021", "date of birth"),
        ("110105194912310021", "does not add up"),
    ],
)
def test_each_bad_id_number_gets_its_own_message(client, number, reason_words):
    client.post("/language", data={"lang": "en"})
    client.post("/start")
    post_step(client, "type", {"app_type": "lost"})
    response = post_step(client, "id_number", {"id_number": number}, expect=422)
    page = response.get_data(as_text=True)
    assert reason_words in page
    assert 'class="error-summary"' in page and 'href="#id_number"' in page


def test_messages_are_translated(client):
    client.post("/start")
    post_step(client, "type", {"app_type": "lost"})
    page = post_step(client, "id_number", {"id_number": "1234"}, expect=422).get_data(as_text=True)
    assert "身份证号码" in page
    client.post("/language", data={"lang": "zh_Hant"})
    page = post_step(client, "id_number", {"id_number": "1234"}, expect=422).get_data(as_text=True)
    assert "身份證號碼" in page


@pytest.mark.parametrize(
    ("language", "name"),
    [
        ("zh_Hans", "嘉兴市公安局南湖区分局新兴派出所"),
        ("zh_Hant", "嘉興市公安局南湖區分局新興派出所"),
        ("en", "Xinxing Police"),
    ],
)
def test_the_done_page_names_the_station_in_the_readers_language(client, language, name):
    client.post("/language", data={"lang": language})
    done = apply(client)
    assert name in done
    if language != "zh_Hans":
        assert "嘉兴市公安局南湖区分局新兴派出所" not in done


@pytest.mark.parametrize(
    ("phone", "expect"),
    [("13812345678", 303), ("138 1234 5678", 303), ("+8613812345678", 303), ("1381234567", 422), ("12812345678", 422)],
)
def test_mobile_numbers(client, phone, expect):
    walk_to_check(client)
    post_step(client, "contact", {"phone": phone}, expect=expect)


POST_TO = {"method": "post", "address": "浙江省嘉兴市南湖区某某路 1 号", "recipient": "李小红"}


def test_post_needs_an_address_a_recipient_and_the_old_cards_way_back(client):
    """docs/domain.md, "Postal delivery": the recipient's name is captured; the old card goes back
    at acceptance or by the courier with a signed authorisation."""
    walk_to_check(client)
    page = post_step(client, "collection", {"method": "post"}, expect=422).get_data(as_text=True)
    assert 'href="#address"' in page and 'href="#recipient"' in page and 'href="#old_card"' in page
    post_step(client, "collection", POST_TO | {"old_card": "courier"})
    check = client.get("/apply/check")
    page = check.get_data(as_text=True)
    # The last look before sending shows what cannot be changed afterwards in full ...
    assert POST_TO["address"] in page and "李小红" in page and "王小明" in page and "13812345678" in page
    post_step(client, "check", {"idempotency_key": idempotency_key(check)})
    done = client.get("/apply/done").get_data(as_text=True)
    # ... and once it is sent, the screen masks it again.
    assert "李*红" in done and "李小红" not in done and "王小明" not in done and "13812345678" not in done


@pytest.mark.parametrize(
    ("app_type", "collection", "old_card", "bring_old_card"),
    [
        ("renewal_expiry", {"method": "station"}, "at_collection", True),
        ("damaged", {"method": "station"}, "at_collection", True),
        ("renewal_expiry", POST_TO | {"old_card": "at_acceptance"}, "at_acceptance", False),
        ("renewal_change", POST_TO | {"old_card": "courier"}, "courier", False),
        ("lost", POST_TO, "none", False),
        ("first", POST_TO, "none", False),
    ],
)
def test_the_done_page_says_what_becomes_of_the_old_card(client, app, app_type, collection, old_card, bring_old_card):
    client.post("/language", data={"lang": "en"})
    done = apply(client, app_type=app_type, collection=collection)
    with app.extensions["kiosk_db"].reading() as session:
        assert session.exec(select(Application)).one().old_card_handover == old_card
    assert ("your old ID card" in done) == bring_old_card
    assert ('id="bring"' in done) == (collection["method"] == "station")
    assert ('id="old-card"' in done) == (old_card != "none")
    if old_card == "courier":
        assert "give your old card to the courier" in done
    if collection["method"] == "post":
        assert "李*红" in done and "李小红" not in done


def test_a_double_tap_creates_one_application(client, app):
    check = walk_to_check(client)
    key = idempotency_key(check)
    first = client.post("/apply/check", data={"idempotency_key": key})
    second = client.post("/apply/check", data={"idempotency_key": key})
    assert first.status_code == 303
    assert second.status_code == 303 and second.headers["Location"].endswith("/apply/done")  # the same one
    assert count(app) == 1


def test_a_submit_whose_answer_was_lost_shows_its_application_on_retry(client, app):
    """The worker died after the commit, before its answer: the kiosk still holds the old cookie."""
    check = walk_to_check(client)
    key = idempotency_key(check)
    cookie_before = client.get_cookie("session").value
    assert client.post("/apply/check", data={"idempotency_key": key}).status_code == 303
    client.set_cookie("session", cookie_before)  # as if the response never arrived
    retry = client.post("/apply/check", data={"idempotency_key": key})
    assert retry.status_code == 303 and retry.headers["Location"].endswith("/apply/done")
    with app.extensions["kiosk_db"].reading() as session:
        number = session.exec(select(Application.number)).one()
    assert number in client.get("/apply/done").get_data(as_text=True) and count(app) == 1
    stranger = app.test_client()  # a key nobody was given: back to the start, nothing shown
    stranger.post("/start")
    guess = stranger.post("/apply/check", data={"idempotency_key": "0" * 32})
    assert not guess.headers["Location"].endswith("/apply/done")


def test_out_of_province_first_application(client, app):
    done = apply(client, app_type="first", id_number=JIANGXI_ID, province="36", held=["household_register"])
    assert count(app) == 1
    assert "out of province" in done or "省外" in done or "跨省" in done


def test_refused_case_explains_what_to_do(client, app):
    client.post("/language", data={"lang": "en"})
    client.post("/start")
    post_step(client, "type", {"app_type": "first"})
    post_step(client, "id_number", {"id_number": make_id("81000019900101001")})
    post_step(client, "name", {"name": "Chan Tai Man"})
    response = post_step(client, "registration", {"registered_province": "33"})
    assert response.headers["Location"].endswith("/apply/not_here")
    page = client.get("/apply/not_here").get_data(as_text=True)
    assert "Residence Permit for Hong Kong, Macao and Taiwan Residents" in page
    assert client.get("/apply/can_travel").headers["Location"].endswith("/apply/not_here")
    assert count(app) == 0


@pytest.mark.parametrize("province_code", ["71", "81", "82", "83"])
@pytest.mark.parametrize(
    ("language", "words"),
    [("zh_Hans", "港澳台居民居住证"), ("zh_Hant", "港澳台居民居住證"), ("en", "Hong Kong, Macao and Taiwan Residents")],
)
def test_hong_kong_macao_and_taiwan_numbers_are_sent_to_the_residence_permit_by_its_name(
    client, province_code, language, words
):
    """docs/domain.md, "Hong Kong, Macao and Taiwan numbers": 71 and 81-83 are refused, naming the
    港澳台居民居住证 (not just 居住证, the mainland migrants' permit)."""
    client.post("/language", data={"lang": language})
    client.post("/start")
    post_step(client, "type", {"app_type": "first"})
    post_step(client, "id_number", {"id_number": make_id(province_code + "000019900101001")})
    post_step(client, "name", {"name": "陈大文"})
    post_step(client, "registration", {"registered_province": "44"})
    refusal = re.search(r'id="refusal">(.*?)</div>', client.get("/apply/not_here").get_data(as_text=True), re.S)[1]
    assert words in refusal


def test_renewal_too_early_names_the_date(client):
    client.post("/language", data={"lang": "en"})
    client.post("/start")
    post_step(client, "type", {"app_type": "renewal_expiry"})
    post_step(client, "id_number", {"id_number": LOCAL_ID})
    post_step(client, "name", {"name": "王小明"})
    post_step(client, "registration", {"registered_province": "33"})
    year = when.card_expiry(0)[:4]
    expires = f"{int(year) + 5}0701"  # renewable from three months before: the same year
    post_step(client, "expiry", {"card_expires": expires})
    page = client.get("/apply/not_here").get_data(as_text=True)
    assert f"{int(year) + 5}" in page


def test_changing_an_answer_returns_to_the_plan_then_check(client):
    walk_to_check(client)
    response = post_step(client, "urgent", {"urgent": "exam"})
    assert response.headers["Location"].endswith("/apply/plan")
    post_step(client, "plan")
    assert client.get("/apply/photo").status_code == 200  # earlier answers stay
    assert client.get("/apply/check").status_code == 200


def test_elderly_applicants_are_offered_priority(client):
    client.post("/start")
    post_step(client, "type", {"app_type": "lost"})
    post_step(client, "id_number", {"id_number": "11010519491231002X"})
    post_step(client, "name", {"name": "王老"})
    post_step(client, "registration", {"registered_province": "33"})
    post_step(client, "can_travel", {"can_travel": "yes"})
    page = client.get("/apply/special_group").get_data(as_text=True)
    assert re.search(r'value="elderly"\s+class="choice-button selected"', page)


def test_start_over_and_citizens_do_not_see_each_other(client, app):
    walk_to_check(client, name="张三")
    client.post("/reset")
    assert count(app, KioskSession) == 0
    client.post("/start")
    for step in ("id_number", "name", "check"):
        page = client.get(f"/apply/{step}", follow_redirects=True).get_data(as_text=True)
        assert "张" not in page and LOCAL_ID[-4:] not in page


def test_idle_answers_expire_on_the_server(client, app, database):
    """Even if the browser never sends its reset, answers idle too long are gone."""
    import datetime as dt

    from kiosk.models import KioskSession

    walk_to_check(client)
    with database.transaction() as session:
        for row in session.exec(select(KioskSession)):
            row.updated_at = row.updated_at - dt.timedelta(minutes=3)
            session.add(row)
    assert client.get("/apply/check").headers["Location"].endswith("/apply/type")


def test_pages_are_not_cached(client):
    response = client.get("/")
    assert response.headers["Cache-Control"] == "no-store"
    assert "HX-Request" in response.headers["Vary"]


def test_a_locked_database_gives_a_translated_message_and_saves_nothing(client, app, database_url):
    from kiosk.db import Database, make_engine
    from tests.services.test_applications import _hold_write_lock

    check = walk_to_check(client)
    app.extensions["kiosk_db"].dispose()
    app.extensions["kiosk_db"] = Database(make_engine(database_url, busy_timeout_ms=300))
    release = _hold_write_lock(database_url)
    try:
        response = client.post("/apply/check", data={"idempotency_key": idempotency_key(check)})
    finally:
        release()
    assert response.status_code == 503
    assert "系统繁忙" in response.get_data(as_text=True)
    assert count(app) == 0
    retry = client.post("/apply/check", data={"idempotency_key": idempotency_key(check)})
    assert retry.status_code == 303 and count(app) == 1


def test_csrf_is_enforced(app_config, database):
    from kiosk import create_app

    app = create_app(app_config | {"WTF_CSRF_ENABLED": True})
    response = app.test_client().post("/start")
    assert response.status_code == 400


def test_the_card_expiry_step_works_on_a_leap_day(client, clock):
    """The furthest end date accepted is 21 years ahead: 29 February 2049 does not exist."""
    from tests.conftest import aware

    clock.set(aware(2028, 2, 29))
    client.post("/start")
    post_step(client, "type", {"app_type": "renewal_expiry"})
    post_step(client, "id_number", {"id_number": LOCAL_ID})
    post_step(client, "name", {"name": "王小明"})
    post_step(client, "registration", {"registered_province": "33"})
    assert client.post("/apply/expiry", data={"card_expires": "20490301"}).status_code == 422  # too far
    post_step(client, "expiry", {"card_expires": "20280320"})


@pytest.mark.parametrize(
    ("hour", "promise"),
    [(10, "Staff will review your application by"), (21, "Staff handle your application when the hall next opens")],
)
def test_today_is_promised_only_while_the_hall_is_open(client, clock, hour, promise):
    """docs/domain.md "Commitments": at 21:00 on a Tuesday the hall has closed: the next opening."""
    from tests.conftest import aware

    clock.set(aware(2026, 11, 24, hour))
    client.post("/language", data={"lang": "en"})
    check = walk_to_check(client, held=("old_card", "household_register"), card_expires="2026-12-20")
    page = check.get_data(as_text=True)
    assert promise in page
    if hour == 21:
        assert "2026" in page and "today" not in re.search(r'id="next">(.*?)</dd>', page, re.S)[1]


@pytest.mark.parametrize(
    ("app_type", "offered"),
    [("renewal_change", True), ("first", True), ("lost", False), ("damaged", False)],
)
def test_the_fee_reduction_is_asked_only_where_it_applies(client, app_type, offered):
    """docs/domain.md, "Fee exemptions": not for lost or damaged cards nor the temporary ID; the
    veterans'-families exemption is off at the demo station."""
    client.post("/start")
    post_step(client, "type", {"app_type": app_type})
    post_step(client, "id_number", {"id_number": LOCAL_ID})
    post_step(client, "name", {"name": "王小明"})
    post_step(client, "registration", {"registered_province": "33"})
    for step, value in (("can_travel", "yes"), ("special_group", "none"), ("urgent", "none"), ("blocking", "none")):
        post_step(client, step, {step: value})
    after = post_step(client, "out_of_hours", {"out_of_hours": "no"}).headers["Location"]
    assert after.endswith("/apply/exemption") == offered
    page = client.get("/apply/exemption")
    assert page.status_code == (200 if offered else 302)
    if offered:
        html = page.get_data(as_text=True)
        assert 'value="minimum_income"' in html and 'value="hardship"' in html
        assert 'value="veteran_family"' not in html


def test_a_lost_card_pays_the_full_fee_whatever_certificate_was_claimed(client, app):
    walk_to_check(client, app_type="renewal_change", situation={"exemption": "minimum_income"})
    post_step(client, "type", {"app_type": "lost"})  # a lost card has no lower fee: the claim goes
    post_step(client, "plan")
    check = client.get("/apply/check")
    assert check.status_code == 200
    post_step(client, "check", {"idempotency_key": idempotency_key(check)})
    with app.extensions["kiosk_db"].reading() as session:
        application = session.exec(select(Application)).one()
    assert (application.fee_yuan, application.exemption) == (40, "none")


def test_a_renewal_with_a_minimum_income_certificate_is_free(client, app):
    apply(client, app_type="renewal_change", situation={"exemption": "minimum_income"})
    with app.extensions["kiosk_db"].reading() as session:
        application = session.exec(select(Application)).one()
    assert (application.fee_yuan, application.exemption) == (0, "minimum_income")


def _answer_eligibility(client, app_type, id_number=LOCAL_ID, province="33"):
    client.post("/start")
    post_step(client, "type", {"app_type": app_type})
    post_step(client, "id_number", {"id_number": id_number})
    post_step(client, "name", {"name": "王小明"})
    return post_step(client, "registration", {"registered_province": province})


def test_a_temporary_id_without_a_pending_application_is_refused_in_plain_words(client, app):
    """docs/domain.md, "Temporary ID"."""
    client.post("/language", data={"lang": "en"})
    response = _answer_eligibility(client, "temporary")
    assert response.headers["Location"].endswith("/apply/not_here")
    page = client.get("/apply/not_here").get_data(as_text=True)
    assert "only while your application for the ID card itself is being handled" in page
    assert count(app) == 0


def test_a_temporary_id_at_the_kiosk_is_linked_and_shows_its_validity(client, app):
    client.post("/language", data={"lang": "en"})
    apply(client, app_type="lost")
    _answer_eligibility(client, "temporary")
    answer_situation(client)
    post_step(client, "materials", {"held": ["household_register", "photo"]})
    post_step(client, "plan")
    post_step(client, "photo")
    response = post_step(client, "contact", {"phone": "13812345678"})
    assert response.headers["Location"].endswith("/apply/check")  # collected here: no postal question
    check = client.get("/apply/check")
    assert 'data-change="collection"' not in check.get_data(as_text=True)
    client.post("/apply/check", data={"idempotency_key": idempotency_key(check)})
    done = client.get("/apply/done").get_data(as_text=True)
    with app.extensions["kiosk_db"].reading() as session:
        main, temporary = session.exec(select(Application).order_by(Application.id)).all()
    assert temporary.main_application_id == main.id
    assert f'id="main-application">{main.number}<' in done
    assert 'id="temporary-validity"' in done and "90 days from the day it is issued" in done
    assert 'id="thumbprints"' not in done and 'id="card-validity"' not in done


@pytest.mark.dated
@pytest.mark.parametrize(
    ("years_old", "validity", "guardian", "apply_by"),
    [
        (10, "5 years", True, True),
        (16, "10 years", False, True),
        (30, "20 years", False, False),
        (50, "Long-term", False, False),
    ],
)
def test_the_plan_tells_the_new_cards_validity_thumbprints_and_a_guardian(
    client, station, years_old, validity, guardian, apply_by
):
    """docs/domain.md, "The citizen's card and visit": ID Card Law arts. 3, 5 and 7."""
    born = add_years(when.today(station), -years_old) - dt.timedelta(days=1)  # this birthday was yesterday
    number = make_id(f"330402{born:%Y%m%d}123")
    client.post("/language", data={"lang": "en"})
    _answer_eligibility(client, "first", id_number=number)
    answer_situation(client)
    post_step(client, "materials", {"held": []})
    plan = client.get("/apply/plan").get_data(as_text=True)
    assert validity in re.search(r'id="card-validity">(.*?)</dd>', plan, re.S)[1]
    assert "Both thumbprints are taken at the window" in plan
    assert ('id="guardian"' in plan) == guardian
    assert ('id="apply-by"' in plan) == apply_by


def test_a_home_visit_takes_the_thumbprints_on_the_visit(client):
    client.post("/language", data={"lang": "en"})
    _answer_eligibility(client, "lost")
    answer_situation(client, {"can_travel": "no"})
    page = client.get("/apply/visit").get_data(as_text=True)
    day = re.search(r'name="dates" value="([\d-]+)"', page)[1]
    post_step(client, "visit", {"address": "浙江省嘉兴市南湖区某某路 1 号", "dates": [day]})
    post_step(client, "materials", {"held": []})
    plan = client.get("/apply/plan").get_data(as_text=True)
    assert "The officer takes both your thumbprints on the home visit." in plan


def test_changing_to_a_type_that_replaces_an_old_card_asks_again_how_it_comes_back(client):
    walk_to_check(client, app_type="lost", collection=POST_TO)
    post_step(client, "type", {"app_type": "damaged"})
    post_step(client, "materials", {"held": ["old_card"]})
    response = post_step(client, "plan")
    assert response.headers["Location"].endswith("/apply/collection")
    post_step(client, "collection", POST_TO | {"old_card": "at_acceptance"})
    assert client.get("/apply/check").status_code == 200


def test_the_situation_is_asked_one_question_a_page_and_only_what_applies(client):
    """A home visit asks for no booked time at the station; a lost card has no lower fee."""
    response = _answer_eligibility(client, "lost")
    assert response.headers["Location"].endswith("/apply/can_travel")
    assert post_step(client, "can_travel", {"can_travel": "no"}).headers["Location"].endswith("/apply/special_group")
    page = client.get("/apply/special_group").get_data(as_text=True)
    assert 'href="/apply/can_travel" id="back"' in page  # Back: the question before
    assert page.count('name="special_group"') == 6  # "none of these" and the five groups
    post_step(client, "special_group", {"special_group": "none"})
    post_step(client, "urgent", {"urgent": "none"})
    assert post_step(client, "blocking", {"blocking": "none"}).headers["Location"].endswith("/apply/visit")
    assert client.get("/apply/out_of_hours").status_code == 302
    assert client.get("/apply/exemption").status_code == 302
    # Able to come after all: the booked time is asked now.
    assert post_step(client, "can_travel", {"can_travel": "yes"}).headers["Location"].endswith("/apply/out_of_hours")
    response = post_step(client, "out_of_hours", {"out_of_hours": "maybe"}, expect=422)
    assert 'id="out_of_hours-error"' in response.get_data(as_text=True)
    assert post_step(client, "out_of_hours", {"out_of_hours": "yes"}).headers["Location"].endswith("/apply/materials")


def test_a_home_visit_forgets_the_booked_time_asked_before(client, app):
    walk_to_check(client, app_type="lost", situation={"out_of_hours": "yes"})
    post_step(client, "can_travel", {"can_travel": "no"})
    page = client.get("/apply/visit").get_data(as_text=True)
    day = re.search(r'name="dates" value="([\d-]+)"', page)[1]
    post_step(client, "visit", {"address": "浙江省嘉兴市南湖区某某路 1 号", "dates": [day]})
    post_step(client, "plan")
    check = client.get("/apply/check")
    post_step(client, "check", {"idempotency_key": idempotency_key(check)})
    with app.extensions["kiosk_db"].reading() as session:
        application = session.exec(select(Application)).one()
    assert application.commitment == "home_visit"
    assert application.situation["wants_out_of_hours_slot"] is False


def test_the_check_page_shows_the_card_end_date_as_people_read_it(client):
    expires = dt.date.fromisoformat(when.card_due_for_renewal())
    page = walk_to_check(client, card_expires=expires.strftime("%Y%m%d")).get_data(as_text=True)
    shown = re.search(r"<dt>有效期至</dt><dd>([^<]+)</dd>", page)
    assert shown[1].startswith(f"{expires.year}年{expires.month}月{expires.day}日")
