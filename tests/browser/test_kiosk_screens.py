"""The kiosk's pages on its own screens, in Chromium: one situation question a page, each fitting
the screen with large text too; the ID number kept after a mistake; the province of the ID number
offered first; the on-screen keyboard; the large-text button; the landscape screen."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import VIEWPORTS
from tests.browser.kiosk_driver import (
    answer_identity,
    answer_situation,
    settled,
    shows_all_it_holds,
    start,
    tap_continue,
    tap_keys,
    type_pinyin,
)
from tests.browser.test_kiosk_wizard import WANG_XIAO_MING
from tests.conftest import JIANGXI_ID, LOCAL_ID

pytestmark = pytest.mark.browser

ACCENT = "rgb(0, 61, 122)"


def large_text_on(page: Page, base: str) -> None:
    page.goto(base + "/")
    page.locator(".display-toggle").click()
    expect(page.locator(".display-toggle")).to_have_attribute("aria-pressed", "true")


# A smaller landscape kiosk screen than VIEWPORTS' (which are the common 1080p panels).
SMALL_LANDSCAPE = {"width": 1280, "height": 800}


def fully_on_screen(page: Page, selector: str) -> None:
    """Every element `selector` finds lies within the viewport (no scrolling needed)."""
    viewport = page.viewport_size
    boxes = [element.bounding_box() for element in page.locator(selector).all()]
    assert boxes, selector
    for box in boxes:
        assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], (page.url, selector, box)
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], (page.url, selector, box)


@pytest.mark.parametrize("large", [False, True], ids=["normal-text", "large-text"])
def test_each_situation_question_is_a_page_of_its_own_that_fits_the_screen(page, live_server, screenshot, large):
    page.set_viewport_size(VIEWPORTS["portrait"])
    if large:
        large_text_on(page, live_server)
    start(page, live_server)
    answer_identity(page, app_type="renewal_change", id_number=LOCAL_ID, name_pinyin=WANG_XIAO_MING, province="33")
    asked = []

    def check(question: str) -> None:
        settled(page)
        asked.append(question)
        screenshot(page, f"kiosk-situation-{question}-{'large' if large else 'normal'}")
        assert page.locator("fieldset, input[type='radio']").count() == 0  # one question, no form of many
        fully_on_screen(page, f"button[name='{question}']")
        fully_on_screen(page, "#back")
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height <= VIEWPORTS["portrait"]["height"], (question, height)

    answer_situation(page, on_page=check)
    assert asked == ["can_travel", "special_group", "urgent", "blocking", "out_of_hours", "exemption"]
    expect(page).to_have_url(live_server + "/apply/materials")
    # Back goes through the questions again, the answers given marked.
    page.locator("#back").click()
    expect(page).to_have_url(live_server + "/apply/exemption")
    expect(page.locator("button[name='exemption'][value='none']")).to_have_class("choice-button selected")
    page.locator("#back").click()
    expect(page).to_have_url(live_server + "/apply/out_of_hours")
    page.locator("button[name='out_of_hours'][value='yes']").click()
    expect(page).to_have_url(live_server + "/apply/materials")  # the later answers are kept


def test_a_wrong_id_number_stays_in_the_field_to_be_corrected(page, live_server):
    start(page, live_server)
    page.locator("button[name='app_type'][value='lost']").click()
    wrong = LOCAL_ID[:-1] + ("0" if LOCAL_ID[-1] != "0" else "1")
    tap_keys(page, wrong)
    tap_continue(page)
    expect(page.locator("#id_number-error")).to_be_visible()
    expect(page.locator("#id_number")).to_have_value(wrong)
    settled(page)  # the keypad works once kiosk.js has run
    page.locator(".keypad [data-key='delete']").click()
    tap_keys(page, LOCAL_ID[-1])
    tap_continue(page)
    expect(page).to_have_url(live_server + "/apply/name")


def test_the_province_of_the_id_number_is_offered_first_and_can_be_changed(page, live_server):
    start(page, live_server)
    page.locator("button[name='app_type'][value='lost']").click()
    tap_keys(page, JIANGXI_ID)
    tap_continue(page)
    type_pinyin(page, "wang", "王")
    tap_continue(page)
    suggested = page.locator("#id-province")
    expect(suggested).to_have_attribute("value", "36")
    expect(suggested).to_contain_text("江西")
    expect(suggested).to_have_class("button primary")
    expect(page.locator("button[name='registered_province'][value='36']")).to_have_count(1)
    page.locator("#this-province").click()  # registered here after all
    expect(page).to_have_url(live_server + "/apply/can_travel")


def test_collection_here_needs_no_address_and_the_keyboard_types_digits_in_both_modes(page, live_server, screenshot):
    start(page, live_server)
    answer_identity(page, app_type="lost", id_number=LOCAL_ID, name_pinyin=WANG_XIAO_MING, province="33")
    answer_situation(page)
    tap_continue(page)  # materials
    tap_continue(page)  # plan
    tap_continue(page)  # photo
    tap_keys(page, "13812345678")
    tap_continue(page)
    expect(page).to_have_url(live_server + "/apply/collection")
    settled(page)
    expect(page.locator("input[name='method'][value='station']")).to_be_checked()
    expect(page.locator("#address")).to_be_hidden()
    expect(page.locator(".simple-keyboard")).to_be_hidden()
    screenshot(page, "kiosk-collection-here")
    page.locator("input[name='method'][value='post']").check()
    expect(page.locator("#address")).to_be_visible()
    # Pinyin: the candidates have their own strip, the mode switch stays free to tap.
    for letter in "jia":
        page.locator(f".simple-keyboard [data-skbtn='{letter}']").click()
    candidates = page.locator(".hg-candidate-box")
    expect(candidates).to_be_visible()
    screenshot(page, "kiosk-collection-post-pinyin")
    box = candidates.bounding_box()
    for mode in page.locator("[data-keyboard-mode]").all():
        switch = mode.bounding_box()
        assert box["y"] >= switch["y"] + switch["height"] or box["y"] + box["height"] <= switch["y"], (box, switch)
        centre = (switch["x"] + switch["width"] / 2, switch["y"] + switch["height"] / 2)
        assert page.evaluate("([x, y]) => document.elementFromPoint(x, y).dataset.keyboardMode", centre)
    page.locator(".hg-candidate-box-list-item", has_text="嘉").first.click()
    page.locator(".simple-keyboard [data-skbtn='1']").click()  # a house number, still in pinyin mode
    expect(page.locator("#address")).to_have_value("嘉1")
    page.locator("[data-keyboard-mode='latin']").click()
    page.locator(".simple-keyboard [data-skbtn='2']").click()
    expect(page.locator("#address")).to_have_value("嘉12")
    # Back to collecting here: the address is out of the way again.
    page.locator("input[name='method'][value='station']").check()
    expect(page.locator(".simple-keyboard")).to_be_hidden()
    tap_continue(page)
    expect(page).to_have_url(live_server + "/apply/check")


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
def test_large_text_shows_it_is_on_and_the_header_stays_one_row(page, live_server, screenshot, language):
    page.set_viewport_size(VIEWPORTS["portrait"])
    page.goto(live_server + "/")
    if language != "zh_Hans":
        page.locator(f"button[name='lang'][value='{language}']").click()
    toggle = page.locator(".display-toggle")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    normal = page.evaluate("getComputedStyle(document.querySelector('.display-toggle')).backgroundColor")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#page")).to_have_class(re.compile("large-text"))  # htmx settles classes last
    settled(page)
    assert page.evaluate("getComputedStyle(document.querySelector('.display-toggle')).backgroundColor") == ACCENT
    assert normal != ACCENT
    assert page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)") >= 36  # 1.5 times
    page.locator("#start").click()
    expect(page).to_have_url(live_server + "/apply/type")
    tops = {round(b.bounding_box()["y"]) for b in page.locator(".kiosk-header button").all()}
    assert len(tops) == 1, tops
    fully_on_screen(page, ".kiosk-header button")
    screenshot(page, f"kiosk-type-large-text-{language}")


@pytest.mark.parametrize("large", [False, True], ids=["normal-text", "large-text"])
def test_the_id_number_page_fits_a_landscape_screen(page, live_server, screenshot, large):
    page.set_viewport_size(VIEWPORTS["landscape"])
    if large:
        large_text_on(page, live_server)
    start(page, live_server)
    page.locator("button[name='app_type'][value='lost']").click()
    tap_keys(page, LOCAL_ID)
    screenshot(page, f"kiosk-id_number-landscape-{'large' if large else 'normal'}")
    shows_all_it_holds(page, "#id_number")
    fully_on_screen(page, "#continue")
    fully_on_screen(page, ".keypad .key")
    tap_continue(page)
    expect(page).to_have_url(live_server + "/apply/name")


@pytest.mark.parametrize("screen", [VIEWPORTS["portrait"], SMALL_LANDSCAPE], ids=["portrait", "1280x800"])
@pytest.mark.parametrize("large", [False, True], ids=["normal-text", "large-text"])
def test_all_18_characters_of_an_id_number_show_in_its_field(page, live_server, screen, large):
    page.set_viewport_size(screen)
    if large:
        large_text_on(page, live_server)
    start(page, live_server)
    page.locator("button[name='app_type'][value='lost']").click()
    tap_keys(page, LOCAL_ID)
    shows_all_it_holds(page, "#id_number")
