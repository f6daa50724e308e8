"""Languages: the one a page is shown in, and the marker of messages translated later (N_).
The translated wording of codes is kiosk.labels."""

from __future__ import annotations

from flask import request, session


def N_(message: str) -> str:
    """Marks a message for the translation catalogues; it is translated where it is shown or sent."""
    return message


# Code -> the language's own name, shown on the welcome page.
LANGUAGES = {"zh_Hans": "简体中文", "zh_Hant": "繁體中文", "en": "English"}
DEFAULT_LANGUAGE = "zh_Hans"


_TRADITIONAL = ("zh-hant", "zh-tw", "zh-hk", "zh-mo")


def _from_browser(tag: str) -> str | None:
    tag = tag.lower().replace("_", "-")
    if tag.startswith(_TRADITIONAL):
        return "zh_Hant"
    if tag.startswith("zh"):
        return "zh_Hans"
    if tag.startswith("en"):
        return "en"
    return None


def select_locale() -> str:
    """The language chosen on the welcome page, else the browser's (a phone), else Simplified Chinese."""
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    for tag, _quality in request.accept_languages:
        language = _from_browser(tag)
        if language:
            return language
    return DEFAULT_LANGUAGE


def html_lang() -> str:
    """The BCP 47 tag for <html lang>: zh-Hans, zh-Hant, en."""
    return select_locale().replace("_", "-")


def current_language() -> str:
    return select_locale()
