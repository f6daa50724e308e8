"""The app's one clock: set for a test, or for a whole server by KIOSK_CLOCK."""

import datetime as dt

import pytest

from kiosk import clock as kiosk_clock
from kiosk import create_app
from tests.conftest import aware


def test_a_server_is_set_to_a_moment_by_configuration(app_config, database, clock):
    app = create_app(app_config | {"CLOCK": "2027-02-05T10:00+08:00"})
    started = kiosk_clock.utcnow()
    assert aware(2027, 2, 5) <= started < aware(2027, 2, 5) + dt.timedelta(minutes=1)  # and it runs on
    with app.app_context():
        from kiosk.routes.common import station

        assert station().today() == dt.date(2027, 2, 5)
    app.extensions["kiosk_db"].dispose()


def test_every_page_reads_the_same_clock(client, clock):
    """The booking pages list the days the booking service accepts (a route once read the time itself)."""
    import re

    clock.set(aware(2026, 11, 24, 9))
    page = client.get("/book/days?service=lost", environ_base={"REMOTE_ADDR": "203.0.113.7"}).get_data(as_text=True)
    days = re.findall(r'data-day="([\d-]+)"', page)
    assert days[0] == "2026-11-24" and days[-1] == "2026-12-03"  # seven working days ahead


@pytest.mark.parametrize("text", ["2027-02-05", "2027-02-05T10:00", "next friday"])
def test_a_moment_without_its_offset_is_refused(text):
    with pytest.raises(kiosk_clock.ClockError):
        kiosk_clock.parse_moment(text)
