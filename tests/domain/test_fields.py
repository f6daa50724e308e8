import pytest

from kiosk.domain.fields import (
    MAX_ADDRESS_LENGTH,
    MAX_NAME_LENGTH,
    InvalidField,
    one_line,
    parse_address,
    parse_person_name,
    parse_text,
)


def test_one_line_collapses_every_kind_of_whitespace():
    assert one_line("  浙江省\n嘉兴市\t南湖区\u3000某路 ") == "浙江省 嘉兴市 南湖区 某路"
    assert one_line(None) == ""
    assert one_line("  long  reason ", 6) == "long r"


@pytest.mark.parametrize("name", ["王小明", "阿依古丽·买买提", "Zhang San", "O'Neil", "Jean-Luc", "山田・太郎"])
def test_names_of_people(name):
    assert parse_person_name(f"  {name} ") == name


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "missing"),
        ("   ", "missing"),
        ("王小明2", "not_a_name"),
        ("王小明２", "not_a_name"),  # a full-width digit is a digit too
        ("-王", "not_a_name"),
        ("王_明", "not_a_name"),
        ("王<script>", "not_a_name"),
        ("王" * (MAX_NAME_LENGTH + 1), "too_long"),
    ],
)
def test_what_is_not_a_name(text, reason):
    with pytest.raises(InvalidField) as refused:
        parse_person_name(text)
    assert refused.value.reason == reason and refused.value.limit == MAX_NAME_LENGTH


def test_addresses_and_free_text_are_required_and_bounded():
    assert parse_address(" 浙江省嘉兴市\n南湖区 1 号 ") == "浙江省嘉兴市 南湖区 1 号"
    with pytest.raises(InvalidField, match="too_long"):
        parse_address("路" * (MAX_ADDRESS_LENGTH + 1))
    with pytest.raises(InvalidField, match="missing"):
        parse_text(" \n ", 300)
    assert parse_text("证件 照片\n模糊", 300) == "证件 照片 模糊"
