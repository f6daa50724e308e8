"""The grown layout, for real: two gunicorn app servers of one station on one PostgreSQL, each
with an instance folder of its own (nothing shared on disk), photos in the database, rate limits
in Redis, and Debian's nginx in front with deploy/nginx-kiosk-proxy.conf and KIOSK_PROXY_COUNT=1
(docs/deployment.md, "Many stations").

Frugal on purpose (2 cores): two workers per server, one nginx worker, a few seconds of load.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import secrets
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from sqlmodel import func, select

from kiosk.db import Database, make_engine
from kiosk.domain.states import Action
from kiosk.models import ApplicationPhoto, Booking, PhotoBlob, Slot
from kiosk.services.applications import change_state
from kiosk.services.slot_times import KIOSK, bookable_free_slots
from kiosk.services.staff import Role, create_staff
from kiosk.services.station import DEMO_STATION_FILE, install_station, load_station, parse_settings_text
from tests.conftest import POSTGRES_URL, _truncate_postgres
from tests.routes.test_photo import compliant_frame
from tests.routes.test_shared_limits import REDIS_URL, _redis_answers

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
from _clients import Browser, Recorder, RequestFailed, TimeUp, idempotency_key, walk_to_photo, walk_wizard  # noqa: E402
from _serve import gunicorns, kill_server, nginx  # noqa: E402
from load_bench import People, Tally, check_records  # noqa: E402

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not POSTGRES_URL,
        reason="the app servers share one PostgreSQL database (set KIOSK_TEST_DATABASE_URL); "
        "SQLite is one machine's file, with nothing to share",
    ),
    pytest.mark.skipif(not shutil.which("nginx"), reason="Debian's nginx is not installed (.ci/run installs it)"),
    pytest.mark.skipif(not _redis_answers(), reason=f"no Redis answers at {REDIS_URL} (.ci/run starts one)"),
]

PASSWORD = "cluster test password"
TRACK_LIMIT = 6
WORKERS = 2


@dataclass
class Cluster:
    proxy: str  # nginx
    servers: list[str]  # the app servers, directly
    processes: list[subprocess.Popen]
    envs: list[dict[str, str]]
    database: Database

    def browser(self, base: str | None = None) -> Browser:
        return Browser(base or self.proxy, Recorder())


def _sign_in(browser: Browser, username: str, password: str = PASSWORD) -> int:
    browser.request("/staff/login")
    return browser.request("/staff/login", {"username": username, "password": password}, expect=(401, 429)).status


@pytest.fixture(scope="module")
def cluster(postgres_migrated, tmp_path_factory):
    _truncate_postgres(postgres_migrated)
    database = Database(make_engine(postgres_migrated))
    for code in ("330402", "330411"):
        text = DEMO_STATION_FILE.read_text(encoding="utf-8").replace('code = "330402"', f'code = "{code}"')
        install_station(database, *parse_settings_text(text, DEMO_STATION_FILE), text)
    for username in ("zhang", "locked_out"):
        create_staff(database, station_code="330402", username=username, display_name=username, role=Role.WINDOW,
                     password=PASSWORD)  # fmt: skip
    prefix = f"kiosk-cluster-{secrets.token_hex(6)}"
    shared = {
        "KIOSK_DATABASE_URL": postgres_migrated,
        "KIOSK_STATION_CODE": "330402",
        "KIOSK_SECRET_KEY": secrets.token_hex(16),  # every server of the station signs the same cookies
        "KIOSK_PROXY_COUNT": "1",
        "KIOSK_PHOTO_STORE": "database",
        "KIOSK_RATELIMIT_STORAGE_URI": REDIS_URL,
        "KIOSK_RATELIMIT_KEY_PREFIX": prefix,
        "KIOSK_TRACK_RATE_LIMIT": f"{TRACK_LIMIT} per minute",
        "KIOSK_LOG_LEVEL": "WARNING",
    }
    folder = tmp_path_factory.mktemp("cluster")
    envs = [shared | {"KIOSK_INSTANCE_PATH": str(folder / f"server{n}")} for n in (1, 2)]
    with ExitStack() as stack, open(folder / "servers.log", "w") as log:
        started = stack.enter_context(gunicorns("kiosk.wsgi:app", envs, WORKERS, log))
        servers = [base for base, _process in started]
        proxy = stack.enter_context(nginx(servers))
        yield Cluster(proxy, servers, [process for _base, process in started], envs, database)
    database.dispose()
    store = redis.Redis.from_url(REDIS_URL)
    for key in store.scan_iter(f"{prefix}*"):
        store.delete(key)


def _fetch(base: str, path: str, browser: Browser) -> tuple[int, bytes]:
    """A GET with the browser's cookies, the body as bytes (a photo)."""
    cookies = "; ".join(f"{name}={value}" for name, value in browser.cookies.items())
    try:
        with urllib.request.urlopen(urllib.request.Request(base + path, headers={"Cookie": cookies})) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def test_a_photo_taken_through_one_server_is_seen_through_the_other_and_purged_by_it(cluster, clock):
    kiosk = cluster.browser(cluster.servers[0])
    walk_to_photo(kiosk, People(0).citizen(random.Random(7)))
    kiosk.request("/apply/photo/camera")
    status, body = kiosk.upload("/apply/photo/shots", compliant_frame())
    assert status == 200, body
    kiosk.request("/apply/photo/choose", {"shot": json.loads(body)["shot"]["id"]})
    kiosk.request("/apply/contact", {"phone": "13812345678"})
    page = kiosk.request("/apply/collection", {"method": "station"}).page
    assert kiosk.request("/apply/check", {"idempotency_key": idempotency_key(page)}).location.endswith("/apply/done")
    with cluster.database.reading() as session:
        kept = session.exec(select(ApplicationPhoto)).one()
    on_disk = [path for env in cluster.envs for path in Path(env["KIOSK_INSTANCE_PATH"]).rglob("*.jpg")]
    assert on_disk == [], "nothing of the photo on either server's disk"

    window = cluster.browser(cluster.servers[1])
    assert _sign_in(window, "zhang") == 303
    assert 'id="case-photo"' in window.request(f"/staff/applications/{kept.application_id}").page
    status, jpeg = _fetch(cluster.servers[1], f"/staff/photos/{kept.application_id}.jpg", window)
    assert status == 200 and jpeg[:2] == b"\xff\xd8"

    # Withdrawn now; the purge runs on server 2 more than the station's 365 days later.
    station = load_station(cluster.database, "330402")
    change_state(cluster.database, station, kept.application_id, Action.WITHDRAW, actor="staff:zhang", reason="")
    later = (clock.now() + dt.timedelta(days=400)).isoformat()
    purge = subprocess.run(
        [sys.executable, "-c", "from kiosk.cli import main; main()", "purge"],
        env={**os.environ, **cluster.envs[1], "KIOSK_CLOCK": later},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert purge.returncode == 0 and "removed: 1 photos" in purge.stdout, purge.stdout + purge.stderr
    with cluster.database.reading() as session:
        assert session.exec(select(func.count()).select_from(PhotoBlob)).one() == 0
    assert _fetch(cluster.servers[0], f"/staff/photos/{kept.application_id}.jpg", window)[0] == 404


def test_a_rate_limit_of_n_a_minute_lets_exactly_n_through_across_both_servers(cluster):
    phone = cluster.browser()
    phone.request("/track/")
    answers = [
        phone.request("/track/", {"number": f"330402-20261204-{n:04d}", "phone_last4": "0000"}, expect=(422, 429))
        for n in range(1, TRACK_LIMIT + 5)  # another number each time: no number's own lock interferes
    ]
    statuses = [answer.status for answer in answers]
    assert statuses == [422] * TRACK_LIMIT + [429] * 4, statuses
    assert len({answer.headers["X-Upstream"] for answer in answers}) == 2, "both app servers answered"


def test_a_sign_in_lockout_holds_on_every_server(cluster):
    for attempt in range(5):  # the account locks after 5 wrong passwords, wherever they were tried
        assert _sign_in(cluster.browser(cluster.servers[attempt % 2]), "locked_out", "wrong") == 401
    for server in cluster.servers:
        browser = cluster.browser(server)
        browser.request("/staff/login")
        form = {"username": "locked_out", "password": PASSWORD}
        refused = browser.request("/staff/login", form, headers={"Accept-Language": "en"}, expect=(401,))
        assert refused.status == 401 and "This account is locked for a while" in refused.page


def test_bookings_raced_through_nginx_never_exceed_a_times_places(cluster):
    browser = cluster.browser()
    day = re.findall(r'data-day="([\d-]+)"', browser.request("/book/days?service=lost").page)[0]
    slot_id = int(re.findall(r'data-slot="(\d+)"', browser.request(f"/book/slots?service=lost&day={day}").page)[0])
    free = _kiosk_places(cluster, slot_id, dt.date.fromisoformat(day))
    assert free > 0
    people, confirmed, lock = People(0), [], threading.Lock()

    def book(seed: int) -> None:
        citizen = people.citizen(random.Random(seed))
        racer = cluster.browser()
        path = f"/book/details?service=lost&slot={slot_id}"
        key = idempotency_key(racer.request(path).page)
        form = {"idempotency_key": key, "name": citizen.name, "id_number": citizen.id_number, "phone": citizen.phone}
        if racer.request(path, form, expect=(409,)).location.endswith("/book/confirmation"):
            with lock:
                confirmed.append(key)

    racers = [threading.Thread(target=book, args=(1000 + n,)) for n in range(free + 3)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()
    with cluster.database.reading() as session:
        slot = session.get(Slot, slot_id)
        rows = session.exec(select(func.count()).select_from(Booking).where(Booking.slot_id == slot_id)).one()
    assert len(confirmed) == free and slot.booked == rows <= slot.capacity
    assert _kiosk_places(cluster, slot_id, dt.date.fromisoformat(day)) == 0


def _kiosk_places(cluster: Cluster, slot_id: int, day: dt.date) -> int:
    """The places of a slot the kiosk (walk-ins) may still book."""
    station = load_station(cluster.database, "330402")
    slots = bookable_free_slots(cluster.database, station, channel=KIOSK, service="lost", day=day).get(day, [])
    return sum(slot.free for slot in slots if slot.id == slot_id)


def test_killing_one_app_server_mid_load_loses_no_application(cluster):
    recorder, tally, people = Recorder(), Tally(), People(0.3)
    deadline = time.monotonic() + 8

    def kiosk(seed: int) -> None:
        rng = random.Random(seed)
        browser = Browser(cluster.proxy, recorder, deadline)
        try:
            while True:
                try:
                    tally.add(tally.submitted, walk_wizard(browser, people.citizen(rng)))
                except RequestFailed:
                    time.sleep(0.1)
        except TimeUp:
            pass

    kiosks = [threading.Thread(target=kiosk, args=(seed,)) for seed in range(4)]
    for thread in kiosks:
        thread.start()
    time.sleep(3)
    before = len(tally.submitted)
    kill_server(cluster.processes[1])
    for thread in kiosks:
        thread.join()

    assert before > 0 and len(tally.submitted) > before, "applications were accepted before and after"
    applications = check_records(cluster.envs[0]["KIOSK_DATABASE_URL"], tally)["applications"]
    assert applications["lost"] == 0 and applications["duplicated"] == 0, applications
    # Only a request in progress on the killed server may fail (a POST is never sent twice).
    assert recorder.errors <= len(kiosks), recorder.error_samples
