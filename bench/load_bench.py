"""The whole station under load: kiosks applying and window staff working the queue at once,
on SQLite with one app server, then on PostgreSQL with two.

With `--proxy nginx` the clients go through Debian's nginx in front of the app servers (the
proxy settings of deploy/nginx-kiosk-proxy.conf, round robin), as the grown layout runs: each
app server with an instance folder of its own, KIOSK_PROXY_COUNT=1, the rate limits in Redis
(`--redis-url`) and, on PostgreSQL, the photos in the database. The bare Flask baseline is then
served behind the same nginx.

Prints one JSON object: per database, requests/s, errors, the server's and the client's
p50/p95/p99 per kind of request, applications (and bookings) the clients were told were
accepted against the rows in the database, and the same run's bare Flask baseline served
the same way. Exits with 1 on any error or any lost or duplicated application.

    .venv/bin/python bench/load_bench.py [--duration 60] [--kiosks 50] [--staff 10] [--backends sqlite,postgresql]
    .venv/bin/python bench/load_bench.py --backends postgresql --servers 2 --proxy nginx
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import random
import re
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import psycopg
import redis
from _clients import Browser, Citizen, Recorder, RequestFailed, TimeUp, idempotency_key, walk_wizard
from _serve import ROOT, gunicorns, init_instance, nginx, summary

sys.path.insert(0, str(ROOT))
from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from kiosk import create_app  # noqa: E402
from kiosk.cli import default_workers  # noqa: E402
from kiosk.clock import utcnow  # noqa: E402
from kiosk.db import make_engine  # noqa: E402
from kiosk.domain.id_number import check_character  # noqa: E402
from kiosk.domain.regions import MAINLAND_CODES  # noqa: E402
from kiosk.services.staff import Role, create_staff  # noqa: E402
from kiosk.services.station import DEMO_STATION_FILE, read_settings_file  # noqa: E402

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/kiosk_load"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
SERVERS = {"sqlite": 1, "postgresql": 2}
HTMX = {"HX-Request": "true"}
STAFF_PASSWORD = "load bench password"
EMPTY_QUEUE_PAUSE_S = 0.5  # a window officer with nothing to do looks again a moment later
FAILURE_PAUSE_S = 0.1  # after an error, so a dead server is not hammered in a tight loop

# (kind, weight): the application types asked for; "temporary" is left out because this
# station refuses it to out-of-province citizens, who would end on the "not here" page.
APP_TYPES = (("lost", 35), ("damaged", 25), ("renewal_change", 15), ("renewal_expiry", 20), ("first", 5))
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂"

_CASE = re.compile(r"/staff/applications/\d+")
_ROW = re.compile(r'id="application-(\d+)"')
_ACTION = re.compile(r'data-action="(\w+)"')
_DEADLINE = re.compile(r'name="deadline" value="([\d-]+)"')
_MISSING = re.compile(r'name="missing" value="(\w+)"')
_DAY = re.compile(r'data-day="([\d-]+)"')
_SLOT = re.compile(r'data-slot="(\d+)"')
_LOG_ERROR = re.compile(r"\b(ERROR|CRITICAL)\b")


def kind_of(label: str) -> str:
    """The kind of request a label ("METHOD /path", "(htmx)" appended) is reported under."""
    method, path = label.split()[:2]
    if path == "/apply/check" and method == "POST":
        return "submit"
    if path.startswith("/book/"):
        return "booking"
    if path == "/staff/login":
        return "staff_sign_in"
    if path == "/staff/":
        return "staff_queue_partial" if label.endswith("(htmx)") else "staff_queue"
    if _CASE.fullmatch(path):
        return "case_page"
    if path.startswith("/staff/applications/"):
        return "case_release" if path.endswith("/release") else "case_action"
    return "kiosk_step"


class People:
    """Random but valid citizens, each with an ID number of their own."""

    def __init__(self, out_of_province_share: float):
        settings = read_settings_file(DEMO_STATION_FILE)[1]
        self.out_of_province_share = out_of_province_share
        self.today = utcnow().astimezone(settings.zone).date()
        self.province = settings.province_code
        self.provinces = [code for code in MAINLAND_CODES if code != self.province]
        self._taken: set[str] = set()
        self._lock = threading.Lock()

    def _id_number(self, rng: random.Random, province: str) -> str:
        while True:
            birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(55 * 365))  # adults only
            first17 = f"{province}0102{birth:%Y%m%d}{rng.randrange(1000):03d}"
            number = first17 + check_character(first17)
            with self._lock:
                if number not in self._taken:
                    self._taken.add(number)
                    return number

    def citizen(self, rng: random.Random) -> Citizen:
        local = rng.random() >= self.out_of_province_share
        province = self.province if local else rng.choice(self.provinces)
        app_type = rng.choices([t for t, _ in APP_TYPES], weights=[w for _, w in APP_TYPES])[0]
        expires = self.today + dt.timedelta(days=rng.randrange(5, 80))  # inside the renewal window
        name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
        collection = (("method", "station"),)
        if rng.random() < 0.2:
            address = f"浙江省嘉兴市南湖区禾兴路{rng.randrange(1, 999)}号"
            # The recipient, and (asked only for a card replacing one) how the old card comes back.
            old_card = rng.choice(("at_acceptance", "courier"))
            collection = (("method", "post"), ("address", address), ("recipient", name), ("old_card", old_card))
        return Citizen(
            app_type=app_type,
            id_number=self._id_number(rng, province),
            name=name,
            registered_province=province,
            phone=f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
            card_expires=f"{expires:%Y%m%d}",
            collection=collection,
        )


class Tally:
    """What the clients were told (for the comparison with the database afterwards) and did."""

    def __init__(self):
        self._lock = threading.Lock()
        self.submitted: list[str] = []  # idempotency keys of accepted applications
        self.booked: list[str] = []  # idempotency keys of confirmed bookings
        self.bookings: Counter[str] = Counter()  # other outcomes of trying to book
        self.staff: Counter[str] = Counter()

    def add(self, counter: list | Counter, item: str) -> None:
        with self._lock:
            if isinstance(counter, list):
                counter.append(item)
            else:
                counter[item] += 1


def book_appointment(browser: Browser, citizen: Citizen, rng: random.Random, tally: Tally) -> None:
    """From the done page: a day, a time, the person's details; the "just taken" answer of a
    race for the last place is the app's designed reply (409 with other times), not an error."""
    service = citizen.app_type
    days = _DAY.findall(browser.request(f"/book/days?service={service}").page)
    if not days:
        tally.add(tally.bookings, "nothing_free")
        return
    slots = _SLOT.findall(browser.request(f"/book/slots?service={service}&day={rng.choice(days)}").page)
    if not slots:
        tally.add(tally.bookings, "nothing_free")
        return
    path = f"/book/details?service={service}&slot={rng.choice(slots)}"
    key = idempotency_key(browser.request(path).page)
    if key is None:
        browser.fail("booking details: no idempotency key")
    form = {"idempotency_key": key, "name": citizen.name, "id_number": citizen.id_number, "phone": citizen.phone}
    step = browser.request(path, form, expect=(409,))
    if step.status == 409 and 'id="taken"' in step.page:
        tally.add(tally.bookings, "slot_just_taken")
    elif step.location.endswith("/book/confirmation"):
        tally.add(tally.booked, key)
    else:
        browser.fail(f"booking not confirmed ({step.status} {step.location})")


