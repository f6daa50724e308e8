"""Rate limits per client address, counted in the worker's memory or a shared store (Redis)."""

from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

# A shared store (Redis) that cannot be reached: the kiosk's limits fall back to counting in the
# worker's memory (fail open, the hall keeps working) until the store answers again; staff sign-ins
# are refused instead (fail closed, see `shared_counting_works`).
limiter = Limiter(key_func=get_remote_address, default_limits=[], swallow_errors=True, in_memory_fallback_enabled=True)


def init_app(app: Flask) -> None:
    timeout = float(app.config["RATELIMIT_STORAGE_TIMEOUT_SECONDS"])
    app.config["RATELIMIT_STORAGE_OPTIONS"] = {
        "key_prefix": app.config["RATELIMIT_KEY_PREFIX"],
        "socket_timeout": timeout,
        "socket_connect_timeout": timeout,
    }
    limiter.init_app(app)


def shared_counting_works() -> bool:
    """Whether the store counting the limits answers now (the worker's memory always does)."""
    return bool(limiter.storage.check())
