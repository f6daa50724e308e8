"""Reading back what one person was given, to compare it across screens, paper and texts: the
Application row, the receipt PDF printed for it, the text messages queued for it, a page's words."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from playwright.sync_api import Locator, Page
from sqlmodel import select

from kiosk.models import Application, Notification, PrintJob
from kiosk.services.notifications import text_date
from kiosk.services.wording import Wording
from tests.printing.pdf_tools import page_texts, squeezed


def application(database, number: str) -> Application:
    """The Application row of `number`, as it is now."""
    with database.reading() as session:
        return session.exec(select(Application).where(Application.number == number)).one()


def receipt_text(app, database, number: str) -> str:
    """The words of the last receipt printed for application `number` (the `file` printer's PDF),
    whitespace removed so that a value wrapped over two lines still matches (see `squeezed`)."""
    with database.reading() as session:
        job = session.exec(
            select(PrintJob)
            .join(Application, PrintJob.application_id == Application.id)
            .where(Application.number == number, PrintJob.kind == "receipt", PrintJob.backend_job.is_not(None))
            .order_by(PrintJob.id.desc())
        ).first()
    assert job is not None, f"no receipt printed for {number}"
    pdf = Path(app.instance_path) / "prints" / Path(job.backend_job).name
    return squeezed("".join(page_texts(pdf.read_bytes())))


def texts_sent(database, number: str) -> list[str]:
    """The text messages queued for application `number`, oldest first."""
    with database.reading() as session:
        return list(
            session.exec(
                select(Notification.text)
                .join(Application, Notification.application_id == Application.id)
                .where(Application.number == number)
                .order_by(Notification.id)
            )
        )


def words_of(page: Page, element_id: str) -> str:
    """The visible text of the element `#element_id` on `page`."""
    return page.locator(f"#{element_id}").inner_text()


def day_words(day: dt.date, language: str) -> str:
    """`day` as a text message writes it (12月11日, December 11); screens and receipts write more
    around it (the year, the weekday)."""
    return text_date(day, language)


def long_day(day: dt.date, language: str) -> str:
    """`day` as screens and receipts write it, before any weekday (2026年12月11日, December 11, 2026);
    squeeze it (pdf_tools.squeezed) to find it in a receipt's text."""
    return Wording(language).day(day)


def progress_path(application: Application) -> str:
    """The public progress page of `application`, as its receipt's QR code links it (/track/...)."""
    return f"/track/{application.number}/{application.track_token}"


def value_of(page: Page, label: str) -> Locator:
    """The <dd> that a <dt> reading exactly `label` describes (a row of a summary list)."""
    return page.locator(f"xpath=//dt[normalize-space()='{label}']/following-sibling::dd[1]")


def described(page: Page, label: str) -> str:
    """The visible text of `value_of(page, label)`."""
    return value_of(page, label).inner_text()