def kiosk_user(browser: Browser, people: People, rng: random.Random, tally: Tally, booking_share: float) -> None:
    while True:
        citizen = people.citizen(rng)
        try:
            tally.add(tally.submitted, walk_wizard(browser, citizen))
            if rng.random() < booking_share:
                book_appointment(browser, citizen, rng, tally)
        except RequestFailed:
            time.sleep(FAILURE_PAUSE_S)


def _case_form(page: str, rng: random.Random) -> tuple[str, dict] | None:
    """What a window officer does with the case on `page`: (route, form), or None (nothing to
    do here, e.g. a case waiting for its home province)."""
    actions = set(_ACTION.findall(page))
    if actions & {"approve", "start_production", "mark_ready"}:  # they wait for the photo and the fee
        if 'id="photo-taken"' in page:
            return "photo-taken", {}
        if 'id="fee-paid"' in page:
            return "fee-paid", {}
    if "approve" in actions:
        deadline, missing = _DEADLINE.search(page), _MISSING.findall(page)
        if deadline and missing and rng.random() < 0.15:  # the citizen is asked to bring what is missing
            form = {"action": "request_materials", "deadline": deadline[1], "missing": rng.choice(missing)}
            return "act", form | {"reason": ""}
        return "act", {"action": "approve", "reason": ""}
    for action in ("supply_materials", "start_production", "mark_ready"):
        if action in actions:
            return "act", {"action": action, "reason": ""}
    if "collect" in actions:
        return "act", {"action": "collect", "collector": "", "old_card": "returned", "reason": ""}
    if 'id="forward"' in page:  # approved out-of-province case: to the home province for verification
        return "forward", {}
    return None


