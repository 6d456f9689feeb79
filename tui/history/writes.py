"""The statements that record jobs, append checkpoints and events, and forget jobs.

Each function runs inside the caller's write transaction. Checkpoints and events are appended:
only rows the file does not hold yet are written, existing ones are never rewritten.

A job row is rewritten only when something in it changed, or when its last-seen time is more
than :data:`SEEN_RESOLUTION` old: a workspace of 10,000 unchanged jobs listed every 30 s then
costs a lookup per job, not 10,000 rewritten rows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

import attrs

from tui.api.models import Job, JobDetails
from tui.history.records import (
    checkpoint_rows,
    event_rows,
    item_json,
    newest_first,
    split_details,
)
from tui.history.summary import SUMMARY_COLUMNS, HistorySummary

__all__ = [
    "SEEN_RESOLUTION",
    "forget_jobs",
    "mark_seen",
    "record_details",
    "record_items",
    "store_summary",
]

SEEN_RESOLUTION = 600.0
"""Seconds within which a job seen again keeps its stored last-seen time (eviction only needs
to tell jobs seen today from jobs not seen for days)."""

_ITEM_COLUMNS = "id, status, created_at, modified_at, last_seen, finished, item"
_SET_ITEM = """
    status = excluded.status,
    created_at = excluded.created_at,
    modified_at = excluded.modified_at,
    last_seen = max(jobs.last_seen, excluded.last_seen),
    finished = excluded.finished,
    item = excluded.item"""
"""What a list item and a detail both update in a stored job row."""

_UPSERT_ITEM = f"""
INSERT INTO jobs ({_ITEM_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET {_SET_ITEM},
    -- a stored final detail stops being final if the job's status moved on
    detail_final = jobs.detail_final AND jobs.status = excluded.status
WHERE jobs.item IS NOT excluded.item
    OR jobs.last_seen < excluded.last_seen - {SEEN_RESOLUTION}
"""

_UPSERT_DETAIL = f"""
INSERT INTO jobs (
    {_ITEM_COLUMNS},
    detail_at, detail_final, detail_extra, checkpoints_newest_first, events_newest_first
)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET {_SET_ITEM},
    detail_at = excluded.detail_at,
    detail_final = excluded.detail_final,
    detail_extra = excluded.detail_extra,
    -- an order is known only from a list of two or more: otherwise the stored one stays
    checkpoints_newest_first =
        coalesce(excluded.checkpoints_newest_first, jobs.checkpoints_newest_first),
    events_newest_first = coalesce(excluded.events_newest_first, jobs.events_newest_first)
"""

_SUMMARY_SELECT = f"SELECT {', '.join(SUMMARY_COLUMNS)} FROM jobs WHERE id = ?"
_SUMMARY_UPDATE = f"UPDATE jobs SET {', '.join(f'{c} = ?' for c in SUMMARY_COLUMNS)} WHERE id = ?"


def _job_columns(job: Job, now: float) -> tuple[str, str, int, int, float, bool]:
    return (job.id, job.status, job.created_at, job.modified_at, now, job.is_terminal)


def record_items(conn: sqlite3.Connection, items: Iterable[Job], now: float) -> None:
    """Insert or update list items, seen at wall time ``now``."""
    conn.executemany(_UPSERT_ITEM, [(*_job_columns(job, now), item_json(job)) for job in items])


def mark_seen(conn: sqlite3.Connection, job_ids: Iterable[str], now: float) -> None:
    """Note that jobs already stored were listed again (eviction goes by this time)."""
    conn.executemany(
        "UPDATE jobs SET last_seen = ? WHERE id = ? AND last_seen < ?",
        [(now, job_id, now - SEEN_RESOLUTION) for job_id in job_ids],
    )


def record_details(conn: sqlite3.Connection, details: JobDetails, now: float) -> None:
    """Store a detail: its job row, the checkpoints and events not held yet, its summary."""
    item, extra = split_details(details)
    checkpoints_order = newest_first([c.step_number for c in details.checkpoints])
    events_order = newest_first([e.created_at for e in details.events])
    conn.execute(
        _UPSERT_DETAIL,
        (
            *_job_columns(details, now),
            item,
            now,
            details.is_terminal,
            extra,
            checkpoints_order,
            events_order,
        ),
    )
    stored = conn.execute("SELECT step FROM checkpoints WHERE job_id = ?", (details.id,))
    stored_steps = {step for (step,) in stored}
    # Only the checkpoints not held yet are serialised: a running job resends all of them.
    fresh = tuple(c for c in details.checkpoints if c.step_number not in stored_steps)
    new_rows = checkpoint_rows(details.id, fresh)
    conn.executemany("INSERT INTO checkpoints VALUES (?, ?, ?, ?)", new_rows)
    events = event_rows(details.id, details.events)
    conn.executemany("INSERT OR IGNORE INTO events VALUES (?, ?, ?, ?, ?)", events)
    # The stored summary covers the stored checkpoints; the fresh ones (and the events, for
    # the duration) are merged into it.
    before = HistorySummary.from_row(conn.execute(_SUMMARY_SELECT, (details.id,)).fetchone())
    summary = before.merged(
        HistorySummary.of(attrs.evolve(details, checkpoints=fresh)),
        checkpoint_count=before.checkpoint_count + len(new_rows),
    )
    store_summary(conn, details.id, summary)


def store_summary(conn: sqlite3.Connection, job_id: str, summary: HistorySummary) -> None:
    """Write a job's summary columns."""
    conn.execute(_SUMMARY_UPDATE, (*summary.columns(), job_id))


def forget_jobs(conn: sqlite3.Connection, job_ids: Sequence[str]) -> int:
    """Delete jobs with their checkpoints and events; returns how many jobs were stored."""
    params = [(job_id,) for job_id in job_ids]
    conn.executemany("DELETE FROM checkpoints WHERE job_id = ?", params)
    conn.executemany("DELETE FROM events WHERE job_id = ?", params)
    before = conn.total_changes
    conn.executemany("DELETE FROM jobs WHERE id = ?", params)
    return conn.total_changes - before
