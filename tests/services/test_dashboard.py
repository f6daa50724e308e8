import csv
import datetime as dt
import io

from kiosk.domain.states import Action
from kiosk.services import cases, dashboard
from tests.conftest import LOCAL_ID, aware
from tests.helpers import photo_and_fee
from tests.services.test_cases import _staff, _submit


def test_promises_kept_counts_in_time_late_and_pending(database, station):
    zhang = _staff(database, "zhang")
    on_time = _submit(database, station, now=aware(2026, 11, 23, 10))  # Monday: same-day promise
    late = _submit(database, station, now=aware(2026, 11, 23, 11))
    _submit(database, station, now=aware(2026, 11, 23, 12))  # never handled: missed
    for application, when in ((on_time, aware(2026, 11, 23, 15)), (late, aware(2026, 11, 25, 9))):
        cases.open_case(database, station, application.id, zhang, when)
        photo_and_fee(database, station, application.id, zhang, when)
        cases.act(database, station, application.id, Action.APPROVE, zhang, now=when)
    _submit(database, station, now=aware(2026, 11, 25, 10))  # due today: not counted yet
    rows = {r.commitment: r for r in dashboard.promises_kept(database, station, now=aware(2026, 11, 25, 12))}
    assert (rows["time_limited"].kept, rows["time_limited"].missed) == (1, 2)
    by_state, by_commitment = dashboard.today_counts(database, station, now=aware(2026, 11, 25, 12))
    assert by_state["submitted"] == 1 and by_commitment["time_limited"] == 1


def test_the_csv_has_no_personal_data(database, station):
    _submit(database, station, now=aware(2026, 11, 24, 10))
    body = dashboard.export_csv(
        database, station, dt.date(2026, 11, 1), dt.date(2026, 11, 30), now=aware(2026, 11, 25, 9)
    )
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 1 and rows[0]["promise_kept"] == "no" and rows[0]["commitment"] == "time_limited"
    assert LOCAL_ID not in body and "王" not in body
