import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import select

from kiosk.cli import main
from kiosk.services.station import DEMO_STATION_FILE
from tests import when


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
    for role in ("window", "supervisor", "visit_officer", "admin"):
        assert re.search(rf"{role} account: user 'demo_{role}', password '\S{{10,}}'", first.output)
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


def test_the_demo_accounts_are_named_for_their_roles(env, database):
    from kiosk.models import StaffUser

    assert run("init", "--demo").exit_code == 0
    with database.reading() as session:
        accounts = {user.username: (user.role, user.display_name) for user in session.exec(select(StaffUser))}
    assert accounts == {
        "demo_window": ("window", "演示窗口民警"),
        "demo_supervisor": ("supervisor", "演示所领导"),
        "demo_visit_officer": ("visit_officer", "演示上门民警"),
        "demo_admin": ("admin", "演示管理员"),
    }


def test_the_readmes_create_staff_command_works_as_written(env):
    """The station defaults to the only one, as KIOSK_STATION_CODE does for the app."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    written = re.search(r"`kiosk (create-staff [^`]+)`", readme)[1]
    args = [
        {"NAME": "wang", "…": "王警官"}.get(word, word)
        for word in shlex.split(written.replace("\\|", "|").replace(" [--station CODE]", ""))
    ]
    args = [arg.split("|")[0] for arg in args]  # the first of the roles
    assert args == ["create-staff", "wang", "--name", "王警官", "--role", "window"]
    run("init")
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert "staff account 'wang' (window) created" in result.output


def test_create_staff_asks_for_the_station_when_there_are_several(env, database):
    from kiosk.services.station import install_station, read_settings_file

    run("init")
    other = env / "other.toml"
    other.write_text(DEMO_STATION_FILE.read_text(encoding="utf-8").replace('code = "330402"', 'code = "330411"'))
    install_station(database, *read_settings_file(other), other.read_text())
    several = run("create-staff", "wang", "--name", "王警官")
    assert several.exit_code == 1 and "KIOSK_STATION_CODE" in several.output
    assert run("create-staff", "wang", "--name", "王警官", "--station", "330411").exit_code == 0


def test_kiosk_serve_listens_on_port(env, monkeypatch):
    """README: `PORT` (as scripts/serve passes it on), unless --port says otherwise."""
    started = []
    monkeypatch.setattr("kiosk.cli.os.execv", lambda program, args: started.append(args))
    monkeypatch.setattr("kiosk.cli.os.umask", lambda mask: 0o022)
    monkeypatch.setenv("KIOSK_LOG_FORMAT", "text")  # serve sets it for gunicorn: restored after the test
    monkeypatch.setenv("PORT", "8123")
    assert run("serve", "--workers", "1").exit_code == 0
    assert run("serve", "--port", "8124", "--workers", "1").exit_code == 0
    assert [args[args.index("--bind") + 1] for args in started] == ["127.0.0.1:8123", "127.0.0.1:8124"]


def test_malformed_settings_name_file_line_and_key(env, tmp_path):
    bad = tmp_path / "station.toml"
    bad.write_text(
        DEMO_STATION_FILE.read_text(encoding="utf-8").replace("lost = 40", 'lost = "forty"'), encoding="utf-8"
    )
    result = run("init", "--station", str(bad))
    line = DEMO_STATION_FILE.read_text(encoding="utf-8").splitlines().index("lost = 40") + 1
    assert result.exit_code == 1
    assert f"{bad}, line {line}, key 'fees.lost': must be a whole number" in result.output


def test_init_refuses_a_promise_past_the_legal_limit(env, tmp_path):
    """docs/domain.md "Processing time": 60 working days out of province can take 96 calendar days."""
    text = DEMO_STATION_FILE.read_text(encoding="utf-8")
    bad = tmp_path / "station.toml"
    bad.write_text(text.replace("first = 30", "first = 60"), encoding="utf-8")
    result = run("init", "--station", str(bad))
    line = text.splitlines().index("first = 30") + 1
    assert result.exit_code == 1
    assert f"{bad}, line {line}, key 'promise.out_of_province.first': 60 working days" in result.output
    assert "past the legal limit of 60 calendar days" in result.output


def test_invalid_toml_names_the_line(env, tmp_path):
    bad = tmp_path / "station.toml"
    bad.write_text('[station]\ncode = "330402"\nname = \n', encoding="utf-8")
    result = run("init", "--station", str(bad))
    assert result.exit_code == 1 and "line 3" in result.output and "not valid TOML" in result.output


def test_unreachable_database_is_a_clear_error(env, monkeypatch):
    monkeypatch.setenv("KIOSK_DATABASE_URL", "postgresql://postgres@127.0.0.1:1/test")
    result = run("init")
    assert result.exit_code == 1 and "the database cannot be used" in result.output


@pytest.mark.dated
def test_sweep_marks_no_shows_and_forgets_abandoned_answers(env, database):
    import uuid

    from kiosk.domain.id_number import parse_id_number
    from kiosk.models import Booking, KioskSession
    from kiosk.services import booking as bookings
    from kiosk.services.station import load_station
    from kiosk.services.wizard import save_answers
    from tests.conftest import LOCAL_ID

    station = load_station(database, "330402")
    slot, booked_at = when.a_past_free_time(database, station, "kiosk")
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
        now=booked_at,
    )
    save_answers(database, "abandoned", {"name": "王"}, now=booked_at)
    result = run("sweep")
    assert result.exit_code == 0, result.output
    assert "1 missed appointments" in result.output and "1 abandoned" in result.output
    with database.reading() as session:
        assert session.get(KioskSession, "abandoned") is None
        assert [b.state for b in session.exec(select(Booking))] == ["no_show"]


@pytest.mark.dated
def test_sweep_escalates_overdue_cases_and_sends_the_queued_messages(env, database, station, clock):
    import datetime as dt
    import json

    from kiosk.models import Application
    from kiosk.services.applications import submit_application
    from tests.services.test_applications import new

    month_ago = clock.now() - dt.timedelta(days=30)
    application = submit_application(database, station, new(phone="13812345678"), actor="kiosk", now=month_ago)
    result = run("sweep")
    assert result.exit_code == 0, result.output
    assert "1 cases escalated" in result.output and "messages: 1 sent, 0 not sent" in result.output
    with database.reading() as session:
        assert session.get(Application, application.id).escalation_level == 1  # the holder is alerted
    [line] = (env / "instance" / "messages.log").read_text(encoding="utf-8").splitlines()
    message = json.loads(line)
    assert message["to"] == "138****5678" and application.number in message["text"]
    again = run("sweep")
    assert "0 cases escalated" in again.output and "messages: 0 sent" in again.output  # nothing twice


def test_an_upgrade_keeps_the_settings_administrators_edited(env, database):
    from kiosk.services.station import install_station, load_station, parse_settings_text

    edited = DEMO_STATION_FILE.read_text(encoding="utf-8").replace("0573-82000110", "0573-12345678")
    doc, settings = parse_settings_text(edited, DEMO_STATION_FILE)
    install_station(database, doc, settings, edited)  # as the settings page saves them
    result = run("init")
    assert result.exit_code == 0 and "kept as they are: 330402" in result.output
    assert load_station(database, "330402").settings.hotline == "0573-12345678"
    reloaded = run("init", "--station", str(DEMO_STATION_FILE))  # asked for explicitly: the file wins
    assert "station 330402" in reloaded.output
    assert load_station(database, "330402").settings.hotline == "0573-82000110"


def test_print_retry_prints_only_this_stations_jobs(env, database, station, monkeypatch):
    from kiosk.models import PrintJob
    from kiosk.services.applications import submit_application
    from kiosk.services.printing import NamedPrinter, Subject, request_print
    from kiosk.services.station import install_station, read_settings_file
    from printing import FilePrinter
    from tests.services.test_applications import new

    other_text = DEMO_STATION_FILE.read_text(encoding="utf-8").replace('code = "330402"', 'code = "330411"')
    other_file = env / "other.toml"
    other_file.write_text(other_text, encoding="utf-8")
    doc, settings = read_settings_file(other_file)
    install_station(database, doc, settings, other_text)
    blocked = env / "not-a-folder"
    blocked.write_text("")
    offline = NamedPrinter("file", FilePrinter(blocked))
    application = submit_application(database, station, new(), actor="kiosk")
    request_print(database, Subject.receipt(station.id, application.id), "kiosk", offline, "http://x/track")
    assert run("print-retry").exit_code == 1  # two stations: which printer is this?
    monkeypatch.setenv("KIOSK_STATION_CODE", "330411")
    assert "0 printed" in run("print-retry").output  # the other station's printer leaves it alone
    monkeypatch.setenv("KIOSK_STATION_CODE", "330402")
    assert "1 printed" in run("print-retry").output
    with database.reading() as session:
        assert session.exec(select(PrintJob)).one().state == "done"


def test_purge_dry_run_counts_then_purge_removes_once(env, database, station, clock):
    import datetime as dt

    from kiosk.models import Applicant, KioskSession
    from kiosk.services.photos import folder
    from kiosk.services.wizard import save_answers
    from tests.conftest import aware
    from tests.services.test_retention import _case, person

    closed = aware(2026, 6, 1)
    _case(database, station, folder(env / "instance"), person(1), closed, closed, photo=True)
    save_answers(database, "abandoned", {"name": "王"}, now=closed)
    clock.set(closed + dt.timedelta(days=400))

    dry = run("purge", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "personal data of 1 applicants (1 cases) would be removed: 1 photos" in dry.output
    assert "1 abandoned kiosk sessions would be forgotten" in dry.output
    with database.reading() as session:
        assert session.exec(select(Applicant)).one().name == person(1).name
        assert session.get(KioskSession, "abandoned") is not None

    done = run("purge")
    assert done.exit_code == 0, done.output
    assert "personal data of 1 applicants (1 cases) were removed: 1 photos" in done.output
    assert person(1).name not in done.output and person(1).id_number not in done.output
    with database.reading() as session:
        assert session.exec(select(Applicant)).one().name is None
        assert session.get(KioskSession, "abandoned") is None
    assert "personal data of 0 applicants" in run("purge").output


def test_init_and_sweep_say_when_a_years_holidays_are_missing(env, database, clock):
    from tests.conftest import aware

    clock.set(aware(2026, 12, 4))
    for command in ("init", "sweep"):
        result = run(command)
        assert result.exit_code == 0, result.output
        assert "warning: station 330402: the 2027 holiday schedule has not been entered" in result.stderr
    clock.set(aware(2026, 6, 1))
    assert "holiday schedule" not in run("sweep").stderr
