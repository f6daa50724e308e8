"""Shared by the web benchmarks: simulated browsers that time every request, and a kiosk
walking the whole wizard as a citizen does.

A `Browser` keeps its own cookies and CSRF token and one keep-alive connection (gunicorn's
sync workers close it after each response; the connection is then opened again). Redirects
are followed by hand, so each request is timed on its own: the server's time from the
app's `Server-Timing` header and the time the client saw.
"""

from __future__ import annotations

import http.client
import re
import threading
import time
import urllib.parse
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from http.cookies import SimpleCookie
from typing import NoReturn

from _serve import server_ms

from kiosk.domain.id_number import check_character

# The answer to each situation question (its page and form field): nothing special applies.
NO_SITUATION = {
    "can_travel": "yes",
    "special_group": "none",
    "urgent": "none",
    "blocking": "none",
    "out_of_hours": "no",
    "exemption": "none",
}
ERROR_SAMPLES = 5

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_IDEMPOTENCY_KEY = re.compile(r'name="idempotency_key" value="(\w+)"')
_MATERIAL = re.compile(r'name="held" value="(\w+)"')


class RequestFailed(Exception):
    """A request got an error (already counted by the recorder): the walk in progress is abandoned."""


class TimeUp(Exception):
    """The run's deadline has passed: no new request is started."""


class Recorder:
    """Timings per kind of request (server and client milliseconds) and errors, shared by threads."""

    def __init__(self, classify: Callable[[str], str] = lambda label: label):
        self.classify = classify
        self.server: dict[str, list[float]] = defaultdict(list)
        self.client: dict[str, list[float]] = defaultdict(list)
        self.requests = 0
        self.errors = 0
        self.error_samples: list[str] = []
        self._lock = threading.Lock()

    def timing(self, label: str, server: float | None, client: float) -> None:
        kind = self.classify(label)
        with self._lock:
            self.requests += 1
            self.client[kind].append(client)
            if server is not None:
                self.server[kind].append(server)

    def error(self, message: str) -> None:
        with self._lock:
            self.errors += 1
            if len(self.error_samples) < ERROR_SAMPLES:
                self.error_samples.append(message)


@dataclass(frozen=True)
class Response:
    """From `Browser.request` (a click): the first response's status and redirect, and the page
    finally shown after following it."""

    status: int
    location: str  # "" unless a redirect
    page: str
    headers: Message | None = None  # the first response's


# What htmx sends with a boosted link or form (hx-boost on every layout).
BOOSTED = {"HX-Request": "true", "HX-Boosted": "true"}


def typing_check(field: str) -> dict[str, str]:
    """What htmx sends to check a keypad field as it is typed (kiosk/_macros.html `typing_check`)."""
    return {"HX-Request": "true", "HX-Boosted": "false", "HX-Trigger-Name": field, "HX-Target": f"{field}-feedback"}


class Browser:
    """One simulated browser against `base`: cookies, CSRF token, a keep-alive connection. With
    `boosted`, its pages and forms are requested as htmx requests them in a browser (hx-boost), and
    each key typed on a keypad field is checked as it is there."""

    def __init__(self, base: str, recorder: Recorder, deadline: float | None = None, *, boosted: bool = False):
        address = urllib.parse.urlsplit(base)
        self.connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
        self.recorder, self.deadline = recorder, deadline
        self.page_headers = BOOSTED if boosted else {}
        self.checks_typing = boosted
        self.cookies: dict[str, str] = {}
        self.csrf = ""

    def request(
        self, path: str, data: dict | None = None, *, headers: dict | None = None, expect: tuple[int, ...] = ()
    ) -> Response:
        """POST the form `data` (with the CSRF token of the last page) to `path`, or GET it without
        data; then follow a redirect as a browser does. A status of 400 or more not in `expect`,
        or a broken connection, is recorded as an error and raises RequestFailed."""
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise TimeUp
        body = None if data is None else urllib.parse.urlencode({**data, "csrf_token": self.csrf}, doseq=True).encode()
        headers = {**self.page_headers, **(headers or {})}
        first = final = self._send("POST" if body is not None else "GET", path, body, headers, expect)
        if first.status in (301, 302, 303):
            target = urllib.parse.urlsplit(first.location)
            followed = target.path + (f"?{target.query}" if target.query else "")
            final = self._send("GET", followed, None, self.page_headers, expect)
        token = _CSRF.search(final.page)
        if token:
            self.csrf = token[1]
        return Response(first.status, first.location, final.page, first.headers)

    def upload(self, path: str, data: bytes, content_type: str = "image/jpeg") -> tuple[int, str]:
        """POST raw bytes as the camera page does (the CSRF token in a header): status and body."""
        headers = {"Content-Type": content_type, "X-CSRFToken": self.csrf}
        response = self._send("POST", path, data, headers, expect=tuple(range(400, 600)))
        return response.status, response.page

    def fail(self, message: str) -> NoReturn:
        """Something a browser would notice went wrong (a page without its form, say)."""
        self.recorder.error(message)
        raise RequestFailed(message)

    def _send(self, method: str, path: str, body: bytes | None, headers: dict, expect: tuple[int, ...]) -> Response:
        part = "HX-Request" in headers and headers.get("HX-Boosted") != "true"  # htmx asking for part of a page
        label = f"{method} {urllib.parse.urlsplit(path).path}" + (" (htmx)" if part else "")
        headers = dict(headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if body is not None:
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body, headers)
            response = self.connection.getresponse()
            page = response.read().decode()
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()
            self.fail(f"{label}: {type(error).__name__}: {error}")
        client = (time.perf_counter() - started) * 1000
        server = server_ms(response.headers) if "Server-Timing" in response.headers else None
        self.recorder.timing(label, server, client)
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        if response.status >= 400 and response.status not in expect:
            self.fail(f"{label}: {response.status}")
        return Response(response.status, response.getheader("Location") or "", page, response.headers)


