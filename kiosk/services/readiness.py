"""What a card waits for before it is approved, made or marked ready: its photo and its fee
(docs/domain.md "The window")."""

from __future__ import annotations

from sqlmodel import Session, col, select

from ..models import Application, ApplicationPhoto, AuditEvent, Visit

PHOTO_TAKEN = "photo_taken"  # the audit action of a photo staff took at the window


def lacking_for_production(session: Session, application: Application) -> tuple[str, ...]:
    """What the card still waits for: a photo (taken at the kiosk, by staff at the window or on the
    home visit; a temporary ID may use its main application's) and the fee, unless it is nothing."""
    lacking = []
    if not has_photo(session, application):
        lacking.append("photo")
    if application.fee_yuan + application.postal_fee_yuan and not application.fee_paid:
        lacking.append("fee")
    return tuple(lacking)


def has_photo(session: Session, application: Application) -> bool:
    visit = session.exec(select(Visit).where(Visit.application_id == application.id)).first()
    if visit is not None and visit.outcome.get("photo_taken"):
        return True
    if application.photo_at_window:  # none taken yet, or the kiosk's was not usable (a retake)
        return False
    ids = [application.id] + ([application.main_application_id] if application.main_application_id else [])
    if session.exec(select(ApplicationPhoto.id).where(col(ApplicationPhoto.application_id).in_(ids))).first():
        return True
    taken = select(AuditEvent.id).where(AuditEvent.application_id == application.id, AuditEvent.action == PHOTO_TAKEN)
    return session.exec(taken).first() is not None
