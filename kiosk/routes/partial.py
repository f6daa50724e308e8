"""How a page answers: (flask-htmx) one URL answers a whole page or, to an htmx request aimed at one
part of the page, that part alone; a POST that changed something answers with a redirect to the
page that shows it (POST/redirect/GET), so reloading repeats nothing; to htmx, any redirect takes
the whole page to where it leads (HX-Location). Boosted links and forms
(hx-boost on every layout) get whole pages, of which htmx keeps the body; without JavaScript every
URL answers as it always did."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask, Response, flash, redirect, render_template, request
from flask_htmx import HTMX
from flask_htmx.responses import HTMXResponseClientRedirect

htmx = HTMX()


def fragment_for(target_id: str) -> bool:
    """Whether this request is htmx asking for the element `target_id` alone (hx-target), not a
    boosted change of the whole page."""
    return bool(htmx) and not htmx.boosted and htmx.target == target_id


def typing_checked(fields: Mapping[str, int]) -> str | None:
    """The keypad field, one of `fields`, whose typing htmx asks to be checked, if it asks (the
    macro `typing_check` in kiosk/_macros.html): the page's own parser checks it, nothing is saved."""
    field = htmx.trigger_name
    return field if field in fields and fragment_for(f"{field}-feedback") else None


def typing_feedback(field: str, wanted: int, error: str | None):
    """Under a keypad field: how much of it is typed (of the `wanted` characters of a whole
    answer), then whether the whole of it is right (`error` says why not)."""
    typed = len(request.form.get(field, "").strip())
    return render_template("kiosk/_typing_feedback.html", field=field, typed=typed, wanted=wanted, error=error)


def whole_page_load():
    """For a page that must load whole (the camera starts and stops with its page): to a boosted
    request, the answer that has htmx load this URL as a new page; None otherwise."""
    if htmx.boosted:
        return HTMXResponseClientRedirect(request.url)
    return None


def done(url: str, message: str, ok: bool = True):
    """After a POST that changed something: say what it did on the page at `url`, shown next."""
    flash(message, "ok" if ok else "warn")
    return redirect(url, 303)


def init_app(app: Flask) -> None:
    htmx.init_app(app)
    app.after_request(_redirect_the_whole_page)


_REDIRECTS = frozenset({301, 302, 303, 307, 308})


def _redirect_the_whole_page(response: Response) -> Response:
    """A redirect answering htmx's request for one part of a page (a case step, a typing check
    after the kiosk's session ended, the queue's refresh after signing out) takes the whole page
    there, as a boosted link would (HX-Location). Left alone, the browser would follow it and htmx
    would put the page it leads to inside that one part."""
    if htmx and not htmx.boosted and response.status_code in _REDIRECTS:
        response.headers["HX-Location"] = response.headers.pop("Location")
        response.status_code = 200
        response.set_data(b"")
    return response
