"""The queries that read the history back: every list item at start-up, one job's detail, counts."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from pathlib import Path

import attrs

from tui.api.convert import parse_job_list_item
from tui.api.errors import PayloadError
from tui.api.models import Job, JobDetails
from tui.history.location import companion_files
from tui.history.records import assemble_details, parse_items
from tui.history.summary import SUMMARY_COLUMNS, HistorySummary
from tui.history.transactions import read_snapshot

__all__ = [
    "StoreCounts",
    "StoredJobs",
    "count_rows",
    "details_in",
    "files_bytes",
    "load_details",
    "load_jobs",
    "store_bytes",
]


@attrs.frozen
class StoredJobs:
    """Everything the job list needs at start-up, read in one query."""

    jobs: tuple[Job, ...] = ()
    """Every stored list item, newest first (``created_at``, then id)."""
    summaries: Mapping[str, HistorySummary] = attrs.field(factory=dict)
    """Last step, losses and duration of the jobs that have any (by id)."""
    final_details: frozenset[str] = frozenset()
    """Ids of the finished jobs whose final detail is stored: never fetch those again."""
    last_seen: Mapping[str, float] = attrs.field(factory=dict)
    """Wall time each job was last listed or fetched (by id)."""
    unreadable: int = 0
    """Stored items that no longer parse (left out)."""


_LOAD_JOBS = (
    f"SELECT id, item, last_seen, detail_final, {', '.join(SUMMARY_COLUMNS)}"
    " FROM jobs ORDER BY created_at DESC, id"
)
_SUMMARY_START = 4
"""Where the summary columns begin in a row of ``_LOAD_JOBS``."""


_NO_SUMMARY = HistorySummary().columns()
"""The summary columns of a job only ever listed."""


def load_jobs(conn: sqlite3.Connection) -> StoredJobs:
    """Every stored job, parsed like one page from the API."""
    rows = conn.execute(_LOAD_JOBS).fetchall()
    try:
        jobs = parse_items([row[1] for row in rows]).data
    except PayloadError:  # one bad row must not hide the others: parse them one by one
        readable: list[Job] = []
        for row in rows:
            try:
                readable.append(parse_job_list_item(row[1]))
            except PayloadError:
                continue
        jobs = tuple(readable)
        kept = {job.id for job in jobs}
        unreadable = len(rows) - len(jobs)
        rows = [row for row in rows if row[0] in kept]
    else:
        unreadable = 0
    summaries = {
        row[0]: HistorySummary.from_row(row[_SUMMARY_START:])
        for row in rows
        if row[_SUMMARY_START:] != _NO_SUMMARY
    }
    return StoredJobs(
        jobs=jobs,
        summaries=summaries,
        final_details=frozenset(row[0] for row in rows if row[3]),
        last_seen={row[0]: row[2] for row in rows},
        unreadable=unreadable,
    )


def load_details(conn: sqlite3.Connection, job_id: str) -> JobDetails | None:
    """One job's stored detail, or ``None`` if none was stored (read in one snapshot).

    Raises :class:`~tui.api.errors.PayloadError` if a stored part no longer parses.
    """
    with read_snapshot(conn):
        return details_in(conn, job_id)


def details_in(conn: sqlite3.Connection, job_id: str) -> JobDetails | None:
    """:func:`load_details` inside a transaction the caller holds (a migration's, say)."""
    row = conn.execute(
        "SELECT item, detail_extra, checkpoints_newest_first, events_newest_first"
        " FROM jobs WHERE id = ? AND detail_at IS NOT NULL",
        (job_id,),
    ).fetchone()
    if row is None:
        return None
    item, extra, checkpoints_newest_first, events_newest_first = row
    checkpoints = [
        body
        for (body,) in conn.execute(
            "SELECT body FROM checkpoints WHERE job_id = ? ORDER BY step", (job_id,)
        )
    ]
    events = [
        body
        for (body,) in conn.execute(
            "SELECT body FROM events WHERE job_id = ? ORDER BY created_at, tie", (job_id,)
        )
    ]
    # The API sends checkpoints newest first; that is assumed when no payload told.
    if checkpoints_newest_first is None or checkpoints_newest_first:
        checkpoints.reverse()
    if events_newest_first:
        events.reverse()
    return assemble_details(item, extra, checkpoints, events)


@attrs.frozen
class StoreCounts:
    """What a history file holds."""

    jobs: int = 0
    """Jobs stored (list items)."""
    finished_details: int = 0
    """Finished jobs whose final detail is stored."""
    checkpoints: int = 0
    """Checkpoint rows."""
    events: int = 0
    """Event rows."""
    oldest_seen: float | None = None
    """Wall time of the least recently seen job."""
    newest_seen: float | None = None
    """Wall time of the most recently seen job."""


def count_rows(conn: sqlite3.Connection) -> StoreCounts:
    """Counts of every kind of row, in one snapshot."""
    with read_snapshot(conn):
        jobs, finished, oldest, newest = conn.execute(
            "SELECT count(*), coalesce(sum(detail_final), 0), min(last_seen), max(last_seen)"
            " FROM jobs"
        ).fetchone()
        (checkpoints,) = conn.execute("SELECT count(*) FROM checkpoints").fetchone()
        (events,) = conn.execute("SELECT count(*) FROM events").fetchone()
    return StoreCounts(jobs, finished, checkpoints, events, oldest, newest)


def store_bytes(conn: sqlite3.Connection) -> int:
    """The database's size as SQLite counts it: ``page_count * page_size``."""
    (pages,) = conn.execute("PRAGMA page_count").fetchone()
    (page_size,) = conn.execute("PRAGMA page_size").fetchone()
    return int(pages) * int(page_size)


def files_bytes(path: Path) -> int:
    """Bytes on disk of the database and its ``-wal``/``-shm`` files."""
    return sum(p.stat().st_size for p in (path, *companion_files(path)) if p.exists())
