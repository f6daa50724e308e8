import re

from kiosk.services.staff import MAX_FAILED_SIGN_INS
from tests.conftest import LOCAL_ID, STAFF_PASSWORD
from tests.helpers import apply, photo_and_fee_at_window


def submit(client):
    apply(client, app_type="lost", name="李四")


def test_staff_pages_need_sign_in(client):
    response = client.get("/staff/")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]
    assert client.post("/staff/applications/1/act").status_code == 302


def test_a_kiosk_session_cannot_reach_staff_pages(client):
    submit(client)
    assert client.get("/staff/").status_code == 302


def test_starting_at_the_kiosk_ends_a_staff_session(staff_client):
    staff_client.post("/start")
    assert staff_client.get("/staff/").status_code == 302


def test_wrong_password_is_refused(client, staff_user):
    response = client.post("/staff/login", data={"username": "zhang", "password": "wrong"})
    assert response.status_code == 401
    response = client.post("/staff/login", data={"username": "nobody", "password": "wrong"})
    assert response.status_code == 401


def test_lockout_after_repeated_failures(client, staff_user):
    for _ in range(MAX_FAILED_SIGN_INS):
        client.post("/staff/login", data={"username": "zhang", "password": "wrong"})
    response = client.post("/staff/login", data={"username": "zhang", "password": STAFF_PASSWORD})
    assert response.status_code == 401
    assert "locked" in response.get_data(as_text=True) or "锁定" in response.get_data(as_text=True)


def test_queue_lists_masked_applications(staff_client, app):
    submit(app.test_client())  # a kiosk: starting there would end a staff session
    page = staff_client.get("/staff/").get_data(as_text=True)
    assert LOCAL_ID not in page and LOCAL_ID[:6] + "********" in page
    assert "李*" in page and 'class="time-left"' in page
    fragment = staff_client.get("/staff/?overdue=yes", headers={"HX-Request": "true", "HX-Target": "queue"}).get_data(
        as_text=True
    )
    assert fragment.strip().startswith('<section id="queue"') and "application-1" not in fragment


def test_the_case_page_shows_unmasked_data_and_acts(staff_client, app):
    submit(app.test_client())
    page = staff_client.get("/staff/applications/1").get_data(as_text=True)
    assert LOCAL_ID in page and "李四" in page  # unmasked only here
    photo_and_fee_at_window(staff_client, 1)
    response = staff_client.post("/staff/applications/1/act", data={"action": "approve"}, follow_redirects=True)
    assert response.status_code == 200 and 'id="case-state"' in response.get_data(as_text=True)
    again = staff_client.post("/staff/applications/1/act", data={"action": "approve"}, follow_redirects=True)
    assert again.status_code == 409
    refused = staff_client.post("/staff/applications/1/act", data={"action": "reject"}, follow_redirects=True)
    assert refused.status_code == 422  # a reason from the list is required


def test_a_colleague_sees_the_case_read_only(staff_client, app, database):
    from kiosk.services.staff import Role, create_staff

    submit(app.test_client())
    staff_client.get("/staff/applications/1")
    create_staff(
        database,
        station_code="330402",
        username="li",
        display_name="李警官",
        role=Role.WINDOW,
        password="another long one",
    )
    colleague = app.test_client()
    colleague.post("/staff/login", data={"username": "li", "password": "another long one"})
    page = colleague.get("/staff/applications/1").get_data(as_text=True)
    assert 'id="read-only"' in page and "张警官" in page
    assert colleague.post("/staff/applications/1/act", data={"action": "approve"}).status_code == 409


def test_the_overdue_board_is_for_supervisors(staff_client):
    assert staff_client.get("/staff/overdue").status_code == 403


def test_approving_an_unknown_application_is_404(staff_client):
    assert staff_client.get("/staff/applications/999").status_code == 404
    assert staff_client.post("/staff/applications/999/act", data={"action": "approve"}).status_code == 404


