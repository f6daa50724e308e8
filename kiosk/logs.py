"""Logging: one line per record on standard error, plain text or JSON (`LOG_FORMAT`), each
carrying the id of the request it was written for, and one access line per request.

Every request gets an id: the `X-Request-ID` it came with when that is well-formed (a proxy's),
else a new one. It is returned in the `X-Request-ID` response header and attached to every
record logged while the request is handled. The access lines are written by the app itself
(`kiosk.access`: method, path, status, duration), so `kiosk serve` runs gunicorn without its own
access log, and gunicorn's messages take the same format (`GunicornLogger`).

Personal data never reaches the logs: access lines carry the path without its query string,
with the progress link's token hidden and ID and mobile numbers masked; SQLAlchemy's engine is
kept quiet whatever the level (it would print bound parameters and rows: names, ID numbers);
and, as a last guard, anything shaped like an ID number or a mobile number in a message is masked.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import sys
import time
import uuid

from flask import Flask, g, has_request_context, request
from flask.logging import default_handler
from gunicorn import glogging

from .domain.masking import mask_id_number, mask_phone

REQUEST_ID_HEADER = "X-Request-ID"
FORMATS = ("text", "json")
ACCESS_FIELDS = ("method", "path", "status", "duration_ms")

access_log = logging.getLogger("kiosk.access")

_WELL_FORMED_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# Loggers held at WARNING whatever LOG_LEVEL says: SQLAlchemy's engine logs SQL with its
# parameters at INFO and the rows it reads at DEBUG; werkzeug's development server logs every
# request line with its query string (the access line replaces it); alembic announces its
# migration context on every /healthz.
_QUIET = ("sqlalchemy.engine", "werkzeug", "alembic")
# Path arguments that are secrets (the progress link's token): never written out.
_SECRET_ARGS = ("token",)
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def mask_personal_numbers(text: str) -> str:
    """`text` with every ID number and mobile number in it masked (kiosk.domain.masking)."""
    text = _ID_NUMBER.sub(lambda match: mask_id_number(match[0]), text)
    return _MOBILE.sub(lambda match: mask_phone(match[0]), text)


class Formatter(logging.Formatter):
    """A record as one line: `time level logger [request id] message`, or a JSON object with
    time, level, logger, message, request_id (and method, path, status, duration_ms on an access
    line; exception when there is one)."""

    def __init__(self, json_lines: bool) -> None:
        super().__init__()
        self.json_lines = json_lines

    def format(self, record: logging.LogRecord) -> str:
        moment = dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds")
        moment = moment.replace("+00:00", "Z")
        message = mask_personal_numbers(record.getMessage())
        details = [self.formatException(record.exc_info)] if record.exc_info else []
        if record.stack_info:
            details.append(record.stack_info)
        problem = mask_personal_numbers("\n".join(details))
        request_id = getattr(record, "request_id", None)
        if not self.json_lines:
            line = f"{moment} {record.levelname} {record.name} [{request_id or '-'}] {message}"
            return f"{line}\n{problem}" if problem else line
        entry = {
            "time": moment,
            "level": record.levelname,
            "logger": record.name,
            "message": message,
            "request_id": request_id,
        }
        entry |= {field: getattr(record, field) for field in ACCESS_FIELDS if hasattr(record, field)}
        if problem:
            entry["exception"] = problem
        return json.dumps(entry, ensure_ascii=False, default=str)


class RequestIdFilter(logging.Filter):
    """Attaches the id of the request being handled (None outside a request) to each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = g.get("request_id") if has_request_context() else None
        return True


class _StandardError(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is when a record is emitted (gunicorn and pytest replace it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def formatter_for(log_format: str | None) -> Formatter:
    log_format = log_format or "text"
    if log_format not in FORMATS:
        raise ValueError(f"LOG_FORMAT must be 'text' or 'json', not {log_format!r}")
    return Formatter(json_lines=log_format == "json")


def configure(log_format: str | None, level: str | int = "INFO") -> None:
    """Send every logger's records to standard error in `log_format` ("text" when None).
    Safe to call again: the handler of an earlier call is replaced."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _StandardError)]:
        root.removeHandler(handler)
    handler = _StandardError()
    handler.setFormatter(formatter_for(log_format))
    handler.addFilter(RequestIdFilter())
    root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
    logging.getLogger("kiosk").removeHandler(default_handler)  # Flask's own: it would print twice
    for name in _QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)


def init_app(app: Flask) -> None:
    configure(app.config["LOG_FORMAT"], app.config["LOG_LEVEL"])
    app.before_request(_begin)
    # Registered before the blueprints' hooks, so it runs after them: the status is final.
    app.after_request(_access_line)


def _begin() -> None:
    g.request_started = time.perf_counter()
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = incoming if _WELL_FORMED_ID.fullmatch(incoming) else uuid.uuid4().hex


def _logged_path() -> str:
    path = request.path
    for name in _SECRET_ARGS:
        secret = (request.view_args or {}).get(name)
        if secret:
            path = path.replace(str(secret), "***")
    # Any path may carry a number someone typed or guessed (`/apply/<ID number>`, a 404 included).
    return mask_personal_numbers(path)


def _access_line(response):
    duration_ms = round((time.perf_counter() - g.request_started) * 1000, 2)
    path = _logged_path()
    access_log.info(
        "%s %s %s %.1f ms",
        request.method,
        path,
        response.status_code,
        duration_ms,
        extra={"method": request.method, "path": path, "status": response.status_code, "duration_ms": duration_ms},
    )
    response.headers[REQUEST_ID_HEADER] = g.request_id
    return response


class GunicornLogger(glogging.Logger):
    """gunicorn's own messages (workers starting and stopping, timeouts) in the app's format,
    read from KIOSK_LOG_FORMAT (`kiosk serve` sets it). Its access log stays off."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        formatter = formatter_for(os.environ.get("KIOSK_LOG_FORMAT"))
        for handler in self.error_log.handlers:
            handler.setFormatter(formatter)
