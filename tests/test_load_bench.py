"""bench/load_bench.py keeps working: a few seconds of kiosks and a window officer on SQLite
through real gunicorn, and its check of what clients were told against the database."""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from sqlmodel import select

from kiosk.models import Application
from tests.conftest import POSTGRES_URL
from tests.helpers import apply
from tests.routes.test_shared_limits import REDIS_URL, _redis_answers

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from load_bench import Tally, check_records  # noqa: E402

KINDS = {"kiosk_step", "submit", "staff_sign_in", "staff_queue"}
FIGURES = {"n", "p50_ms", "p95_ms", "p99_ms"}


def test_a_short_run_on_sqlite_is_clean_and_reports_every_figure():
    command = [sys.executable, "bench/load_bench.py", "--duration", "5", "--kiosks", "3", "--staff", "1"]
    command += ["--backends", "sqlite", "--baseline-seconds", "1"]
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=180)
    result = json.loads(completed.stdout)
    assert set(result) >= {"benchmark", "kiosks", "staff", "client", "sqlite", "ok"}
    assert "postgresql" not in result
    run = result["sqlite"]
    assert run["errors"] == 0, run["error_samples"]
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert result["ok"] is run["ok"] is True

    assert run["servers"] == 1 and run["requests"] > 0 and run["requests_per_s"] > 0
    assert run["duration_s"] > 0 and {"client_cpu_s", "client_cpu_share_of_one_core"} <= set(run)
    assert KINDS <= set(run["latency_ms"])
    for figures in run["latency_ms"].values():
        assert set(figures) == {"server", "client"}
        assert set(figures["server"]) == set(figures["client"]) == FIGURES
    assert set(run["ratio_p95_to_baseline"]) == set(run["latency_ms"])

    applications = run["applications"]
    assert applications["accepted_by_clients"] > 0
    assert applications["rows"] == applications["accepted_by_clients"]
    assert applications["lost"] == applications["duplicated"] == applications["rows_no_client_was_told_of"] == 0
    assert run["bookings"]["lost"] == run["bookings"]["rows_no_client_was_told_of"] == 0
    baseline = run["baseline_bare_flask"]
    assert baseline["errors"] == 0 and baseline["requests"] > 0
    assert set(baseline["latency_ms"]["server"]) == FIGURES


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES_URL, reason="the servers behind nginx share a PostgreSQL database")
@pytest.mark.skipif(not shutil.which("nginx"), reason="Debian's nginx is not installed (.ci/run installs it)")
@pytest.mark.skipif(not _redis_answers(), reason=f"no Redis answers at {REDIS_URL} (.ci/run starts one)")
def test_two_servers_behind_nginx_are_measured_against_a_bare_app_behind_the_same_nginx():
    own_database = make_url(POSTGRES_URL).set(database=f"kiosk_load_{secrets.token_hex(4)}")
    command = [sys.executable, "bench/load_bench.py", "--duration", "4", "--kiosks", "3", "--staff", "1"]
    command += ["--backends", "postgresql", "--servers", "2", "--proxy", "nginx", "--baseline-seconds", "1"]
    command += ["--postgres-url", own_database.render_as_string(hide_password=False), "--redis-url", REDIS_URL]
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=180)
    run = json.loads(completed.stdout)["postgresql"]
    assert completed.returncode == 0 and run["ok"] is True, (run["error_samples"], completed.stderr[-3000:])
    assert (run["servers"], run["proxy"], run["errors"]) == (2, "nginx", 0)
    assert run["spread"] == "nginx: requests round-robin over the servers"
    applications = run["applications"]
    assert applications["rows"] == applications["accepted_by_clients"] > 0
    assert run["baseline_bare_flask"]["requests"] > 0 and run["baseline_bare_flask"]["errors"] == 0
    assert set(run["ratio_p95_to_baseline"]) == set(run["latency_ms"])


def test_the_record_check_finds_lost_and_unannounced_applications(client, database, database_url):
    apply(client, app_type="lost")
    with database.reading() as session:
        made = session.exec(select(Application.idempotency_key)).one()

    told_nothing = check_records(database_url, Tally())["applications"]
    assert (told_nothing["rows"], told_nothing["lost"], told_nothing["rows_no_client_was_told_of"]) == (1, 0, 1)

    tally = Tally()
    tally.submitted += [made, "never-made"]
    told_more = check_records(database_url, tally)["applications"]
    assert (told_more["lost"], told_more["rows_no_client_was_told_of"], told_more["duplicated"]) == (1, 0, 0)

    tally = Tally()
    tally.submitted += [made]
    assert check_records(database_url, tally)["applications"]["lost"] == 0
