"""What the fault tests share: a small real filesystem that can be filled, and a hook that
runs a fault at an exact statement of a request."""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

BALLAST = "ballast.bin"


@contextmanager
def small_filesystem(path: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` mounted at `path` (made if missing): a disk that really fills up.
    Needs root (CI runs as root); elsewhere the test is skipped."""
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a small filesystem needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(path)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield path
    finally:
        if subprocess.run(["umount", str(path)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "--lazy", str(path)], check=True)  # a descriptor still open somewhere


def fill(folder: Path, leave: int = 0) -> Path:
    """Fill the filesystem of `folder` with a ballast file, then give back about `leave` bytes
    (whole pages); returns the ballast, whose removal frees the space."""
    ballast = folder / BALLAST
    chunk = b"\0" * 65536
    with open(ballast, "wb", buffering=0) as handle:
        while chunk:
            try:
                handle.write(chunk)
            except OSError as error:
                if error.errno != errno.ENOSPC:
                    raise
                chunk = chunk[: len(chunk) // 2]  # the last pages, in smaller pieces
    if leave:
        os.truncate(ballast, max(0, ballast.stat().st_size - leave))
    return ballast


@contextmanager
def at_statement(engine: Engine, prefix: str, fault: Callable[[], None]) -> Iterator[list[str]]:
    """Run `fault` once, just before the first statement on `engine` that starts with `prefix`
    (the moment is the application's own, no product code involved); yields the statements
    that triggered it, for the test to check the fault really happened."""
    fired: list[str] = []

    def before(_connection, _cursor, statement, _parameters, _context, _many):
        if not fired and statement.lstrip().upper().startswith(prefix.upper()):
            fired.append(statement)
            fault()

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield fired
    finally:
        event.remove(engine, "before_cursor_execute", before)
