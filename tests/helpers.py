"""Driving the kiosk wizard through the Flask test client."""

from __future__ import annotations

import re

from kiosk.domain.wizard import SITUATION_STEPS
from tests import when
from tests.conftest import LOCAL_ID

# The answer to each situation question (its page and form field) when nothing special applies.
NO_SITUATION = {
    "can_travel": "yes",
    "special_group": "none",
    "urgent": "none",
    "blocking": "none",
    "out_of_hours": "no",
    "exemption": "none",
}


def post_step(client, step: str, data: dict | None = None, expect: int = 303):
    response = client.post(f"/apply/{step}", data=data or {})
    assert response.status_code == expect, (step, response.status_code, response.get_data(as_text=True)[-2000:])
    return response


def answer_situation(client, situation: dict | None = None) -> None:
    """Answer the situation questions the wizard asks, one page each: as in NO_SITUATION but
    where `situation` says otherwise (a question that does not apply is not asked)."""
    chosen = NO_SITUATION | (situation or {})
    for step in SITUATION_STEPS:
        if client.get(f"/apply/{step}").status_code == 200:
            post_step(client, step, {step: chosen[step]})


def walk_to_check(
    client,
    *,
    app_type="renewal_expiry",
    id_number=LOCAL_ID,
    name="王小明",
    province="33",
    card_expires=None,
    situation=None,
    visit=None,
    held=(),
    phone="13812345678",
    collection=None,
):
    """Answer every question; returns the check page's response."""
    client.post("/start")
    post_step(client, "type", {"app_type": app_type})
    post_step(client, "id_number", {"id_number": id_number})
    post_step(client, "name", {"name": name})
    post_step(client, "registration", {"registered_province": province})
    if app_type == "renewal_expiry":
        post_step(client, "expiry", {"card_expires": card_expires or when.card_due_for_renewal()})
    answer_situation(client, situation)
    if visit:
        post_step(client, "visit", visit)
    home_visit = bool(visit)  # the officer takes the photo and brings the card: neither is asked
    post_step(client, "materials", {"held": list(held)})
    post_step(client, "plan")
    if not home_visit:
        post_step(client, "photo")
    post_step(client, "contact", {"phone": phone})
    if app_type != "temporary" and not home_visit:  # a temporary ID is collected at the station: not asked
        post_step(client, "collection", collection or {"method": "station"})
    check = client.get("/apply/check")
    assert check.status_code == 200, check.headers.get("Location")
    return check


def idempotency_key(page) -> str:
    return re.search(r'name="idempotency_key" value="(\w+)"', page.get_data(as_text=True))[1]


def apply(client, **answers) -> str:
    """Walk the wizard and submit; returns the done page's HTML."""
    check = walk_to_check(client, **answers)
    response = client.post("/apply/check", data={"idempotency_key": idempotency_key(check)})
    assert response.status_code == 303 and response.headers["Location"].endswith("/apply/done")
    return client.get("/apply/done").get_data(as_text=True)


def photo_and_fee(database, station, application_id: int, staff, now=None) -> None:
    """What approving, making and marking a card ready wait for (kiosk.services.cases
    `lacking_for_production`): the photo, recorded as taken at the window, and the fee paid.
    `staff` holds the case's claim."""
    from kiosk.services import cases

    cases.record_photo_taken(database, station, application_id, staff, now)
    cases.mark_fee_paid(database, station, application_id, staff, now)


def photo_and_fee_at_window(client, application_id: int) -> None:
    """The same, from the case page of a signed-in window officer who holds the case."""
    assert client.post(f"/staff/applications/{application_id}/photo-taken", follow_redirects=True).status_code == 200
    assert client.post(f"/staff/applications/{application_id}/fee-paid", follow_redirects=True).status_code == 200
