"""The size cap: the least recently seen jobs go first, whole, and the file really shrinks."""

from __future__ import annotations

from pathlib import Path

import attrs
from history_helpers import fixture_details, open_store, rows

from tui.api.clock import ManualClock
from tui.api.models import JobDetails
from tui.history import HistoryStore
from tui.history.eviction import LOW_WATER

CAP = 512 * 1024


def job(number: int) -> JobDetails:
    """A finished job with 69 checkpoints and 5 events (the real pixtral payload, renamed)."""
    return attrs.evolve(
        fixture_details("job-detail-completion-pixtral-69-steps-2025-07.json"),
        id=f"job-{number:04d}",
    )


def size(store: HistoryStore) -> int:
    return store.info().size_bytes


def stored_ids(store: HistoryStore) -> set[str]:
    return {job.id for job in store.load_jobs().jobs}


def orphans(store: HistoryStore) -> list[tuple[int]]:
    return rows(
        store.path,
        "SELECT (SELECT count(*) FROM checkpoints WHERE job_id NOT IN (SELECT id FROM jobs))"
        " + (SELECT count(*) FROM events WHERE job_id NOT IN (SELECT id FROM jobs))",
    )


def test_the_least_recently_seen_jobs_are_evicted_to_stay_under_the_cap(tmp_path: Path) -> None:
    clock = ManualClock(1_800_000_000.0)
    store = open_store(tmp_path, clock=clock, max_bytes=CAP)
    written: list[str] = []
    evictions = 0
    for number in range(150):
        clock.advance(60)
        store.record(details=[job(number)])
        written.append(job(number).id)
        assert size(store) <= CAP
        kept = stored_ids(store)
        if len(kept) < len(written):
            evictions += 1
        # Always the most recently seen ones survive: a suffix of the order they were seen in.
        assert kept == set(written[-len(kept) :])

    assert evictions > 1  # the cap was reached more than once
    assert len(stored_ids(store)) < 150
    assert orphans(store) == [(0,)]
    counts = store.info().counts
    assert counts.checkpoints == 69 * counts.jobs
    assert counts.events == 5 * counts.jobs


def test_a_job_seen_again_is_kept_over_newer_ones(tmp_path: Path) -> None:
    clock = ManualClock(1_800_000_000.0)
    store = open_store(tmp_path, clock=clock, max_bytes=CAP)
    for number in range(20):
        clock.advance(60)
        store.record(details=[job(number)])
    assert size(store) < CAP * LOW_WATER  # nothing evicted yet

    for number in range(20, 120):
        clock.advance(60)
        store.record(details=[job(number)], seen=[job(0).id])  # job 0 is still in every list

    kept = stored_ids(store)
    assert job(0).id in kept
    assert job(1).id not in kept
    assert store.load_details(job(0).id) == job(0)


def test_lowering_the_cap_shrinks_the_file_on_disk(tmp_path: Path) -> None:
    clock = ManualClock(1_800_000_000.0)
    store = open_store(tmp_path, clock=clock)
    store.record(details=[job(number) for number in range(100)])
    rows(store.path, "PRAGMA wal_checkpoint(TRUNCATE)")  # everything into the file itself
    before = store.path.stat().st_size
    assert before > CAP

    store.max_bytes = CAP
    clock.advance(60)
    store.record(seen=[job(99).id])

    assert size(store) <= CAP * LOW_WATER  # trimmed to the low-water mark, not just under
    assert store.path.stat().st_size <= CAP * LOW_WATER  # the file itself, not only its pages
    assert store.path.stat().st_size < before
    kept = stored_ids(store)
    assert job(99).id in kept
    assert job(1).id not in kept
    assert orphans(store) == [(0,)]


def test_clear_empties_and_shrinks_the_file(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    store.record(details=[job(number) for number in range(40)])
    full = store.info()

    store.clear()

    empty = store.info()
    assert empty.counts.jobs == empty.counts.checkpoints == empty.counts.events == 0
    assert empty.counts.oldest_seen is None
    assert empty.size_bytes < full.size_bytes / 10
    assert store.path.stat().st_size < full.size_bytes / 10
    assert empty.enabled
    store.record(details=[job(1)])
    assert stored_ids(store) == {job(1).id}
