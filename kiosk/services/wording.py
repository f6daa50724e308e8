"""Words for one citizen outside a request, in the language they chose at the kiosk: the texts
sent to them and the explanatory text of their printed receipt (its official field labels stay
Chinese, kiosk.domain.official_names)."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

from babel.dates import format_date
from babel.support import Translations

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


@cache
def catalogue(language: str) -> Translations:
    return Translations.load(str(TRANSLATIONS), [language])


class Wording:
    """`wording("…%(date)s…", date=…)`: a message id translated into `language`, filled in. A
    message id may also be one of kiosk.labels' lazy strings (the screens' own words)."""

    def __init__(self, language: str):
        self.language = language
        self._catalogue = catalogue(language)

    def __call__(self, message, **values) -> str:
        # A lazy string keeps its message id as its first argument (flask_babel.speaklater).
        message_id = message if isinstance(message, str) else message._args[0]
        text = self._catalogue.gettext(message_id)
        return text % values if values else text

    def listing(self, items) -> str:
        """Items in running text: 8:30-12:00、13:30-20:00 or 8:30-12:00, 13:30-20:00."""
        return self._catalogue.pgettext("between the items of a list", ", ").join(items)

    def day(self, day: dt.date) -> str:
        """A date in running text: 2027年2月26日, February 26, 2027 (one format, no leading zeros)."""
        return format_date(day, "long", locale=self.language)
