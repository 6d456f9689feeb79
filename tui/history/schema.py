"""The history file's schema, its version and the steps that bring any older file up to date.

The version lives in ``PRAGMA user_version`` and the file's identity in ``PRAGMA application_id``
(both in the SQLite header, both written in the same transaction as the tables, so a file is
either finetop's at a known version or not finetop's at all).

A new file is built by running every step from an empty database, the same path an old file
takes, so the upgrade steps are exercised every time a file is created.

Tables (version 2):

``meta``        key/value text: ``server_url`` (no credentials), ``workspace``, ``created_at``.
``jobs``        one row per job: the list item's wire JSON (``item``), the columns the list
                sorts and evicts by (``status``, ``created_at``, ``modified_at``, ``last_seen``
                wall time, ``finished``), ``detail_final`` (the detail stored was fetched after
                the job finished: it is never fetched again), ``detail_extra`` (the wire JSON of
                what a detail adds besides checkpoints and events, e.g. classifier targets), the
                wire order of its checkpoints and events, and the summary columns (v2).
``checkpoints`` one row per (job, step), appended, never rewritten; ``body`` is its wire JSON.
``events``      one row per event, appended; keyed by (job, time, body, occurrence) so an event
                sent again is not stored twice while identical events sent together all are.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable

import attrs

from tui.api.errors import PayloadError
from tui.history.reads import details_in
from tui.history.summary import HistorySummary
from tui.history.writes import store_summary

__all__ = [
    "APPLICATION_ID",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Migration",
    "apply_migrations",
]

APPLICATION_ID = 0x46544F50
"""``PRAGMA application_id`` of every history file ("FTOP")."""


@attrs.frozen
class Migration:
    """One step of the schema: run inside the caller's write transaction."""

    version: int
    """The ``user_version`` the file has after this step."""
    description: str
    """What the step changes, for readers of this list."""
    apply: Callable[[sqlite3.Connection], None]
    """Runs the step's statements on the connection."""


def _run(statements: Iterable[str]) -> Callable[[sqlite3.Connection], None]:
    def apply(conn: sqlite3.Connection) -> None:
        for statement in statements:
            conn.execute(statement)

    return apply


_V1 = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
    """CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        modified_at INTEGER NOT NULL,
        last_seen REAL NOT NULL,
        finished INTEGER NOT NULL,
        item BLOB NOT NULL,
        detail_at REAL,
        detail_final INTEGER NOT NULL DEFAULT 0,
        detail_extra BLOB,
        checkpoints_newest_first INTEGER,
        events_newest_first INTEGER
    )""",
    "CREATE INDEX jobs_by_created ON jobs (created_at DESC, id)",
    """CREATE TABLE checkpoints (
        job_id TEXT NOT NULL,
        step INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        body BLOB NOT NULL,
        PRIMARY KEY (job_id, step)
    ) WITHOUT ROWID""",
    """CREATE TABLE events (
        job_id TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        body BLOB NOT NULL,
        occurrence INTEGER NOT NULL,
        tie INTEGER NOT NULL,
        PRIMARY KEY (job_id, created_at, body, occurrence)
    ) WITHOUT ROWID""",
)

_V2_COLUMNS = (
    "ALTER TABLE jobs ADD COLUMN last_step INTEGER",
    "ALTER TABLE jobs ADD COLUMN train_loss REAL",
    "ALTER TABLE jobs ADD COLUMN valid_step INTEGER",
    "ALTER TABLE jobs ADD COLUMN valid_loss REAL",
    "ALTER TABLE jobs ADD COLUMN perplexity REAL",
    "ALTER TABLE jobs ADD COLUMN duration REAL",
    "ALTER TABLE jobs ADD COLUMN checkpoint_count INTEGER NOT NULL DEFAULT 0",
    "CREATE INDEX jobs_by_last_seen ON jobs (last_seen)",
)


def _backfill_summaries(conn: sqlite3.Connection) -> None:
    """Version 1 kept details but no summaries: compute them from each stored detail."""
    ids = [job_id for (job_id,) in conn.execute("SELECT id FROM jobs WHERE detail_at IS NOT NULL")]
    for job_id in ids:
        try:
            details = details_in(conn, job_id)
        except PayloadError:
            continue  # left without a summary; the next fetch of the job writes one
        if details is not None:
            store_summary(conn, job_id, HistorySummary.of(details))


def _v2(conn: sqlite3.Connection) -> None:
    _run(_V2_COLUMNS)(conn)
    _backfill_summaries(conn)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "jobs, their checkpoints and events, and the meta table", _run(_V1)),
    Migration(2, "summary columns (last step, losses, duration) and the last-seen index", _v2),
)
"""Every step in order; ``MIGRATIONS[v:]`` brings a file at version ``v`` up to date."""

SCHEMA_VERSION = MIGRATIONS[-1].version
"""The version this finetop writes."""


def apply_migrations(conn: sqlite3.Connection, from_version: int) -> None:
    """Run the steps after ``from_version`` and record the new version, in the open transaction."""
    for step in MIGRATIONS[from_version:]:
        step.apply(conn)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
