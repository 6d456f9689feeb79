"""Seeding the store from the local history: cached rows, their summaries, what confirms them."""

from __future__ import annotations

from monitor_factories import T0, checkpoint, detail, item, status_event

from tui.api.clock import ManualClock
from tui.api.models import JobsPage
from tui.monitor.changes import JobAdded
from tui.monitor.query import SortColumn, SortSpec
from tui.monitor.store import JobStore, JobSummary


def seeded() -> JobStore:
    store = JobStore(clock=ManualClock())
    jobs = [
        item("a", "SUCCESS", created_at=T0 + 3),
        item("b", "SUCCESS", created_at=T0 + 2),
        item("c", "FAILED", created_at=T0 + 1),
        item("d", "RUNNING", created_at=T0),
    ]
    summaries = {
        "a": JobSummary(step=100, train_loss=0.9, valid_loss=1.1, duration=600.0),
        "b": JobSummary(step=100, train_loss=0.4, valid_loss=0.5, duration=900.0),
        "d": JobSummary(step=10, train_loss=2.0),
    }
    changes = store.seed(jobs, summaries, seen_at=1_700_000_000.0)
    assert changes == [JobAdded(job) for job in jobs]
    return store


def test_seeded_jobs_are_cached_with_their_summaries() -> None:
    store = seeded()
    assert store.cached_since == 1_700_000_000.0
    assert all(view.cached for view in store)
    view = store.get("b")
    assert view is not None
    assert view.summary.train_loss == 0.4
    assert view.summary.duration == 900.0
    # A stored running job was seen live: its final detail is worth fetching; it is followed.
    assert store.active_ids() == ["d"]
    running = store.get("d")
    assert running is not None
    assert running.watched_live
    # Seeding again adds nothing already known.
    assert store.seed([item("a", "SUCCESS")], {}, seen_at=None) == []


def test_sorting_by_loss_ranks_the_history() -> None:
    store = seeded()
    by_train = store.query(sort=SortSpec(SortColumn.TRAIN_LOSS, descending=False))
    assert [view.id for view in by_train] == ["b", "a", "d", "c"]  # no loss known: last
    by_valid = store.query(sort=SortSpec(SortColumn.VALID_LOSS, descending=False))
    assert [view.id for view in by_valid][:2] == ["b", "a"]


def test_a_listing_confirms_a_seeded_job_and_keeps_its_summary() -> None:
    store = seeded()
    store.apply_page(JobsPage(total=1, data=(item("a", "SUCCESS", created_at=T0 + 3),)))
    confirmed = store.get("a")
    assert confirmed is not None
    assert not confirmed.cached
    assert confirmed.summary.train_loss == 0.9
    assert store.get("b").cached  # type: ignore[union-attr]
    assert store.cached_since == 1_700_000_000.0  # until a listing of every page ends
    store.listing_complete()
    assert store.cached_since is None


def test_a_stored_detail_does_not_confirm_a_job_but_a_fetched_one_does() -> None:
    store = seeded()
    finished = detail(
        "b",
        "SUCCESS",
        created_at=T0 + 2,
        checkpoints=(checkpoint(100, T0 + 800, train=0.4, valid=0.5),),
        events=(status_event("RUNNING", T0 + 100), status_event("SUCCESS", T0 + 1000)),
    )
    store.apply(finished, stored=True)
    view = store.get("b")
    assert view is not None
    assert view.cached
    assert view.detail_final
    assert view.summary.duration == 900.0  # from the detail's own events
    store.apply(finished)
    assert not store.get("b").cached  # type: ignore[union-attr]
