"""Jobs that complete listings stop returning are forgotten, so a long-open app stays bounded."""

from __future__ import annotations

from fake_source import FakeSource
from monitor_factories import T0, detail
from poller_helpers import advance, make_poller, running

from tui.api.clock import ManualClock
from tui.monitor.changes import Change, JobGone


def workspace(count: int) -> FakeSource:
    source = FakeSource()
    for n in range(count):
        source.put(detail(f"job-{n:03}", status="SUCCESS", created_at=T0 + n))
    return source


def gone_ids(seen: list[Change]) -> set[str]:
    return {c.job_id for c in seen if isinstance(c, JobGone)}


async def test_a_job_missing_from_two_complete_listings_is_forgotten() -> None:
    clock, source = ManualClock(), workspace(5)
    poller, seen = make_poller(source, clock, list_interval=30, full_list_interval=300)
    async with running(poller):
        assert "job-000" in poller.store
        del source.jobs["job-000"]  # deleted on the server (or aged out of the workspace)
        poller.refresh_now()
        await advance(clock, poller, 1)
        assert "job-000" in poller.store, "one miss may be an artefact of paging"
        assert not gone_ids(seen)
        poller.refresh_now()
        await advance(clock, poller, 1)
        assert "job-000" not in poller.store
        assert gone_ids(seen) == {"job-000"}
        assert len(poller.store) == 4


async def test_a_job_that_comes_back_after_one_miss_is_kept() -> None:
    clock, source = ManualClock(), workspace(3)
    poller, seen = make_poller(source, clock, list_interval=30, full_list_interval=300)
    async with running(poller):
        hidden = source.jobs.pop("job-001")
        poller.refresh_now()
        await advance(clock, poller, 1)
        source.put(hidden)
        poller.refresh_now()
        await advance(clock, poller, 1)
        poller.refresh_now()
        await advance(clock, poller, 1)
        assert "job-001" in poller.store
        assert not gone_ids(seen)


async def test_the_rolling_sweep_forgets_jobs_too() -> None:
    # 120 jobs: more than the newest page (50), so scheduled full listings are rolling sweeps.
    clock, source = ManualClock(), workspace(120)
    poller, seen = make_poller(source, clock, list_interval=30, full_list_interval=60)
    async with running(poller):
        del source.jobs["job-000"]  # the oldest: only a sweep's last page would list it
        await advance(clock, poller, 400)
        assert "job-000" not in poller.store
        assert gone_ids(seen) == {"job-000"}
        assert len(poller.store) == 119
