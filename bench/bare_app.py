"""The baseline for the web benchmarks: a bare Flask app with the same Server-Timing header."""

import time

from flask import Flask, g

app = Flask(__name__)


@app.before_request
def _start():
    g.started = time.perf_counter()


@app.after_request
def _timing(response):
    response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - g.started) * 1000:.2f}"
    return response


@app.get("/healthz")
def healthz():
    return "ok"


@app.get("/")
def hello():
    return "<!doctype html><p>hello</p>"
