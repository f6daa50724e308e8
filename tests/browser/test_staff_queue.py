"""A citizen applies at the kiosk; a window officer signs in and approves it from the queue."""

import re
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from kiosk.services.station import load_station
from tests import when
from tests.browser.conftest import VIEWPORTS
from tests.browser.kiosk_driver import answer_identity, answer_situation, staff_sign_in, start, tap_continue, tap_keys
from tests.browser.test_kiosk_wizard import WANG_XIAO_MING
from tests.conftest import JIANGXI_ID, LOCAL_ID, STAFF_PASSWORD

pytestmark = pytest.mark.browser


def test_citizen_applies_and_staff_approves(page, live_server, staff_user, screenshot):
    start(page, live_server)
    answer_identity(page, app_type="lost", id_number=LOCAL_ID, name_pinyin=WANG_XIAO_MING, province="33")
    answer_situation(page)
    page.locator("input[name='held'][value='household_register']").check()
    for _ in range(3):
        tap_continue(page)  # materials, plan, photo
    tap_keys(page, "13812345678")
    tap_continue(page)
    tap_continue(page)
    page.locator("#submit").click()
    number = page.locator("#application-number").inner_text()
    assert re.fullmatch(r"330402-\d{6}-\d{4}", number)

    staff = page.context.browser.new_context(viewport=VIEWPORTS["landscape"], locale="zh-CN").new_page()
    staff_sign_in(staff, live_server, "zhang", STAFF_PASSWORD)
    row = staff.locator("tr", has_text=number)
    expect(row).to_be_visible()
    assert LOCAL_ID not in staff.locator("body").inner_text()
    screenshot(staff, "staff-queue")

    row.get_by_role("link").click()  # opening the case claims it
    expect(staff.locator("#applicant-id")).to_have_text(LOCAL_ID)
    screenshot(staff, "staff-case")
    staff.locator("[data-action='request_materials'] input[value='old_card']").check()
    staff.locator("[data-action='request_materials'] button").click()
    expect(staff.locator("#case-state")).to_have_text("待补正材料")
    staff.locator("[data-action='supply_materials'] button").click()
    expect(staff.locator("#case-state")).to_have_text(re.compile("已收到"))
    staff.locator("#photo-taken").click()
    staff.locator("#fee-paid").click()
    staff.locator("[data-action='approve'] button").click()
    expect(staff.locator("#case-state")).to_have_text("已审核通过")
    expect(staff.locator("#history")).to_contain_text("通知补正材料 → 待补正材料 · 您的旧身份证 ")
    expect(staff.locator("#history")).to_contain_text("已缴费 · 40 元")
    screenshot(staff, "staff-approved")


@pytest.mark.dated
def test_an_overdue_case_escalates_to_the_supervisor(page, live_server, app, database, screenshot):
    import datetime as dt

    from sqlmodel import select

    from kiosk.models import Application
    from kiosk.services import deadlines
    from kiosk.services.staff import Role, create_staff
    from kiosk.services.station import load_station
    from tests import when
    from tests.helpers import apply

    apply(app.test_client())
    station = load_station(database, "330402")
    with database.reading() as session:
        deadline = session.exec(select(Application.handling_deadline)).one()
    later = when.local(station, deadline + dt.timedelta(days=1), 9)  # the handling deadline has passed
    deadlines.sweep(database, station, later)
    deadlines.sweep(database, station, later + dt.timedelta(hours=25))
    create_staff(
        database,
        station_code="330402",
        username="boss",
        display_name="王所长",
        role=Role.SUPERVISOR,
        password="supervisor password",
    )
    page.set_viewport_size(VIEWPORTS["landscape"])
    staff_sign_in(page, live_server, "boss", "supervisor password")
    page.locator("#overdue-board").click()
    expect(page.locator("#overdue tbody tr")).to_have_count(1)
    expect(page.locator("#overdue")).to_contain_text("330402-")
    screenshot(page, "staff-overdue-board")


def test_an_out_of_province_case_goes_out_and_its_answer_comes_back(
    page, live_server, app, database, staff_user, tmp_path, screenshot
):
    import json
    from pathlib import Path

    from kiosk.services import verification
    from tests.helpers import apply
    from tests.services.test_verification import answer, jiangxi_key

    apply(
        app.test_client(),
        app_type="first",
        id_number=JIANGXI_ID,
        province="36",
        held=["household_register", "residence_proof", "commitment_letter"],
    )
    page.set_viewport_size(VIEWPORTS["landscape"])
    staff_sign_in(page, live_server, "zhang", STAFF_PASSWORD)
    page.locator("tr", has_text="330402-").get_by_role("link").click()
    page.locator("#photo-taken").click()  # first applications are free: no fee to pay
    page.locator("[data-action='approve'] button").click()
    page.locator("#forward").click()
    expect(page.locator("#case-state")).to_have_text("户籍所在地正在核查")
    outbox = Path(app.instance_path) / "outbox" / "verification"
    request = json.loads(next(outbox.glob("*.json")).read_text())
    number = request["payload"]["application"]["number"]

    keys = verification.Keys(Path(app.instance_path) / "keys")
    reply = tmp_path / "answer.json"
    reply.write_text(json.dumps(answer(number, jiangxi_key(keys))))
    page.locator("#answer-file").set_input_files(str(reply))
    page.locator("#import-answer").click()
    expect(page.locator("#case-state")).to_have_text("证件正在制作")
    screenshot(page, "staff-verified")


