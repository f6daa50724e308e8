"""The kiosk web application: `create_app` is the application factory."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from . import clock, logs
from .db import Database, make_engine
from .keyfiles import PRIVATE_FOLDER, create_once, private_folder

DEFAULTS: dict[str, Any] = {
    "DATABASE_URL": None,  # None: SQLite file kiosk.db in the instance folder
    "STATION_CODE": None,  # None: the only station in the database
    "BUSY_TIMEOUT_MS": 5000,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,  # True: always; False: on requests that came over HTTPS
    "PROXY_COUNT": 0,  # proxies in front (nginx: 1) whose X-Forwarded-For/-Proto are believed
    "STAFF_SESSION_HOURS": 8,
    "STATION_CACHE_SECONDS": 60,
    "PUBLIC_URL": None,  # the address phones reach for the progress page (QR codes); None: this server
    "TRACK_RATE_LIMIT": "10 per minute",  # progress look-ups and booking look-ups per client address
    "SIGN_IN_RATE_LIMIT": "10 per minute",  # failed staff sign-ins per client address
    "CHECK_IN_RATE_LIMIT": "10 per minute",  # refused check-ins (unknown codes) per client address
    "HINTS_RATE_LIMIT": "10 per second",  # live photo hints per client and wizard session (the page asks 3 a second)
    # Where the per-address limits are counted: "memory://" counts in each worker process (one
    # station, one worker); "redis://host:6379/0" counts once for every worker and app server.
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_KEY_PREFIX": "kiosk",  # the counts' key prefix in a shared store
    "RATELIMIT_STORAGE_TIMEOUT_SECONDS": 0.5,  # a shared store answering slower than this counts as down
    "KIOSK_ADDRESSES": ["127.0.0.1", "::1"],  # the kiosk terminals: they book walk-in places
    "BABEL_DEFAULT_LOCALE": "zh_Hans",
    "BABEL_DEFAULT_TIMEZONE": "UTC",
    "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
    "PRINTER_BACKEND": "file",  # "file": PDFs under <instance>/prints/; "cups": the CUPS queue below
    "PRINTER_QUEUE": "kioskpdf",
    "PRINTER_PAPER": None,  # "roll80" (the kiosk's 80 mm thermal roll) or "a4"; None: the backend's own
    "PRINT_FONT": None,  # the TrueType CJK font file of printed documents; None: the first system font found
    # "log": texts to citizens as JSON lines in <instance>/messages.log; "package.module:factory": the
    # station's SMS gateway adapter (kiosk.services.notifications.sender_from_config)
    "MESSAGE_SENDER": "log",
    "LOG_FORMAT": None,  # "text" or "json"; None: json under `kiosk serve`, text otherwise
    "LOG_LEVEL": "INFO",
    # The largest request body: a staff's verification package (20 MB, routes/staff_case.py) and its form.
    "MAX_CONTENT_LENGTH": 21 * 1024 * 1024,
    # "folder": photos under <instance>/photos/ (one station, one machine); "database": in the
    # database, for several app servers (move the files with `kiosk photos-to-database`).
    "PHOTO_STORE": "folder",
    "DISK_MIN_FREE_MB": 1024,  # /healthz reports "degraded" below this much free space in the instance folder
    "CLOCK": None,  # tests and demonstrations only: the moment this process's clock starts at (see kiosk.clock)
}


PUBLIC_URL_UNSET = (
    "KIOSK_PUBLIC_URL is not set: printed QR codes point to the address each request came to, "
    "which at the kiosk's own browser is 127.0.0.1 and out of reach of phones"
)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Settings, lowest priority first: DEFAULTS, `kiosk.cfg` in the instance
    folder, `KIOSK_*` environment variables, then `config`."""
    instance_path = (config or {}).get("INSTANCE_PATH") or os.environ.get("KIOSK_INSTANCE_PATH")
    app = Flask(
        __name__,
        instance_path=str(Path(instance_path).resolve()) if instance_path else None,
        instance_relative_config=True,
    )
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("kiosk.cfg", silent=True)
    app.config.from_prefixed_env("KIOSK")
    app.config.update(config or {})
    instance = private_folder(Path(app.instance_path))

    logs.init_app(app)  # first: its request id and clock come before every other hook
    _keep_private(app, instance)
    if app.config["CLOCK"]:
        _set_clock(app)
    proxies = int(app.config["PROXY_COUNT"])
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    app.session_interface = _SessionInterface()

    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))
    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / 'kiosk.db'}"

    busy_timeout_ms = int(app.config["BUSY_TIMEOUT_MS"])
    app.extensions["kiosk_db"] = Database(
        make_engine(app.config["DATABASE_URL"], busy_timeout_ms=busy_timeout_ms), busy_timeout_ms=busy_timeout_ms
    )

    from .services.photo_store import store_from_config

    app.extensions["kiosk_photos"] = store_from_config(app.config, app.instance_path, app.extensions["kiosk_db"])

    from .routes import init_app

    init_app(app)
    return app


def warn_if_no_public_url(app: Flask) -> None:
    """Said as a served app starts (kiosk.wsgi), so that the operator sees it in the log."""
    if not app.config["PUBLIC_URL"]:
        app.logger.warning(PUBLIC_URL_UNSET)


def _keep_private(app: Flask, instance: Path) -> None:
    """Only this user may enter the instance folder (personal data), also when an earlier version
    or a umask of 022 made it open to all."""
    try:
        instance.chmod(PRIVATE_FOLDER)
    except OSError as error:
        app.logger.warning("the instance folder cannot be made private (0700): %s", error)


def _set_clock(app: Flask) -> None:
    """KIOSK_CLOCK: serve as if it were that moment (a test server, a demonstration of a holiday)."""
    setting = app.config["CLOCK"]
    clock.start_at(setting if isinstance(setting, dt.datetime) else clock.parse_moment(str(setting)))
    app.logger.warning("the clock starts at %s (KIOSK_CLOCK), not the system's time", clock.utcnow().isoformat())


class _SessionInterface(SecureCookieSessionInterface):
    """The session cookie is `Secure` whenever the request came over HTTPS (directly, or through
    a proxy named by PROXY_COUNT), or always with SESSION_COOKIE_SECURE. Not by default on plain
    HTTP: the kiosk's own browser talks to the server on 127.0.0.1 without TLS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return super().get_cookie_secure(app) or (has_request_context() and request.is_secure)


def _instance_secret(instance: Path) -> str:
    """The embedded default: a random key generated once into the instance folder."""
    return create_once(instance / "secret_key", lambda: secrets.token_hex(32).encode()).decode().strip()
