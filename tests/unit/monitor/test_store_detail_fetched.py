"""JobStore: a fetched detail is reported even when it brings nothing new (``DetailFetched``)."""

from __future__ import annotations

from monitor_factories import T0, checkpoint, detail, item, status_event

from tui.api.clock import ManualClock
from tui.monitor.changes import CheckpointsAdded, DetailFetched, EventsAdded, JobAdded
from tui.monitor.store import JobStore


def test_first_detail_of_a_listed_finished_job_with_nothing_new_is_reported() -> None:
    store = JobStore(clock=ManualClock())
    store.apply(item("a", status="SUCCESS"))
    assert not store.get("a").has_detail
    # The detail holds exactly the list's fields: no events, no checkpoints, nothing changed.
    changes = store.apply(detail("a", status="SUCCESS"))
    assert changes == [DetailFetched("a", final=True)]
    view = store.get("a")
    assert view.has_detail
    assert view.detail_final


def test_first_detail_of_a_live_job_is_reported_as_not_final() -> None:
    store = JobStore(clock=ManualClock())
    store.apply(item("a", status="RUNNING"))
    assert store.apply(detail("a", status="RUNNING")) == [DetailFetched("a", final=False)]


def test_first_detail_with_history_reports_it_and_then_the_fetch() -> None:
    store = JobStore(clock=ManualClock())
    store.apply(item("a", status="RUNNING"))
    cp, event = checkpoint(10, T0 + 10), status_event("RUNNING", T0 + 5)
    changes = store.apply(detail("a", status="RUNNING", checkpoints=(cp,), events=(event,)))
    assert changes == [
        CheckpointsAdded("a", (cp,)),
        EventsAdded("a", (event,)),
        DetailFetched("a", final=False),
    ]


def test_a_detail_for_an_unknown_job_adds_it_and_reports_the_fetch() -> None:
    store = JobStore(clock=ManualClock())
    [added, fetched] = store.apply(detail("a", status="SUCCESS"))
    assert isinstance(added, JobAdded)
    assert fetched == DetailFetched("a", final=True)


def test_refetching_a_held_detail_that_did_not_change_reports_nothing() -> None:
    store = JobStore(clock=ManualClock())
    store.apply(item("a", status="RUNNING"))
    store.apply(detail("a", status="RUNNING"))
    assert store.apply(detail("a", status="RUNNING")) == []
    finished = store.apply(detail("a", status="SUCCESS", modified_at=T0 + 60))
    assert DetailFetched("a", final=True) in finished  # became final: reported
    assert store.apply(detail("a", status="SUCCESS", modified_at=T0 + 60)) == []


def test_the_final_detail_after_the_list_saw_the_job_finish_is_reported() -> None:
    store = JobStore(clock=ManualClock())
    store.apply(item("a", status="RUNNING"))
    store.apply(detail("a", status="RUNNING"))
    store.apply(item("a", status="SUCCESS"))  # the held detail is no longer final
    assert not store.get("a").detail_final
    assert store.apply(detail("a", status="SUCCESS")) == [DetailFetched("a", final=True)]
    assert store.get("a").detail_final


def test_a_detail_fetched_again_after_eviction_is_reported_without_its_history() -> None:
    store = JobStore(clock=ManualClock(), max_details=1)
    cp = checkpoint(1, T0)
    store.apply(detail("a", status="SUCCESS", checkpoints=(cp,)))
    store.apply(detail("b", status="SUCCESS"))  # evicts a's body (nothing pinned)
    assert not store.get("a").has_detail
    assert store.apply(detail("a", status="SUCCESS", checkpoints=(cp,))) == [
        DetailFetched("a", final=True)
    ]


def test_a_list_item_never_reports_a_fetch() -> None:
    store = JobStore(clock=ManualClock())
    store.apply(item("a", status="RUNNING"))
    store.apply(detail("a", status="RUNNING"))
    changes = store.apply(item("a", status="RUNNING"))
    assert not any(isinstance(change, DetailFetched) for change in changes)
