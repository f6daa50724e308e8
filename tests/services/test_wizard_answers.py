"""The typed answers of the wizard (kiosk.services.wizard): the photo and the card's end date are
read and written through their types, in the JSON shape wizard sessions already keep."""

from __future__ import annotations

import datetime as dt

from kiosk.services import wizard
from tests.conftest import LOCAL_ID

SHOT = {"id": "ab12", "file": "0123abcd.jpg", "report": {"ok": True}}


def test_a_photo_taken_at_the_kiosk_reads_as_its_shot_and_is_stored_as_before():
    answers = {"photo": dict(SHOT), "photo_shots": [dict(SHOT)]}
    choice = wizard.photo_choice(answers)
    assert choice == wizard.PhotoChoice(wizard.Shot("ab12", "0123abcd.jpg", {"ok": True}))
    assert not choice.at_window and wizard.chosen_shot(answers) == choice.shot
    assert wizard.shots(answers) == [choice.shot]

    written: dict = {}
    wizard.set_photo_choice(written, choice)
    wizard.set_shots(written, [choice.shot])
    assert written == answers


def test_the_window_reads_as_at_window_and_no_answer_as_none():
    assert wizard.photo_choice({"photo": "window"}) == wizard.AT_WINDOW
    assert wizard.AT_WINDOW.at_window and wizard.chosen_shot({"photo": "window"}) is None
    assert wizard.photo_choice({}) is None and wizard.shots({}) == []
    written: dict = {}
    wizard.set_photo_choice(written, wizard.AT_WINDOW)
    assert written == {"photo": "window"}


def test_the_photo_files_are_the_candidates_and_the_chosen_one():
    other = {**SHOT, "id": "cd34", "file": "4567cdef.jpg"}
    assert wizard.photo_files({"photo": dict(SHOT), "photo_shots": [other]}) == ["4567cdef.jpg", "0123abcd.jpg"]
    assert wizard.photo_files({"photo": "window"}) == []


def test_the_card_expiry_is_a_day_or_long_term_stored_as_before():
    assert wizard.card_expiry({"card_expires": "2027-03-01"}) == wizard.CardExpiry(dt.date(2027, 3, 1))
    assert wizard.card_expiry({"card_expires": "long_term"}).long_term
    assert wizard.card_expiry({}) is None
    for expiry, stored in ((wizard.CardExpiry(dt.date(2027, 3, 1)), "2027-03-01"), (wizard.CardExpiry(), "long_term")):
        written: dict = {}
        wizard.set_card_expiry(written, expiry)
        assert written == {"card_expires": stored}


def test_the_application_takes_the_typed_answers():
    answers = {
        "app_type": "renewal_expiry",
        "id_number": LOCAL_ID,
        "registered_province": "33",
        "card_expires": "long_term",
        "photo": dict(SHOT),
    }
    new = wizard.to_new_application(answers, today=dt.date(2026, 3, 2))
    assert new.card_long_term and new.card_expires is None
    assert (new.photo_at_window, new.photo_file, new.photo_report) == (False, "0123abcd.jpg", {"ok": True})
    at_window = {**answers, "card_expires": "2026-05-20", "photo": "window"}
    window = wizard.to_new_application(at_window, today=dt.date(2026, 3, 2))
    assert window.card_expires == dt.date(2026, 5, 20) and not window.card_long_term
    assert (window.photo_at_window, window.photo_file, window.photo_report) == (True, "", {})
