"""Opening a history file: private folder and file, connection settings, identity and schema.

A file that is not SQLite, or SQLite that is not finetop's history for this server and workspace,
raises :class:`NotAHistoryFile`; the store then sets it aside with :func:`set_aside` (renamed to
``<name>.corrupt-<UTC time>``, with its ``-wal``/``-shm``) and builds a new one. A file written by
a newer finetop raises :class:`NewerHistoryFile` and is left untouched.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from tui.history.location import (
    companion_files,
    create_private_file,
    ensure_private_directory,
)
from tui.history.schema import APPLICATION_ID, SCHEMA_VERSION, apply_migrations
from tui.history.transactions import Fault, classify, read_snapshot, write_transaction
from tui.settings.urls import canonical_server_url

__all__ = [
    "KEPT_SET_ASIDE",
    "NewerHistoryFile",
    "NotAHistoryFile",
    "open_history_file",
    "set_aside",
]

WAL_SIZE_LIMIT = 4 * 1024 * 1024
"""Bytes the write-ahead log is cut back to after a checkpoint (``journal_size_limit``)."""

KEPT_SET_ASIDE = 2
"""Set-aside copies kept per history file; older ones are deleted so they cannot pile up."""


class NotAHistoryFile(Exception):
    """The file is not SQLite, or not finetop's history for this server and workspace."""


class NewerHistoryFile(Exception):
    """The file was written by a newer finetop (its schema version is ahead of this one's)."""


def _connect(path: Path, busy_timeout: float) -> sqlite3.Connection:
    # One connection, shared by the threads that call the store under its lock.
    return sqlite3.connect(
        path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
    )


def _configure(conn: sqlite3.Connection) -> None:
    """Write-ahead logging and incremental vacuum (the latter only takes on a new file)."""
    conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
    (mode,) = conn.execute("PRAGMA journal_mode = WAL").fetchone()
    if mode != "wal":
        raise sqlite3.OperationalError(f"cannot use write-ahead logging (mode {mode})")
    # Durable across crashes of finetop; a power cut may lose the last commits of a cache.
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute(f"PRAGMA journal_size_limit = {WAL_SIZE_LIMIT}")


def _identify(conn: sqlite3.Connection, server_url: str, workspace: str) -> int | None:
    """The schema version of this server and workspace's history, ``None`` for an empty file.

    Only reads. Raises :class:`NotAHistoryFile` or :class:`NewerHistoryFile`.
    """
    (application_id,) = conn.execute("PRAGMA application_id").fetchone()
    (version,) = conn.execute("PRAGMA user_version").fetchone()
    (objects,) = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    if application_id == 0 and objects == 0:
        return None
    if application_id != APPLICATION_ID:
        raise NotAHistoryFile("not a finetop history file")
    if version > SCHEMA_VERSION:
        raise NewerHistoryFile(f"written by a newer finetop (schema {version})")
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone() is None:
        raise NotAHistoryFile("a finetop history file without its meta table")
    meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    if (meta.get("server_url"), meta.get("workspace")) != (
        canonical_server_url(server_url),
        workspace,
    ):
        raise NotAHistoryFile("the history of another server or workspace")
    return int(version)


def _prepare(conn: sqlite3.Connection, server_url: str, workspace: str, now: float) -> None:
    """Check the file, then set it up: create the schema in a new file, upgrade an old one."""
    # Before writing anything (a foreign file stays as is), in one read snapshot: read one
    # PRAGMA at a time, another process's creation of the schema could land between them.
    with read_snapshot(conn):
        _identify(conn, server_url, workspace)
    _configure(conn)
    with write_transaction(conn):
        # Again under the write lock: another process may have created the schema meanwhile.
        version = _identify(conn, server_url, workspace)
        if version is None:
            apply_migrations(conn, 0)
            conn.executemany(
                "INSERT INTO meta (key, value) VALUES (?, ?)",
                [
                    ("server_url", canonical_server_url(server_url)),
                    ("workspace", workspace),
                    ("created_at", repr(now)),
                ],
            )
        elif version < SCHEMA_VERSION:
            apply_migrations(conn, version)


def open_history_file(
    path: Path, *, server_url: str, workspace: str, busy_timeout: float, now: float
) -> sqlite3.Connection:
    """A ready connection to the history file at ``path``, created (0600, folder 0700) if new.

    Raises :class:`NotAHistoryFile` (damaged or foreign), :class:`NewerHistoryFile`,
    ``sqlite3.Error`` or ``OSError`` (no space, no permission).
    """
    ensure_private_directory(path.parent)
    create_private_file(path)
    conn = _connect(path, busy_timeout)
    try:
        _prepare(conn, server_url, workspace, now)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise _damaged(exc) from None
    except BaseException:
        conn.close()
        raise
    return conn


def _damaged(exc: sqlite3.DatabaseError) -> Exception:
    """``NotAHistoryFile`` when SQLite says the file is not a database or is corrupt."""
    if classify(exc) is Fault.DAMAGED:
        return NotAHistoryFile(str(exc))
    return exc


def set_aside(path: Path, now: float) -> Path:
    """Rename a damaged or foreign file (and its ``-wal``/``-shm``) out of the way.

    Returns the new name, ``<name>.corrupt-<UTC time>``. Only the newest
    :data:`KEPT_SET_ASIDE` set-aside copies of a file are kept.
    """
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now))
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    counter = 1
    while target.exists():
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{counter}")
        counter += 1
    path.rename(target)
    for companion, moved in zip(companion_files(path), companion_files(target), strict=True):
        if companion.exists():
            companion.rename(moved)
    _prune_set_aside(path)
    return target


def _prune_set_aside(path: Path) -> None:
    # The names carry the UTC time they were set aside at, so they sort oldest first.
    copies = sorted(
        p
        for p in path.parent.glob(f"{path.name}.corrupt-*")
        if not p.name.endswith(("-wal", "-shm"))
    )
    for old in copies[:-KEPT_SET_ASIDE]:
        for file in (old, *companion_files(old)):
            file.unlink(missing_ok=True)
