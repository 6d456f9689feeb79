"""Where a history file lives and what it is called, and the private files and folders it needs.

One file per server and workspace, in finetop's user cache directory. The file name is a hash of
the normalised server URL and the workspace label, so two workspaces on one server never share a
file, and nothing readable (least of all a password in a URL) ends up in a file name. The plain
server URL, without credentials, query or fragment, is kept inside the file for ``finetop cache``.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import platformdirs

__all__ = [
    "FILE_SUFFIX",
    "companion_files",
    "create_private_file",
    "ensure_private_directory",
    "history_directory",
    "normalise_server_url",
    "store_file_name",
    "store_path",
]

FILE_SUFFIX = ".sqlite3"
"""Every history file ends with this; its ``-wal`` and ``-shm`` companions follow it."""

_DEFAULT_PORTS = {"http": 80, "https": 443}

DIRECTORY_MODE = 0o700
"""Only the user may list or enter the history directory."""
FILE_MODE = 0o600
"""Only the user may read the history files (SQLite gives ``-wal``/``-shm`` the same mode)."""


def history_directory() -> Path:
    """The folder holding every history file: ``<user cache dir>/finetop/history``."""
    return platformdirs.user_cache_path("finetop") / "history"


def normalise_server_url(url: str) -> str:
    """The server URL as one spelling: lower-case scheme and host, default port and trailing
    slash dropped, and nothing that may be a secret (user, password, query, fragment).

    ``https://user:pw@API.Mistral.ai:443/?key=x`` -> ``https://api.mistral.ai``.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:  # a malformed port is not worth failing over: it only names a file
        port = None
    netloc = host if port is None or port == _DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path.rstrip("/"), "", ""))


def store_file_name(server_url: str, workspace: str) -> str:
    """The file name for one server and workspace: a hash of both, so nothing readable leaks."""
    identity = f"{normalise_server_url(server_url)}\n{workspace}".encode()
    return hashlib.sha256(identity).hexdigest()[:32] + FILE_SUFFIX


def store_path(server_url: str, workspace: str, directory: Path | None = None) -> Path:
    """The history file for one server and workspace (in :func:`history_directory` by default)."""
    return (directory or history_directory()) / store_file_name(server_url, workspace)


def companion_files(path: Path) -> tuple[Path, Path]:
    """The write-ahead log and shared-memory index SQLite keeps next to a WAL database."""
    return path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")


def ensure_private_directory(directory: Path) -> None:
    """Create ``directory`` (and missing parents) readable by the user alone.

    Only folders created here, and the history folder itself, are narrowed to 0700: a parent
    that already existed (the user's cache directory) is left as the user set it.
    """
    missing: list[Path] = []
    for folder in (directory, *directory.parents):
        if folder.exists():
            break
        missing.append(folder)
    for folder in reversed(missing):
        folder.mkdir(mode=DIRECTORY_MODE, exist_ok=True)
    if directory.stat().st_mode & 0o777 != DIRECTORY_MODE:
        directory.chmod(DIRECTORY_MODE)


def create_private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 if it does not exist, before SQLite opens it.

    SQLite would create it with the umask's mode; creating it here first means the history is
    never readable by others, not even for a moment. An existing file is narrowed to 0600.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, FILE_MODE)
    try:
        if os.fstat(fd).st_mode & 0o777 != FILE_MODE:
            os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)
