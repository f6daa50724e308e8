import datetime as dt
import io
import uuid

from pypdf import PdfReader

from kiosk.domain.catalogue import ApplicationType
from kiosk.domain.id_number import parse_id_number
from kiosk.domain.states import Action, State
from kiosk.services import visits
from kiosk.services.applications import NewApplication, change_state, get_application, submit_application
from kiosk.services.staff import Role, create_staff
from tests.conftest import LOCAL_ID


def _home_visit_case(database, station):
    new = NewApplication(
        id_number=parse_id_number(LOCAL_ID),
        app_type=ApplicationType.LOST,
        registered_province="33",
        idempotency_key=uuid.uuid4().hex,
        name="王小明",
        phone="13812345678",
        cannot_travel=True,
        address="浙江省嘉兴市南湖区新兴路 12 号",
        visit_dates=(dt.date(2026, 11, 26),),
    )
    return submit_application(database, station, new, actor="kiosk")


def test_assign_print_and_record_a_round(database, station):
    application = _home_visit_case(database, station)
    officer = create_staff(
        database,
        station_code="330402",
        username="li",
        display_name="李警官",
        role=Role.VISIT_OFFICER,
        password="a long password",
    )
    assert [row.application.id for row in visits.board(database, station)] == [application.id]
    day = dt.date(2026, 11, 26)
    visit = visits.assign(database, station, application.id, officer.id, day, actor="staff:boss")
    rows = visits.round_of(database, station, officer.id, day)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(visits.round_pdf(rows, station))).pages)
    assert application.number in text and visit.code in text and "新兴路" in text
    assert LOCAL_ID not in text
    recorded = visits.record_outcome(
        database, station, visit.code, {"photo_taken", "materials_collected"}, False, officer
    )
    assert recorded.state == "done" and recorded.outcome["photo_taken"] and not recorded.outcome["card_handed_over"]


def test_a_card_handed_over_closes_the_case(database, station):
    application = _home_visit_case(database, station)
    for action in (Action.APPROVE, Action.START_PRODUCTION, Action.MARK_READY):
        change_state(database, station, application.id, action, actor="staff:zhang")
    officer = create_staff(
        database,
        station_code="330402",
        username="li",
        display_name="李警官",
        role=Role.VISIT_OFFICER,
        password="a long password",
    )
    visit = visits.assign(database, station, application.id, officer.id, dt.date(2026, 11, 27), actor="staff:boss")
    rows = visits.round_of(database, station, officer.id, dt.date(2026, 11, 27))
    pages = PdfReader(io.BytesIO(visits.round_pdf(rows, station))).pages
    assert len(pages) == 2  # the visit slip, then the pickup slip of the card handed over
    visits.record_outcome(database, station, visit.code, {"card_handed_over"}, False, officer)
    assert get_application(database, application.id)[0].state == State.COLLECTED
