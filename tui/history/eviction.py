"""Keeping a history file under its size cap: the least recently seen jobs go first.

The size is SQLite's own count, ``page_count * page_size``. Files are created with
``auto_vacuum = INCREMENTAL``, so pages freed by deletions are handed back with
``PRAGMA incremental_vacuum`` and the file really shrinks (at the next WAL checkpoint).

Eviction deletes whole jobs (item, checkpoints, events) in batches, each batch its own short
write transaction so another finetop process is never held up for long, until the file is back
under a low-water mark below the cap (so it is not trimmed again on the very next write).
"""

from __future__ import annotations

import math
import sqlite3

from tui.history.reads import store_bytes
from tui.history.transactions import write_transaction
from tui.history.writes import forget_jobs

__all__ = ["LOW_WATER", "MAX_BATCH", "MIN_BATCH", "evict_to_fit", "release_free_pages"]

LOW_WATER = 0.9
"""Eviction stops once the file is under this fraction of the cap."""
MIN_BATCH = 16
"""Fewest jobs deleted per transaction."""
MAX_BATCH = 500
"""Most jobs deleted per transaction, so one batch stays short."""


def release_free_pages(conn: sqlite3.Connection) -> None:
    """Hand the file's free pages back to the file system (outside any transaction)."""
    # Each step of this pragma frees one page and it returns no columns, so ``execute`` would
    # step it once; ``executescript`` runs it to the end.
    conn.executescript("PRAGMA incremental_vacuum;")
    # Copy the log into the file now, so the file shrinks and the log restarts small.
    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()


def evict_to_fit(conn: sqlite3.Connection, max_bytes: int) -> list[str]:
    """Delete the least recently seen jobs until the file is under ``LOW_WATER * max_bytes``.

    Does nothing while the file is within ``max_bytes``. Returns the ids deleted, oldest first.
    """
    size = store_bytes(conn)
    if size <= max_bytes:
        return []
    release_free_pages(conn)
    size = store_bytes(conn)
    target = max_bytes * LOW_WATER
    evicted: list[str] = []
    while size > target:
        with write_transaction(conn):
            (jobs,) = conn.execute("SELECT count(*) FROM jobs").fetchone()
            if jobs == 0:
                break  # nothing left to delete: the rest is the schema itself
            # As many jobs as the share of the file to free, assuming jobs of equal size.
            share = (size - target) / size
            batch = min(MAX_BATCH, max(MIN_BATCH, math.ceil(jobs * share)))
            ids = [
                job_id
                for (job_id,) in conn.execute(
                    "SELECT id FROM jobs ORDER BY last_seen, id LIMIT ?", (batch,)
                )
            ]
            forget_jobs(conn, ids)
        evicted.extend(ids)
        release_free_pages(conn)
        size = store_bytes(conn)
    return evicted
