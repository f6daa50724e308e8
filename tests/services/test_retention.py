"""The retention purge: exactly the cases closed before the period lose their personal data and
photos; the figures, the audit skeleton and everyone else's data stay; a second run and a dry
run change nothing."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import uuid
from dataclasses import dataclass

import pytest
from sqlmodel import SQLModel, select

from kiosk.domain.catalogue import ApplicationType
from kiosk.domain.id_number import parse_id_number
from kiosk.domain.masking import mask_id_number, mask_name
from kiosk.domain.states import Action
from kiosk.models import Applicant, Application, AuditEvent, Booking, Slot
from kiosk.services import dashboard, photos, retention
from kiosk.services.applications import change_state, get_application, submit_application
from kiosk.services.assessment import NewApplication
from kiosk.services.deadlines import sweep as escalate
from kiosk.services.photo_store import FolderStore
from kiosk.services.printed_documents import receipt_data
from printing import receipt_pdf
from tests.conftest import aware, make_id
from tests.printing.pdf_tools import page_texts, squeezed

NOW = aware(2027, 12, 1, 3)  # the purge runs; the demo station keeps personal data 365 days
OLD = aware(2026, 6, 1)  # long before the period
RECENT = aware(2027, 9, 1)  # within it
COLLECTED = "collected by {name}; old card returned"
REJECTED = "identity: {name} showed another person's card, call {phone}"


@dataclass(frozen=True)
class Person:
    id_number: str
    name: str
    phone: str


def person(n: int) -> Person:
    return Person(make_id(f"33040219800315{n:03d}"), f"王{'一二三四五六七八九'[n - 1]}明", f"1380000{n:04d}")


def _case(database, station, folder, who: Person, created, closed=None, *, how="withdraw", photo=False, **answers):
    new = NewApplication(
        id_number=parse_id_number(who.id_number),
        app_type=ApplicationType.LOST,
        registered_province="33",
        idempotency_key=uuid.uuid4().hex,
        name=who.name,
        phone=who.phone,
        address=f"浙江省嘉兴市南湖区{who.name}家",
        photo_file=photos.store(folder, uuid.uuid4().bytes * 100) if photo else "",
        **answers,
    )
    application = submit_application(database, station, new, actor="kiosk:330402", now=created)
    steps = {
        "withdraw": [(Action.WITHDRAW, "")],
        "reject": [(Action.REJECT, "duplicate")],
        "collect": [
            (Action.APPROVE, ""),
            (Action.START_PRODUCTION, ""),
            (Action.MARK_READY, ""),
            (Action.COLLECT, COLLECTED.format(name=who.name)),
        ],
    }
    for action, reason in steps[how] if closed else ():
        refusal = reason if action is Action.REJECT else None
        change_state(
            database,
            station,
            application.id,
            action,
            actor="staff:zhang",
            reason=reason,
            refusal_reason=refusal,
            now=closed,
        )
    return application


def _booking(database, station, who: Person, day: dt.date, hour: int, application_id=None) -> int:
    starts = dt.datetime.combine(day, dt.time(hour), station.settings.zone)
    with database.transaction() as session:
        slot = Slot(
            station_id=station.id,
            starts_at=starts,
            ends_at=starts + dt.timedelta(minutes=30),
            local_day=day,
            capacity=4,
            online_capacity=2,
            booked=1,
        )
        session.add(slot)
        session.flush()
        booking = Booking(
            code=uuid.uuid4().hex[:10],
            station_id=station.id,
            slot_id=slot.id,
            local_day=day,
            service="lost",
            channel="kiosk",
            state="checked_in",
            name=who.name,
            id_number=who.id_number,
            phone=who.phone,
            application_id=application_id,
            idempotency_key=uuid.uuid4().hex,
        )
        session.add(booking)
        session.flush()
        return booking.id


@pytest.fixture
def folder(tmp_path):
    return photos.folder(tmp_path / "instance")


@pytest.fixture
def world(database, station, folder, clock):
    """Cases closed and open at various ages, with photos, messages and bookings."""
    people = {n: person(n) for n in range(1, 10)}
    rejected = _case(database, station, folder, people[2], OLD)
    escalate(database, station, now=OLD + dt.timedelta(days=1))  # an audit reason the system writes: "holder"
    reason = REJECTED.format(name=people[2].name, phone=people[2].phone)
    change_state(
        database,
        station,
        rejected.id,
        Action.REJECT,
        actor="staff:zhang",
        reason=reason,
        refusal_reason="other",
        now=OLD + dt.timedelta(days=2),
    )
    cases = {
        # Purged: closed before the period.
        "collected": _case(
            database,
            station,
            folder,
            people[1],
            OLD,
            OLD + dt.timedelta(days=9),
            how="collect",
            photo=True,
            urgent_reason="exam",
        ),
        "rejected": rejected,
        "just_past": _case(database, station, folder, people[6], OLD, NOW - dt.timedelta(days=366), photo=True),
        # Kept: closed within the period, still open, or the same person has an open case.
        "recent": _case(database, station, folder, people[3], RECENT, RECENT, how="reject", photo=True),
        "just_within": _case(database, station, folder, people[7], OLD, NOW - dt.timedelta(days=364)),
        "open": _case(database, station, folder, people[4], OLD, photo=True, blocking_reason="registration_moving"),
        "busy_old": _case(database, station, folder, people[5], OLD, OLD + dt.timedelta(days=1), photo=True),
        "busy_open": _case(database, station, folder, people[5], RECENT),
    }
    bookings = {
        "old": _booking(database, station, people[8], OLD.date(), 9),
        "recent": _booking(database, station, people[9], RECENT.date(), 9),
        "old_of_open_case": _booking(database, station, people[4], OLD.date(), 10, cases["open"].id),
    }
    clock.set(NOW)
    return people, cases, bookings


PURGED_CASES = ("collected", "rejected", "just_past")


def dump(database) -> dict[str, list[dict]]:
    """Every row of every table, in primary-key order."""
    with database.reading() as session:
        return {
            table.name: [
                dict(row)
                for row in session.execute(select(table).order_by(*table.primary_key.columns)).mappings().all()
            ]
            for table in SQLModel.metadata.sorted_tables
        }


def by_id(rows: list[dict]) -> dict[int, dict]:
    return {row["id"]: row for row in rows}


def figures(database, station) -> tuple:
    """What the dashboard shows, over both years."""
    return (
        dashboard.today_counts(database, station, now=NOW),
        dashboard.promises_kept(database, station, days=800, now=NOW),
        dashboard.export_csv(database, station, dt.date(2026, 1, 1), dt.date(2027, 12, 31), now=NOW),
    )


def test_purge_removes_exactly_the_expired_personal_data(database, station, folder, world):
    people, cases, bookings = world
    before, shown = dump(database), figures(database, station)
    photo_files = {row["application_id"]: row["file"] for row in before["applicationphoto"]}

    purged_ids = {cases[name].id for name in PURGED_CASES}
    messages = sum(row["application_id"] in purged_ids for row in before["notification"])

    report = retention.purge(database, station, photo_store=FolderStore(folder))

    assert messages >= 3  # at least the one on submission, for each purged case
    assert report == retention.PurgeReport(
        applicants=3, applications=3, photos=2, notifications=messages, audit_reasons=2, bookings=1, kept=1
    )
    after = dump(database)
    purged_applicants = {cases[name].applicant_id for name in PURGED_CASES}

    # Applicants: exactly the purged ones lost their identifying fields; birth year and sex stay.
    old_applicants, new_applicants = by_id(before["applicant"]), by_id(after["applicant"])
    assert {i for i in old_applicants if old_applicants[i] != new_applicants[i]} == purged_applicants
    for i in purged_applicants:
        assert new_applicants[i] == old_applicants[i] | dict(
            id_number=None, name=None, phone=None, address=None, purged_at=NOW
        )
        assert new_applicants[i]["birth_year"] == 1980 and new_applicants[i]["sex"]

    # Cases: only the situation of the purged ones changed, and only its personal answers went.
    old_cases, new_cases = by_id(before["application"]), by_id(after["application"])
    assert {i for i in old_cases if old_cases[i] != new_cases[i]} == purged_ids
    for i in purged_ids:
        kept = {k: v for k, v in old_cases[i]["situation"].items() if k in retention.KEPT_SITUATION}
        assert new_cases[i] == old_cases[i] | {"situation": kept}
    assert old_cases[cases["collected"].id]["situation"]["urgent_reason"] == "exam"
    assert "urgent_reason" not in new_cases[cases["collected"].id]["situation"]
    assert new_cases[cases["open"].id]["situation"]["blocking_reason"] == "registration_moving"

    # Photos: the purged cases' rows and files are gone, every other photo is where it was.
    assert {row["application_id"] for row in after["applicationphoto"]} == set(photo_files) - purged_ids
    for application_id, name in photo_files.items():
        assert (folder / name).exists() is (application_id not in purged_ids)

    # Messages: the purged cases' numbers blanked, their texts and everyone else's untouched.
    old_messages, new_messages = by_id(before["notification"]), by_id(after["notification"])
    changed = {i for i in old_messages if old_messages[i] != new_messages[i]}
    assert changed == {i for i, row in old_messages.items() if row["application_id"] in purged_ids}
    assert all(new_messages[i] == old_messages[i] | {"phone": None} for i in changed)

    # Bookings: the old one without a case; not the recent one, nor the one of a case still open.
    old_bookings, new_bookings = by_id(before["booking"]), by_id(after["booking"])
    assert {i for i in old_bookings if old_bookings[i] != new_bookings[i]} == {bookings["old"]}
    assert new_bookings[bookings["old"]] == old_bookings[bookings["old"]] | dict(name=None, id_number=None, phone=None)

    # The audit skeleton: every row stays; only typed reasons of purged cases are cut to their code.
    old_events, new_events = by_id(before["auditevent"]), by_id(after["auditevent"])
    assert set(old_events) <= set(new_events)
    edited = {i: new_events[i]["reason"] for i in old_events if old_events[i] != new_events[i]}
    assert sorted(edited.values()) == ["", "identity"]
    assert all(new_events[i] == old_events[i] | {"reason": edited[i]} for i in edited)
    assert all(old_events[i]["application_id"] in purged_ids for i in edited)
    escalation = [
        e for e in new_events.values() if e["application_id"] == cases["rejected"].id and e["action"] == "escalate"
    ]
    assert [e["reason"] for e in escalation] == ["holder"]
    added = [new_events[i] for i in set(new_events) - set(old_events)]
    assert sorted((e["application_id"] or 0, e["action"], e["actor"]) for e in added) == sorted(
        [(i, "purge", "system:purge") for i in purged_ids] + [(0, "purge_summary", "system:purge")]
    )

    # Nothing else changed, and no trace of the purged people is left; the others keep theirs.
    untouched = set(before) - {"applicant", "application", "applicationphoto", "notification", "booking", "auditevent"}
    assert all(before[table] == after[table] for table in untouched)
    text = json.dumps(after, default=str, ensure_ascii=False)
    for n in (1, 2, 6, 8):
        assert people[n].id_number not in text and people[n].name not in text and people[n].phone not in text
    for n in (3, 4, 5, 7, 9):
        assert people[n].id_number in text and people[n].name in text and people[n].phone in text

    assert figures(database, station) == shown


def test_a_second_run_changes_nothing(database, station, folder, world):
    first = retention.purge(database, station, photo_store=FolderStore(folder))
    after_first = dump(database)
    second = retention.purge(database, station, photo_store=FolderStore(folder))
    assert first.changed and not second.changed
    assert second == retention.PurgeReport(kept=1)
    assert dump(database) == after_first


def test_a_dry_run_counts_and_changes_nothing(database, station, folder, world):
    before, files = dump(database), sorted(folder.iterdir())
    dry = retention.purge(database, station, photo_store=FolderStore(folder), dry_run=True)
    assert dump(database) == before and sorted(folder.iterdir()) == files
    assert dry == retention.purge(database, station, photo_store=FolderStore(folder))
    assert dry.applicants == 3


def test_once_the_other_case_is_past_the_period_the_person_is_purged(database, station, folder, world, clock):
    people, cases, _bookings = world
    change_state(database, station, cases["busy_open"].id, Action.WITHDRAW, actor="staff:zhang", now=RECENT)
    retention.purge(database, station, photo_store=FolderStore(folder))
    assert get_application(database, cases["busy_old"].id)[1].name == people[5].name
    clock.set(RECENT + dt.timedelta(days=366))
    report = retention.purge(database, station, photo_store=FolderStore(folder))
    assert report.applicants == 4  # both records of person 5, and the two cases closed within the first period
    for name in ("busy_old", "busy_open"):
        applicant = get_application(database, cases[name].id)[1]
        assert (applicant.id_number, applicant.name, applicant.purged_at) == (
            None,
            None,
            RECENT + dt.timedelta(days=366),
        )


def test_a_receipt_printed_after_the_purge_shows_dashes(database, station, folder, world):
    people, cases, _bookings = world
    retention.purge(database, station, photo_store=FolderStore(folder))
    application, applicant = get_application(database, cases["collected"].id)
    receipt = receipt_data(application, applicant, station, "http://kiosk.test/track/x")
    assert (receipt.name_masked, receipt.id_number_masked, receipt.phone_masked) == ("—", "—", "—")
    text = squeezed("".join(page_texts(receipt_pdf(receipt))))
    assert application.number in text and text.count("—") >= 3
    assert mask_id_number(people[1].id_number) not in text and mask_name(people[1].name) not in text


def test_the_audit_trail_of_a_purged_case_says_so(database, station, folder, world):
    _people, cases, _bookings = world
    retention.purge(database, station, photo_store=FolderStore(folder))
    with database.reading() as session:
        trail = session.exec(
            select(AuditEvent).where(AuditEvent.application_id == cases["collected"].id).order_by(AuditEvent.id)
        ).all()
        summary = session.exec(select(AuditEvent).where(AuditEvent.action == "purge_summary")).one()
        purged = session.exec(select(Applicant).join(Application).where(Application.id == cases["collected"].id)).one()
    assert [e.action for e in trail][-1] == "purge" and trail[-1].at == NOW
    assert [e.action for e in trail][:2] == ["create", "submit"]
    assert "applicants 3" in summary.reason and summary.application_id is None
    assert purged.purged_at == NOW


def test_photos_are_deleted_under_the_folder_lock_and_the_log_holds_counts_only(
    database, station, folder, world, monkeypatch, caplog
):
    """A backup (shared lock) cannot copy the folder while the purge deletes from it."""
    from tests.services.test_backup import lock_is_free

    people, _cases, _bookings = world
    original, seen = photos.delete, []

    def delete(directory, names):
        seen.append(lock_is_free(directory, fcntl.LOCK_SH))
        original(directory, names)

    monkeypatch.setattr(photos, "delete", delete)
    with caplog.at_level(logging.INFO, logger="kiosk.services.retention"):
        retention.purge(database, station, photo_store=FolderStore(folder))
    assert seen and not any(seen)
    assert lock_is_free(folder, fcntl.LOCK_EX)
    assert "applicants 3, applications 3, photos 2" in caplog.text
    for who in people.values():
        assert who.name not in caplog.text and who.id_number not in caplog.text and who.phone not in caplog.text
