"""A file written by the first version of the schema is upgraded in place, nothing lost."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from history_helpers import (
    SERVER,
    WORKSPACE,
    Warnings,
    fixture_details,
    fixture_page_items,
    open_store,
    rows,
)

from tui.api.models import JobDetails
from tui.history import HistorySummary, store_path
from tui.history.records import checkpoint_rows, event_rows, item_json, split_details
from tui.history.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

V1_SCHEMA = (
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
        job_id TEXT NOT NULL, step INTEGER NOT NULL, created_at INTEGER NOT NULL,
        body BLOB NOT NULL, PRIMARY KEY (job_id, step)
    ) WITHOUT ROWID""",
    """CREATE TABLE events (
        job_id TEXT NOT NULL, created_at INTEGER NOT NULL, body BLOB NOT NULL,
        occurrence INTEGER NOT NULL, tie INTEGER NOT NULL,
        PRIMARY KEY (job_id, created_at, body, occurrence)
    ) WITHOUT ROWID""",
)
"""The first schema, frozen here as finetop 1 wrote it (independent of the code's steps)."""

SEEN = 1_790_000_000.0


def write_v1_file(path: Path, details: list[JobDetails]) -> None:
    """A version-1 history holding the real list page and ``details``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("BEGIN IMMEDIATE")
        for statement in V1_SCHEMA:
            conn.execute(statement)
        conn.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [("server_url", SERVER), ("workspace", WORKSPACE), ("created_at", "1.0")],
        )
        for job in fixture_page_items():
            conn.execute(
                "INSERT INTO jobs (id, status, created_at, modified_at, last_seen, finished, item)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (job.id, job.status, job.created_at, job.modified_at, SEEN, job.is_terminal,
                 item_json(job)),
            )  # fmt: skip
        for one in details:
            item, extra = split_details(one)
            conn.execute(
                "INSERT INTO jobs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (one.id, one.status, one.created_at, one.modified_at, SEEN, one.is_terminal,
                 item, SEEN, one.is_terminal, extra, 1, 1),
            )  # fmt: skip
            conn.executemany(
                "INSERT INTO checkpoints VALUES (?, ?, ?, ?)",
                checkpoint_rows(one.id, one.checkpoints),
            )
            conn.executemany(
                "INSERT INTO events VALUES (?, ?, ?, ?, ?)", event_rows(one.id, one.events)
            )
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("PRAGMA user_version = 1")
        conn.execute("COMMIT")


def test_the_steps_are_numbered_in_order() -> None:
    assert [step.version for step in MIGRATIONS] == list(range(1, SCHEMA_VERSION + 1))
    assert SCHEMA_VERSION >= 2


def test_a_version_1_file_is_upgraded_with_summaries_filled_in(tmp_path: Path) -> None:
    # Both real details list checkpoints and events newest first, as the v1 rows above say.
    details = [
        fixture_details("job-detail-completion-100-steps-2024-05-docs.json"),
        fixture_details("job-detail-completion-63-steps-2024-06.json"),
    ]
    path = store_path(SERVER, WORKSPACE, tmp_path)
    write_v1_file(path, details)
    warnings = Warnings()

    store = open_store(tmp_path, warnings=warnings)

    assert warnings == []
    assert rows(path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert rows(path, "SELECT name FROM sqlite_master WHERE name = 'jobs_by_last_seen'") == [
        ("jobs_by_last_seen",)
    ]
    stored = store.load_jobs()
    assert len(stored.jobs) == len(fixture_page_items()) + len(details)
    assert set(stored.last_seen.values()) == {SEEN}
    assert stored.final_details == {one.id for one in details}
    for one in details:
        assert store.load_details(one.id) == one
        assert stored.summaries[one.id] == HistorySummary.of(one)
    assert len(stored.summaries) == len(details)


def test_an_upgraded_file_keeps_working(tmp_path: Path) -> None:
    details = fixture_details("job-detail-completion-100-steps-2024-05-docs.json")
    write_v1_file(store_path(SERVER, WORKSPACE, tmp_path), [])
    store = open_store(tmp_path)

    store.record(details=[details])
    store.close()

    reopened = open_store(tmp_path)
    assert reopened.load_details(details.id) == details
    assert reopened.load_jobs().summaries[details.id] == HistorySummary.of(details)
