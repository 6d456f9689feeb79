"""JobStore: merging, changes, queries and bounds."""

from __future__ import annotations

import attrs
from monitor_factories import T0, checkpoint, detail, item, status_event

from tui.api.clock import ManualClock
from tui.api.errors import PayloadError
from tui.api.models import ClassifierJob, JobKind, JobsPage, StatusGroup
from tui.monitor.changes import (
    CheckpointsAdded,
    DetailFetched,
    EventsAdded,
    JobAdded,
    JobChanged,
    JobGone,
)
from tui.monitor.store import Freshness, JobFilter, JobStore, SortColumn, SortSpec


def test_new_job_then_changed_fields() -> None:
    store = JobStore(clock=ManualClock())
    [added] = store.apply(item(status="QUEUED"))
    assert isinstance(added, JobAdded)
    assert store.apply(item(status="QUEUED")) == []
    [changed] = store.apply(item(status="RUNNING", modified_at=T0 + 99))
    assert isinstance(changed, JobChanged)
    assert changed.fields == {"status", "modified_at"}
    assert store.get("job-1").job.status == "RUNNING"


def test_list_refresh_keeps_detail_history() -> None:
    store = JobStore(clock=ManualClock())
    store.apply(
        detail(checkpoints=(checkpoint(10, T0 + 10),), events=(status_event("RUNNING", T0),))
    )
    changes = store.apply(item(status="RUNNING", fine_tuned_model="ft:x", modified_at=T0 + 10))
    assert [type(c) for c in changes] == [JobChanged]
    view = store.get("job-1")
    assert view.has_detail
    assert view.job.fine_tuned_model == "ft:x"
    assert len(view.details.checkpoints) == 1
    assert len(view.details.events) == 1


def test_detail_reports_only_new_checkpoints_and_events() -> None:
    store = JobStore(clock=ManualClock())
    store.apply(item())
    c1, c2, c3 = checkpoint(10, T0 + 10), checkpoint(20, T0 + 20), checkpoint(30, T0 + 30)
    first = store.apply(detail(checkpoints=(c2, c1), events=(status_event("RUNNING", T0),)))
    assert CheckpointsAdded("job-1", (c1, c2)) in first
    assert any(isinstance(c, EventsAdded) for c in first)
    again = store.apply(detail(checkpoints=(c3, c2, c1), events=(status_event("RUNNING", T0),)))
    assert again == [CheckpointsAdded("job-1", (c3,))]


def test_events_sharing_a_second_are_each_reported_once() -> None:
    store = JobStore(clock=ManualClock())
    e1, e2 = status_event("QUEUED", T0), status_event("VALIDATING", T0)
    [_, added, fetched] = store.apply(detail(status="VALIDATING", events=(e1,)))
    assert added == EventsAdded("job-1", (e1,))
    assert fetched == DetailFetched("job-1", final=False)
    assert store.apply(detail(status="VALIDATING", events=(e1, e2))) == [
        EventsAdded("job-1", (e2,))
    ]


def test_remove_gives_job_gone() -> None:
    store = JobStore(clock=ManualClock())
    store.apply(item())
    assert store.remove("job-1") == [JobGone("job-1")]
    assert store.remove("job-1") == []
    assert "job-1" not in store
    assert store.active_ids() == []


def test_query_filters_and_sorts() -> None:
    store = JobStore(clock=ManualClock())
    store.apply(item("a", status="SUCCESS", created_at=T0 + 1, suffix="alpha"))
    store.apply(item("b", status="RUNNING", created_at=T0 + 2, model="mistral-large"))
    store.apply(item("c", status="FAILED", created_at=T0 + 3, fine_tuned_model="ft:zeta"))
    store.apply(
        ClassifierJob(
            id="d",
            model="ministral-3b",
            status="QUEUED",
            created_at=T0 + 4,
            modified_at=T0 + 4,
            job_type="classifier",
        )
    )
    ids = lambda views: [v.id for v in views]  # noqa: E731
    assert ids(store.query()) == ["d", "c", "b", "a"]
    assert ids(store.query(JobFilter(text="ALPHA"))) == ["a"]
    assert ids(store.query(JobFilter(text="!alpha"))) == ["d", "c", "b"]
    assert ids(store.query(JobFilter(text="alpha", invert=True))) == ["d", "c", "b"]
    assert ids(store.query(JobFilter(text="zeta"))) == ["c"]
    assert ids(store.query(JobFilter(groups=frozenset({StatusGroup.RUNNING})))) == ["b"]
    assert ids(store.query(JobFilter(job_kind=JobKind.CLASSIFIER))) == ["d"]
    assert ids(store.query(sort=SortSpec(SortColumn.CREATED, descending=False))) == [
        "a",
        "b",
        "c",
        "d",
    ]
    assert ids(store.query(sort=SortSpec(SortColumn.STATUS, descending=False))) == [
        "b",
        "d",
        "c",
        "a",
    ]
    assert ids(store.query(sort=SortSpec(SortColumn.MODEL, descending=False))) == list("dbca")
    # Missing names sort last in both directions.
    by_name = ids(store.query(sort=SortSpec(SortColumn.NAME, descending=True)))
    assert by_name[:2] == ["c", "a"]
    assert store.counts_by_group()[StatusGroup.PENDING] == 1


