import re

import pytest
from click.testing import CliRunner
from sqlmodel import select

from kiosk.cli import main
from kiosk.services.station import DEMO_STATION_FILE


@pytest.fixture
def env(tmp_path, database_url, monkeypatch):
    monkeypatch.setenv("KIOSK_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("KIOSK_DATABASE_URL", database_url)
    monkeypatch.setenv("KIOSK_SECRET_KEY", "cli-test")
    return tmp_path


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def test_init_is_safe_to_run_again_and_prints_the_demo_password_once(env):
    first = run("init", "--demo")
    assert first.exit_code == 0, first.output
    assert "station 330402" in first.output
    assert re.search(r"user 'demo', password '\S{10,}'", first.output)
    second = run("init", "--demo")
    assert second.exit_code == 0, second.output
    assert "password '" not in second.output and "exists already" in second.output


def test_create_staff(env):
    run("init")
    result = run("create-staff", "li", "--name", "李警官", "--role", "supervisor", "--station", "330402")
    assert result.exit_code == 0 and "password:" in result.output
    again = run("create-staff", "li", "--name", "李警官", "--station", "330402")
    assert again.exit_code == 1 and "exists already" in again.output
    short = run("create-staff", "wu", "--name", "吴", "--station", "330402", "--password-stdin", input="short\n")
    assert short.exit_code == 1 and "at least" in short.output


def test_malformed_settings_name_file_line_and_key(env, tmp_path):
    bad = tmp_path / "station.toml"
    bad.write_text(
        DEMO_STATION_FILE.read_text(encoding="utf-8").replace("lost = 40", 'lost = "forty"'), encoding="utf-8"
    )
    result = run("init", "--station", str(bad))
    line = DEMO_STATION_FILE.read_text(encoding="utf-8").splitlines().index("lost = 40") + 1
    assert result.exit_code == 1
    assert f"{bad}, line {line}, key 'fees.lost': must be a whole number" in result.output


def test_invalid_toml_names_the_line(env, tmp_path):
    bad = tmp_path / "station.toml"
    bad.write_text('[station]\ncode = "330402"\nname = \n', encoding="utf-8")
    result = run("init", "--station", str(bad))
    assert result.exit_code == 1 and "line 3" in result.output and "not valid TOML" in result.output


def test_unreachable_database_is_a_clear_error(env, monkeypatch):
    monkeypatch.setenv("KIOSK_DATABASE_URL", "postgresql://postgres@127.0.0.1:1/test")
    result = run("init")
    assert result.exit_code == 1 and "the database cannot be used" in result.output


def test_sweep_marks_no_shows_and_forgets_abandoned_answers(env, database):
    import datetime as dt
    import uuid

    from kiosk.domain.id_number import parse_id_number
    from kiosk.models import Booking, KioskSession
    from kiosk.services import booking as bookings
    from kiosk.services.station import load_station
    from kiosk.services.wizard import save_answers
    from tests.conftest import LOCAL_ID

    station = load_station(database, "330402")
    past = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    slots = bookings.free_slots(database, station, first=station.today(past), days=1, channel="kiosk", now=past)
    slot = next(iter(slots.values()))[0]
    bookings.book(
        database,
        station,
        slot_id=slot.id,
        service="lost",
        channel="kiosk",
        id_number=parse_id_number(LOCAL_ID),
        name="王",
        phone="13812345678",
        idempotency_key=uuid.uuid4().hex,
        actor="test",
        now=slot.starts - dt.timedelta(minutes=30),
    )
    save_answers(database, "abandoned", {"name": "王"}, now=past)
    result = run("sweep")
    assert result.exit_code == 0, result.output
    assert "1 missed appointments" in result.output and "1 abandoned" in result.output
    with database.reading() as session:
        assert session.get(KioskSession, "abandoned") is None
        assert [b.state for b in session.exec(select(Booking))] == ["no_show"]
