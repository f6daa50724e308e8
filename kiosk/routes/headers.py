"""The headers every response carries: the security policy, caching and the server's own time."""

from __future__ import annotations

import time

from flask import Flask, g, request

# Scripts, styles, pictures and requests only from this server; no inline script or style (the
# templates have none, and htmx is told not to add its indicator style), no eval, no plugins, no
# framing. The camera preview is a MediaStream (srcObject), which needs no media source.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; media-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
PERMISSIONS_POLICY = "camera=(self), microphone=(), geolocation=()"


def init_app(app: Flask) -> None:
    app.after_request(_server_timing)
    app.after_request(_no_store)
    app.after_request(_security_headers)


def _server_timing(response):
    # The server's own time for this request (the clock starts in kiosk.logs), for
    # monitoring and bench/wizard_bench.py.
    started = g.get("request_started")
    if started is not None:
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.2f}"
    return response


def _no_store(response):
    # Pages, exports, photos and answers carry personal data: only the static files may be
    # kept by a browser or a proxy.
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
    if response.mimetype == "text/html":
        response.vary.add("HX-Request")
    return response


def _security_headers(response):
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"  # progress links carry their token
    response.headers["Permissions-Policy"] = PERMISSIONS_POLICY
    return response