def test_sort_by_losses_progress_and_eta() -> None:
    clock = ManualClock(start=T0 + 1000)
    store = JobStore(clock=clock)
    store.apply(
        detail(
            "x",
            checkpoints=(checkpoint(50, T0 + 500, train=0.5, valid=0.7),),
            events=(status_event("RUNNING", T0),),
        )
    )
    store.apply(
        detail(
            "y",
            checkpoints=(checkpoint(20, T0 + 500, train=0.9, valid=0.2),),
            events=(status_event("RUNNING", T0),),
        )
    )
    store.apply(item("z", status="QUEUED"))
    ids = lambda spec: [v.id for v in store.query(sort=spec)]  # noqa: E731
    assert ids(SortSpec(SortColumn.TRAIN_LOSS, descending=False)) == ["x", "y", "z"]
    assert ids(SortSpec(SortColumn.VALID_LOSS, descending=True)) == ["x", "y", "z"]
    assert ids(SortSpec(SortColumn.PROGRESS, descending=True)) == ["x", "y", "z"]
    assert ids(SortSpec(SortColumn.ETA, descending=False)) == ["x", "y", "z"]
    assert store.get("x").summary.perplexity == 2**0.7


def test_bounds_hold_after_many_updates() -> None:
    clock = ManualClock()
    store = JobStore(clock=clock, max_checkpoints=50, max_events=20, max_details=10)
    # One running job grows for a long time.
    for n in range(1, 300):
        cps = tuple(checkpoint(s, T0 + s) for s in range(1, n + 1))
        evs = tuple(status_event("RUNNING", T0 + s) for s in range(n))
        store.apply(detail("live", checkpoints=cps, events=evs))
        view = store.get("live")
        assert len(view.details.checkpoints) <= 50
        assert len(view.details.events) <= 20
    assert view.details.checkpoints_by_step[-1].step_number == 299
    # Hundreds of finished jobs looked at once each: only max_details bodies stay.
    for n in range(500):
        store.apply(detail(f"done-{n}", status="SUCCESS", checkpoints=(checkpoint(100, T0),)))
        assert store.detail_count <= 11  # 10 + the pinned running job
    assert store.get("live").has_detail  # running jobs are pinned
    assert not store.get("done-0").has_detail
    assert store.get("done-0").summary.step == 100  # the summary survives eviction
    assert store.get("done-499").has_detail
    assert len(store) == 501


def test_the_detail_cache_is_bounded_by_checkpoints_too() -> None:
    # Twenty finished jobs with 1,000 checkpoints each weigh as much as 2,000 small ones: the
    # cache holds checkpoints up to its budget, whatever the number of jobs.
    store = JobStore(clock=ManualClock(), max_details=200, max_detail_checkpoints=3000)
    store.apply(detail("live", checkpoints=tuple(checkpoint(s, T0 + s) for s in range(1, 2001))))
    big = tuple(checkpoint(s, T0 + s) for s in range(1, 1001))
    for n in range(10):
        store.apply(detail(f"big-{n}", status="SUCCESS", checkpoints=big))
        held = [v for v in store if v.has_detail and v.job.id != "live"]
        assert sum(len(v.details.checkpoints) for v in held) <= 3000
    # The three most recently fetched fit the budget; the older ones went back to list fields.
    assert {v.job.id for v in store if v.has_detail} == {"live", "big-7", "big-8", "big-9"}
    assert store.get("live").has_detail  # pinned: outside the budget
    assert store.get("big-0").summary.step == 1000  # the summary survives eviction
    store.select("big-0")
    assert store.needs_detail("big-0")  # fetched again when looked at
    # Small ones: the job count is the limit again.
    for n in range(300):
        store.apply(detail(f"small-{n}", status="SUCCESS", checkpoints=(checkpoint(10, T0),)))
    assert store.detail_count <= 200 + 2  # + the running job and the selected one


