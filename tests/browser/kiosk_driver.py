"""Driving the kiosk in a real browser as a citizen would: taps only, no typing into fields."""

from __future__ import annotations

import re
from collections.abc import Callable

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.helpers import NO_SITUATION

_axe = Axe()


# WCAG AAA contrast (7:1) is asked of the kiosk, beyond axe's default AA rule.
_AXE_OPTIONS = {"resultTypes": ["violations"], "rules": {"color-contrast-enhanced": {"enabled": True}}}


def accessibility_problems(page: Page) -> list[str]:
    """Serious and critical axe-core violations on the current page, AAA contrast included."""
    violations = _axe.run(page, options=_AXE_OPTIONS).response["violations"]
    return [f"{v['id']}: {v['help']}" for v in violations if v["impact"] in ("serious", "critical")]


def csp_violations(page: Page) -> list[str]:
    """The Content Security Policy violations of `page` from now on, as Chromium logs them and as
    the documents report them (`securitypolicyviolation`); the list grows as they happen."""
    found: list[str] = []
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', (event) => console.error("
        "'Content Security Policy violation: ' + event.violatedDirective + ' ' + event.blockedURI"
        " + ' at ' + event.sourceFile + ':' + event.lineNumber));"
    )
    page.on(
        "console", lambda message: found.append(message.text) if "Content Security Policy" in message.text else None
    )
    return found


def settled(page: Page) -> None:
    """The current document has loaded its scripts and styles (clicks do not wait for that)."""
    # Not wait_for_function: while it polls it evaluates a string, which the pages' CSP refuses.
    page.wait_for_load_state("load")


def tap_keys(page: Page, text: str) -> None:
    page.locator(".keypad").wait_for()  # the page with the keypad is there...
    settled(page)  # ...and kiosk.js, which makes its keys work, has run
    for character in text:
        page.locator(f".keypad [data-key='{character}']").click()


def shows_all_it_holds(page: Page, selector: str) -> None:
    """The text in the input `selector` fits inside it: nothing scrolled out of sight."""
    width, scrolled = page.locator(selector).evaluate("(input) => [input.clientWidth, input.scrollWidth]")
    assert scrolled <= width, (selector, scrolled, width)


def tap_continue(page: Page) -> None:
    page.locator("#continue").click()


def choose_tile(page: Page, name: str, value: str) -> None:
    page.locator(f"input[name='{name}'][value='{value}']").check()


def type_pinyin(page: Page, syllable: str, character: str) -> None:
    """Type a pinyin syllable on the on-screen keyboard and pick `character` from the candidates."""
    for letter in syllable:
        page.locator(f".simple-keyboard [data-skbtn='{letter}']").click()
    page.locator(".hg-candidate-box-list-item", has_text=character).first.click()


def type_latin(page: Page, text: str) -> None:
    page.locator("[data-keyboard-mode='latin']").click()
    for letter in text:
        key = "{space}" if letter == " " else letter
        page.locator(f".simple-keyboard [data-skbtn='{key}']").click()


def start(page: Page, base: str, language: str = "zh_Hans") -> None:
    page.goto(base + "/")
    if language != "zh_Hans":
        page.locator(f"button[name='lang'][value='{language}']").click()
    page.locator("#start").click()
    expect(page).to_have_url(base + "/apply/type")


def answer_identity(page: Page, *, app_type: str, id_number: str, name_pinyin, province: str, station_province="33"):
    page.locator(f"button[name='app_type'][value='{app_type}']").click()
    tap_keys(page, id_number)
    tap_continue(page)
    for syllable, character in name_pinyin:
        type_pinyin(page, syllable, character)
    tap_continue(page)
    if province == station_province:
        page.locator("#this-province").click()
    else:
        page.locator(f"button[name='registered_province'][value='{province}']").click()


def answer_situation(page: Page, on_page: Callable[[str], None] | None = None, **choices: str) -> None:
    """Answer the situation questions the wizard asks, one page each, one tap on each: as in
    NO_SITUATION but where `choices` says otherwise. `on_page(question)` is called on each page."""
    assert set(choices) <= set(NO_SITUATION), choices
    chosen = NO_SITUATION | choices
    page.wait_for_url(re.compile(r"/apply/can_travel$"))  # the first one, always asked
    while (question := page.url.rsplit("/", 1)[-1]) in chosen:
        if on_page:
            on_page(question)
        page.locator(f"button[name='{question}'][value='{chosen[question]}']").click()
        page.wait_for_url(lambda url, question=question: not url.endswith("/" + question))


def staff_sign_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(base + "/staff/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.locator("button.primary").click()
    expect(page).not_to_have_url(re.compile(r"/staff/login"))  # on the start page of the role
