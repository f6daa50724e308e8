"""How long printing takes to build its documents, against a bare reportlab page with one QR code.

    .venv/bin/python bench/print_bench.py [--receipts N] [--batches N] [--slips N]

Prints one JSON object: median times of a roll receipt, an A4 receipt and a batch of visit slips
on cut sheets, the same run's baseline (one reportlab page: a line of text and reportlab's own QR
widget), and the ratios to it. The first receipt, which loads the font, is timed apart.
Targets: a receipt within 20 ms, 500 slips within 5 s.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from io import BytesIO

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from printing import Paper, RoundLayout, load_typeface, receipt_pdf, samples, visit_round_pdf


def baseline_page() -> bytes:
    """What any PDF with a QR code costs: one page, one line of text, one QR code."""
    receipt = samples.receipt()
    out = BytesIO()
    canvas = Canvas(out, pagesize=(80 * mm, 200 * mm))
    canvas.setFont("Helvetica", 10)
    canvas.drawString(10, 500, receipt.application_number)
    widget = QrCodeWidget(receipt.progress_url, barLevel="M")
    drawing = Drawing(30 * mm, 30 * mm)
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, 10, 400)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def median_ms(build: Callable[[], bytes], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        build()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--receipts", type=int, default=40, help="runs of each single document")
    parser.add_argument("--batches", type=int, default=3, help="runs of the batch")
    parser.add_argument("--slips", type=int, default=500, help="slips in the batch")
    args = parser.parse_args()

    receipt = samples.receipt()
    round_ = samples.visit_round(args.slips)

    start = time.perf_counter()
    receipt_pdf(receipt, Paper.ROLL_80MM)
    first_receipt_ms = (time.perf_counter() - start) * 1000
    baseline_page()  # warm reportlab's own QR code path too

    baseline = median_ms(baseline_page, args.receipts)
    roll = median_ms(lambda: receipt_pdf(receipt, Paper.ROLL_80MM), args.receipts)
    a4 = median_ms(lambda: receipt_pdf(receipt, Paper.A4), args.receipts)
    batch = median_ms(lambda: visit_round_pdf(round_, RoundLayout.CUT_SHEETS), args.batches)

    print(
        json.dumps(
            {
                "font": load_typeface().cjk,
                "baseline_page_ms": round(baseline, 2),
                "first_receipt_ms": round(first_receipt_ms, 1),
                "receipt_roll_ms": round(roll, 2),
                "receipt_a4_ms": round(a4, 2),
                "batch_slips": args.slips,
                "batch_s": round(batch / 1000, 3),
                "receipt_roll_ratio": round(roll / baseline, 2),
                "receipt_a4_ratio": round(a4 / baseline, 2),
                "batch_ratio": round(batch / baseline, 1),
                "targets": {"receipt_ms": 20, "batch_500_s": 5},
                "runs": {"receipts": args.receipts, "batches": args.batches},
            }
        )
    )


if __name__ == "__main__":
    main()
