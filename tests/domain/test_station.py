import tomllib

import pytest

from kiosk.domain.catalogue import ApplicationType
from kiosk.domain.station import SettingsError, locate_key, parse_station_settings
from kiosk.services.station import DEMO_STATION_FILE

TEXT = DEMO_STATION_FILE.read_text()


def _parse(text: str):
    return parse_station_settings(tomllib.loads(text))


def test_the_demo_station_is_in_jiaxing_zhejiang():
    settings = _parse(TEXT)
    assert settings.province_code == "33"
    assert "嘉兴" in settings.name
    assert settings.timezone == "Asia/Shanghai"
    assert str(settings.opening_hours["monday"][-1]) == "17:30-20:00"
    assert settings.renewal_window_days == 90
    assert settings.retention_days == 365


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ('province_code = "33"', 'province_code = "99"', "station.province_code"),
        ('timezone = "Asia/Shanghai"', 'timezone = "Mars/Olympus"', "station.timezone"),
        ("lost = 40", 'lost = "forty"', "fees.lost"),
        ("lost = 40", "lost = -1", "fees.lost"),
        ("window_days = 90", "window_days = true", "renewal.window_days"),
        ('sunday    = ["09:00-12:00"]', 'sunday    = ["9-12"]', "opening_hours.sunday"),
        ('sunday    = ["09:00-12:00"]', 'sunday    = ["12:00-09:00"]', "opening_hours.sunday"),
        ('sunday    = ["09:00-12:00"]', 'sunday    = ["09:00-12:00", "11:00-13:00"]', "opening_hours.sunday"),
        ("out_of_province = true", "out_of_province = 1", "temporary_id.out_of_province"),
        ("seed_years = [2026]", 'seed_years = ["2026"]', "calendar.seed_years"),
        ("first = 60 ", "first = 45 ", "booking.service_minutes.first"),  # not a whole number of slots
        ("home_visit_places = 1 ", "home_visit_places = 3 ", "booking.home_visit_places"),  # 2 + 3 > 4 windows
        ('en = "Xinxing', 'fr = "Xinxing', "station.names"),  # a language the kiosk does not speak
        ('zh_Hant = "嘉興市公安局南湖區分局新興派出所"', 'zh_Hant = ""', "station.names.zh_Hant"),
    ],
)
def test_bad_values_name_their_key(old, new, key):
    assert old in TEXT
    with pytest.raises(SettingsError) as caught:
        _parse(TEXT.replace(old, new, 1))
    assert caught.value.key == key


def test_the_name_is_shown_in_the_readers_language_where_the_station_gives_it():
    settings = _parse(TEXT)
    assert settings.name_in("zh_Hans") == settings.name == "嘉兴市公安局南湖区分局新兴派出所"
    assert settings.name_in("zh_Hant") == "嘉興市公安局南湖區分局新興派出所"
    assert settings.name_in("en").startswith("Xinxing Police Station")
    official_only = _parse(TEXT.replace("[station.names]", "[unused]", 1))
    assert official_only.name_in("en") == official_only.name_in("zh_Hant") == official_only.name


def test_services_take_whole_slots_and_home_visit_places_are_optional():
    rules = _parse(TEXT).booking
    assert rules.service_minutes[ApplicationType.FIRST] == 60
    assert rules.service_minutes[ApplicationType.LOST] == rules.slot_minutes  # not named: one slot
    assert rules.home_visit_places == 1
    assert _parse(TEXT.replace("home_visit_places = 1 ", "# ", 1)).booking.home_visit_places == 0


def test_missing_key_is_named():
    with pytest.raises(SettingsError) as caught:
        _parse(TEXT.replace("damaged = 40\n", "", 1))
    assert caught.value.key == "fees.damaged" and caught.value.message == "missing"


def test_locate_key_finds_lines():
    lines = TEXT.splitlines()
    for key, start in [
        ("fees.lost", "lost = 40"),
        ("promise.local.first", "first = 15"),
        ("station.timezone", "timezone"),
        ("opening_hours.sunday", "sunday"),
    ]:
        assert lines[locate_key(TEXT, key) - 1].startswith(start)
    # A missing key points at its table.
    assert (
        lines[locate_key(TEXT.replace("damaged = 40\n", ""), "fees.damaged") - 1]
        == "[fees]                                    # yuan"
    )
    assert locate_key(TEXT, "nowhere.at_all") is None