def test_a_home_visit_is_assigned_printed_and_recorded(page, live_server, app, database, clock, screenshot):
    import re

    from sqlmodel import select

    from kiosk.models import PrintJob, Visit
    from kiosk.services.staff import Role, create_staff
    from tests.helpers import answer_situation, apply

    # The citizen asks for a home visit at the kiosk: the visit page offers the days to choose from.
    kiosk = app.test_client()
    kiosk.post("/start")
    answers = (
        ("type", {"app_type": "lost"}),
        ("id_number", {"id_number": LOCAL_ID}),
        ("name", {"name": "王老"}),
        ("registration", {"registered_province": "33"}),
    )
    for step, data in answers:
        kiosk.post(f"/apply/{step}", data=data)
    answer_situation(kiosk, {"can_travel": "no"})
    day = re.findall(r'name="dates" value="([\d-]+)"', kiosk.get("/apply/visit").get_data(as_text=True))[0]
    apply(
        kiosk,
        name="王老",
        situation={"can_travel": "no"},
        visit={"address": "浙江省嘉兴市南湖区新兴路 12 号", "dates": [day]},
        held=["household_register"],
    )
    create_staff(
        database,
        station_code="330402",
        username="boss",
        display_name="王所长",
        role=Role.SUPERVISOR,
        password="supervisor password",
    )
    create_staff(
        database,
        station_code="330402",
        username="li",
        display_name="李警官",
        role=Role.VISIT_OFFICER,
        password="officer password",
    )

    page.set_viewport_size(VIEWPORTS["landscape"])
    staff_sign_in(page, live_server, "boss", "supervisor password")
    page.locator("#visits-board").click()
    page.locator("#visits tbody tr").first.get_by_role("button").click()  # the officer, the chosen day
    expect(page.locator("#message")).to_contain_text("李警官")
    screenshot(page, "staff-visits-board")

    officer = page.context.browser.new_context(viewport=VIEWPORTS["landscape"], locale="zh-CN").new_page()
    staff_sign_in(officer, live_server, "li", "officer password")
    officer.goto(live_server + f"/staff/visits/round?day={day}")
    expect(officer.locator("#round li")).to_have_count(1)
    officer.locator("#print-round").click()  # a print job: the file printer writes the batch
    expect(officer.locator("#message")).to_be_visible()
    expect(officer.locator("#printed")).to_be_visible()
    expect(officer.locator("#print-round")).to_contain_text("再次")  # printed once: "print again" if need be
    officer.reload()  # the page after printing is a plain GET: reloading it prints nothing
    expect(officer.locator("#message")).to_have_count(0)
    expect(officer.locator("#round .visit-time")).to_have_text("08:30–09:00")  # the booked home-visit time
    screenshot(officer, "staff-visit-round")
    with database.reading() as session:
        job = session.exec(select(PrintJob)).one()
    assert (job.kind, job.state, job.round_date.isoformat()) == ("round", "done", day)
    batch = PdfReader(Path(app.instance_path) / "prints" / job.backend_job)
    assert "王老" in batch.pages[0].extract_text()  # the officer needs the name at the door
    with database.reading() as session:
        code = session.exec(select(Visit.code)).one()
    officer.locator("#day-after").click()  # the days around the round's
    expect(officer.locator("#round")).to_have_count(0)
    officer.locator("#day-before").click()
    expect(officer.locator("#round li")).to_have_count(1)

    def record_the_visit():
        officer.locator("#record").click()
        officer.locator("#code").fill(code)  # what a scanner types from the slip's QR
        officer.locator("input[name='photo_taken']").check()
        officer.locator("input[name='materials_collected']").check()
        officer.locator("#save").click()

    if date.fromisoformat(day) > when.today(load_station(database, "330402")):
        record_the_visit()  # the day before: refused, nothing recorded
        expect(officer.locator("#message")).to_contain_text("上门")
        with database.reading() as session:
            assert session.exec(select(Visit)).one().state == "assigned"
    clock.set(when.local(load_station(database, "330402"), date.fromisoformat(day), 10))
    staff_sign_in(officer, live_server, "li", "officer password")  # the next morning: a new session
    record_the_visit()
    expect(officer.locator("#message")).to_be_visible()
    screenshot(officer, "staff-visit-recorded")
    with database.reading() as session:
        visit = session.exec(select(Visit)).one()
    assert visit.state == "done" and visit.outcome["photo_taken"] and visit.outcome["materials_collected"]


def test_an_administrator_closes_a_day_and_it_is_no_longer_bookable(page, live_server, database, clock, screenshot):
    from kiosk.services.staff import Role, create_staff
    from tests.conftest import aware

    clock.set(aware(2026, 11, 24, 9))
    create_staff(
        database,
        station_code="330402",
        username="root",
        display_name="管理员",
        role=Role.ADMIN,
        password="admin password 1",
    )
    page.set_viewport_size(VIEWPORTS["landscape"])
    staff_sign_in(page, live_server, "root", "admin password 1")
    page.goto(live_server + "/staff/admin/settings")
    expect(page.locator("#public-url-unset")).to_contain_text(live_server)  # no KIOSK_PUBLIC_URL in tests
    screenshot(page, "staff-admin-settings")
    page.locator("#calendar-link").click()
    expect(page.locator("[data-missing-holidays='2027']")).to_contain_text("2027")  # not published yet
    page.locator("#day").fill("2026-11-27")
    page.locator("#kind").select_option("closed")
    page.locator("#name").fill("系统升级")
    page.locator("#save-day").click()
    expect(page.locator("#message")).to_be_visible()
    expect(page.locator("#calendar tr[data-day='2026-11-27']")).to_contain_text("系统升级")
    screenshot(page, "staff-admin-calendar")

    page.goto(live_server + "/book/days?service=lost")
    expect(page.locator("[data-day='2026-11-26']")).to_have_count(1)
    expect(page.locator("[data-day='2026-11-27']")).to_have_count(0)  # the closed Friday is gone
