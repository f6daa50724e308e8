"""Printer backends: where a finished PDF goes, and what became of it.

Every backend has a `paper` (render the document for it), `check()`, `submit(pdf, title)`
returning a job reference (a string to keep with the case), and `status(job)`.

Retrying: `submit` raises `PrinterUnavailable` without handing the job to the printer when
the printer is absent, stopped (`cupsdisable`, or stopped by CUPS itself after a device
error), not accepting jobs, or CUPS is not running. The caller keeps the document queued on
its side and submits it again later (`check()` tells when the printer is back). A job that
was handed over belongs to the printer: a queue stopped after that keeps it (`STALLED`) and
prints it once enabled, so it must not be submitted again.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import uuid
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from .paper import Paper


class JobState(StrEnum):
    QUEUED = "queued"  # waiting for the printer
    PRINTING = "printing"
    STALLED = "stalled"  # waiting in a stopped queue: prints once the queue is enabled again
    DONE = "done"  # printed (or, for the file backend, written)
    FAILED = "failed"  # cancelled, aborted or finished with errors: print it again
    UNKNOWN = "unknown"  # the backend no longer knows the job


class PrinterUnavailable(Exception):
    """The printer cannot take a job now; nothing was submitted. Keep the job and retry later."""


class Printer(Protocol):
    paper: Paper

    def check(self) -> None:
        """Raise `PrinterUnavailable` unless a job submitted now would be printed."""

    def submit(self, pdf: bytes, title: str) -> str:
        """Hand the PDF to the printer; return the job reference for `status`."""

    def status(self, job: str) -> JobState: ...


class FilePrinter:
    """Writes each job as a PDF file into `folder` (the app uses `instance/prints/`)."""

    def __init__(self, folder: str | os.PathLike[str], paper: Paper = Paper.A4) -> None:
        self.folder = Path(folder)
        self.paper = paper

    def check(self) -> None:
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # receipts carry personal data
        except OSError as error:
            raise PrinterUnavailable(f"cannot create {self.folder}: {error}") from error
        if not os.access(self.folder, os.W_OK):
            raise PrinterUnavailable(f"{self.folder} is not writable")

    def submit(self, pdf: bytes, title: str) -> str:
        """Write the file; the job reference is its name inside `folder`."""
        self.check()
        slug = re.sub(r"[^\w-]+", "_", title).strip("_")[:40] or "job"
        name = f"{dt.datetime.now():%Y%m%d-%H%M%S}-{slug}-{uuid.uuid4().hex[:8]}.pdf"
        partial = self.folder / f".{name}.part"
        try:
            with open(partial, "wb", opener=lambda path, flags: os.open(path, flags, 0o600)) as out:
                out.write(pdf)
            partial.replace(self.folder / name)  # readers never see half a file
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise PrinterUnavailable(f"cannot write {name}: {error}") from error
        return name

    def status(self, job: str) -> JobState:
        return JobState.DONE if (self.folder / Path(job).name).is_file() else JobState.UNKNOWN


class CupsPrinter:
    """Submits to a CUPS queue with `lp` and reads states back with `lpstat` (no C bindings).

    `lpstat` cannot tell a job cancelled while it was still waiting from a printed one (CUPS
    gives both the same reason): such a job reads as DONE.
    """

    # Job state reasons (shown by `lpstat -l` as "Alerts") of a job that was not printed as asked.
    _FAILED_REASONS = ("job-canceled", "aborted-by-system", "job-aborted", "job-completed-with-errors")

    def __init__(self, queue: str, paper: Paper = Paper.ROLL_80MM, timeout: float = 15) -> None:
        self.queue, self.paper, self.timeout = queue, paper, timeout

    def check(self) -> None:
        lines = self._lpstat("-p", self.queue, "-a", self.queue).splitlines()
        printer = next((line for line in lines if line.startswith(f"printer {self.queue} ")), "")
        if " disabled " in printer:
            reason = _indented_after(lines, printer)
            raise PrinterUnavailable(f"printer {self.queue} is stopped" + (f": {reason}" if reason else ""))
        if any(line.startswith(f"{self.queue} not accepting") for line in lines):
            raise PrinterUnavailable(f"printer {self.queue} is not accepting jobs")

    def submit(self, pdf: bytes, title: str) -> str:
        """Hand the PDF to CUPS; the job reference is the CUPS job id (`kioskpdf-12`)."""
        self.check()
        output = self._run("lp", "-d", self.queue, "-t", title, stdin=pdf)
        match = re.search(r"request id is (\S+)", output)
        if not match:
            raise PrinterUnavailable(f"lp gave no job id: {output.strip()}")
        return match.group(1)

    def status(self, job: str) -> JobState:
        if _lists_job(self._lpstat("-o", self.queue), job):
            printer = self._lpstat("-p", self.queue)
            if f"now printing {job}." in printer:
                return JobState.PRINTING
            return JobState.STALLED if " disabled " in printer else JobState.QUEUED
        finished = self._lpstat("-l", "-W", "completed", "-o", self.queue)
        entry = _job_entry(finished, job)
        if entry is None:
            return JobState.UNKNOWN
        failed = any(reason in entry for reason in self._FAILED_REASONS)
        return JobState.FAILED if failed else JobState.DONE

    def _lpstat(self, *args: str) -> str:
        return self._run("lpstat", *args)

    def _run(self, *command: str, stdin: bytes | None = None) -> str:
        """Run a CUPS client in the C locale (its messages are translated otherwise)."""
        try:
            result = subprocess.run(
                command,
                input=stdin,
                capture_output=True,
                timeout=self.timeout,
                env={**os.environ, "LC_ALL": "C", "LANG": "C"},
                check=False,
            )
        except FileNotFoundError as error:
            raise PrinterUnavailable(f"{command[0]} is not installed (Debian package cups-client)") from error
        except subprocess.TimeoutExpired as error:
            raise PrinterUnavailable(f"{command[0]} did not answer within {self.timeout} s") from error
        if result.returncode != 0:
            message = (result.stderr or result.stdout).decode(errors="replace").strip()
            raise PrinterUnavailable(f"{' '.join(command[:3])}: {message}")
        return result.stdout.decode(errors="replace")


def _lists_job(listing: str, job: str) -> bool:
    return any(line.split(maxsplit=1)[:1] == [job] for line in listing.splitlines())


def _job_entry(listing: str, job: str) -> str | None:
    """A job's line in `lpstat -l -o` output with its indented detail lines, or None."""
    lines = listing.splitlines()
    for index, line in enumerate(lines):
        if line.split(maxsplit=1)[:1] == [job]:
            return "\n".join([line, *_indented(lines[index + 1 :])])
    return None


def _indented_after(lines: list[str], line: str) -> str:
    """The first indented line after `line` (lpstat's reason for a printer's state)."""
    following = _indented(lines[lines.index(line) + 1 :])
    return following[0].strip() if following else ""


def _indented(lines: list[str]) -> list[str]:
    detail = []
    for line in lines:
        if not line[:1].isspace():
            break
        detail.append(line)
    return detail
