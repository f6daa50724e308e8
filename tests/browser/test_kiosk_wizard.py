"""Citizens at the kiosk, in Chromium: every commitment, out-of-province cases, languages, idle reset."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests import when
from tests.browser.conftest import VIEWPORTS
from tests.browser.kiosk_driver import (
    accessibility_problems,
    answer_identity,
    answer_situation,
    choose_tile,
    settled,
    start,
    tap_continue,
    tap_keys,
    type_pinyin,
)
from tests.conftest import JIANGXI_ID, LOCAL_ID
from tests.printing.pdf_tools import page_texts, squeezed

pytestmark = pytest.mark.browser

WANG_XIAO_MING = [("wang", "王"), ("xiao", "小"), ("ming", "明")]
COMMITMENT_NAMES = {
    "zh_Hans": {
        "immediate": "手续齐全立即办",
        "time_limited": "手续不全限时办",
        "home_visit": "行动不便上门办",
        "priority": "特殊群体优先办",
        "urgent": "要事急事特殊办",
        "registered": "客观原因登记办",
        "appointment": "假日期间预约办",
    },
    "en": {
        "immediate": "Complete: handled at once",
        "time_limited": "Something missing",
        "home_visit": "Home visit",
        "priority": "Priority",
        "urgent": "Urgent need",
        "registered": "Registered",
        "appointment": "Appointment outside normal hours",
    },
    "zh_Hant": {"immediate": "手續齊全立即辦", "appointment": "假日期間預約辦"},
}


def finish_after_situation(page: Page, *, held=(), phone="13812345678") -> str:
    """Materials, plan, photo, contact, collection, check, submit; returns the application number."""
    for material in held:
        choose_tile(page, "held", material)
    tap_continue(page)  # materials
    tap_continue(page)  # plan
    tap_continue(page)  # photo (taken at the window in the demo station)
    tap_keys(page, phone)
    tap_continue(page)
    tap_continue(page)  # collect at the station
    page.locator("#submit").click()
    number = page.locator("#application-number")
    expect(number).to_have_text(re.compile(r"^330402-\d{6}-\d{4}$"))
    return number.inner_text()


CASES = [
    # (commitment, language, application type, situation answers, materials held)
    ("immediate", "zh_Hans", "renewal_expiry", {}, ()),
    ("time_limited", "en", "lost", {}, ()),
    ("priority", "zh_Hans", "damaged", {"special_group": "pregnant"}, ("old_card",)),
    ("urgent", "en", "damaged", {"urgent": "exam"}, ("old_card",)),
    ("registered", "zh_Hans", "lost", {"blocking": "registration_moving"}, ("household_register",)),
    ("appointment", "zh_Hant", "renewal_expiry", {"out_of_hours": "yes"}, ()),
]


@pytest.mark.parametrize(("commitment", "language", "app_type", "situation", "held"), CASES, ids=[c[0] for c in CASES])
def test_each_commitment_end_to_end(page, live_server, commitment, language, app_type, situation, held):
    start(page, live_server, language)
    answer_identity(page, app_type=app_type, id_number=LOCAL_ID, name_pinyin=WANG_XIAO_MING, province="33")
    if app_type == "renewal_expiry":
        tap_keys(page, when.card_due_for_renewal())
        tap_continue(page)
    answer_situation(page, **situation)
    for material in held:
        choose_tile(page, "held", material)
    tap_continue(page)
    expect(page.locator("#commitment")).to_contain_text(COMMITMENT_NAMES[language][commitment])
    tap_continue(page)
    tap_continue(page)
    tap_keys(page, "13812345678")
    tap_continue(page)
    tap_continue(page)
    expect(page.locator("#question")).to_be_visible()
    assert LOCAL_ID not in page.locator("body").inner_text()
    page.locator("#submit").click()
    expect(page.locator("#application-number")).to_have_text(re.compile(r"^330402-\d{6}-0001$"))
    body = page.locator("body").inner_text()
    assert "王*明" in body and LOCAL_ID not in body and "13812345678" not in body


def test_a_home_visit_speaks_of_the_visit_on_every_screen_and_on_the_receipt(page, live_server, app, screenshot):
    """The officer takes the photo, the thumbprints and the fee at home and brings the card: the
    kiosk asks about neither a photo nor how to receive the card, and nothing sends the person
    to the window."""
    page.set_viewport_size(VIEWPORTS["portrait"])
    start(page, live_server)
    answer_identity(page, app_type="damaged", id_number=LOCAL_ID, name_pinyin=WANG_XIAO_MING, province="33")
    answer_situation(page, can_travel="no")
    expect(page).to_have_url(live_server + "/apply/visit")
    for syllable, character in [("jia", "嘉"), ("xing", "兴")]:
        type_pinyin(page, syllable, character)
    expect(page.locator("#address")).to_have_value("嘉兴")
    page.locator("input[name='dates']").first.check()
    tap_continue(page)
    choose_tile(page, "held", "old_card")
    tap_continue(page)  # materials
    expect(page.locator("#commitment")).to_contain_text("行动不便上门办")
    expect(page.locator("#next")).to_contain_text("约定民警上门时间")
    expect(page.locator("#fee")).to_contain_text("上门时交给民警")
    screenshot(page, "kiosk-plan-home-visit")
    tap_continue(page)  # plan: no photo question follows
    expect(page).to_have_url(live_server + "/apply/contact")
    tap_keys(page, "13912345678")
    tap_continue(page)  # no question on how to receive the card
    expect(page).to_have_url(live_server + "/apply/check")
    page.locator("#submit").click()
    expect(page.locator("#application-number")).to_be_visible()
    expect(page.locator("#home-visit")).to_contain_text("前与您联系")
    expect(page.locator("#cost")).to_have_text("40 元，上门时交给民警")
    expect(page.locator("#collection")).to_contain_text("民警送证上门")
    expect(page.locator("#photo")).to_have_text("民警上门时现场拍")
    expect(page.locator("#old-card")).to_contain_text("交给民警")
    receipt = page.locator("#receipt").inner_text()
    assert "窗口" not in receipt and "到这里领取" not in receipt and "领取时请带上" not in receipt
    assert "在这里打印回执" in page.locator(".notice").inner_text()
    screenshot(page, "kiosk-done-home-visit")

    page.locator("#print-receipt").click()
    expect(page.locator("#print-result")).to_be_visible()
    [printed] = (Path(app.instance_path) / "prints").glob("*.pdf")
    text = squeezed("".join(page_texts(printed.read_bytes())))
    for words in ("民警上门送证", "上门时交给民警", "约定民警上门时间", "由民警拍摄证件照", "民警上门送证时交回旧证"):
        assert words in text, words
    for words in ("到受理单位领取", "请到窗口", "领证时请携带"):
        assert words not in text, words


def test_out_of_province_renewal(page, live_server):
    start(page, live_server, "en")
    answer_identity(page, app_type="renewal_expiry", id_number=JIANGXI_ID, name_pinyin=WANG_XIAO_MING, province="36")
    tap_keys(page, when.card_due_for_renewal())
    tap_continue(page)
    answer_situation(page)
    tap_continue(page)  # materials: none needed for an expiry renewal
    expect(page.locator(".notice")).to_contain_text("another province")
    expect(page.locator("#expected")).to_be_visible()
    tap_continue(page)
    tap_continue(page)
    tap_keys(page, "13812345678")
    tap_continue(page)
    tap_continue(page)
    page.locator("#submit").click()
    expect(page.locator("#receipt")).to_contain_text("out of province")


def test_refused_out_of_province_case(page, live_server):
    start(page, live_server, "en")
    answer_identity(page, app_type="renewal_expiry", id_number=JIANGXI_ID, name_pinyin=WANG_XIAO_MING, province="36")
    tap_keys(page, "20351231")
    tap_continue(page)
    expect(page).to_have_url(live_server + "/apply/not_here")
    expect(page.locator("#refusal")).to_contain_text("You can renew it from")
    page.locator("#finish").click()
    expect(page).to_have_url(live_server + "/")


def test_a_wrong_id_number_is_explained_next_to_the_field(page, live_server):
    start(page, live_server)
    page.locator("button[name='app_type'][value='lost']").click()
    tap_keys(page, LOCAL_ID[:-1] + ("0" if LOCAL_ID[-1] != "0" else "1"))
    tap_continue(page)
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#id_number-error")).to_contain_text("对不上")
    expect(page.locator(".error-summary")).to_be_focused()


def test_idle_reset_wipes_everything(page, live_server, app):
    page.clock.install()
    start(page, live_server)
    answer_identity(page, app_type="lost", id_number=LOCAL_ID, name_pinyin=WANG_XIAO_MING, province="33")
    page.evaluate("window.sessionStorage.setItem('left-behind', 'x')")
    expect(page).to_have_url(live_server + "/apply/can_travel")
    settled(page)  # the idle timer starts when kiosk.js runs
    page.clock.run_for("01:29")
    expect(page.locator("#idle-dialog")).not_to_be_visible()
    page.clock.run_for("00:02")
    expect(page.locator("#idle-dialog")).to_be_visible()
    page.locator("#idle-continue").click()  # "yes, continue": nothing is lost
    expect(page.locator("#idle-dialog")).not_to_be_visible()
    expect(page).to_have_url(live_server + "/apply/can_travel")
    page.clock.run_for("01:31")
    expect(page.locator("#idle-dialog")).to_be_visible()
    page.clock.run_for("00:31")
    expect(page).to_have_url(live_server + "/")
    # Only htmx's own note of the current path (no personal data) may be there.
    stored = page.evaluate("Object.fromEntries(Object.entries(window.sessionStorage))")
    assert set(stored) <= {"htmx-current-path-for-history"}, stored
    # The next citizen starts clean: nothing of the previous one anywhere.
    page.locator("#start").click()
    page.goto(live_server + "/apply/can_travel")
    expect(page).to_have_url(live_server + "/apply/type")
    from sqlmodel import func, select

    from kiosk.models import KioskSession

    with app.extensions["kiosk_db"].reading() as session:
        assert session.exec(select(func.count()).select_from(KioskSession)).one() == 0


def test_two_citizens_one_after_the_other(page, live_server):
    start(page, live_server)
    answer_identity(page, app_type="lost", id_number=LOCAL_ID, name_pinyin=WANG_XIAO_MING, province="33")
    page.locator("#start-over").click()  # citizen A walks away mid-way
    start(page, live_server)
    page.locator("button[name='app_type'][value='lost']").click()
    expect(page).to_have_url(live_server + "/apply/id_number")
    expect(page.locator(".hint .masked")).to_have_count(0)  # no number from A
    page.goto(live_server + "/apply/name")
    expect(page).to_have_url(live_server + "/apply/id_number")


def _walk_every_page(page: Page, base: str, visit_page):
    """Walk the wizard through every kind of page, calling visit_page(name) on each once htmx has
    put it in place (a click returns before the page it leads to is there)."""

    def visit(name: str) -> None:
        expect(page).to_have_url(base + ("/" if name == "welcome" else f"/apply/{name}"))
        visit_page(name)

    page.goto(base + "/")
    visit("welcome")
    page.locator("#start").click()
    visit("type")
    page.locator("button[name='app_type'][value='renewal_expiry']").click()
    visit("id_number")
    tap_keys(page, LOCAL_ID)
    tap_continue(page)
    visit("name")
    type_pinyin(page, "wang", "王")
    tap_continue(page)
    visit("registration")
    page.locator("#this-province").click()
    visit("expiry")
    tap_keys(page, when.card_due_for_renewal())
    tap_continue(page)
    answer_situation(page, on_page=visit, can_travel="no")
    visit("visit")
    type_pinyin(page, "jia", "嘉")
    page.locator("input[name='dates']").first.check()
    tap_continue(page)
    # The person can travel after all: a home visit asks neither for a photo nor how the card comes.
    page.goto(base + "/apply/can_travel")
    page.locator("button[name='can_travel'][value='yes']").click()
    page.locator("button[name='out_of_hours'][value='no']").click()
    visit("materials")
    tap_continue(page)
    visit("plan")
    tap_continue(page)
    visit("photo")
    tap_continue(page)
    visit("contact")
    tap_keys(page, "13812345678")
    tap_continue(page)
    visit("collection")
    tap_continue(page)
    visit("check")
    page.locator("#submit").click()
    visit("done")


@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
def test_every_page_is_accessible_large_and_photographed(page, live_server, screenshot, orientation):
    page.set_viewport_size(VIEWPORTS[orientation])
    problems: dict[str, list[str]] = {}
    small: dict[str, float] = {}

    def visit(name: str) -> None:
        screenshot(page, f"kiosk-{name}-{orientation}")
        found = accessibility_problems(page)
        if found:
            problems[name] = found
        for box in (b.bounding_box() for b in page.locator("button.primary, .choice-button, .keypad .key").all()):
            if box and box["height"] < 64:
                small[name] = box["height"]
        text = "document.querySelector('main p, main dd, main label') || document.body"
        body_size = page.evaluate(f"parseFloat(getComputedStyle({text}).fontSize)")
        assert body_size >= 24, (name, body_size)

    _walk_every_page(page, live_server, visit)
    assert problems == {}
    assert small == {}


def test_large_text_toggle(page, live_server, screenshot):
    page.goto(live_server + "/")
    page.locator(".display-toggle").click()
    expect(page.locator("#page")).to_have_class(re.compile("large-text"))
    settled(page)  # the stylesheet has applied
    size = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert size >= 32
    screenshot(page, "kiosk-welcome-large-text")
