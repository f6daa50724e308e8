import datetime as dt

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from kiosk.domain.id_number import (
    REASONS,
    InvalidIdNumber,
    check_character,
    parse_id_number,
    upgrade_fifteen,
)
from kiosk.domain.regions import PROVINCES

TODAY = dt.date(2026, 11, 24)


@pytest.mark.parametrize(
    ("number", "birth", "sex", "province"),
    [
        ("11010519491231002X", dt.date(1949, 12, 31), "female", "北京市"),
        ("440524188001010014", dt.date(1880, 1, 1), "male", "广东省"),
    ],
)
def test_examples_from_the_standard(number, birth, sex, province):
    parsed = parse_id_number(number, today=TODAY)
    assert parsed.number == number
    assert parsed.birth_date == birth
    assert parsed.sex == sex
    assert parsed.province_name() == province
    assert parsed.county_code == number[:6]


def test_masked_form_keeps_first_six_and_last_four():
    assert parse_id_number("11010519491231002X", today=TODAY).masked == "110105********002X"


@pytest.mark.parametrize(
    "text",
    ["11010519491231002x", "１１０１０５１９４９１２３１００２Ｘ", "110105 1949 1231 002X", "110105-19491231-002ｘ"],
)
def test_normalises_what_people_type(text):
    assert parse_id_number(text, today=TODAY).number == "11010519491231002X"


def test_upgrades_fifteen_digit_numbers():
    assert upgrade_fifteen("110105491231002") == "11010519491231002X"
    assert parse_id_number("110105491231002", today=TODAY).number == "11010519491231002X"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "format"),
        ("12345", "format"),
        ("11010519491231002Y", "format"),
        ("1101051949123100X2", "format"),
        ("11010519491231002XX", "format"),
        ("99010519491231002X", "province"),
        ("00010519491231002X", "province"),
        ("110105194902300021", "birth_date"),  # 30 February
        ("110105203001010011", "birth_date"),  # in the future
        ("110105179912310011", "birth_date"),  # before 1800
        ("110105194912310021", "check_digit"),
    ],
)
def test_each_failure_has_its_own_reason(text, reason):
    with pytest.raises(InvalidIdNumber) as caught:
        parse_id_number(text, today=TODAY)
    assert caught.value.reason == reason


def test_unknown_county_codes_are_never_refused():
    # 330499 is no county code today; the number stays valid for life.
    number = "33049919800101002" + check_character("33049919800101002")
    assert parse_id_number(number, today=TODAY).county_code == "330499"


def test_birth_today_is_accepted_and_tomorrow_is_not():
    today = "1101052026112400" + "1"
    assert parse_id_number(today + check_character(today), today=TODAY).birth_date == TODAY
    tomorrow = "1101052026112500" + "1"
    with pytest.raises(InvalidIdNumber) as caught:
        parse_id_number(tomorrow + check_character(tomorrow), today=TODAY)
    assert caught.value.reason == "birth_date"


def test_age_and_out_of_province_hint():
    parsed = parse_id_number("11010519491231002X", today=TODAY)
    assert parsed.age_on(dt.date(2026, 12, 30)) == 76
    assert parsed.age_on(dt.date(2026, 12, 31)) == 77
    assert parsed.is_out_of_province("33")
    assert not parsed.is_out_of_province("11")


# --- property-based: many generated numbers -------------------------------------------

provinces = st.sampled_from(sorted(PROVINCES))
birth_dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY)
counties = st.integers(0, 9999).map(lambda n: f"{n:04d}")
sequences = st.integers(0, 999).map(lambda n: f"{n:03d}")


@st.composite
def valid_numbers(draw):
    first17 = draw(provinces) + draw(counties) + draw(birth_dates).strftime("%Y%m%d") + draw(sequences)
    return first17 + check_character(first17)


@given(valid_numbers())
def test_generated_numbers_parse_and_round_trip(number):
    parsed = parse_id_number(number, today=TODAY)
    assert parsed.number == number
    assert parsed.birth_date.strftime("%Y%m%d") == number[6:14]
    assert parsed.sex == ("male" if int(number[16]) % 2 else "female")
    assert parse_id_number(number.lower(), today=TODAY) == parsed


@given(valid_numbers(), st.integers(0, 16), st.integers(1, 9))
def test_any_single_digit_error_is_caught(number, position, delta):
    digit = (int(number[position]) + delta) % 10
    changed = number[:position] + str(digit) + number[position + 1 :]
    with pytest.raises(InvalidIdNumber):
        parse_id_number(changed, today=TODAY)


@given(valid_numbers(), st.integers(0, 15))
def test_swapping_two_neighbouring_digits_is_caught(number, position):
    a, b = number[position], number[position + 1]
    assume(a != b)
    swapped = number[:position] + b + a + number[position + 2 :]
    with pytest.raises(InvalidIdNumber):
        parse_id_number(swapped, today=TODAY)


@given(valid_numbers())
def test_a_wrong_check_character_says_check_digit(number):
    for wrong in "0123456789X":
        if wrong != number[17]:
            with pytest.raises(InvalidIdNumber) as caught:
                parse_id_number(number[:17] + wrong, today=TODAY)
            assert caught.value.reason == "check_digit"


@given(st.text(max_size=40))
def test_arbitrary_text_parses_or_names_a_reason(text):
    try:
        parse_id_number(text, today=TODAY)
    except InvalidIdNumber as error:
        assert error.reason in REASONS


@given(provinces, counties, st.dates(dt.date(1900, 1, 1), dt.date(1999, 12, 31)), sequences)
def test_fifteen_digit_form_upgrades_to_the_same_number(province, county, birth, sequence):
    """Old numbers carry a two-digit year of the 1900s."""
    fifteen = province + county + birth.strftime("%y%m%d") + sequence
    parsed = parse_id_number(fifteen, today=TODAY)
    assert parsed.number == upgrade_fifteen(fifteen)
    assert parsed.birth_date == birth
