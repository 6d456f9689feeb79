"""Where a history file lives and what it is called, and the private files and folders it needs.

One file per server and workspace, in finetop's user cache directory. The file name is a hash of
the normalised server URL and the workspace label, so two workspaces on one server never share a
file, and nothing readable (least of all a password in a URL) ends up in a file name. The plain
server URL, without credentials, query or fragment, is kept inside the file for ``finetop cache``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from pathlib import Path

import platformdirs

from tui.settings.private import FILE_MODE, ensure_private_directory
from tui.settings.urls import canonical_server_url

__all__ = [
    "FILE_SUFFIX",
    "companion_files",
    "create_private_file",
    "ensure_private_directory",
    "history_directory",
    "history_files",
    "remove_history_files",
    "store_file_name",
    "store_path",
]

FILE_SUFFIX = ".sqlite3"
"""Every history file ends with this; its ``-wal`` and ``-shm`` companions follow it."""


def history_directory() -> Path:
    """The folder holding every history file: ``<user cache dir>/finetop/history``."""
    return platformdirs.user_cache_path("finetop") / "history"


def store_file_name(server_url: str, workspace: str) -> str:
    """The file name for one server and workspace: a hash of both, so nothing readable leaks."""
    identity = f"{canonical_server_url(server_url)}\n{workspace}".encode()
    return hashlib.sha256(identity).hexdigest()[:32] + FILE_SUFFIX


def store_path(server_url: str, workspace: str, directory: Path | None = None) -> Path:
    """The history file for one server and workspace (in :func:`history_directory` by default)."""
    return (directory or history_directory()) / store_file_name(server_url, workspace)


def companion_files(path: Path) -> tuple[Path, Path]:
    """The write-ahead log and shared-memory index SQLite keeps next to a WAL database."""
    return path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")


def history_files(directory: Path | None = None) -> list[Path]:
    """Every history database in ``directory`` (the default folder if ``None``), by name.

    Set-aside copies and ``-wal``/``-shm`` companions are not listed.
    """
    folder = directory or history_directory()
    if not folder.is_dir():
        return []
    return sorted(folder.glob(f"*{FILE_SUFFIX}"))


def remove_history_files(path: Path) -> list[Path]:
    """Delete a history file with its ``-wal``/``-shm`` and its set-aside copies.

    For ``finetop cache`` when the store cannot be opened (a newer finetop's file, say); a
    store that opens is emptied with ``HistoryStore.clear()`` instead, which is safe while
    another finetop has the file open. Returns the files deleted.
    """
    copies = sorted(path.parent.glob(f"{path.name}.corrupt-*"))
    removed = []
    for file in (path, *companion_files(path), *copies):
        with contextlib.suppress(FileNotFoundError):
            file.unlink()
            removed.append(file)
    return removed


def create_private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 if it does not exist, before SQLite opens it.

    SQLite would create it with the umask's mode; creating it here first means the history is
    never readable by others, not even for a moment. An existing file loses any group and
    other permissions.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, FILE_MODE)
    try:
        current = stat.S_IMODE(os.fstat(fd).st_mode)
        if current & 0o077:
            os.fchmod(fd, current & FILE_MODE)
    finally:
        os.close(fd)