def staff_user(browser: Browser, username: str, rng: random.Random, tally: Tally) -> None:
    """Sign in, then: pick a case from the queue, open (claim) it, act on it, leave it to colleagues,
    and let the queue refresh itself as htmx does (every 30 s on a real screen, here once a case)."""
    page = None
    while True:
        try:
            if page is None:
                browser.request("/staff/login")
                step = browser.request("/staff/login", {"username": username, "password": STAFF_PASSWORD})
                if not step.location.endswith("/staff/"):
                    browser.fail(f"staff sign-in refused ({step.status})")
                page = step.page
            rows = _ROW.findall(page)
            if not rows:
                time.sleep(EMPTY_QUEUE_PAUSE_S)
                page = browser.request("/staff/", headers=HTMX).page
                continue
            case = f"/staff/applications/{rng.choice(rows)}"
            case_page = browser.request(case).page
            tally.add(tally.staff, "cases_opened")
            if 'id="read-only"' in case_page:
                tally.add(tally.staff, "cases_held_by_colleague")
            else:
                chosen = _case_form(case_page, rng)
                if chosen is None:
                    tally.add(tally.staff, "cases_with_nothing_to_do")
                else:
                    route, form = chosen
                    browser.request(f"{case}/{route}", form)
                    tally.add(tally.staff, f"action_{form.get('action', route)}")
                browser.request(f"{case}/release", {})  # back to the queue page
            page = browser.request("/staff/", headers=HTMX).page
        except RequestFailed:
            time.sleep(FAILURE_PAUSE_S)
            if page is not None:
                page = ""  # signed in: the queue is looked at again


def run_users(users: list[Callable[[float], None]], seconds: float) -> float:
    """Run each user (given the deadline) on its own thread until the deadline; the seconds it took."""

    def until_time_up(user: Callable[[float], None], deadline: float) -> None:
        try:
            user(deadline)
        except TimeUp:
            pass

    deadline = time.monotonic() + seconds
    threads = [threading.Thread(target=until_time_up, args=(user, deadline)) for user in users]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def run_load(bases: list[str], args, staff: list[str]) -> tuple[Recorder, Tally, float, float]:
    """The kiosks and the staff, each simulated user on one server (round robin)."""
    recorder, tally, people = Recorder(kind_of), Tally(), People(args.out_of_province_share)
    seeds = itertools.count(args.seed)

    def kiosk(index: int) -> Callable[[float], None]:
        rng = random.Random(next(seeds))
        base = bases[index % len(bases)]
        return lambda deadline: kiosk_user(Browser(base, recorder, deadline), people, rng, tally, args.booking_share)

    def officer(index: int) -> Callable[[float], None]:
        rng = random.Random(next(seeds))
        base = bases[index % len(bases)]
        return lambda deadline: staff_user(Browser(base, recorder, deadline), staff[index], rng, tally)

    users = [kiosk(i) for i in range(args.kiosks)] + [officer(i) for i in range(len(staff))]
    cpu = time.process_time()
    elapsed = run_users(users, args.duration)
    return recorder, tally, elapsed, time.process_time() - cpu


