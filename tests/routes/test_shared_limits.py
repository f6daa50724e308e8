"""Rate limits counted in Redis (KIOSK_RATELIMIT_STORAGE_URI=redis://...): once for every worker
process and app server, and what happens when Redis does not answer: staff sign-ins are refused
(fail closed), the kiosk keeps working with per-worker counts (fail open)."""

from __future__ import annotations

import os
import secrets

import pytest
import redis

from kiosk import create_app
from kiosk.routes import limiter
from tests.conftest import STAFF_PASSWORD

REDIS_URL = os.environ.get("KIOSK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
UNREACHABLE = "redis://127.0.0.1:1/0"  # nothing listens there: refused at once


def _redis_answers() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


needs_redis = pytest.mark.skipif(not _redis_answers(), reason=f"no Redis answers at {REDIS_URL} (.ci/run starts one)")


@pytest.fixture
def prefix():
    """A key prefix of this test's own: other runs may share the Redis."""
    prefix = f"kiosk-test-{secrets.token_hex(6)}"
    yield prefix
    store = redis.Redis.from_url(REDIS_URL)
    for key in store.scan_iter(f"{prefix}*"):
        store.delete(key)


@pytest.fixture
def worker(app_config, database):
    """A new app each call, as a new worker process or another app server starts one."""
    made = []

    def make(**settings):
        app = create_app(app_config | settings)
        made.append(app)
        return app.test_client()

    yield make
    for app in made:
        app.extensions["kiosk_db"].dispose()
    limiter._storage_dead = False  # the process-wide limiter: the next test starts with its store alive


def _look_up(client) -> int:
    """A progress look-up of a number that does not exist: 422 when answered, 429 when limited."""
    return client.post("/track/", data={"number": "330402-20261204-0001", "phone_last4": "0000"}).status_code


@needs_redis
def test_the_count_lives_in_redis_and_a_new_worker_continues_it(worker, prefix, database):
    shared = {"RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": prefix, "TRACK_RATE_LIMIT": "4 per minute"}
    first = worker(**shared)
    assert [_look_up(first) for _ in range(2)] == [422, 422]
    second = worker(**shared)  # in memory, a new worker would start from nothing and allow 4 more
    assert [_look_up(second) for _ in range(3)] == [422, 422, 429]
    assert any(redis.Redis.from_url(REDIS_URL).scan_iter(f"{prefix}*")), "counted under the run's prefix"


@needs_redis
def test_a_sign_in_lockout_per_address_holds_on_every_server(worker, prefix, staff_user):
    shared = {"RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": prefix, "SIGN_IN_RATE_LIMIT": "3 per minute"}
    servers = [worker(**shared), worker(**shared)]
    for attempt in range(3):
        refused = servers[attempt % 2].post("/staff/login", data={"username": f"guess{attempt}", "password": "x"})
        assert refused.status_code == 401
    for server in servers:
        assert server.post("/staff/login", data={"username": "zhang", "password": STAFF_PASSWORD}).status_code == 429


def test_without_redis_sign_ins_are_refused_and_the_kiosk_counts_per_worker(worker, staff_user):
    server = worker(RATELIMIT_STORAGE_URI=UNREACHABLE, TRACK_RATE_LIMIT="2 per minute")
    right = server.post("/staff/login", data={"username": "zhang", "password": STAFF_PASSWORD})
    assert right.status_code == 503 and "zhang" in right.get_data(as_text=True)  # the form kept, nothing decided
    # The kiosk's look-ups go on, still limited, counted in this worker's memory meanwhile.
    assert [_look_up(server) for _ in range(3)] == [422, 422, 429]
    health = server.get("/healthz")
    assert health.status_code == 200 and health.json["status"] == "degraded"
    assert health.json["limits"] == {"ok": False, "storage": "redis"}


def test_the_default_counts_in_memory_and_needs_no_redis(client, staff_user):
    assert client.post("/staff/login", data={"username": "zhang", "password": STAFF_PASSWORD}).status_code == 303
    assert client.get("/healthz").json["limits"] == {"ok": True, "storage": "memory"}