def test_validated_jobs_waiting_for_a_start_do_not_pin_their_details() -> None:
    # A workspace can hold hundreds of jobs parked in VALIDATED for weeks: their details must
    # not escape the cap the way moving jobs' details do.
    store = JobStore(clock=ManualClock(), max_details=10)
    store.apply(detail("live", status="RUNNING"))
    for n in range(300):
        store.apply(detail(f"parked-{n}", status="VALIDATED"))
        assert store.detail_count <= 11  # 10 + the pinned running job
    assert store.get("live").has_detail
    assert not store.get("parked-0").has_detail
    store.select("parked-0")
    assert store.needs_detail("parked-0")  # fetched again when looked at


def test_evicted_detail_is_refetched_without_reannouncing() -> None:
    store = JobStore(clock=ManualClock(), max_details=1)
    store.apply(detail("a", status="SUCCESS", checkpoints=(checkpoint(1, T0),)))
    store.select("a")
    assert not store.needs_detail("a")
    store.apply(detail("b", status="SUCCESS"))
    assert store.get("a").has_detail  # selected: pinned
    assert not store.get("b").has_detail
    store.select("b")
    store.apply(detail("b", status="SUCCESS"))
    assert not store.get("a").has_detail
    store.select("a")
    assert store.needs_detail("a")
    changes = store.apply(detail("a", status="SUCCESS", checkpoints=(checkpoint(1, T0),)))
    assert changes == [DetailFetched("a", final=True)]  # the body is back; nothing re-announced


def test_needs_final_detail_when_job_finishes() -> None:
    store = JobStore(clock=ManualClock())
    store.apply(item(status="RUNNING"))
    assert store.needs_detail("job-1")  # running without detail
    store.apply(detail(status="RUNNING"))
    assert not store.needs_detail("job-1")
    store.apply(item(status="SUCCESS"))
    assert store.needs_detail("job-1")  # final checkpoints
    store.apply(detail(status="SUCCESS"))
    assert not store.needs_detail("job-1")
    # A job first seen finished is fetched only when selected.
    store.apply(item("old", status="SUCCESS"))
    assert not store.needs_detail("old")
    store.select("old")
    assert store.needs_detail("old")


def test_freshness_and_errors() -> None:
    clock = ManualClock()
    store = JobStore(clock=clock)
    store.apply(item())
    assert store.get("job-1").freshness(clock.monotonic(), stale_after=60) is Freshness.FRESH
    clock.advance(61)
    assert store.get("job-1").freshness(clock.monotonic(), stale_after=60) is Freshness.STALE
    store.record_error("job-1", PayloadError(["$.checkpoints[0].step_number: expected int"]))
    view = store.get("job-1")
    assert view.freshness(clock.monotonic(), 60) is Freshness.FAILING
    assert "$.checkpoints[0].step_number" in view.last_error
    store.apply(item())
    assert store.get("job-1").failures == 1  # a list item says nothing about the detail
    store.apply(detail())
    assert store.get("job-1").failures == 0
    assert store.get("job-1").last_error is None


def test_query_over_many_jobs() -> None:
    store = JobStore(clock=ManualClock())
    for n in range(5000):
        store.apply(item(f"job-{n:05}", created_at=T0 + n, suffix=f"run{n % 7}"))
    assert len(store.query(JobFilter(text="run3"))) == 714
    assert store.query(sort=SortSpec(SortColumn.NAME, descending=False))[0].name == "run0"


def test_apply_page() -> None:
    store = JobStore(clock=ManualClock())
    page = JobsPage(total=2, data=(item("a"), item("b")))
    assert len(store.apply_page(page)) == 2
    assert attrs.evolve(store.get("a")).id == "a"
