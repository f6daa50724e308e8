"""Private files: the instance folder holds personal data (the database, photos, prints, messages,
keys), so its folders are made 0700 and its files 0600, whatever the process's umask; and secrets
generated on first use into files (the session key, the station's signing key)."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600


def private_folder(path: Path) -> Path:
    """`path`, made (with any missing parents) for this user only when it does not exist."""
    if not path.is_dir():
        private_folder(path.parent)
        path.mkdir(mode=PRIVATE_FOLDER, exist_ok=True)
    return path


def open_private(path: Path, mode: str = "wb", **kwargs: Any) -> IO[Any]:
    """`open(path, mode)`; a file it creates is readable by this user only."""
    return open(path, mode, opener=lambda name, flags: os.open(name, flags, PRIVATE_FILE), **kwargs)


def create_once(path: Path, make: Callable[[], bytes]) -> bytes:
    """The content of `path`, made by `make()` and written (0600) when the file does not exist.

    Written aside and linked into place: processes and threads creating it at the same moment
    agree on one content, and none reads a half-written file.
    """
    if not path.exists():
        private_folder(path.parent)
        draft = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
        with open_private(draft) as handle:
            handle.write(make())
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process was first: its content wins
        finally:
            draft.unlink()
    return path.read_bytes()