def run_baseline(bases: list[str], users: int, seconds: float) -> tuple[Recorder, float]:
    """The bare Flask page, by as many users as the load had, spread the same way."""
    recorder = Recorder(lambda label: "bare")

    def user(index: int) -> Callable[[float], None]:
        def loop(deadline: float) -> None:
            browser = Browser(bases[index % len(bases)], recorder, deadline)
            while True:
                try:
                    browser.request("/")
                except RequestFailed:
                    time.sleep(FAILURE_PAUSE_S)

        return loop

    return recorder, run_users([user(i) for i in range(users)], seconds)


def create_staff_accounts(env: dict[str, str], count: int) -> list[str]:
    """Window officers' accounts, made before the run as an administrator would."""
    app = create_app(
        {"INSTANCE_PATH": env["KIOSK_INSTANCE_PATH"], "DATABASE_URL": env["KIOSK_DATABASE_URL"], "SECRET_KEY": "-"}
    )
    database = app.extensions["kiosk_db"]
    code = read_settings_file(DEMO_STATION_FILE)[1].code
    names = [f"window{i + 1}" for i in range(count)]
    try:
        for name in names:
            create_staff(
                database, station_code=code, username=name, display_name=name, role=Role.WINDOW, password=STAFF_PASSWORD
            )
    finally:
        database.dispose()
    return names


def check_records(url: str, tally: Tally) -> dict:
    """Every application (booking) a client was told was accepted is in the database exactly
    once, no citizen has two applications, and no row was made that no client was told of."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            rows = Counter(
                dict(connection.execute(text("SELECT idempotency_key, count(*) FROM application GROUP BY 1")).all())
            )
            people_twice = connection.execute(
                text(
                    "SELECT count(*) FROM (SELECT applicant.id_number FROM application"
                    " JOIN applicant ON applicant.id = application.applicant_id"
                    " GROUP BY applicant.id_number HAVING count(*) > 1) AS twice"
                )
            ).scalar_one()
            states = dict(connection.execute(text("SELECT state, count(*) FROM application GROUP BY 1")).all())
            out_of_province = connection.execute(
                text("SELECT count(*) FROM application WHERE out_of_province")
            ).scalar_one()
            bookings = Counter(
                dict(connection.execute(text("SELECT idempotency_key, count(*) FROM booking GROUP BY 1")).all())
            )
    finally:
        engine.dispose()
    told = Counter(tally.submitted)
    told_booked = Counter(tally.booked)
    return {
        "applications": {
            "accepted_by_clients": len(tally.submitted),
            "rows": sum(rows.values()),
            "lost": sum(1 for key in told if key not in rows),
            "duplicated": sum(1 for n in rows.values() if n > 1)
            + people_twice
            + sum(1 for n in told.values() if n > 1),
            "rows_no_client_was_told_of": sum(1 for key in rows if key not in told),
            "out_of_province_rows": out_of_province,
            "rows_by_state": dict(sorted(states.items())),
        },
        "bookings": {
            "confirmed_to_clients": len(tally.booked),
            "rows": sum(bookings.values()),
            "lost": sum(1 for key in told_booked if key not in bookings),
            "duplicated": sum(1 for n in bookings.values() if n > 1),
            "rows_no_client_was_told_of": sum(1 for key in bookings if key not in told_booked),
            "slot_just_taken_answers": tally.bookings["slot_just_taken"],
            "nothing_free": tally.bookings["nothing_free"],
        },
    }


@contextmanager
def database(backend: str, postgres_url: str, instance: str) -> Iterator[str]:
    """The run's database URL: SQLite in the instance folder, or a PostgreSQL database of the
    run's own, created empty and dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{Path(instance) / 'kiosk.db'}"
        return
    url = make_url(postgres_url)
    if not url.database or url.database in ("test", "postgres", "template0", "template1"):
        raise SystemExit(f"refusing to use the database {url.database!r}: give one of the benchmark's own")
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)

    def admin_sql(*statements: str) -> None:
        with psycopg.connect(admin, autocommit=True) as connection:
            for statement in statements:
                connection.execute(statement)

    name = f'"{url.database}"'
    admin_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}")
    try:
        yield postgres_url
    finally:
        admin_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def log_errors(path: Path) -> dict:
    """The servers' log lines at ERROR or CRITICAL (any format): how many, and the first few."""
    lines = [line.rstrip() for line in path.read_text(errors="replace").splitlines() if _LOG_ERROR.search(line)]
    return {"error_lines": len(lines), "error_samples": [line[:300] for line in lines[:3]]}


