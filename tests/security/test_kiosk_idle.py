"""The kiosk's idle reset holds on the server: the next person at the terminal finds nothing of
the last one, even when the last one's browser never posted the reset."""

from __future__ import annotations

import datetime as dt

from tests.conftest import LOCAL_ID
from tests.helpers import apply
from tests.routes.test_booking import _first_slot


def _idle_time(station) -> dt.timedelta:
    return dt.timedelta(seconds=station.settings.idle_seconds + station.settings.countdown_seconds)


def test_the_done_page_is_gone_after_the_idle_time(client, station, clock):
    start = clock.now()
    clock.set(start)
    done = apply(client)
    assert 'id="track-qr"' in done and 'id="application-number"' in done
    clock.set(start + _idle_time(station) - dt.timedelta(seconds=5))
    assert client.get("/apply/done").status_code == 200  # still the same person
    clock.set(start + 2 * _idle_time(station))
    gone = client.get("/apply/done")
    assert gone.status_code == 302 and "application-number" not in gone.get_data(as_text=True)


def test_a_booking_confirmation_is_gone_after_the_idle_time(client, station, clock):
    start = clock.now()
    clock.set(start)
    details = {"name": "王小明", "id_number": LOCAL_ID, "phone": "13812345678"}
    booked = client.post(f"/book/details?service=lost&slot={_first_slot(client)}", data=details)  # at the kiosk
    assert booked.status_code == 303
    page = client.get("/book/confirmation")
    assert page.status_code == 200 and 'id="booking-code"' in page.get_data(as_text=True)
    clock.set(start + _idle_time(station) + dt.timedelta(seconds=1))
    assert client.get("/book/confirmation").status_code == 404
    assert client.post("/book/manage/cancel").status_code in (303, 404)  # nothing to cancel any more
