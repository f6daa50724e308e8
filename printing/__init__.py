"""Printed documents: receipts, booking confirmations, pickup slips and home-visit slips as PDFs,
and printer backends.

A pure library: document data in, PDF bytes out. It knows nothing of Flask or
the database, and the caller masks personal data before handing it over (see
`printing.data`).

    pdf = receipt_pdf(receipt, paper=printer.paper)
    job = printer.submit(pdf, title=receipt.application_number)  # or PrinterUnavailable: retry later
    printer.status(job)  # JobState.DONE once printed
"""

from .backends import CupsPrinter, FilePrinter, JobState, Printer, PrinterUnavailable
from .data import (
    BookingConfirmation,
    CollectAtStation,
    DeliverAtHome,
    DeliverByPost,
    PickupSlip,
    Receipt,
    VisitSlip,
)
from .documents import (
    RoundLayout,
    booking_confirmation_pdf,
    pickup_slip_pdf,
    receipt_pdf,
    visit_round_pdf,
    visit_slip_pdf,
)
from .fonts import load_typeface
from .paper import Paper

__all__ = [
    "BookingConfirmation",
    "CollectAtStation",
    "CupsPrinter",
    "DeliverAtHome",
    "DeliverByPost",
    "FilePrinter",
    "JobState",
    "Paper",
    "PickupSlip",
    "Printer",
    "PrinterUnavailable",
    "Receipt",
    "RoundLayout",
    "VisitSlip",
    "booking_confirmation_pdf",
    "load_typeface",
    "pickup_slip_pdf",
    "receipt_pdf",
    "visit_round_pdf",
    "visit_slip_pdf",
]
