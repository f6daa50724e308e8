"""Random, oversized and malformed requests to every route of the app, as every kind of visitor.

The routes come from the app's own URL map, so a new route is attacked without anyone adding
it here, and every route must be reached: there is no list of exceptions. Each
request is sent as one of the personas (nobody, a citizen in the wizard or at the camera or
on the done page, a citizen with a booking, staff of each role), with or without a valid
CSRF token, and carries fields with any Unicode (NUL, controls, lone surrogates sent as the
invalid UTF-8 they make), 100 kB strings, numbers as text, missing and repeated fields,
the wrong content type, malformed and deeply nested JSON, huge uploads, and odd path values.

Every answer must be a normal page or redirect (2xx, 3xx, never off this site) or a 4xx that
says something; never a 5xx. After every request the database must still be consistent
(tests/consistency.py). KIOSK_HOSTILE_EXAMPLES=200 makes a deeper run (about ten times longer).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import secrets
import tempfile
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, request, request_started
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from PIL import Image
from sqlalchemy import update
from sqlmodel import select

import kiosk
from kiosk import create_app
from kiosk.clock import utcnow
from kiosk.db import Database
from kiosk.domain import wizard as flow
from kiosk.domain.catalogue import ApplicationType, Material
from kiosk.domain.states import Action
from kiosk.models import Application, Booking, KioskSession, PrintJob, StaffUser, Visit
from kiosk.services import slot_times
from kiosk.services.staff import Role, create_staff
from kiosk.services.station import DEMO_STATION_FILE, load_station
from tests import when
from tests.conftest import JIANGXI_ID, LOCAL_ID, STAFF_PASSWORD, demo_station_database, empty_database_url
from tests.consistency import problems
from tests.helpers import apply, idempotency_key, post_step, walk_to_check
from tests.routes.test_photo import compliant_frame, shoot, walk_to_photo

# Requests per route, each followed by the consistency check; raise it for a deeper run.
EXAMPLES = int(os.environ.get("KIOSK_HOSTILE_EXAMPLES", "20"))
PACKAGE = Path(kiosk.__file__).parent


def _routes() -> list[tuple[str, str, str, str]]:
    """(endpoint, rule, method, module of its view) for every route of a freshly made app."""
    with tempfile.TemporaryDirectory() as instance:
        app = create_app({"INSTANCE_PATH": instance, "SECRET_KEY": "routes", "DATABASE_URL": "sqlite://"})
        rules = [
            (rule.endpoint, rule.rule, method, app.view_functions[rule.endpoint].__module__)
            for rule in app.url_map.iter_rules()
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
        ]
        app.extensions["kiosk_db"].dispose()
    return sorted(rules)


ROUTES = _routes()


def _names_in(source: str) -> set[str]:
    found = set(re.findall(r'(?:form|args|values|files)\.get(?:list)?\(\s*"([^"]+)"', source))
    return found | set(re.findall(r'_choice\(form,\s*"([^"]+)"', source))


def _field_names() -> dict[str, list[str]]:
    """The form and query fields each module of kiosk.routes reads; "" holds every field the
    routes and the templates name (for a view that names none of its own)."""
    every = set()
    for template in (PACKAGE / "templates").rglob("*.html"):
        every |= set(re.findall(r'\bname="([A-Za-z_][\w-]*)"', template.read_text(encoding="utf-8")))
    fields = {}
    for module in (PACKAGE / "routes").glob("*.py"):
        fields[f"kiosk.routes.{module.stem}"] = sorted(_names_in(module.read_text(encoding="utf-8")))
        every |= set(fields[f"kiosk.routes.{module.stem}"])
    fields[""] = sorted(every - {"csrf_token", "viewport"})
    return fields


FIELDS = _field_names()


# --- what is sent ------------------------------------------------------------------------

ODD_TEXT = [
    "",
    "\x00",
    "a\x00b",
    "\r\n",
    "\t \u200b\u2028",
    "../../etc/passwd",
    "%00",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "9" * 40,
    "-1",
    "1e309",
    "NaN",
    "١٢٣٤",
    "１３８１２３４５６７８",
    "/\\example.com",
    "//example.com",
    "x" * 100_000,
    "王" * 34_000,  # 100 kB in UTF-8
]
SURROGATES = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF, categories=["Cs"])
HOSTILE_TEXT = st.one_of(
    st.sampled_from(ODD_TEXT),
    st.text(max_size=50),
    st.text(st.one_of(st.characters(), SURROGATES), max_size=20),
    st.text(st.characters(max_codepoint=0x1F), max_size=10),  # controls, NUL included
    st.integers().map(str),
    st.floats().map(str),
)
ODD_DATES = st.dates().map(dt.date.isoformat) | st.sampled_from(
    ["9999-12-31", "0001-01-01", "1999-01-01", "2026-02-30", "2026-13-01", "20261224", "2026-W01-1"]
)
ODD_NUMBERS = st.integers().map(str) | st.integers(2**31, 2**70).map(str)  # past the database's integers
HEADER_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
MALFORMED_JSON = [b"", b"{", b'{"a": }', b"[" * 100_000, b'{"a":' * 50_000, b"\xff\xfe{}", b"null", b'"\\ud800"']
JSON_BODIES = st.sampled_from(MALFORMED_JSON) | JSON_VALUES.map(lambda value: json.dumps(value).encode())


@cache
def uploads() -> list[tuple[bytes, str]]:
    """Bodies for the picture endpoints (and any other): empty, junk, a cut JPEG, a tiny
    image, a real camera frame, and one just over the size limit."""
    tiny = io.BytesIO()
    Image.new("RGB", (2, 2)).save(tiny, "PNG")
    return [
        (b"", "image/jpeg"),
        (b"not a picture", "image/jpeg"),
        (compliant_frame()[:2000], "image/jpeg"),
        (tiny.getvalue(), "image/png"),
        (compliant_frame(), "image/jpeg"),
        (b"\0" * (8 * 1024 * 1024 + 1), "image/jpeg"),
    ]


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")  # a lone surrogate becomes invalid UTF-8


def _multipart(fields: list[tuple[str, str]], files: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = secrets.token_hex(12).encode()
    body = b""
    for name, value in fields:
        disposition = b'form-data; name="%s"' % _bytes(name)
        body += b"--%s\r\nContent-Disposition: %s\r\n\r\n%s\r\n" % (boundary, disposition, _bytes(value))
    for name, content in files:
        disposition = b'form-data; name="%s"; filename="x"' % _bytes(name)
        body += b"--%s\r\nContent-Disposition: %s\r\n\r\n%s\r\n" % (boundary, disposition, content)
    return body + b"--%s--\r\n" % boundary, f"multipart/form-data; boundary={boundary.decode()}"


# --- the world the attack runs in ----------------------------------------------------------

PERSONAS = ("nobody", "wizard", "camera", "done", "booked", *(f"staff:{role.value}" for role in Role))
STAFF_NAMES = {Role.WINDOW: "zhang", Role.SUPERVISOR: "li", Role.VISIT_OFFICER: "zhao", Role.ADMIN: "wang"}


@dataclass
class World:
    app: Flask
    csrf_app: Flask  # the same app with CSRF protection on, as in production
    database: Database
    instance: Path
    cookies: dict[str, str | None] = field(default_factory=dict)
    good: dict[str, list[str]] = field(default_factory=dict)  # valid values, by field or path parameter
    staff_ids: list[int] = field(default_factory=list)
    reached: Counter = field(default_factory=Counter)  # (endpoint, method) -> requests routed there
    last_endpoint: str | None = None  # where the last request was routed (None: no route matched)
    foreign_token: str = ""  # a valid CSRF token of another session

    def client(self, persona: str, csrf: bool):
        client = (self.csrf_app if csrf else self.app).test_client()
        cookie = self.cookie(persona)
        if cookie:
            client.set_cookie("session", cookie)
        return client

    def cookie(self, persona: str) -> str | None:
        """The persona's session cookie; a citizen whose answers are gone (sent, reset or
        idle) walks the wizard again."""
        if persona in ("wizard", "camera") and not self._answers_alive(persona):
            self.cookies[persona] = self._walk(persona)
        return self.cookies[persona]

    def _answers_alive(self, persona: str) -> bool:
        serializer = self.app.session_interface.get_signing_serializer(self.app)
        token = serializer.loads(self.cookies[persona]).get("wizard")
        context = load_station(self.database, "330402")
        idle = dt.timedelta(seconds=context.settings.idle_seconds + context.settings.countdown_seconds - 10)
        with self.database.reading() as session:
            row = session.get(KioskSession, token) if token else None
        if row is None or utcnow() - row.updated_at > idle:
            return False
        return persona != "camera" or bool(row.answers.get("photo_shots"))  # still at the camera

    def _walk(self, persona: str) -> str:
        client = self.app.test_client()
        if persona == "wizard":
            self.good["idempotency_key"] = [idempotency_key(walk_to_check(client, app_type="lost"))]
        else:
            walk_to_photo(client)
            shot = shoot(client, compliant_frame())["shot"]
            self.good["shot_id"] = self.good["shot"] = [shot["id"]]
        return client.get_cookie("session").value

    def restore(self) -> None:
        """Staff personas stay usable whatever the attack did to their accounts."""
        with self.database.transaction() as session:
            session.execute(update(StaffUser).where(StaffUser.id.in_(self.staff_ids)).values(active=True))


@pytest.fixture(scope="module")
def world(tmp_path_factory, sqlite_template, postgres_migrated):
    """One world for the whole module (built once: staff sign-ins and photos are slow); every
    request may change it, and the consistency check holds whatever the history."""
    tmp_path = tmp_path_factory.mktemp("hostile")
    url = empty_database_url(tmp_path, sqlite_template, postgres_migrated)
    database = demo_station_database(url)
    config = {
        "TESTING": True,  # an unhandled error surfaces as its traceback
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": url,
        "SECRET_KEY": "hostile-secret",
        "WTF_CSRF_ENABLED": False,
        # A 429 would be fine, but would hide the routes behind it. (Not RATELIMIT_ENABLED=False:
        # the limiter is one object for the process, and later apps would inherit it.)
        **{name: "1000000 per minute" for name in ("TRACK_RATE_LIMIT", "SIGN_IN_RATE_LIMIT", "CHECK_IN_RATE_LIMIT")},
        "BUSY_TIMEOUT_MS": 2000,
    }
    world = World(
        app=create_app(config),
        csrf_app=create_app(config | {"WTF_CSRF_ENABLED": True}),
        database=database,
        instance=tmp_path / "instance",
    )

    def routed(sender, **_extra):
        world.reached[(request.endpoint, request.method)] += 1
        world.last_endpoint = request.endpoint

    for app in (world.app, world.csrf_app):
        request_started.connect(routed, app)
    _populate(world)
    yield world
    for app in (world.app, world.csrf_app):
        request_started.disconnect(routed, app)
        app.extensions["kiosk_db"].dispose()
    database.dispose()


def _populate(world: World) -> None:
    """Staff of every role, applications (one out of province, one needing a home visit),
    a printed receipt, a booking, an assigned visit, and a citizen at each wizard stage."""
    staff = {}
    for role, username in STAFF_NAMES.items():
        user = create_staff(
            world.database, station_code="330402", username=username, display_name=username, role=role,
            password=STAFF_PASSWORD,
        )
        staff[role] = user.id
        client = world.app.test_client()
        assert client.post("/staff/login", data={"username": username, "password": STAFF_PASSWORD}).status_code == 303
        world.cookies[f"staff:{role.value}"] = client.get_cookie("session").value
    world.staff_ids = list(staff.values())
    world.cookies["nobody"] = None

    context = load_station(world.database, "330402")
    visit_days = [context.calendar.add_working_days(context.today(), n) for n in (1, 2)]
    citizen = world.app.test_client()
    apply(citizen, app_type="first", id_number=JIANGXI_ID, province="36", held=["household_register"])
    apply(
        citizen,
        app_type="lost",
        situation={"can_travel": "no"},
        visit={"address": "浙江省嘉兴市南湖区某某路 1 号", "dates": [visit_days[0].isoformat()]},
    )
    apply(citizen)
    post_step(citizen, "done/print", expect=200)
    world.cookies["done"] = citizen.get_cookie("session").value

    free = slot_times.free_slots(world.database, context, first=visit_days[0], days=7, channel="kiosk")
    slot = next(iter(free.values()))[0]
    booker = world.app.test_client()
    booked = booker.post(
        f"/book/details?service=lost&slot={slot.id}",
        data={"name": "李四", "id_number": JIANGXI_ID, "phone": "13812345678", "idempotency_key": secrets.token_hex(8)},
    )
    assert booked.status_code == 303, booked.get_data(as_text=True)[-500:]
    world.cookies["booked"] = booker.get_cookie("session").value

    with world.database.reading() as session:
        applications = session.exec(select(Application).order_by(Application.id)).all()
    supervisor = world.client("staff:supervisor", csrf=False)
    assigned = supervisor.post(
        f"/staff/visits/{applications[1].id}/assign",
        data={"day": visit_days[0].isoformat(), "officer": str(staff[Role.VISIT_OFFICER])},
    )
    assert assigned.status_code == 303, assigned.get_data(as_text=True)[-500:]
    world.cookies["wizard"] = world._walk("wizard")
    world.cookies["camera"] = world._walk("camera")
    world.foreign_token = _csrf_token(world.csrf_app.test_client())

    with world.database.reading() as session:
        booking = session.exec(select(Booking)).first()
        visit_codes = session.exec(select(Visit.code)).all()
        job_ids = session.exec(select(PrintJob.id)).all()
    future = [d.isoformat() for d in visit_days]
    world.good.update(
        {
            "application_id": [str(a.id) for a in applications],
            "user_id": [str(i) for i in world.staff_ids],
            "job_id": [str(i) for i in job_ids],
            "number": [a.number for a in applications],
            "token": [a.track_token for a in applications],
            "name": ["王小明", *flow.STEP_NAMES, "check", flow.REFUSED],
            "filename": ["kiosk.css", "kiosk.js", "photo.js", "../kiosk.db"],
            "app_type": [t.value for t in ApplicationType],
            "service": [t.value for t in ApplicationType],
            "id_number": [LOCAL_ID, JIANGXI_ID],
            "registered_province": ["33", "36"],
            "card_expires": [when.card_due_for_renewal()],
            "long_term": ["1"],
            "can_travel": ["yes", "no"],
            "special_group": ["none", "elderly"],
            "urgent": ["none", "exam"],
            "blocking": ["none", "records"],
            "out_of_hours": ["yes", "no"],
            "exemption": ["none", "hardship"],
            "address": ["浙江省嘉兴市南湖区某某路 1 号"],
            "recipient": ["王小明"],
            "dates": future,
            "held": [m.value for m in Material],
            "photo": ["window"],
            "phone": ["13812345678"],
            "phone_tail": ["5678"],
            "method": ["station", "post"],
            "lang": ["zh_Hans", "zh_Hant", "en"],
            "back": ["/", "/apply/check"],
            "username": list(STAFF_NAMES.values()),
            "password": [STAFF_PASSWORD],
            "display_name": ["新同事"],
            "role": [r.value for r in Role],
            "change": ["activate", "deactivate", "password", "unlock"],
            "action": [a.value for a in Action],
            "reject_reason": ["other"],
            "confirm": ["yes"],
            "missing": ["old_card"],
            "old_card": ["returned", "not_returned", "none"],
            "tracking": ["SF1234567890"],
            "deadline": future,
            "follow_up": future,
            "cause": ["records"],
            "day": future,
            "first": [context.today().isoformat()],
            "last": [future[-1]],
            "officer": [str(staff[Role.VISIT_OFFICER])],
            "code": [booking.code, *visit_codes],
            "slot": [str(slot.id)],
            "settings": [DEMO_STATION_FILE.read_text(encoding="utf-8")],
            "state": ["submitted", "approved"],
            "commitment": ["immediate", "urgent"],
            "oop": ["yes", "no"],
            "overdue": ["yes"],
        }
    )


def _csrf_token(client) -> str:
    return re.search(r'"X-CSRFToken": "([^"]+)"', client.get("/").get_data(as_text=True))[1]


# --- one hostile request ---------------------------------------------------------------------

_PARAMETER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
_DATE = re.compile(r"\d{4}-\d\d-\d\d")


def _valid(world: World, name: str):
    good = world.good.get(name)
    return st.sampled_from(good) if good else HOSTILE_TEXT


def _bad(world: World, name: str):
    """Wrong values for a field: of its own kind (dates, numbers), with a NUL, or anything."""
    good = world.good.get(name)
    if not good:
        return HOSTILE_TEXT
    shaped = [
        ODD_DATES if all(_DATE.fullmatch(value) for value in good) else st.nothing(),
        ODD_NUMBERS if all(value.isdigit() for value in good) else st.nothing(),
    ]
    return st.one_of(*shaped, st.sampled_from(good).map(lambda text: text + "\x00"), HOSTILE_TEXT)


def _fields(data, world: World, names: list[str]) -> list[tuple[str, str]]:
    """Either every field valid, or all valid but one, or a random mix (missing, repeated and
    unknown fields included)."""
    mode = data.draw(st.sampled_from(["valid", "one bad", "random"]), label="fields")
    if mode == "valid" or (mode == "one bad" and names):
        wrong = data.draw(st.sampled_from(names), label="bad field") if mode == "one bad" else None
        return [(n, data.draw(_bad(world, n) if n == wrong else _valid(world, n), label=n)) for n in names]
    chosen = data.draw(st.lists(st.sampled_from(names or FIELDS[""]) | st.text(max_size=8), max_size=10))
    pairs = []
    for name in chosen:
        for _ in range(data.draw(st.sampled_from([1, 1, 2, 3]), label=f"{name} times")):
            pairs.append((name, data.draw(_valid(world, name) | _bad(world, name), label=name)))
    return pairs


def _path(data, world: World, rule: str) -> str:
    def value(match: re.Match) -> str:
        converter, name = match[1] or "default", match[2]
        if converter == "int":
            number = data.draw(
                _valid(world, name) | ODD_NUMBERS | st.sampled_from(["007", "-1", "1.5", "0x10", "１"]), label=name
            )
            return urllib.parse.quote(_bytes(number), safe="")
        if converter in ("default", "string", "path"):
            raw = _bytes(data.draw(_valid(world, name) | _bad(world, name), label=name))
            return urllib.parse.quote(raw, safe="/" if converter == "path" else "")
        raise AssertionError(f"no values for <{converter}:{name}>: teach _path")

    return _PARAMETER.sub(value, rule)


def _body(data, world: World, names: list[str]) -> dict[str, Any]:
    kind = data.draw(st.sampled_from(["form", "form", "multipart", "json", "upload", "none"]), label="body")
    if kind == "form":
        body = urllib.parse.urlencode([(_bytes(k), _bytes(v)) for k, v in _fields(data, world, names)]).encode()
        form = "application/x-www-form-urlencoded"
        content_type = data.draw(st.sampled_from([form, f"{form}; charset=latin-1", "text/plain"]))
        return {"data": body, "content_type": content_type}
    if kind == "multipart":
        content = JSON_BODIES | st.sampled_from([upload for upload, _ in uploads()])  # the huge one included
        files = data.draw(st.lists(st.tuples(st.sampled_from(["package", "photo", "file"]), content), max_size=2))
        body, content_type = _multipart(_fields(data, world, names), files)
        return {"data": body, "content_type": content_type}
    if kind == "json":
        return {"data": data.draw(JSON_BODIES), "content_type": "application/json"}
    if kind == "upload":
        body, content_type = data.draw(st.sampled_from(uploads()))
        return {"data": body, "content_type": content_type}
    return {}


def _query(data, world: World, names: list[str], method: str) -> str:
    """A GET's fields are its query; other requests sometimes carry one too."""
    if method != "GET" and not data.draw(st.booleans(), label="query"):
        return ""
    return urllib.parse.urlencode([(_bytes(k), _bytes(v)) for k, v in _fields(data, world, names)])


