"""Security headers on every page, the session cookie's flags behind a proxy or not, the rate
limits on sign-in and booking look-ups with their translated 429 page, and the request size limit."""

from __future__ import annotations

import io
import re

import pytest
from sqlmodel import select

from kiosk import create_app
from kiosk.models import Booking
from kiosk.routes.headers import CONTENT_SECURITY_POLICY, PERMISSIONS_POLICY
from kiosk.routes.staff_case import MAX_PACKAGE_BYTES
from tests.conftest import STAFF_PASSWORD, aware
from tests.helpers import apply
from tests.routes.test_booking import PHONE, _book, _first_slot
from tests.routes.test_staff import _admin
from tests.routes.test_track import _submitted

BLUEPRINTS = {"health", "kiosk", "photo", "staff_photos", "track", "booking", "visits", "admin", "staff", "staff_case"}
TOO_MANY = {
    "en": "Too many tries. Please wait a minute and try again, or ask at the window.",
    "zh_Hans": "尝试次数太多了。请等一分钟再试，或到窗口咨询。",
}


def _get_urls(app) -> dict[str, str]:
    """Endpoint → a URL for it, for every rule answering GET (arguments filled in with 1 or "x")."""
    urls = {}
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods:
            url = re.sub(r"<int:\w+>", "1", rule.rule.replace("<path:filename>", "kiosk.css"))
            urls[rule.endpoint] = re.sub(r"<(\w+:)?\w+>", "x", url)
    return urls


def test_every_page_carries_the_security_headers(app, database):
    admin = _admin(app, database)
    apply(app.test_client())  # application 1 exists
    urls = _get_urls(app)
    assert BLUEPRINTS <= {endpoint.split(".")[0] for endpoint in urls}
    for endpoint, url in urls.items():
        response = admin.get(url)
        headers = response.headers
        assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, url
        assert headers["X-Content-Type-Options"] == "nosniff", url
        assert headers["Referrer-Policy"] == "no-referrer", url
        assert headers["Permissions-Policy"] == PERMISSIONS_POLICY, url
        if endpoint == "static":
            assert "no-store" not in headers.get("Cache-Control", ""), "static files may be cached"
        else:
            assert headers["Cache-Control"] == "no-store", (url, response.status_code)


def test_the_policy_allows_no_inline_script_or_style():
    directives = dict(part.strip().split(" ", 1) for part in CONTENT_SECURITY_POLICY.split(";"))
    assert directives["script-src"] == directives["style-src"] == "'self'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY
    assert directives["frame-ancestors"] == directives["object-src"] == directives["base-uri"] == "'none'"


def test_htmx_is_told_not_to_inline_its_style_or_eval(client):
    page = client.get("/").get_data(as_text=True)
    assert '"includeIndicatorStyles": false' in page and '"allowEval": false' in page
    assert "style=" not in page and "<style" not in page


# --- the session cookie ---------------------------------------------------------------------


def _session_cookie(response) -> str:
    [cookie] = [value for value in response.headers.getlist("Set-Cookie") if value.startswith("session=")]
    return cookie


def test_over_plain_http_the_cookie_is_httponly_lax_and_not_secure(client):
    cookie = _session_cookie(client.get("/"))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_over_https_the_cookie_is_secure(client):
    assert "Secure" in _session_cookie(client.get("/", base_url="https://kiosk.example"))


def test_behind_a_proxy_its_forwarded_scheme_makes_the_cookie_secure(app_config, database):
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.9"}
    direct = create_app(app_config).test_client()
    assert "Secure" not in _session_cookie(direct.get("/", headers=forwarded)), "no proxy configured: not believed"
    proxied = create_app(app_config | {"PROXY_COUNT": 1}).test_client()
    assert "Secure" in _session_cookie(proxied.get("/", headers=forwarded))
    assert "Secure" not in _session_cookie(proxied.get("/", headers={"X-Forwarded-Proto": "http"}))


def test_the_setting_makes_the_cookie_always_secure(app_config, database, monkeypatch):
    monkeypatch.setenv("KIOSK_SESSION_COOKIE_SECURE", "true")
    app = create_app(app_config)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert "Secure" in _session_cookie(app.test_client().get("/"))


# --- rate limits ------------------------------------------------------------------------------


