"""Secrets generated on first use into files (the session key, the station's signing key)."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path


def create_once(path: Path, make: Callable[[], bytes]) -> bytes:
    """The content of `path`, made by `make()` and written (0600) when the file does not exist.

    Written aside and linked into place: processes and threads creating it at the same moment
    agree on one content, and none reads a half-written file.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(make())
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process was first: its content wins
        finally:
            draft.unlink()
    return path.read_bytes()