def _headers(data) -> dict[str, str]:
    headers = {}
    for name, values in {
        "HX-Request": st.sampled_from(["true"]) | HEADER_TEXT,
        "X-Frame-Scale": st.sampled_from(["2", "nan", "inf", "-1", "1e400"]) | HEADER_TEXT,
        "Accept-Language": st.sampled_from(["en", "zh-TW", "zh-Hant-HK;q=0.9, *;q=0.1"]) | HEADER_TEXT,
    }.items():
        if data.draw(st.booleans(), label=name):
            headers[name] = data.draw(values, label=name)
    return headers


# Who usually calls a route, by the start of its path: half the requests come from them.
USUAL_CALLERS = {
    "/staff": [p for p in PERSONAS if p.startswith("staff:")],
    "/apply/photo": ["camera"],
    "/apply/done": ["done"],
    "/apply": ["wizard"],
    "/book/manage": ["booked"],
    "/book/confirmation": ["booked"],
    "/book/appointment": ["booked"],
}


def _persona(data, rule: str) -> str:
    usual = next((callers for start, callers in USUAL_CALLERS.items() if rule.startswith(start)), PERSONAS)
    return data.draw(st.sampled_from(usual) | st.sampled_from(PERSONAS), label="persona")


def _stays_here(location: str) -> bool:
    parts = urllib.parse.urlsplit(location)
    if parts.scheme or parts.netloc:
        return parts.netloc == "localhost"
    return location.startswith("/") and not location.startswith(("//", "/\\"))