def _assert_too_many(response, language: str) -> None:
    assert response.status_code == 429
    assert response.mimetype == "text/html" and TOO_MANY[language] in response.get_data(as_text=True)


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
def test_failed_sign_ins_are_limited_per_address(client, staff_user, language):
    headers = {"Accept-Language": "en" if language == "en" else "zh-CN"}
    for attempt in range(10):  # unknown names: no account is locked, only the address counts
        refused = client.post("/staff/login", data={"username": f"guess{attempt}", "password": "x"}, headers=headers)
        assert refused.status_code == 401
    right = client.post("/staff/login", data={"username": "zhang", "password": STAFF_PASSWORD}, headers=headers)
    _assert_too_many(right, language)


def test_successful_sign_ins_do_not_count(client, staff_user):
    for _ in range(12):
        assert client.post("/staff/login", data={"username": "zhang", "password": STAFF_PASSWORD}).status_code == 303


def test_behind_a_proxy_each_client_address_has_its_own_budget(app_config, database, staff_user):
    app = create_app(app_config | {"PROXY_COUNT": 1})
    client = app.test_client()
    guesser = {"X-Forwarded-For": "198.51.100.9"}
    for attempt in range(10):
        client.post("/staff/login", data={"username": f"guess{attempt}", "password": "x"}, headers=guesser)
    assert client.post("/staff/login", data={"username": "x", "password": "x"}, headers=guesser).status_code == 429
    colleague = {"X-Forwarded-For": "198.51.100.10"}
    signed_in = client.post("/staff/login", data={"username": "zhang", "password": STAFF_PASSWORD}, headers=colleague)
    assert signed_in.status_code == 303


def test_booking_look_ups_are_limited(client, app, clock):
    clock.set(aware(2026, 11, 24, 9))
    _book(client, _first_slot(client))
    with app.extensions["kiosk_db"].reading() as session:
        code = session.exec(select(Booking.code)).one()
    phone = app.test_client()
    for _ in range(10):
        wrong = phone.post("/book/manage", data={"code": code, "phone_tail": "0000"}, environ_base=PHONE)
        assert wrong.status_code == 422
    right = phone.post("/book/manage", data={"code": code, "phone_tail": "5678"}, environ_base=PHONE)
    _assert_too_many(right, "zh_Hans")
    assert phone.get("/book/manage", environ_base=PHONE).status_code == 200  # the form itself is not limited


def test_refused_check_ins_are_limited_and_accepted_ones_are_not(client, app, clock):
    clock.set(aware(2026, 11, 24, 9))
    _book(client, _first_slot(client))
    with app.extensions["kiosk_db"].reading() as session:
        code = session.exec(select(Booking.code)).one()
    kiosk = app.test_client()
    for guess in range(9):
        assert kiosk.post("/book/check-in", data={"code": f"{guess:08d}"}).status_code == 422
    assert kiosk.post("/book/check-in", data={"code": code}).status_code == 200  # not counted...
    assert kiosk.post("/book/check-in", data={"code": "00000009"}).status_code == 422  # ...so this is the 10th
    _assert_too_many(kiosk.post("/book/check-in", data={"code": "00000010"}, headers={"Accept-Language": "en"}), "en")
    assert kiosk.get("/book/check-in").status_code == 200


# --- request size ------------------------------------------------------------------------------

TOO_LARGE = {
    "en": "What was sent is too large. Please go back and try again, or ask at the window.",
    "zh_Hans": "发送的内容太大了。请返回重试，或到窗口咨询。",
}


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
def test_a_request_over_the_size_limit_gets_the_translated_page(app_config, database, monkeypatch, language):
    monkeypatch.setenv("KIOSK_MAX_CONTENT_LENGTH", "4096")
    app = create_app(app_config)
    assert app.config["MAX_CONTENT_LENGTH"] == 4096
    headers = {"Accept-Language": "en" if language == "en" else "zh-CN"}
    response = app.test_client().post("/track/", data={"number": "x" * 5000, "phone_tail": "1234"}, headers=headers)
    assert response.status_code == 413
    assert response.mimetype == "text/html" and TOO_LARGE[language] in response.get_data(as_text=True)


def test_the_default_limit_lets_the_largest_verification_package_through(app, staff_client):
    apply(app.test_client())
    application = _submitted(app)
    package = {"package": (io.BytesIO(b" " * MAX_PACKAGE_BYTES), "answer.json")}
    response = staff_client.post(f"/staff/applications/{application.id}/answer", data=package)
    assert response.status_code == 422  # read, and refused as no answer (it is only spaces)
