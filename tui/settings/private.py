"""Folders and files for the user alone: created 0700 / 0600, replaced atomically.

The history, the UI state file and the screenshots folder all hold things about the user's
workspaces, so none of them is ever readable by others, not even for a moment.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

__all__ = [
    "DIRECTORY_MODE",
    "FILE_MODE",
    "ensure_private_directory",
    "replace_private_file",
]

DIRECTORY_MODE = 0o700
"""Only the user may list or enter the folder."""
FILE_MODE = 0o600
"""Only the user may read or write the file."""


def ensure_private_directory(directory: Path) -> None:
    """Create ``directory`` (and missing parents) for the user alone (0700).

    An existing folder loses any group and other permissions, and gains none: a folder the user
    made read-only stays read-only. Parents that existed (the user's cache directory) are left as
    they are.
    """
    missing: list[Path] = []
    for folder in (directory, *directory.parents):
        if folder.exists():
            break
        missing.append(folder)
    for folder in reversed(missing):
        folder.mkdir(mode=DIRECTORY_MODE, exist_ok=True)
    current = stat.S_IMODE(directory.stat().st_mode)
    if current & 0o077:
        # Only the owner may narrow it; someone else's folder is used as it is (the files in
        # it are private all the same).
        with contextlib.suppress(PermissionError):
            directory.chmod(current & DIRECTORY_MODE)


def replace_private_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically, mode 0600: a temporary file in the same folder,
    flushed to disk, then renamed over ``path``. A reader sees the old file or the new one,
    never half of one; a crash leaves at worst a stray temporary file. Raises ``OSError``."""
    ensure_private_directory(path.parent)
    # mkstemp creates the file 0600 whatever the umask.
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
