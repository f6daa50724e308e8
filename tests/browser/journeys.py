"""Reading back what one person was given, to compare it across screens, paper and texts: the
Application row, the receipt PDF printed for it, the text messages queued for it, a page's words."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from playwright.sync_api import Page
from sqlmodel import select

from kiosk.models import Application, Notification, PrintJob
from kiosk.services.notifications import text_date
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
    """`day` as every place writes it at the least (12月11日, December 11): a text message writes
    just this; screens and receipts add the year and weekday around it. Compare with `squeezed`
    text for a PDF."""
    return text_date(day, language)