def latency(recorder: Recorder) -> dict:
    return {
        kind: {"server": summary(recorder.server[kind]), "client": summary(values)}
        for kind, values in sorted(recorder.client.items())
        if recorder.server.get(kind)
    }


def start_servers(
    stack: ExitStack, app: str, envs: list[dict[str, str]], workers: int, log, proxy: str
) -> list[str]:
    """One gunicorn master of `app` per environment, stopped with `stack`: the URLs the clients
    use (the servers', or nginx's in front of them)."""
    bases = [base for base, _process in stack.enter_context(gunicorns(app, envs, workers, log))]
    return [stack.enter_context(nginx(bases, log))] if proxy == "nginx" else bases


@contextmanager
def grown_layout(backend: str, args, instance: str, servers: int) -> Iterator[list[dict[str, str]]]:
    """The settings of each app server besides the shared ones: behind nginx, an instance folder
    each, the proxy believed, the limits counted in Redis under a key prefix of the run's own
    (deleted afterwards), and on PostgreSQL the photos in the database."""
    if args.proxy != "nginx":
        yield [{} for _ in range(servers)]
        return
    store = redis.Redis.from_url(args.redis_url, socket_connect_timeout=2)
    store.ping()  # a clear error now rather than a run of refused sign-ins
    prefix = f"kiosk-load-bench-{os.getpid()}"
    shared = {
        "KIOSK_PROXY_COUNT": "1",
        "KIOSK_RATELIMIT_STORAGE_URI": args.redis_url,
        "KIOSK_RATELIMIT_KEY_PREFIX": prefix,
        "KIOSK_PHOTO_STORE": "database" if backend == "postgresql" else "folder",
    }
    try:
        yield [shared | {"KIOSK_INSTANCE_PATH": str(Path(instance) / f"server{n + 1}")} for n in range(servers)]
    finally:
        for key in store.scan_iter(f"{prefix}*"):
            store.delete(key)


