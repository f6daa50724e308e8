"""Every user-facing string is translated in every kiosk language, and the compiled
catalogues are current. After changing UI text run scripts/i18n and translate."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from kiosk.i18n import LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "kiosk" / "translations"


@pytest.fixture(scope="module")
def source_ids() -> set[tuple[str | None, str]]:
    """(context, message) of every message the code and templates mark for translation."""
    methods = [("kiosk/**.py", "python"), ("kiosk/templates/**.html", "jinja2")]
    keywords = {
        "_": None,
        "gettext": None,
        "ngettext": (1, 2),
        "pgettext": ((1, "c"), 2),
        "_l": None,
        "lazy_gettext": None,
        "lazy_pgettext": ((1, "c"), 2),
        "N_": None,
    }
    return {
        (context, message if isinstance(message, str) else message[0])
        for _file, _line, message, _comments, context in extract_from_dir(
            ROOT, methods, keywords=keywords, options_map={}
        )
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_is_complete(language, source_ids):
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalogue = read_po(handle)
    translated = {
        (m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in catalogue if m.id and m.string and not m.fuzzy
    }
    assert source_ids - translated == set(), "run scripts/i18n and translate the new entries"


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_its_source(language):
    folder = TRANSLATIONS / language / "LC_MESSAGES"
    with open(folder / "messages.po", "rb") as handle:
        source = {m.id: m.string for m in read_po(handle) if m.id and m.string and not m.fuzzy}
    with open(folder / "messages.mo", "rb") as handle:
        compiled = {m.id: m.string for m in read_mo(handle) if m.id}
    assert compiled == source, "run scripts/i18n to compile the catalogues"
