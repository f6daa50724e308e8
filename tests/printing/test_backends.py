"""Printer backends: the file backend, CUPS job states from lpstat, and the real CUPS-PDF queue."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from printing import CupsPrinter, FilePrinter, JobState, Paper, PrinterUnavailable, receipt_pdf, samples

from .pdf_tools import page_texts, squeezed

QUEUE = "kioskpdf"
CUPS_QUEUE_SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "cups-queue"
TIMEOUT = 30  # seconds for CUPS-PDF to write a job


# --- file backend


def test_file_printer_writes_the_pdf(tmp_path):
    printer = FilePrinter(tmp_path / "prints")
    job = printer.submit(b"%PDF-1.4 test", "受理回执 330402-261124-0042")
    assert (tmp_path / "prints" / job).read_bytes() == b"%PDF-1.4 test"
    assert "330402-261124-0042" in job and job.endswith(".pdf")
    assert printer.status(job) == JobState.DONE
    assert printer.status("gone.pdf") == JobState.UNKNOWN
    assert printer.paper is Paper.A4


def test_file_printer_without_a_writable_folder_is_unavailable(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(PrinterUnavailable):
        FilePrinter(blocker / "prints").submit(b"%PDF", "job")


# --- CUPS job states, from lpstat output as CUPS 2.4 prints it


class FakeCups(CupsPrinter):
    """Answers CUPS client commands from canned output instead of running them."""

    def __init__(self, outputs: dict[tuple[str, ...], str]) -> None:
        super().__init__(QUEUE)
        self.outputs = outputs

    def _run(self, *command: str, stdin: bytes | None = None) -> str:
        if command not in self.outputs:
            raise PrinterUnavailable(f"{command[0]}: not expected")
        return self.outputs[command]


IDLE = f"printer {QUEUE} is idle.  enabled since Tue Nov 24 17:55:28 2026\n"
DISABLED = f"printer {QUEUE} disabled since Tue Nov 24 17:55:46 2026 -\n\tPaper out\n"
ACCEPTING = f"{QUEUE} accepting requests since Tue Nov 24 17:55:28 2026\n"
JOB_LINE = f"{QUEUE}-7              root              2048   Tue Nov 24 17:55:47 2026\n"


def completed(reason: str) -> str:
    return JOB_LINE + f"\tAlerts: {reason}\n\tqueued for {QUEUE}\n"


OTHER_JOB_COMPLETED = completed("none").replace(f"{QUEUE}-7 ", f"{QUEUE}-70")  # not job 7


@pytest.mark.parametrize(
    ("active", "printer", "finished", "state"),
    [
        (JOB_LINE, IDLE, "", JobState.QUEUED),
        (JOB_LINE, f"printer {QUEUE} now printing {QUEUE}-7.  enabled since Tue\n", "", JobState.PRINTING),
        (JOB_LINE, DISABLED, "", JobState.STALLED),
        ("", IDLE, completed("processing-to-stop-point"), JobState.DONE),
        ("", IDLE, completed("job-completed-successfully"), JobState.DONE),
        ("", IDLE, completed("job-canceled-by-user"), JobState.FAILED),
        ("", IDLE, completed("aborted-by-system"), JobState.FAILED),
        ("", IDLE, completed("job-completed-with-errors"), JobState.FAILED),
        ("", IDLE, OTHER_JOB_COMPLETED, JobState.UNKNOWN),
    ],
)
def test_cups_job_state_from_lpstat(active, printer, finished, state):
    cups = FakeCups(
        {
            ("lpstat", "-o", QUEUE): active,
            ("lpstat", "-p", QUEUE): printer,
            ("lpstat", "-l", "-W", "completed", "-o", QUEUE): finished,
        }
    )
    assert cups.status(f"{QUEUE}-7") == state


def test_a_stopped_printer_is_unavailable_with_its_reason():
    cups = FakeCups({("lpstat", "-p", QUEUE, "-a", QUEUE): DISABLED + ACCEPTING})
    with pytest.raises(PrinterUnavailable, match="stopped: Paper out"):
        cups.submit(b"%PDF", "receipt")


def test_a_printer_not_accepting_jobs_is_unavailable():
    cups = FakeCups({("lpstat", "-p", QUEUE, "-a", QUEUE): IDLE + f"{QUEUE} not accepting requests since Tue -\n"})
    with pytest.raises(PrinterUnavailable, match="not accepting"):
        cups.check()


def test_missing_cups_tools_make_the_printer_unavailable(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(PrinterUnavailable, match="not installed"):
        CupsPrinter(QUEUE).check()


# --- the real CUPS-PDF queue


@pytest.fixture(scope="session")
def cups_pdf_folder() -> Path:
    """Runs scripts/cups-queue (starts cupsd, creates the queue); the folder CUPS-PDF writes to."""
    if not (shutil.which("lpadmin") or os.path.exists("/usr/sbin/lpadmin")):
        pytest.skip("CUPS is not installed (no lpadmin): apt-get install cups printer-driver-cups-pdf")
    result = subprocess.run([CUPS_QUEUE_SCRIPT], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return Path(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def cups(cups_pdf_folder):
    return CupsPrinter(QUEUE)


def unique_receipt_pdf() -> tuple[bytes, str]:
    number = f"330402-261124-{time.time_ns() % 10_000:04d}"
    receipt = dataclasses.replace(samples.receipt(), application_number=number)
    return receipt_pdf(receipt, Paper.ROLL_80MM), number


def wait_until_done(cups: CupsPrinter, job: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while (state := cups.status(job)) != JobState.DONE:
        assert state in (JobState.QUEUED, JobState.PRINTING), state
        assert time.monotonic() < deadline, f"{job} still {state} after {TIMEOUT} s"
        time.sleep(0.2)


def take_printed(folder: Path, before: set[Path], number: str) -> Path:
    """The new CUPS-PDF output holding `number` (removed from the folder: it holds personal data)."""
    for path in set(folder.glob("*.pdf")) - before:
        if number in squeezed("".join(page_texts(path.read_bytes()))):
            path.unlink()
            return path
    raise AssertionError(f"no PDF with {number} among the new files in {folder}")


def existing(folder: Path) -> set[Path]:
    return set(folder.glob("*.pdf")) if folder.is_dir() else set()


def test_a_receipt_prints_through_cups(cups, cups_pdf_folder):
    pdf, number = unique_receipt_pdf()
    before = existing(cups_pdf_folder)
    job = cups.submit(pdf, f"受理回执 {number}")
    assert job.startswith(f"{QUEUE}-")
    wait_until_done(cups, job)
    take_printed(cups_pdf_folder, before, number)


def test_a_stopped_queue_takes_no_job_and_a_retry_prints(cups, cups_pdf_folder):
    pdf, number = unique_receipt_pdf()
    before = existing(cups_pdf_folder)
    subprocess.run(["cupsdisable", QUEUE], check=True)
    try:
        with pytest.raises(PrinterUnavailable, match=f"printer {QUEUE} is stopped"):
            cups.submit(pdf, number)
        with pytest.raises(PrinterUnavailable):
            cups.check()
    finally:
        subprocess.run(["cupsenable", QUEUE], check=True)
    cups.check()
    job = cups.submit(pdf, number)
    wait_until_done(cups, job)
    take_printed(cups_pdf_folder, before, number)


def test_a_job_caught_by_a_queue_stopped_later_waits_and_then_prints(cups, cups_pdf_folder, monkeypatch):
    pdf, number = unique_receipt_pdf()
    before = existing(cups_pdf_folder)
    subprocess.run(["cupsdisable", QUEUE], check=True)
    try:
        monkeypatch.setattr(cups, "check", lambda: None)  # as if the queue stopped right after the check
        job = cups.submit(pdf, number)
        assert cups.status(job) == JobState.STALLED
    finally:
        subprocess.run(["cupsenable", QUEUE], check=True)
    wait_until_done(cups, job)
    take_printed(cups_pdf_folder, before, number)


def test_an_absent_queue_is_unavailable(cups_pdf_folder):
    with pytest.raises(PrinterUnavailable, match="no-such-queue"):
        CupsPrinter("no-such-queue").check()


def test_a_job_cups_never_had_is_unknown(cups):
    assert cups.status(f"{QUEUE}-999999") == JobState.UNKNOWN