def test_no_staff_url_answers_without_sign_in(client, app):
    submit(client)  # a kiosk session
    for rule in app.url_map.iter_rules():
        if (
            not rule.rule.startswith("/staff")
            or rule.endpoint == "staff.sign_in"
            or rule.endpoint == "staff.sign_in_submit"
        ):
            continue
        url = re.sub(r"<int:\w+>", "1", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(url, method=method)
            assert response.status_code in (302, 401), (method, url, response.status_code)


def test_sign_out(staff_client):
    assert staff_client.post("/staff/logout").status_code == 303
    assert staff_client.get("/staff/").status_code == 302


def test_the_dashboard_and_export_are_for_supervisors(staff_client, app, database):
    from kiosk.services.staff import Role, create_staff

    assert staff_client.get("/staff/dashboard").status_code == 403
    submit(app.test_client())
    create_staff(
        database,
        station_code="330402",
        username="boss",
        display_name="王所长",
        role=Role.SUPERVISOR,
        password="supervisor password",
    )
    boss = app.test_client()
    boss.post("/staff/login", data={"username": "boss", "password": "supervisor password"})
    page = boss.get("/staff/dashboard").get_data(as_text=True)
    assert '<svg id="promises"' in page and 'id="today-by-state"' in page
    export = boss.get("/staff/export.csv?first=2026-01-01&last=2026-12-31")
    assert export.mimetype == "text/csv" and export.get_data(as_text=True).startswith("number,received")
    assert boss.get("/staff/export.csv?first=bad&last=2026-12-31").status_code == 400


def test_home_visit_pages_follow_roles(staff_client):
    assert staff_client.get("/staff/visits/").status_code == 403  # a window officer
    assert staff_client.get("/staff/visits/round").status_code == 403
    assert staff_client.post("/staff/visits/record", data={"code": "1"}).status_code == 403


def test_register_retake_collect_and_post(staff_client, app, database):
    import datetime as dt

    from kiosk.domain.states import Action
    from kiosk.services.applications import change_state, get_application
    from kiosk.services.station import load_station
    from tests import when

    submit(app.test_client())
    staff_client.get("/staff/applications/1")
    assert (
        staff_client.post(
            "/staff/applications/1/register", data={"cause": "records"}, follow_redirects=True
        ).status_code
        == 422
    )
    follow_up = (when.today(load_station(database, "330402")) + dt.timedelta(days=40)).isoformat()
    response = staff_client.post(
        "/staff/applications/1/register",
        data={"cause": "records", "follow_up": follow_up, "reason": "户籍核查"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    application = get_application(database, 1)[0]
    assert application.commitment == "registered" and application.handling_deadline.isoformat() == follow_up
    assert (
        staff_client.post("/staff/applications/1/retake", data={"reason": "反光"}, follow_redirects=True).status_code
        == 200
    )
    assert get_application(database, 1)[0].photo_at_window
    station = load_station(database, "330402")
    for action in (Action.APPROVE, Action.START_PRODUCTION, Action.MARK_READY):
        change_state(database, station, 1, action, actor="test")
    assert (
        staff_client.post("/staff/applications/1/act", data={"action": "collect"}, follow_redirects=True).status_code
        == 422
    )
    done = staff_client.post(
        "/staff/applications/1/act",
        data={"action": "collect", "collector": "家属 王二", "old_card": "returned"},
        follow_redirects=True,
    )
    assert done.status_code == 200 and "collected by 家属 王二; old card returned" in done.get_data(as_text=True)


def _admin(app, database):
    from kiosk.services.staff import Role, create_staff

    create_staff(
        database,
        station_code="330402",
        username="root",
        display_name="管理员",
        role=Role.ADMIN,
        password="admin password 1",
    )
    admin = app.test_client()
    admin.post("/staff/login", data={"username": "root", "password": "admin password 1"})
    return admin


def test_administrators_manage_accounts(staff_client, app, database):
    assert staff_client.get("/staff/admin/accounts").status_code == 403
    admin = _admin(app, database)
    page = admin.post("/staff/admin/accounts", data={"username": "wang", "display_name": "王警官", "role": "window"})
    password = re.search(r'id="password">[^<]*<strong>([^<]+)</strong>', page.get_data(as_text=True))[1]
    newcomer = app.test_client()
    assert newcomer.post("/staff/login", data={"username": "wang", "password": password}).status_code == 303
    from kiosk.services.staff import list_staff

    wang = next(u for u in list_staff(database, "330402") if u.username == "wang")
    admin.post(f"/staff/admin/accounts/{wang.id}", data={"change": "deactivate"})
    assert app.test_client().post("/staff/login", data={"username": "wang", "password": password}).status_code == 401
    assert admin.post("/staff/admin/accounts", data={"username": "bad name", "role": "window"}).status_code == 422


def test_administrators_edit_station_settings(app, database):
    admin = _admin(app, database)
    text = admin.get("/staff/admin/settings").get_data(as_text=True)
    assert "hotline" in text
    from kiosk.services.station import DEMO_STATION_FILE

    source = DEMO_STATION_FILE.read_text(encoding="utf-8")
    bad = admin.post("/staff/admin/settings", data={"settings": source.replace("lost = 40", 'lost = "x"')})
    assert bad.status_code == 422 and "key &#39;fees.lost&#39;" in bad.get_data(as_text=True)
    # docs/domain.md "Processing time": 60 working days can take 96 calendar days, past the law's 60.
    unlawful = admin.post("/staff/admin/settings", data={"settings": source.replace("lost = 30", "lost = 60")})
    page = unlawful.get_data(as_text=True)
    assert unlawful.status_code == 422 and "key &#39;promise.out_of_province.lost&#39;" in page
    assert "past the legal limit of 60 calendar days" in page
    good = admin.post("/staff/admin/settings", data={"settings": source.replace("0573-82000110", "0573-12345678")})
    assert good.status_code == 200
    from kiosk.services.station import load_station

    assert load_station(database, "330402").settings.hotline == "0573-12345678"


def test_the_settings_page_warns_while_qr_codes_point_to_this_server(app, database):
    admin = _admin(app, database)
    page = admin.get("/staff/admin/settings").get_data(as_text=True)
    warning = re.search(r'id="public-url-unset">([^<]+)<', page)[1]
    assert "KIOSK_PUBLIC_URL" in warning and "http://localhost" in warning
    app.config["PUBLIC_URL"] = "https://330402.kiosk.example.org"
    assert 'id="public-url-unset"' not in admin.get("/staff/admin/settings").get_data(as_text=True)


def test_administrators_edit_the_station_calendar(app, database, staff_client, clock):
    import datetime as dt

    from sqlmodel import select

    from kiosk.models import AuditEvent, CalendarDay
    from kiosk.services.station import DEMO_STATION_FILE, install_station, read_settings_file
    from tests.conftest import aware
    from tests.routes.test_booking import _book, _first_slot

    clock.set(aware(2026, 11, 24, 9))
    assert staff_client.get("/staff/admin/calendar").status_code == 403
    admin = _admin(app, database)
    assert admin.get("/staff/admin/calendar").status_code == 200
    phone = {"REMOTE_ADDR": "203.0.113.7"}

    def offered(day):
        page = app.test_client().get("/book/days?service=lost", environ_base=phone).get_data(as_text=True)
        return f'data-day="{day}"' in page

    # A closure: the day's times are no longer offered; the booking on it is counted for the staff.
    assert offered("2026-11-27")
    booker = app.test_client()
    slot = _first_slot(booker, day_index=3)  # Friday 27 November
    assert _book(booker, slot).status_code == 303
    closed = admin.post(
        "/staff/admin/calendar", data={"day": "2026-11-27", "kind": "closed", "name": "系统升级"}, follow_redirects=True
    )
    assert closed.status_code == 200
    assert re.search(r'id="message">[^<]*\D1\D', closed.get_data(as_text=True))  # one booking to contact
    assert not offered("2026-11-27")

    # An extra evening session on Sunday; bad sessions are refused with a message.
    bad = admin.post(
        "/staff/admin/calendar", data={"day": "2026-11-29", "kind": "extra", "sessions": "7pm"}, follow_redirects=True
    )
    assert bad.status_code == 422 and 'id="message"' in bad.get_data(as_text=True)
    assert (
        admin.post("/staff/admin/calendar", data={"day": "x", "kind": "closed"}, follow_redirects=True).status_code
        == 422
    )
    extra = admin.post(
        "/staff/admin/calendar",
        data={"day": "2026-11-29", "kind": "extra", "sessions": "19:00-20:00"},
        follow_redirects=True,
    )
    assert extra.status_code == 200
    slots = app.test_client().get("/book/slots?service=lost&day=2026-11-29", environ_base=phone).get_data(as_text=True)
    assert "19:00" in slots and "19:30" in slots

    # An official holiday stays; entered again for the station it becomes the station's own, and
    # removing that brings the official day back. Re-seeding keeps the station's own days.
    assert (
        admin.post("/staff/admin/calendar/remove", data={"day": "2026-10-01"}, follow_redirects=True).status_code == 409
    )
    admin.post(
        "/staff/admin/calendar", data={"day": "2026-10-01", "kind": "closed", "name": "闭馆"}, follow_redirects=True
    )
    doc, settings = read_settings_file(DEMO_STATION_FILE)
    install_station(database, doc, settings)
    with database.reading() as session:
        row = session.exec(select(CalendarDay).where(CalendarDay.day == dt.date(2026, 10, 1))).one()
        assert (row.kind, row.source) == ("closed", "manual")
    admin.post("/staff/admin/calendar/remove", data={"day": "2026-10-01"}, follow_redirects=True)
    with database.reading() as session:
        row = session.exec(select(CalendarDay).where(CalendarDay.day == dt.date(2026, 10, 1))).one()
        assert (row.kind, row.source) == ("closure", "package")
        actions = session.exec(select(AuditEvent.action).where(AuditEvent.actor == "staff:root")).all()
    assert actions.count("calendar_day") == 3 and actions.count("calendar_day_removed") == 1


def test_a_year_without_its_holidays_is_announced_until_they_are_entered(app, database, staff_client, clock):
    """2027's official schedule is not in the package: staff are told, and the year runs on
    weekends-only rules until an administrator enters its holidays."""
    import datetime as dt

    from kiosk.services.staff import Role, create_staff
    from kiosk.services.station import load_station
    from tests.conftest import aware

    clock.set(aware(2026, 12, 4))
    admin = _admin(app, database)
    create_staff(
        database, station_code="330402", username="boss", display_name="王所长", role=Role.SUPERVISOR, password="x" * 12
    )
    boss = app.test_client()
    boss.post("/staff/login", data={"username": "boss", "password": "x" * 12})
    for client, url in ((admin, "/staff/admin/calendar"), (boss, "/staff/dashboard")):
        page = client.get(url).get_data(as_text=True)
        assert re.findall(r'data-missing-holidays="(\d+)"', page) == ["2027"]  # 2026's is official

    # Until then the Spring Festival's weekdays count as working days: deadlines still fall somewhere.
    station = load_station(database, "330402")
    assert station.calendar.add_working_days(dt.date(2027, 2, 5), 1) == dt.date(2027, 2, 8)

    for day in ("2027-02-08", "2027-02-09"):
        admin.post("/staff/admin/calendar", data={"day": day, "kind": "closure", "name": "春节"})
    assert "data-missing-holidays" not in admin.get("/staff/admin/calendar").get_data(as_text=True)
    assert "data-missing-holidays" not in boss.get("/staff/dashboard").get_data(as_text=True)
    assert load_station(database, "330402").calendar.add_working_days(dt.date(2027, 2, 5), 1) == dt.date(2027, 2, 10)

    clock.set(aware(2026, 3, 2))  # in March the next year is out of reach: nothing to say
    admin.post("/staff/admin/calendar/remove", data={"day": "2027-02-08"})
    admin.post("/staff/admin/calendar/remove", data={"day": "2027-02-09"})
    assert "data-missing-holidays" not in admin.get("/staff/admin/calendar").get_data(as_text=True)


def test_an_estimated_year_is_labelled_until_an_administrator_confirms_it(app, database, clock):
    """docs/domain.md "Calendar": a year the holidays package only computes by rule is seeded as an
    estimate, shown as such (never as the official schedule), and confirmed by an administrator;
    the confirmation survives seeding again."""
    import datetime as dt
    from dataclasses import replace

    from sqlmodel import select

    from kiosk.models import AuditEvent, CalendarDay
    from kiosk.services.station import DEMO_STATION_FILE, install_station, read_settings_file
    from tests.conftest import aware

    clock.set(aware(2026, 12, 4))
    doc, settings = read_settings_file(DEMO_STATION_FILE)
    doc["calendar"]["seed_years"] = [2026, 2027]
    install_station(database, doc, replace(settings, calendar_seed_years=(2026, 2027)))
    admin = _admin(app, database)

    def sources(year):
        with database.reading() as session:
            rows = session.exec(select(CalendarDay).where(CalendarDay.day >= dt.date(year, 1, 1))).all()
        return {row.source for row in rows if row.day.year == year}

    assert sources(2026) == {"package"} and sources(2027) == {"estimated"}
    page = admin.get("/staff/admin/calendar").get_data(as_text=True)
    assert re.findall(r'data-estimated-year="(\d+)"', page) == ["2027"]
    row_2027 = re.search(r'data-day="2027-01-01">(.*?)</tr>', page, re.S)[1]
    assert 'data-source="estimated"' in row_2027
    assert not {"official schedule", "官方安排"} & set(re.findall(r"<td[^>]*>([^<]*)</td>", row_2027))

    confirmed = admin.post("/staff/admin/calendar/confirm", data={"year": "2027"}, follow_redirects=True)
    assert confirmed.status_code == 200 and "data-estimated-year" not in confirmed.get_data(as_text=True)
    assert sources(2027) == {"confirmed"}
    assert admin.post("/staff/admin/calendar/confirm", data={"year": "2027"}, follow_redirects=True).status_code == 409
    for no_year in ("0", "10000", "2027.5"):
        assert admin.post("/staff/admin/calendar/confirm", data={"year": no_year}).status_code == 400
    install_station(database, doc, replace(settings, calendar_seed_years=(2026, 2027)))
    assert sources(2027) == {"confirmed"}
    with database.reading() as session:
        confirmation = session.exec(select(AuditEvent).where(AuditEvent.action == "calendar_year_confirmed")).one()
    assert confirmation.reason == "2027"


def test_a_supervisor_signs_off_an_urgent_case_before_the_window_approves_it(staff_client, app, database):
    """docs/domain.md "Commitments": the sign-off is a step on the staff side, a supervisor's."""
    from kiosk.services.staff import Role, create_staff

    apply(app.test_client(), app_type="lost", name="李四", situation={"urgent": "exam"})
    page = staff_client.get("/staff/applications/1").get_data(as_text=True)
    assert 'id="sign-off"' in page and 'id="sign-off-button"' not in page  # a window officer cannot
    assert (
        staff_client.post("/staff/applications/1/act", data={"action": "approve"}, follow_redirects=True).status_code
        == 409
    )
    assert staff_client.post("/staff/applications/1/sign-off", follow_redirects=True).status_code == 403

    create_staff(
        database, station_code="330402", username="boss", display_name="王所长", role=Role.SUPERVISOR, password="x" * 12
    )
    boss = app.test_client()
    boss.post("/staff/login", data={"username": "boss", "password": "x" * 12})
    assert 'id="sign-off-button"' in boss.get("/staff/applications/1").get_data(as_text=True)
    assert boss.post("/staff/applications/1/sign-off", follow_redirects=True).status_code == 200
    assert boss.post("/staff/applications/1/sign-off", follow_redirects=True).status_code == 409  # once
    photo_and_fee_at_window(staff_client, 1)
    assert (
        staff_client.post("/staff/applications/1/act", data={"action": "approve"}, follow_redirects=True).status_code
        == 200
    )


def test_the_overdue_board_shows_a_case_late_in_production_with_its_promised_date(app, database):
    """docs/domain.md "Escalation": every open state with a deadline, on the supervisor's board."""
    import datetime as dt

    from kiosk.models import Application
    from kiosk.services import deadlines
    from kiosk.services.staff import Role, create_staff
    from kiosk.services.station import load_station

    submit(app.test_client())
    with database.transaction() as session:
        case = session.get(Application, 1)
        case.state = "in_production"
        session.add(case)
    station = load_station(database, "330402")
    late = dt.datetime.combine(case.expected_ready + dt.timedelta(days=1), dt.time(9), station.settings.zone)
    assert deadlines.sweep(database, station, late).escalated == 1
    create_staff(
        database, station_code="330402", username="boss", display_name="王所长", role=Role.SUPERVISOR, password="x" * 12
    )
    boss = app.test_client()
    boss.post("/staff/login", data={"username": "boss", "password": "x" * 12})
    board = boss.get("/staff/overdue").get_data(as_text=True)
    assert case.number in board and case.expected_ready.isoformat() in board


def test_the_case_page_shows_a_posted_cards_recipient_the_old_card_and_a_temporary_ids_main_case(staff_client, app):
    citizen = app.test_client()
    post = {"method": "post", "address": "浙江省嘉兴市南湖区某某路 1 号", "recipient": "李小红", "old_card": "courier"}
    apply(citizen, app_type="damaged", name="李四", collection=post)
    page = staff_client.get("/staff/applications/1").get_data(as_text=True)
    assert re.search(r'id="recipient">李小红<', page)
    assert 'id="old-card"' in page and 'id="main-application"' not in page
    apply(citizen, app_type="temporary", name="李四")
    page = staff_client.get("/staff/applications/2").get_data(as_text=True)
    assert 'href="/staff/applications/1" id="main-application"' in page
    assert 'id="old-card"' not in page
