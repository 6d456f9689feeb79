"""When the disk says no: a read-only folder, a full disk, a file kept busy by another process."""

from __future__ import annotations

import os
import pickle
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any, TypeVar

import attrs
import pytest
from history_helpers import (
    Warnings,
    fixture_details,
    fixture_page_items,
    open_store,
    rows,
)

from tui.history import HistoryStore, StoredJobs

T = TypeVar("T")
NOBODY = 65534


def assert_degraded(store: HistoryStore, warnings: Warnings) -> None:
    """Every public method answers empty and raises nothing; no further warning is given."""
    before = list(warnings)
    details = fixture_details("job-detail-completion-63-steps-2024-06.json")
    store.record(items=fixture_page_items(), details=[details], seen=["x"])
    store.forget([details.id])
    store.clear()
    assert store.load_jobs() == StoredJobs()
    assert store.load_details(details.id) is None
    assert store.final_detail_ids() == frozenset()
    info = store.info()
    assert not info.enabled
    assert (info.size_bytes, info.counts.jobs) == (0, 0)
    assert info.warning == warnings[-1]
    assert not store.enabled
    assert warnings == before


def as_unprivileged_user(work: Callable[[], T]) -> T:
    """Run ``work`` as a user without root's power to write anywhere.

    As root a read-only folder is writable all the same, so the work runs in a forked child
    that dropped to ``nobody``; its result (or its failure) comes back through a pipe.
    """
    if os.geteuid() != 0:
        return work()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: everything it needs is imported already
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            payload = pickle.dumps(("ok", work()))
        except BaseException as exc:
            payload = pickle.dumps(("failed", f"{type(exc).__name__}: {exc}"))
        with os.fdopen(write_end, "wb") as out:
            out.write(payload)
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as inp:
        data = inp.read()
    os.waitpid(pid, 0)
    outcome, value = pickle.loads(data)
    if outcome != "ok":
        pytest.fail(f"in the unprivileged child: {value}")
    return value  # type: ignore[no-any-return]


@pytest.fixture
def read_only_folder() -> Iterator[Path]:
    """A folder nobody may write to, inside one everybody may enter (for the ``nobody`` child)."""
    with tempfile.TemporaryDirectory() as base:
        os.chmod(base, 0o755)
        folder = Path(base) / "history"
        folder.mkdir()
        folder.chmod(0o555)
        try:
            yield folder
        finally:
            folder.chmod(0o755)


def open_and_use(folder: Path) -> tuple[bool, list[str]]:
    """Open a store in ``folder`` and use every method: whether it opened, and its warnings."""
    warnings = Warnings()
    store = open_store(folder, warnings=warnings)
    enabled = store.enabled
    assert_degraded(store, warnings)
    return enabled, list(warnings)


def test_a_read_only_folder_means_running_without_the_store(read_only_folder: Path) -> None:
    enabled, warnings = as_unprivileged_user(lambda: open_and_use(read_only_folder))

    assert not enabled
    assert len(warnings) == 1
    assert "running without the local history" in warnings[0]
    assert "Permission denied" in warnings[0]
    assert "\n" not in warnings[0]
    assert list(read_only_folder.iterdir()) == []


@pytest.fixture
def tiny_disk(monkeypatch: pytest.MonkeyPatch) -> int:
    """Every SQLite connection may grow its file to 40 pages: the disk is full beyond."""
    pages = 40
    connect = sqlite3.connect

    def connect_to_a_small_disk(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = connect(*args, **kwargs)
        conn.execute(f"PRAGMA max_page_count = {pages}")
        return conn

    monkeypatch.setattr(sqlite3, "connect", connect_to_a_small_disk)
    return pages


def test_a_full_disk_disables_the_store_and_keeps_what_was_written(
    tmp_path: Path, tiny_disk: int
) -> None:
    warnings = Warnings()
    store = open_store(tmp_path, warnings=warnings)
    details = fixture_details("job-detail-completion-pixtral-69-steps-2025-07.json")
    written = 0
    while store.enabled:
        store.record(details=[attrs.evolve(details, id=f"job-{written}")])
        written += 1
        assert written < 500, "the disk never filled"

    assert len(warnings) == 1
    assert "database or disk is full" in warnings[0]
    assert_degraded(store, warnings)
    # The failed batch was rolled back; every batch before it is intact.
    assert rows(store.path, "SELECT count(*) FROM jobs") == [(written - 1,)]
    assert rows(store.path, "PRAGMA integrity_check") == [("ok",)]


def test_a_file_kept_busy_skips_one_update_with_one_warning(tmp_path: Path) -> None:
    warnings = Warnings()
    store = open_store(tmp_path, warnings=warnings, busy_timeout=0.05)
    items = fixture_page_items()
    store.record(items=items[:1])

    with closing(sqlite3.connect(store.path, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")  # another process writing, for longer than the timeout
        store.record(items=items[1:2])
        store.record(items=items[2:3])
        assert store.load_jobs().jobs == items[:1]  # reading is not blocked in WAL mode
        other.execute("ROLLBACK")

    assert len(warnings) == 1
    assert "busy" in warnings[0]
    assert store.enabled
    store.record(items=items[1:3])
    assert {job.id for job in store.load_jobs().jobs} == {job.id for job in items[:3]}


def test_a_folder_made_read_only_after_use_means_running_without_the_store(
    read_only_folder: Path,
) -> None:
    read_only_folder.chmod(0o755)
    first = open_store(read_only_folder)
    first.record(items=fixture_page_items())
    first.close()
    if os.geteuid() == 0:  # the unprivileged child must own what a user would own
        for path in (read_only_folder, *read_only_folder.iterdir()):
            os.chown(path, NOBODY, NOBODY)
    read_only_folder.chmod(0o555)

    enabled, warnings = as_unprivileged_user(lambda: open_and_use(read_only_folder))

    assert not enabled
    assert len(warnings) == 1
    assert "running without the local history" in warnings[0]