@dataclass(frozen=True)
class Citizen:
    """The answers one person gives at the kiosk."""

    app_type: str
    id_number: str
    name: str
    registered_province: str
    phone: str
    card_expires: str = ""  # YYYYMMDD, asked for renewal_expiry only
    held: tuple[str, ...] | None = None  # the materials ticked; None: every one the page lists
    collection: tuple[tuple[str, str], ...] = (("method", "station"),)


def lost_card_citizen(number: int) -> Citizen:
    """A local citizen who lost their card (a different ID number for each number below 1000)."""
    id_number = f"33040219800315{number % 1000:03d}"
    return Citizen(
        app_type="lost",
        id_number=id_number + check_character(id_number),
        name="王小明",
        registered_province="33",
        phone="13812345678",
        held=("household_register",),
    )


def _answer(browser: Browser, path: str, data: dict) -> Response:
    """Post one answer; the wizard must take it (303 to the next question, then fetched)."""
    step = browser.request(path, data)
    if step.status != 303:
        browser.fail(f"{path}: answer not taken ({step.status})")
    return step


def _typed_answer(browser: Browser, path: str, field: str, value: str) -> Response:
    """Type one keypad answer, each key checked as htmx checks it in a browser (with `boosted`;
    at worst, without its pause), then post it."""
    if browser.checks_typing:
        for end in range(1, len(value) + 1):
            browser.request(path, {field: value[:end]}, headers=typing_check(field))
    return _answer(browser, path, {field: value})


def walk_to_photo(browser: Browser, citizen: Citizen) -> None:
    """Through the wizard up to its photo step, every page fetched and every answer posted."""
    browser.request("/")
    _answer(browser, "/start", {})
    _answer(browser, "/apply/type", {"app_type": citizen.app_type})
    _typed_answer(browser, "/apply/id_number", "id_number", citizen.id_number)
    _answer(browser, "/apply/name", {"name": citizen.name})
    step = _answer(browser, "/apply/registration", {"registered_province": citizen.registered_province})
    if citizen.app_type == "renewal_expiry":
        step = _typed_answer(browser, "/apply/expiry", "card_expires", citizen.card_expires)
    # The situation questions the wizard asks, one page each, as long as it leads to one.
    while (question := urllib.parse.urlsplit(step.location).path.rsplit("/", 1)[-1]) in NO_SITUATION:
        step = _answer(browser, f"/apply/{question}", {question: NO_SITUATION[question]})
    held = citizen.held if citizen.held is not None else _MATERIAL.findall(step.page)
    _answer(browser, "/apply/materials", {"held": list(held)})
    _answer(browser, "/apply/plan", {})


def walk_wizard(browser: Browser, citizen: Citizen) -> str:
    """Apply through the whole wizard, every page fetched and every answer posted as a browser
    does, ending with the submit; the idempotency key of the application the kiosk accepted."""
    walk_to_photo(browser, citizen)
    _answer(browser, "/apply/photo", {})
    _typed_answer(browser, "/apply/contact", "phone", citizen.phone)
    page = _answer(browser, "/apply/collection", dict(citizen.collection)).page
    key = idempotency_key(page)
    if key is None:
        browser.fail("check: no idempotency key")
    step = browser.request("/apply/check", {"idempotency_key": key})
    if urllib.parse.urlsplit(step.location).path != "/apply/done":
        browser.fail(f"check: submission not accepted ({step.status} {step.location})")
    return key


def idempotency_key(page: str) -> str | None:
    """The idempotency key a form carries."""
    found = _IDEMPOTENCY_KEY.search(page)
    return found[1] if found else None
