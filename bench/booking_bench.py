"""Appointments: bookings per second under concurrency, and listing 60 days of free slots.

Prints one JSON object. Per database (a temporary SQLite file; PostgreSQL too when
--postgres URL or KIOSK_BENCH_POSTGRES_URL is given, in a schema of its own that is
dropped afterwards):

- bookings/s through the service layer (`booking.book`) with N threads, every place of
  the next week's slots taken by a different person, against the same run's bare
  write transaction (the conditional UPDATE of the slot and one INSERT, as raw SQL);
- contention: many people at once asking for the same slot (tomorrow's first online place)
  twenty times over its capacity; whoever is refused (`SlotTaken`, with the nearest free
  slots) taps one of the slots offered, until booked: the time from the
  first request to the booking per person (p50/p95), how often a person was refused, against
  the bare write transaction timed one by one on the same threads;
- the median time of `free_slots(..., days=60)` once the slots exist, against a bare
  indexed SELECT of the same slot rows, with where the time goes (`ensure_slots`, the
  Python schedule it compares with, the ORM query).

    .venv/bin/python bench/booking_bench.py [--threads 8] [--rounds 5] [--repeats 40] [--postgres URL]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import queue
import random
import secrets
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from _serve import ROOT

sys.path.insert(0, str(ROOT))
from sqlalchemy import event, text  # noqa: E402
from sqlmodel import select  # noqa: E402

from kiosk import migrate  # noqa: E402
from kiosk.clock import utcnow  # noqa: E402
from kiosk.db import Database, make_engine  # noqa: E402
from kiosk.domain.id_number import check_character, parse_id_number  # noqa: E402
from kiosk.domain.schedule import slots_between  # noqa: E402
from kiosk.models import Slot  # noqa: E402
from kiosk.services import booking as bookings  # noqa: E402
from kiosk.services import slot_times
from kiosk.services.station import (  # noqa: E402
    DEMO_STATION_FILE,
    install_station,
    load_station,
    read_settings_file,
)

TARGET_FREE_SLOTS_MS = 20.0
TARGET_POSTGRES_BOOKINGS_PER_S = 200.0
FREE_SLOT_DAYS = 60
MAX_OFFERS = 10  # slots offered to one person before the contention bench counts an error

BARE_SELECT = text(
    "SELECT id, starts_at, ends_at, local_day, extended, capacity, online_capacity, booked, booked_online"
    " FROM slot WHERE station_id = :station AND local_day BETWEEN :first AND :last"
    " AND starts_at > :now AND booked < capacity ORDER BY starts_at"
)
BARE_TAKE = text("UPDATE slot SET booked = booked + 1 WHERE id = :slot AND booked < capacity")
BARE_AUDIT = text("INSERT INTO auditevent (at, actor, action, reason) VALUES (:at, 'bench', 'bare', '')")


@contextmanager
def sqlite_database() -> Iterator[Database]:
    with tempfile.TemporaryDirectory() as folder:
        database = Database(make_engine(f"sqlite:///{Path(folder) / 'kiosk.db'}"))
        try:
            yield database
        finally:
            database.dispose()


@contextmanager
def postgres_database(url: str) -> Iterator[Database]:
    """A fresh schema of this run's own (never the tests' public schema), dropped afterwards."""
    schema = f"bench_{secrets.token_hex(4)}"
    admin = make_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    engine = make_engine(url)

    @event.listens_for(engine, "connect")
    def _search_path(dbapi_connection, _record):
        dbapi_connection.execute(f"SET search_path TO {schema}")
        dbapi_connection.commit()  # else the pool's reset-on-return rollback would undo it

    database = Database(engine)
    try:
        yield database
    finally:
        database.dispose()
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def prepare(database: Database):
    migrate.upgrade(database.engine)
    doc, settings = read_settings_file(DEMO_STATION_FILE)
    install_station(database, doc, settings)
    return load_station(database, settings.code)


def person(index: int):
    """A different valid ID number for each index (birth date and sequence vary)."""
    birth = dt.date(1980, 1, 1) + dt.timedelta(days=index // 1000)
    first17 = f"330402{birth:%Y%m%d}{index % 1000:03d}"
    return parse_id_number(first17 + check_character(first17))


def places(database: Database, station) -> list[tuple[int, str]]:
    """Every place of the slots from tomorrow to the last bookable day: (slot id, channel), shuffled."""
    today = station.today()
    first, last = today + dt.timedelta(days=1), today + dt.timedelta(days=station.settings.booking.days_ahead)
    slot_times.ensure_slots(database, station, first, last)
    with database.reading() as session:
        slots = session.exec(
            select(Slot).where(Slot.station_id == station.id, Slot.local_day >= first, Slot.local_day <= last)
        ).all()
    tasks = []
    for slot in slots:
        tasks += [(slot.id, slot_times.ONLINE)] * slot.online_capacity
        tasks += [(slot.id, slot_times.HOME_VISIT)] * slot.home_visit_capacity
        tasks += [(slot.id, slot_times.KIOSK)] * (slot.capacity - slot.online_capacity - slot.home_visit_capacity)
    random.Random(7).shuffle(tasks)
    return tasks


def run_threads(threads: int, tasks: list, work: Callable[[int, tuple], None]) -> tuple[float, int, list[str]]:
    """Run `work(index, task)` for every task on `threads` threads: (seconds, done, errors)."""
    pending: queue.Queue = queue.Queue()
    for item in enumerate(tasks):
        pending.put(item)
    errors: list[str] = []
    done = [0]
    lock = threading.Lock()

    def worker() -> None:
        while True:
            try:
                index, task = pending.get_nowait()
            except queue.Empty:
                return
            try:
                work(index, task)
            except Exception as error:  # noqa: BLE001 - counted and sampled in the result
                with lock:
                    errors.append(f"{type(error).__name__}: {str(error).splitlines()[0][:160]}")
            else:
                with lock:
                    done[0] += 1

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    started = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return time.perf_counter() - started, done[0], errors


def reset(database: Database) -> None:
    """Give every place back: no bookings, no audit events, empty slots."""
    with database.transaction() as session:
        session.execute(text("DELETE FROM bookingslot"))
        session.execute(text("DELETE FROM booking"))
        session.execute(text("DELETE FROM auditevent"))
        session.execute(text("UPDATE slot SET booked = 0, booked_online = 0, booked_home_visit = 0"))


def bench_bookings(database: Database, station, threads: int, rounds: int) -> dict:
    """Alternate rounds of the bare write transaction and of real bookings on the same places."""
    tasks = places(database, station)

    def bare(_index: int, task: tuple[int, str]) -> None:
        with database.transaction() as session:
            if session.execute(BARE_TAKE, {"slot": task[0]}).rowcount != 1:
                raise RuntimeError("bare update found the slot full")
            session.execute(BARE_AUDIT, {"at": utcnow().replace(tzinfo=None)})

    def book(index: int, task: tuple[int, str]) -> None:
        slot_id, channel = task
        bookings.book(
            database, station, slot_id=slot_id, service="lost", channel=channel, id_number=person(index),
            name="王小明", phone=f"138{index:08d}", idempotency_key=uuid.uuid4().hex, actor=f"{channel}:bench",
        )  # fmt: skip

    rates: list[float] = []
    bare_rates: list[float] = []
    errors: list[str] = []
    bare_errors: list[str] = []
    over = booked = 0
    for _ in range(rounds):
        reset(database)
        seconds, done, failed = run_threads(threads, tasks, bare)
        bare_rates.append(done / seconds)
        bare_errors += failed
        reset(database)
        seconds, done, failed = run_threads(threads, tasks, book)
        rates.append(done / seconds)
        errors += failed
        booked += done
        with database.reading() as session:
            over += session.execute(text("SELECT count(*) FROM slot WHERE booked > capacity")).scalar_one()
            rows = session.execute(text("SELECT count(*) FROM booking")).scalar_one()
        if rows != done:
            errors.append(f"{rows} booking rows for {done} successful bookings")
    result = {
        "threads": threads,
        "rounds": rounds,
        "slots": len({slot_id for slot_id, _ in tasks}),
        "attempts_per_round": len(tasks),
        "booked": booked,
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:5],
        "slots_over_capacity": over,
        "bookings_per_s_median": round(statistics.median(rates), 1),
        "bookings_per_s_rounds": [round(rate, 1) for rate in rates],
        "baseline_bare_write_tx": {
            "errors": len(bare_errors),
            "per_s_median": round(statistics.median(bare_rates), 1),
        },
    }
    result["ratio_baseline_to_bookings_per_s"] = round(
        result["baseline_bare_write_tx"]["per_s_median"] / max(result["bookings_per_s_median"], 0.1), 2
    )
    return result


def bench_contention(database: Database, station, threads: int, rounds: int) -> dict:
    """Everyone after one slot; the refused follow the nearest free slot offered (see the top)."""
    tasks = places(database, station)
    wanted = min(slot_id for slot_id, channel in tasks if channel == slot_times.ONLINE)
    people = 20 * sum(1 for slot_id, channel in tasks if (slot_id, channel) == (wanted, slot_times.ONLINE))
    lock = threading.Lock()

    def timed(times: list[float], work: Callable[[], None]) -> None:
        started = time.perf_counter()
        work()
        with lock:
            times.append((time.perf_counter() - started) * 1000)

    def bare_write(times: list[float], index: int) -> None:
        def write() -> None:
            with database.transaction() as session:
                session.execute(BARE_TAKE, {"slot": tasks[index][0]})
                session.execute(BARE_AUDIT, {"at": utcnow().replace(tzinfo=None)})

        timed(times, write)

    def person_after_the_slot(times: list[float], refusals: list[int], index: int) -> None:
        def until_booked() -> None:
            slot_id, choose = wanted, random.Random(index).choice
            for _ in range(MAX_OFFERS):
                try:
                    bookings.book(
                        database, station, slot_id=slot_id, service="lost", channel=slot_times.ONLINE,
                        id_number=person(index), name="王小明", phone=f"139{index:08d}",
                        idempotency_key=uuid.uuid4().hex, actor="online:bench",
                    )  # fmt: skip
                    return
                except bookings.SlotTaken as taken:
                    with lock:
                        refusals.append(index)
                    slot_id = choose(taken.alternatives).id
            raise RuntimeError(f"still not booked after {MAX_OFFERS} offers")

        timed(times, until_booked)

    booked_ms: list[float] = []
    bare_ms: list[float] = []
    refusals: list[int] = []
    errors: list[str] = []
    for _ in range(rounds):
        reset(database)
        errors += run_threads(threads, list(range(people)), lambda _i, index: bare_write(bare_ms, index))[2]
        reset(database)
        errors += run_threads(
            threads, list(range(people)), lambda _i, index: person_after_the_slot(booked_ms, refusals, index)
        )[2]
    result = {
        "threads": threads,
        "rounds": rounds,
        "people_per_round": people,
        "booked": len(booked_ms),
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:5],
        "refusals_per_person": round(len(refusals) / max(len(booked_ms), 1), 2),
        "to_booking_ms": percentiles(booked_ms),
        "baseline_bare_write_tx_ms": percentiles(bare_ms),
    }
    result["ratio_p50_to_baseline"] = round(
        result["to_booking_ms"]["p50"] / max(result["baseline_bare_write_tx_ms"]["p50"], 0.001), 1
    )
    return result


def percentiles(times: list[float]) -> dict:
    ordered = sorted(times) or [0.0]
    return {
        "p50": round(statistics.median(ordered), 2),
        "p95": round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], 2),
    }


def median_ms(call: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 3)


def bench_free_slots(database: Database, station, repeats: int) -> dict:
    now = utcnow()
    first = station.today(now)
    last = first + dt.timedelta(days=FREE_SLOT_DAYS - 1)

    def listing():
        return slot_times.free_slots(database, station, first=first, days=FREE_SLOT_DAYS, channel="online", now=now)

    started = time.perf_counter()
    days = listing()  # creates the slots it lacks
    first_call = (time.perf_counter() - started) * 1000

    def bare():
        params = {"station": station.id, "first": first, "last": last, "now": now}
        if database.dialect == "sqlite":
            params["now"] = now.replace(tzinfo=None)  # stored naive UTC, as UTCDateTime does
        with database.reading() as session:
            return session.execute(BARE_SELECT, params).all()

    def ensure():
        slot_times.ensure_slots(database, station, first, last)

    def schedule():
        slots_between(first, last, station.settings, station.special_days)

    def orm_query():
        with database.reading() as session:
            return session.exec(slot_times.open_slots_query(station, first, last, now)).all()

    rows = len(bare())
    assert rows == len(orm_query()), "the baseline must read the same rows"
    median = median_ms(listing, repeats)
    baseline = median_ms(bare, repeats)
    result = {
        "days": FREE_SLOT_DAYS,
        "slot_rows": rows,
        "free_slots_offered": sum(len(v) for v in days.values()),
        "first_call_creating_slots_ms": round(first_call, 2),
        "p50_ms": median,
        "baseline_bare_select_p50_ms": baseline,
        "ratio_to_baseline": round(median / max(baseline, 0.001), 1),
        "within_target": median <= TARGET_FREE_SLOTS_MS,
        "breakdown_p50_ms": {
            "ensure_slots": median_ms(ensure, repeats),
            "of_which_slots_between_python_schedule": median_ms(schedule, repeats),
            "orm_select": median_ms(orm_query, repeats),
        },
    }
    parts = result["breakdown_p50_ms"]
    parts["rest_views_and_grouping"] = round(max(0.0, median - parts["ensure_slots"] - parts["orm_select"]), 3)
    return result


def run(database: Database, threads: int, rounds: int, repeats: int) -> dict:
    station = prepare(database)
    return {
        "bookings": bench_bookings(database, station, threads, rounds),
        "contention_for_one_slot": bench_contention(database, station, threads, rounds),
        "free_slots_60_days": bench_free_slots(database, station, repeats),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=5, help="booking rounds (every place of a week each)")
    parser.add_argument("--repeats", type=int, default=40, help="timings per median for the free-slot listing")
    parser.add_argument("--postgres", default=os.environ.get("KIOSK_BENCH_POSTGRES_URL"), help="PostgreSQL URL")
    args = parser.parse_args()

    result: dict = {
        "benchmark": "booking service: bookings/s with threads, many after one slot, free slots for 60 days",
        "targets": {
            "free_slots_60_days_p50_ms": TARGET_FREE_SLOTS_MS,
            "postgres_bookings_per_s": TARGET_POSTGRES_BOOKINGS_PER_S,
        },
    }
    with sqlite_database() as database:
        result["sqlite"] = run(database, args.threads, args.rounds, args.repeats)
    if args.postgres:
        with postgres_database(args.postgres) as database:
            result["postgresql"] = run(database, args.threads, args.rounds, args.repeats)
        rate = result["postgresql"]["bookings"]["bookings_per_s_median"]
        result["postgresql"]["bookings"]["within_target"] = rate >= TARGET_POSTGRES_BOOKINGS_PER_S
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
