import re

import pytest
from click.testing import CliRunner

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
