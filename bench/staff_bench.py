"""The staff side with 100 000 applications: the queue page, the case page and the sweep.

Prints one JSON object: median time of the queue page, unfiltered and with each round's filter
(state, commitment, out of province, overdue: the combinations a window officer taps), and of
a different case page each round (through the Flask app, signed in, so no case is served from
a warm cache), the time of one escalation sweep, and the same run's bare indexed SELECT of the
queue's rows as the baseline.

    .venv/bin/python bench/staff_bench.py [--applications 100000] [--rounds 20]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk import create_app, migrate  # noqa: E402
from kiosk.clock import utcnow  # noqa: E402
from kiosk.models import Applicant, Application  # noqa: E402
from kiosk.services import deadlines  # noqa: E402
from kiosk.services.staff import Role, create_staff  # noqa: E402
from kiosk.services.station import DEMO_STATION_FILE, install_station, load_station, read_settings_file  # noqa: E402

STATES = ["submitted"] * 3 + ["awaiting_materials", "approved", "in_production", "ready", "collected", "rejected"]
COMMITMENTS = {
    "urgent": 0,
    "priority": 1,
    "home_visit": 2,
    "immediate": 3,
    "appointment": 3,
    "time_limited": 4,
    "registered": 5,
}


def fill(database, station_id: int, count: int, today: dt.date) -> None:
    """`count` applications over the last 180 days: a realistic mix of states and commitments."""
    rng = random.Random(7)
    now = utcnow()
    with database.engine.begin() as connection:
        for start in range(0, count, 5000):
            size = min(5000, count - start)
            ids = (
                connection.execute(
                    insert(Applicant).returning(Applicant.id),
                    [
                        {
                            "id_number": f"3304021980{n % 10000:08d}",
                            "name": "王小明",
                            "phone": "13812345678",
                            "birth_year": 1980,
                            "sex": "male",
                        }
                        for n in range(start, start + size)
                    ],
                )
                .scalars()
                .all()
            )
            rows = []
            for n, applicant_id in zip(range(start, start + size), ids, strict=True):
                age = rng.randrange(180)
                commitment = rng.choice(list(COMMITMENTS))
                created = now - dt.timedelta(days=age, minutes=rng.randrange(600))
                rows.append(
                    {
                        "number": f"330402-{n:06d}-{n % 10000:04d}",
                        "station_id": station_id,
                        "applicant_id": applicant_id,
                        "app_type": "lost",
                        "state": rng.choice(STATES),
                        "out_of_province": rng.random() < 0.2,
                        "registered_province": "33",
                        "commitment": commitment,
                        "queue_rank": COMMITMENTS[commitment],
                        "handling_deadline": today - dt.timedelta(days=age - rng.randrange(20)),
                        "expected_ready": today,
                        "fee_yuan": 40,
                        "exemption": "none",
                        "fee_paid": False,
                        "postal_fee_yuan": 0,
                        "collection": "station",
                        "photo_at_window": True,
                        "situation": {},
                        "channel": "kiosk",
                        "idempotency_key": f"bench-{n}",
                        "track_token": f"t{n}",
                        "created_at": created,
                        "updated_at": created,
                        "escalation_level": 0,
                        "language": "zh_Hans",
                    }
                )
            connection.execute(insert(Application), rows)


def median_ms(function, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as instance:
        app = create_app({"INSTANCE_PATH": instance, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False})
        database = app.extensions["kiosk_db"]
        migrate.upgrade(database.engine)
        doc, settings = read_settings_file(DEMO_STATION_FILE)
        station_id = install_station(database, doc, settings)
        station = load_station(database, settings.code)
        started = time.perf_counter()
        fill(database, station_id, args.applications, station.today())
        fill_s = time.perf_counter() - started
        create_staff(
            database,
            station_code=settings.code,
            username="bench",
            display_name="测试",
            role=Role.WINDOW,
            password="bench password",
        )
        client = app.test_client()
        client.post("/staff/login", data={"username": "bench", "password": "bench password"})

        def queue_page():
            assert client.get("/staff/").status_code == 200

        rng = random.Random(11)
        filters = [
            {"state": "submitted"},
            {"commitment": "urgent"},
            {"oop": "yes"},
            {"overdue": "yes"},
            {"state": "awaiting_materials", "oop": "no"},
            {"commitment": "home_visit", "overdue": "yes"},
        ]

        def filtered_queue_page():
            assert client.get("/staff/", query_string=rng.choice(filters)).status_code == 200

        def case_page():
            assert client.get(f"/staff/applications/{rng.randint(1, args.applications)}").status_code == 200

        baseline_sql = text(
            "SELECT * FROM application JOIN applicant ON applicant.id = application.applicant_id "
            "WHERE application.station_id = :station AND application.state IN "
            "('submitted','awaiting_materials','approved','verifying','in_production','ready') "
            "ORDER BY queue_rank, handling_deadline, application.id LIMIT 200"
        )

        def bare_query():
            with database.engine.connect() as connection:
                connection.execute(baseline_sql, {"station": station_id}).all()

        result = {
            "benchmark": "staff side with many applications (SQLite, in-process Flask client)",
            "applications": args.applications,
            "fill_s": round(fill_s, 1),
            "queue_page_ms": median_ms(queue_page, args.rounds),
            "filtered_queue_page_ms": median_ms(filtered_queue_page, args.rounds),
            "case_page_ms": median_ms(case_page, args.rounds),
            "baseline_bare_indexed_query_ms": median_ms(bare_query, args.rounds),
        }
        started = time.perf_counter()
        swept = deadlines.sweep(database, station, utcnow() + dt.timedelta(days=1))
        result["sweep_s"] = round(time.perf_counter() - started, 2)
        result["sweep_escalated"], result["sweep_expired"] = swept.escalated, swept.expired
        started = time.perf_counter()
        again = deadlines.sweep(database, station, utcnow() + dt.timedelta(days=1, hours=1))
        result["second_sweep_s"] = round(time.perf_counter() - started, 2)
        result["second_sweep_escalated"] = again.escalated
        for page in ("queue_page", "filtered_queue_page"):
            result[f"{page}_ratio"] = round(result[f"{page}_ms"] / result["baseline_bare_indexed_query_ms"], 1)
        result["targets"] = {"queue_page_ms": 100, "sweep_s": 2}
        print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