def _attack(data, world: World, rule: str, method: str, names: list[str]) -> None:
    persona = _persona(data, rule)
    csrf = data.draw(st.sampled_from(["off", "off", "valid", "missing", "foreign", "garbage"]), label="csrf")
    client = world.client(persona, csrf != "off")
    headers = _headers(data)
    if csrf == "valid":
        headers["X-CSRFToken"] = _csrf_token(client)
    elif csrf in ("foreign", "garbage"):
        headers["X-CSRFToken"] = world.foreign_token if csrf == "foreign" else data.draw(HEADER_TEXT, label="token")
    path = _path(data, world, rule)
    query = _query(data, world, names, method)
    body = _body(data, world, names) if method != "GET" or data.draw(st.booleans(), label="GET body") else {}

    response = client.open(path + (f"?{query}" if query else ""), method=method, headers=headers, **body)

    status, text = response.status_code, response.get_data()
    assert status < 500, (status, text[-1000:])
    if 300 <= status < 400:
        assert _stays_here(response.headers.get("Location", "")), response.headers.get("Location")
    if status >= 400:
        assert text.strip(), f"{status} without a message"
    if csrf in ("missing", "foreign", "garbage") and method == "POST" and world.last_endpoint:
        assert status in (400, 413), f"a POST without a valid CSRF token answered {status}"
    assert problems(world.database, world.instance) == []
    world.restore()


