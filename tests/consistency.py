"""One check of everything the database and the photo folder must agree on, whatever happened
before (faults, hostile requests): `assert problems(database, instance_path) == []`."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from sqlmodel import col, select

from kiosk.db import Database
from kiosk.models import (
    Applicant,
    Application,
    ApplicationPhoto,
    AuditEvent,
    Booking,
    BookingSlot,
    KioskSession,
    PhotoBlob,
    PrintJob,
    Slot,
)
from kiosk.services import photos, wizard

ACTIVE_BOOKINGS = ("booked", "checked_in")  # the states that hold a place in their slots
# Booking channels with places of their own, and the Slot column counting them.
RESERVED_COUNTERS = {"online": "booked_online", "home_visit": "booked_home_visit"}


def problems(database: Database, instance_path: str | Path) -> list[str]:
    """Every broken invariant, described; empty when all is well."""
    found: list[str] = []
    with database.reading() as session:
        applications = session.exec(select(Application)).all()
        applicants = set(session.exec(select(Applicant.id)).all())
        audit = session.exec(
            select(AuditEvent).where(col(AuditEvent.application_id).is_not(None)).order_by(col(AuditEvent.id))
        ).all()
        kept_photos = session.exec(select(ApplicationPhoto)).all()
        stored_in_database = session.exec(select(PhotoBlob.name)).all()
        answers = [row.answers or {} for row in session.exec(select(KioskSession)).all()]
        slots = session.exec(select(Slot)).all()
        bookings = session.exec(select(Booking)).all()
        held = session.exec(select(BookingSlot)).all()
        stuck_jobs = session.exec(select(PrintJob.id).where(PrintJob.state == "printing")).all()

    trail: dict[int, list[AuditEvent]] = defaultdict(list)
    for event in audit:
        trail[event.application_id].append(event)
    for application in applications:
        name = f"application {application.id} ({application.state})"
        if application.applicant_id not in applicants:
            found.append(f"{name} has no applicant")
        steps = [(e.from_state, e.to_state) for e in trail[application.id] if e.to_state is not None]
        if not steps or steps[0] != (None, "draft"):
            found.append(f"{name}: its audit trail does not start with its creation: {steps[:1]}")
            continue
        for (_, before), (after_from, _) in zip(steps, steps[1:], strict=False):
            if after_from != before:
                found.append(f"{name}: the audit trail jumps from {before} to a step from {after_from}")
        if steps[-1][1] != application.state:
            found.append(f"{name}: the audit trail ends in {steps[-1][1]}")

    # Photos (files, or rows of the database store): every kept photo and every photo a wizard
    # names exists, and every photo is named by a kept photo or a wizard.
    folder = Path(instance_path) / photos.PHOTO_FOLDER
    on_disk = {path.name for path in folder.glob("*.jpg")} if folder.is_dir() else set()
    stored = on_disk | set(stored_in_database)
    named_by_wizards = {name for row in answers for name in wizard.photo_files(row)}
    kept = {photo.file for photo in kept_photos}
    found += [f"kept photo {name} has no file" for name in sorted(kept - stored)]
    found += [f"a wizard names photo {name}, which has no file" for name in sorted(named_by_wizards - stored)]
    found += [f"photo file {name} belongs to nobody" for name in sorted(stored - kept - named_by_wizards)]

    # Slots: never over capacity, and their counters match the bookings holding a place in them.
    places: dict[int, list[Booking]] = defaultdict(list)
    runs: dict[int, list[int]] = defaultdict(list)
    for row in held:
        runs[row.booking_id].append(row.slot_id)  # the slots after its first
    for booking in bookings:
        if booking.state in ACTIVE_BOOKINGS:
            for slot_id in [booking.slot_id, *runs.get(booking.id, [])]:
                places[slot_id].append(booking)
    for slot in slots:
        holders = places[slot.id]
        if not 0 <= slot.booked <= slot.capacity:
            found.append(f"slot {slot.id} holds {slot.booked} of {slot.capacity} places")
        if slot.booked != len(holders):
            found.append(f"slot {slot.id} counts {slot.booked} booked, {len(holders)} bookings hold a place")
        for channel, counter in RESERVED_COUNTERS.items():
            if getattr(slot, counter) != sum(b.channel == channel for b in holders):
                found.append(f"slot {slot.id}: {counter} does not match its {channel} bookings")

    found += [f"print job {job} was left printing" for job in stuck_jobs]
    return found
