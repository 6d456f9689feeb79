"""Damaged, foreign and newer files: set aside and rebuilt, or left alone and skipped."""

from __future__ import annotations

import shutil
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

from tui.api.clock import ManualClock
from tui.history import HistoryStore, store_path
from tui.history.opening import KEPT_SET_ASIDE
from tui.history.schema import SCHEMA_VERSION


def set_aside_copies(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.name.split(".")[-1].startswith("corrupt-"))


def assert_rebuilt(store: HistoryStore, warnings: Warnings, original: bytes) -> None:
    """The file was set aside with a one-line warning, and a working store took its place."""
    copies = set_aside_copies(store.path.parent)
    assert [copy.read_bytes() for copy in copies] == [original]
    assert copies[0].name.startswith(store.path.name + ".corrupt-")
    assert len(warnings) == 1
    assert "\n" not in warnings[0]
    assert copies[0].name in warnings[0]
    assert store.enabled
    details = fixture_details("job-detail-completion-63-steps-2024-06.json")
    store.record(details=[details])
    assert store.load_details(details.id) == details


def plant(directory: Path, content: bytes) -> Path:
    path = store_path(SERVER, WORKSPACE, directory)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def sqlite_file(path: Path, *statements: str) -> bytes:
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        for statement in statements:
            conn.execute(statement)
    return path.read_bytes()


def test_a_file_that_is_not_sqlite_is_set_aside(tmp_path: Path) -> None:
    garbage = b"this is not a database\n" * 200
    plant(tmp_path, garbage)
    warnings = Warnings()

    store = open_store(tmp_path, warnings=warnings)

    assert_rebuilt(store, warnings, garbage)


def test_a_foreign_sqlite_database_is_set_aside(tmp_path: Path) -> None:
    path = store_path(SERVER, WORKSPACE, tmp_path)
    foreign = sqlite_file(path, "CREATE TABLE notes (text TEXT)", "INSERT INTO notes VALUES ('hi')")
    warnings = Warnings()

    store = open_store(tmp_path, warnings=warnings)

    assert_rebuilt(store, warnings, foreign)
    assert "not a finetop history file" in warnings[0]


def test_sqlite_with_another_application_id_is_set_aside(tmp_path: Path) -> None:
    path = store_path(SERVER, WORKSPACE, tmp_path)
    foreign = sqlite_file(path, "PRAGMA application_id = 42", "CREATE TABLE t (x)")
    warnings = Warnings()

    assert_rebuilt(open_store(tmp_path, warnings=warnings), warnings, foreign)


def test_our_id_without_the_meta_table_is_set_aside(tmp_path: Path) -> None:
    path = store_path(SERVER, WORKSPACE, tmp_path)
    stripped = sqlite_file(
        path,
        "PRAGMA application_id = 1179930448",  # finetop's ("FTOP")
        f"PRAGMA user_version = {SCHEMA_VERSION}",
        "CREATE TABLE jobs (id TEXT)",
    )
    warnings = Warnings()

    assert_rebuilt(open_store(tmp_path, warnings=warnings), warnings, stripped)


def test_the_history_of_another_workspace_is_not_mixed_in(tmp_path: Path) -> None:
    other = open_store(tmp_path / "other", workspace="Home")
    other.record(items=fixture_page_items()[:2])
    other.close()
    # A file copied (or hashed) to this workspace's name.
    path = store_path(SERVER, WORKSPACE, tmp_path)
    shutil.copy(other.path, path)
    original = path.read_bytes()
    warnings = Warnings()

    store = open_store(tmp_path, warnings=warnings)

    assert_rebuilt(store, warnings, original)
    assert "another server or workspace" in warnings[0]
    # Only what this store recorded (in assert_rebuilt), none of the other workspace's jobs.
    recorded = fixture_details("job-detail-completion-63-steps-2024-06.json")
    assert [job.id for job in store.load_jobs().jobs] == [recorded.id]