@pytest.mark.parametrize(
    ("endpoint", "rule", "method", "module"), ROUTES, ids=[f"{method} {rule}" for _, rule, method, _ in ROUTES]
)
def test_hostile_requests_never_break_the_app(world, endpoint, rule, method, module):
    names = FIELDS.get(module) or FIELDS[""]

    # No shrinking: each try is a request on a shared, changing world, and the report names every
    # draw (persona, body, each field) of the failing request anyway.
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.data())
    def attack(data):
        _attack(data, world, rule, method, names)

    before = world.reached[(endpoint, method)]
    attack()
    assert world.reached[(endpoint, method)] > before, (
        f"no request reached {endpoint}: teach _path its parameters"
    )


def test_going_back_never_leaves_this_site(world):
    """The language and text-size buttons return to the page they were on, named by the form:
    whatever it names, the redirect stays on this site."""

    @settings(max_examples=300, deadline=None, database=None)
    @given(st.text(st.sampled_from("/\\\t\r\n .:@%ax"), max_size=12) | HOSTILE_TEXT)
    def go_back(back):
        for path in ("/language", "/display"):
            form = urllib.parse.urlencode({"lang": "en", "back": _bytes(back)})
            response = world.app.test_client().post(path, data=form, content_type="application/x-www-form-urlencoded")
            assert response.status_code in (303, 400), back  # 400: a NUL, refused
            assert response.status_code == 400 or _stays_here(response.headers["Location"]), back

    go_back()
