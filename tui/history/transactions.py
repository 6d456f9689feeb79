"""Short transactions on a history connection, and what an SQLite error means for the store.

The connection runs in autocommit mode (``isolation_level=None``) so every transaction is
explicit: writes take the write lock up front (``BEGIN IMMEDIATE``, waiting up to the busy
timeout for another finetop process), so two processes never deadlock upgrading a read to a
write; a multi-statement read runs in one deferred transaction to see one snapshot.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum

__all__ = ["Fault", "classify", "read_snapshot", "write_transaction"]


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``; rolled back if the block raises."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:  # SQLite may already have rolled back (e.g. on a full disk)
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


@contextmanager
def read_snapshot(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A deferred transaction, so several ``SELECT`` see the same state of the file."""
    conn.execute("BEGIN")
    try:
        yield conn
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")


class Fault(Enum):
    """What an error means for the store."""

    BUSY = "busy"
    """Another process held the file past the busy timeout: skip this call, keep the store."""
    DAMAGED = "damaged"
    """The file is not a (sound) SQLite database: set it aside and start a new one."""
    FATAL = "fatal"
    """Full disk, read-only file or directory, I/O error: run without the store."""


_BUSY_CODES = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})
_DAMAGED_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})


def classify(exc: BaseException) -> Fault:
    """The :class:`Fault` an exception raised by a store operation stands for."""
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        primary = code & 0xFF  # extended codes carry the primary code in the low byte
        if primary in _BUSY_CODES:
            return Fault.BUSY
        if primary in _DAMAGED_CODES:
            return Fault.DAMAGED
    return Fault.FATAL
