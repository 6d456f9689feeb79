"""Detail bodies over the bound while all are pinned: kept, and evicted once unpinned."""

from __future__ import annotations

from tests.unit.monitor.monitor_factories import T0, checkpoint, detail, item
from tui.monitor.store import JobStore


def test_pinned_bodies_stay_over_the_bound_and_go_once_their_jobs_finish() -> None:
    store = JobStore(max_details=2)
    for n in range(5):  # five running jobs: pinned, all kept though the bound is two
        store.apply(detail(f"run-{n}", "RUNNING", checkpoints=(checkpoint(1, T0 + n),)))
    assert store.detail_count == 5
    store.apply(detail("run-5", "RUNNING"))  # one more pinned body: nothing to evict
    assert store.detail_count == 6
    # Two finish (their final details arrive): no longer pinned, the least recently used go.
    store.apply(detail("run-0", "SUCCESS", checkpoints=(checkpoint(1, T0),)))
    store.apply(detail("run-1", "SUCCESS", checkpoints=(checkpoint(1, T0 + 1),)))
    assert store.detail_count == 4
    assert not store.get("run-0").has_detail  # type: ignore[union-attr]
    store.select("run-2")
    store.apply(item("run-2", "SUCCESS"))  # finished, but selected: kept
    assert store.get("run-2").has_detail  # type: ignore[union-attr]
    store.select(None)  # no longer selected: evicted
    assert not store.get("run-2").has_detail  # type: ignore[union-attr]
    assert store.detail_count == 3