def test_damage_found_while_running_sets_the_file_aside(tmp_path: Path) -> None:
    warnings = Warnings()
    store = open_store(tmp_path, warnings=warnings)
    store.record(items=fixture_page_items())
    # Wreck the jobs table's root page behind the store's back, then let another connection
    # write, so the store's page cache is refreshed from the file.
    with closing(sqlite3.connect(store.path, isolation_level=None)) as other:
        other.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        (root,) = other.execute("SELECT rootpage FROM sqlite_master WHERE name = 'jobs'").fetchone()
        (page_size,) = other.execute("PRAGMA page_size").fetchone()
        with store.path.open("r+b") as file:
            file.seek((root - 1) * page_size)
            file.write(b"\xff" * page_size)
        other.execute("INSERT INTO meta VALUES ('poke', '1')")

    assert store.load_jobs().jobs == ()  # the damaged read gives the empty result...

    assert len(set_aside_copies(tmp_path)) == 1  # ... and the file was set aside
    assert len(warnings) == 1
    assert "malformed" in warnings[0]
    assert store.enabled
    store.record(items=fixture_page_items()[:1])
    assert len(store.load_jobs().jobs) == 1


def test_only_the_newest_set_aside_copies_are_kept(tmp_path: Path) -> None:
    clock = ManualClock(1_800_000_000.0)
    for round_ in range(KEPT_SET_ASIDE + 2):
        plant(tmp_path, b"garbage %d" % round_)
        open_store(tmp_path, clock=clock).close()
        clock.advance(3600)

    copies = set_aside_copies(tmp_path)
    assert [copy.read_bytes() for copy in copies] == [
        b"garbage %d" % round_ for round_ in range(2, KEPT_SET_ASIDE + 2)
    ]


def test_a_file_from_a_newer_finetop_is_left_alone(tmp_path: Path) -> None:
    first = open_store(tmp_path)
    first.record(items=fixture_page_items()[:3])
    first.close()
    with closing(sqlite3.connect(first.path, isolation_level=None)) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    warnings = Warnings()

    store = open_store(tmp_path, warnings=warnings)

    assert not store.enabled
    assert len(warnings) == 1
    assert "newer finetop" in warnings[0]
    assert set_aside_copies(tmp_path) == []
    assert rows(first.path, "PRAGMA user_version") == [(SCHEMA_VERSION + 1,)]
    assert rows(first.path, "SELECT count(*) FROM jobs") == [(3,)]


def test_an_empty_file_is_simply_used(tmp_path: Path) -> None:
    # An empty file is what a crash right after creating it leaves: nothing to set aside.
    plant(tmp_path, b"")
    warnings = Warnings()

    store = open_store(tmp_path, warnings=warnings)

    assert store.enabled
    assert warnings == []
    assert set_aside_copies(tmp_path) == []


def test_rows_that_no_longer_parse_are_left_out_with_a_warning(tmp_path: Path) -> None:
    warnings = Warnings()
    store = open_store(tmp_path, warnings=warnings)
    details = fixture_details("job-detail-completion-100-steps-2024-05-docs.json")
    store.record(items=fixture_page_items(), details=[details])
    broken = fixture_page_items()[0].id
    with closing(sqlite3.connect(store.path, isolation_level=None)) as other:
        other.execute("UPDATE jobs SET item = ? WHERE id = ?", (b'{"id": 5}', broken))
        other.execute("UPDATE checkpoints SET body = ? WHERE job_id = ?", (b"[]", details.id))

    stored = store.load_jobs()

    assert {job.id for job in stored.jobs} == {
        job.id for job in (*fixture_page_items()[1:], details)
    }
    assert stored.unreadable == 1
    assert broken not in stored.last_seen
    assert store.load_details(details.id) is None
    assert len(warnings) == 2
    assert "1 stored jobs no longer parse" in warnings[0]
    assert "detail" in warnings[1]
    assert store.enabled