def run_backend(backend: str, args) -> dict:
    servers = args.servers or SERVERS[backend]
    with (
        tempfile.TemporaryDirectory() as instance,
        database(backend, args.postgres_url, instance) as url,
        grown_layout(backend, args, instance, servers) as own,
    ):
        env = {"KIOSK_INSTANCE_PATH": instance, "KIOSK_SECRET_KEY": "load-bench", "KIOSK_DATABASE_URL": url}
        init_instance(env)
        staff = create_staff_accounts(env, args.staff)
        log_path = Path(instance) / "server.log"
        with open(log_path, "w") as log:
            load_before = os.getloadavg()
            with ExitStack() as stack:
                envs = [env | mine for mine in own]
                bases = start_servers(stack, "kiosk.wsgi:app", envs, args.workers, log, args.proxy)
                recorder, tally, elapsed, cpu = run_load(bases, args, staff)
            load_after = os.getloadavg()
            with ExitStack() as stack:
                bases = start_servers(stack, "bench.bare_app:app", [{}] * servers, args.workers, log, args.proxy)
                bare, bare_elapsed = run_baseline(bases, args.kiosks + len(staff), args.baseline_seconds)
        records = check_records(url, tally)
        server_log = log_errors(log_path)

    kinds = latency(recorder)
    baseline = {"server": summary(bare.server["bare"]), "client": summary(bare.client["bare"])}
    spread = "client side: simulated users round-robin over the servers" if servers > 1 else "one server"
    result = {
        "servers": servers,
        "proxy": args.proxy,
        "gunicorn_sync_workers_per_server": args.workers,
        "spread": "nginx: requests round-robin over the servers" if args.proxy == "nginx" else spread,
        "duration_s": round(elapsed, 1),
        "requests": recorder.requests,
        "requests_per_s": round(recorder.requests / elapsed, 1),
        "errors": recorder.errors,
        "error_samples": recorder.error_samples,
        "client_cpu_s": round(cpu, 1),
        "client_cpu_share_of_one_core": round(cpu / elapsed, 2),
        "load_average_1min_before_after": [round(load_before[0], 2), round(load_after[0], 2)],
        "latency_ms": kinds,
        "server_log": server_log,
        **records,
        "staff": dict(sorted(tally.staff.items())),
        "baseline_bare_flask": {
            "seconds": round(bare_elapsed, 1),
            "requests": bare.requests,
            "requests_per_s": round(bare.requests / bare_elapsed, 1),
            "errors": bare.errors,
            "error_samples": bare.error_samples,
            "latency_ms": baseline,
        },
        "ratio_p95_to_baseline": {
            kind: {
                side: round(figures[side]["p95_ms"] / max(baseline[side]["p95_ms"], 0.01), 1)
                for side in ("server", "client")
            }
            for kind, figures in kinds.items()
        },
    }
    applications, bookings = result["applications"], result["bookings"]
    result["ok"] = (
        recorder.errors == 0
        and bare.errors == 0
        and applications["accepted_by_clients"] > 0
        and not any(applications[k] for k in ("lost", "duplicated", "rows_no_client_was_told_of"))
        and not any(bookings[k] for k in ("lost", "duplicated", "rows_no_client_was_told_of"))
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60, help="seconds of load per database")
    parser.add_argument("--kiosks", type=int, default=50)
    parser.add_argument("--staff", type=int, default=10, help="window officers")
    parser.add_argument("--backends", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("KIOSK_LOAD_POSTGRES_URL", DEFAULT_POSTGRES_URL),
        help="a database of the benchmark's own: created empty, dropped afterwards",
    )
    parser.add_argument(
        "--workers", type=int, default=default_workers(), help="gunicorn sync workers per server (as `kiosk serve`)"
    )
    parser.add_argument("--servers", type=int, help="app servers (default: 1 on SQLite, 2 on PostgreSQL)")
    parser.add_argument("--proxy", choices=("none", "nginx"), default="none", help="nginx in front of the servers")
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("KIOSK_LOAD_REDIS_URL", DEFAULT_REDIS_URL),
        help="where the servers count the rate limits behind nginx (keys of the run's own, deleted afterwards)",
    )
    parser.add_argument("--baseline-seconds", type=float, default=5)
    parser.add_argument("--booking-share", type=float, default=0.2, help="applicants who also book a time")
    parser.add_argument("--out-of-province-share", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = set(backends) - set(SERVERS)
    if unknown or not backends:
        parser.error(f"--backends: choose from {', '.join(SERVERS)}")

    result: dict = {
        "benchmark": "kiosks applying and window staff working the queue at once, under gunicorn",
        "kiosks": args.kiosks,
        "staff": args.staff,
        "client": "one thread per simulated user, stdlib http.client (keep-alive; gunicorn's sync workers close it)",
        "cpu_count": os.cpu_count(),
    }
    for backend in backends:
        result[backend] = run_backend(backend, args)
    result["ok"] = all(result[backend]["ok"] for backend in backends)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    sys.exit(0 if result["ok"] else 1)


if __name__ == "__main__":
    main()
