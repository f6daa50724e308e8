"""`python -m printing sample KIND -o OUT.pdf` and `python -m printing print FILE.pdf ...`."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from . import samples
from .backends import CupsPrinter, FilePrinter, Printer, PrinterUnavailable
from .documents import (
    RoundLayout,
    booking_confirmation_pdf,
    pickup_slip_pdf,
    receipt_pdf,
    visit_round_pdf,
    visit_slip_pdf,
)
from .paper import Paper

SAMPLES: dict[str, Callable[[str | None], bytes]] = {
    "receipt": lambda font: receipt_pdf(samples.receipt(), Paper.ROLL_80MM, font),
    "receipt-a4": lambda font: receipt_pdf(samples.receipt(), Paper.A4, font),
    "receipt-post": lambda font: receipt_pdf(samples.receipt_by_post(), Paper.ROLL_80MM, font),
    "booking": lambda font: booking_confirmation_pdf(samples.booking(), Paper.ROLL_80MM, font),
    "booking-a4": lambda font: booking_confirmation_pdf(samples.booking(), Paper.A4, font),
    "pickup": lambda font: pickup_slip_pdf(samples.pickup_slip(), Paper.A4, font),
    "pickup-roll": lambda font: pickup_slip_pdf(samples.pickup_slip(), Paper.ROLL_80MM, font),
    "visit": lambda font: visit_slip_pdf(samples.visit_slip(), font),
    "batch": lambda font: visit_round_pdf(samples.visit_round(), RoundLayout.CUT_SHEETS, font_path=font),
    "batch-pages": lambda font: visit_round_pdf(samples.visit_round(), RoundLayout.ONE_PER_PAGE, font_path=font),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m printing", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    sample = commands.add_parser("sample", help="render a document from built-in sample data")
    sample.add_argument("kind", choices=SAMPLES)
    sample.add_argument("-o", "--output", type=Path, required=True, help="the PDF file to write")
    sample.add_argument("--font", help="the TrueType CJK font file (default: the first usable system font)")
    print_ = commands.add_parser("print", help="send a PDF to a printer backend")
    print_.add_argument("file", type=Path)
    print_.add_argument("--backend", choices=("cups", "file"), default="cups")
    print_.add_argument("--queue", help="CUPS queue (cups backend)")
    print_.add_argument("--folder", type=Path, help="output folder (file backend)")
    print_.add_argument("--title", help="job title (default: the file name)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    if args.command == "sample":
        args.output.write_bytes(SAMPLES[args.kind](args.font))
        print(args.output)
        return 0

    printer: Printer
    if args.backend == "cups":
        if not args.queue:
            parser.error("--queue is required with --backend cups")
        printer = CupsPrinter(args.queue)
    else:
        if not args.folder:
            parser.error("--folder is required with --backend file")
        printer = FilePrinter(args.folder)
    try:
        job = printer.submit(args.file.read_bytes(), args.title or args.file.stem)
    except PrinterUnavailable as error:
        print(f"printer unavailable: {error}", file=sys.stderr)
        return 2
    print(job)
    return 0


if __name__ == "__main__":
    sys.exit(main())
