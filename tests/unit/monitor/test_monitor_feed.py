"""The bounded, coalescing change queue."""

from __future__ import annotations

from monitor_factories import T0, checkpoint, item

from tui.api.errors import ErrorKind
from tui.monitor.changes import (
    CheckpointsAdded,
    JobAdded,
    JobChanged,
    JobGone,
    PollFailed,
    PollRecovered,
    PollSucceeded,
)
from tui.monitor.feed import ChangeQueue, coalesce


def test_coalesce_folds_per_job_and_keeps_latest_notices() -> None:
    a1, a2 = item("a", status="QUEUED"), item("a", status="RUNNING")
    c1, c2 = checkpoint(1, T0), checkpoint(2, T0 + 1)
    failed = PollFailed(ErrorKind.SERVER, "boom", 2.0, 10.0, first=True)
    changes = [
        JobAdded(a1),
        PollFailed(ErrorKind.SERVER, "boom", 1.0, 5.0, first=False),
        CheckpointsAdded("a", (c1,)),
        JobChanged(a2, frozenset({"status"})),
        failed,
        CheckpointsAdded("a", (c2,)),
        PollSucceeded(1.0, 2.0),
        PollSucceeded(3.0, 4.0),
        PollRecovered(2),
        PollRecovered(1),
        JobAdded(item("b")),
        JobGone("b"),
    ]
    folded = coalesce(changes)
    assert folded[0] == JobAdded(a2)  # added then changed: added, with the latest job
    assert folded[1] == CheckpointsAdded("a", (c1, c2))
    assert PollSucceeded(3.0, 4.0) in folded
    assert PollRecovered(3) in folded
    [fail] = [c for c in folded if isinstance(c, PollFailed)]
    assert fail.first  # a streak's first failure is never lost
    assert fail.retry_at == 10.0
    assert folded[-1] == JobGone("b")
    assert JobAdded(item("b")) not in folded


def test_queue_stays_bounded_when_consumer_lags() -> None:
    queue = ChangeQueue(limit=100)
    for n in range(10_000):
        queue.put(JobChanged(item(f"job-{n % 20}", modified_at=T0 + n), frozenset({"modified_at"})))
        queue.put(PollSucceeded(float(n), float(n)))
        assert len(queue) <= 200
    drained = queue.drain()
    latest = {c.job.id: c.job.modified_at for c in drained if isinstance(c, JobChanged)}
    assert latest["job-19"] == T0 + 9999
    assert [c for c in drained if isinstance(c, PollSucceeded)][-1].at == 9999.0


async def test_queue_iterates_until_closed() -> None:
    closed: list[ChangeQueue] = []
    queue = ChangeQueue(limit=10, on_close=closed.append)
    queue.put(JobGone("x"))
    assert await queue.get() == JobGone("x")
    queue.put(JobGone("y"))
    queue.close()
    queue.put(JobGone("z"))  # ignored after close
    assert [c async for c in queue] == [JobGone("y")]
    assert closed == [queue]
